// The local executor against real host processes: argv without a shell, $KO_IN/$KO_OUT,
// isolation of env, exit codes, retries, timeouts and cancellation killing whole process groups,
// and bounded concurrency.
import { describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../../src/pipeline/local-executor.js';
import type { StepEvent, StepSpec } from '../../../src/pipeline/executor.js';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'ko-exec-')); });

function spec(over: Partial<StepSpec>): StepSpec {
    return { id: 'run1/Main.a', runId: 'run1', stepName: 'Main.a', key: 'k', image: 'alpine', command: ['/bin/true'], args: [], env: {}, inputs: [], retries: 0, ...over };
}

const sh = (script: string, over: Partial<StepSpec> = {}) => spec({ command: ['/bin/sh'], args: ['-c', script], ...over });

function alive(pid: number): boolean {
    try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error('timed out waiting');
        await new Promise(r => setTimeout(r, 20));
    }
}

describe('LocalExecutor', () => {
    it('runs argv without a shell and captures stdout and the log', async () => {
        const ex = new LocalExecutor({ workRoot: root });
        const events: StepEvent[] = [];
        const r = await ex.run(spec({ command: ['/bin/echo'], args: ['$HOME', 'a b;c'] }), new AbortController().signal, e => events.push(e));
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('$HOME a b;c\n');
        expect(readFileSync(r.logPath, 'utf8')).toBe('$HOME a b;c\n');
        expect(r.attempts).toBe(1);
        expect(r.placement).toMatch(/^local:/);
        expect(events.map(e => e.kind)).toEqual(['queued', 'started', 'log', 'finished']);
    });

    it('materialises inputs under $KO_IN and lists files written under $KO_OUT', async () => {
        const obj = join(root, 'obj');
        writeFileSync(obj, 'b\na\nc\n');
        const ex = new LocalExecutor({ workRoot: root });
        const r = await ex.run(sh('sort "$KO_IN/data/words" > "$KO_OUT/sorted"; mkdir -p "$KO_OUT/d"; echo x > "$KO_OUT/d/e"; chmod u+w "$KO_IN/data/words"; echo junk >> "$KO_IN/data/words"',
            { inputs: [{ name: 'data/words', objectPath: obj, hash: 'h' }] }), new AbortController().signal, () => {});
        expect(r.exitCode).toBe(0);
        expect(r.outputs.map(o => o.name)).toEqual(['d/e', 'sorted']);
        expect(readFileSync(r.outputs[1].localPath, 'utf8')).toBe('a\nb\nc\n');
        expect(readFileSync(obj, 'utf8')).toBe('b\na\nc\n'); // the step edited its copy, not the object
    });

    it('passes only the step env plus a few host variables', async () => {
        process.env.KO_TEST_LEAK = 'leaked';
        const ex = new LocalExecutor({ workRoot: root });
        const r = await ex.run(sh('echo "$FOO|$KO_TEST_LEAK|$KO_STEP|${PATH:+path}"', { env: { FOO: 'bar' } }), new AbortController().signal, () => {});
        delete process.env.KO_TEST_LEAK;
        expect(r.stdout).toBe('bar||Main.a|path\n');
    });

    it('reports exit codes, 127 for a missing program, and retries with backoff', async () => {
        const ex = new LocalExecutor({ workRoot: root, backoffMs: 50 });
        const nope = await ex.run(spec({ command: ['/no/such/program'] }), new AbortController().signal, () => {});
        expect(nope.exitCode).toBe(127);
        expect(readFileSync(nope.logPath, 'utf8')).toContain('cannot start /no/such/program');
        const counter = join(root, 'count');
        const t0 = Date.now();
        const events: StepEvent[] = [];
        const r = await ex.run(sh(`echo x >> ${counter}; exit 3`, { retries: 2 }), new AbortController().signal, e => events.push(e));
        expect(r.exitCode).toBe(3);
        expect(r.attempts).toBe(3);
        expect(readFileSync(counter, 'utf8')).toBe('x\nx\nx\n');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // 50 + 100 ms of backoff
        expect(events.filter(e => e.kind === 'retrying').length).toBe(2);
        expect(r.outputs).toEqual([]);
        // A flaky step that succeeds on its second attempt.
        const flag = join(root, 'flag');
        const ok = await ex.run(sh(`if [ -e ${flag} ]; then echo ok; else touch ${flag}; exit 1; fi`, { retries: 3 }), new AbortController().signal, () => {});
        expect(ok.exitCode).toBe(0);
        expect(ok.attempts).toBe(2);
        expect(ok.stdout).toBe('ok\n');
    });

    it('a timeout kills the whole process group, grandchildren included', async () => {
        const ex = new LocalExecutor({ workRoot: root, killGraceMs: 300 });
        const pidFile = join(root, 'pid');
        const t0 = Date.now();
        const r = await ex.run(sh(`sleep 30 & echo $! > ${pidFile}; wait`, { timeoutSeconds: 0.5 }), new AbortController().signal, () => {});
        expect(r.exitCode).toBe(124);
        expect(Date.now() - t0).toBeLessThan(5000);
        expect(readFileSync(r.logPath, 'utf8')).toContain('timed out');
        const grandchild = Number(readFileSync(pidFile, 'utf8'));
        await waitFor(() => !alive(grandchild));
    });

    it('cancellation rejects, kills the process group and removes the scratch dir', async () => {
        const ex = new LocalExecutor({ workRoot: root, killGraceMs: 300 });
        const pidFile = join(root, 'pid2');
        const ac = new AbortController();
        const p = ex.run(sh(`sleep 30 & echo $! > ${pidFile}; trap '' TERM; wait`), ac.signal, () => {});
        await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
        ac.abort();
        await expect(p).rejects.toMatchObject({ name: 'AbortError' });
        await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
        expect(readdirSync(root).filter(n => n.startsWith('run1'))).toEqual([]);
    });

    it('bounds concurrency', async () => {
        const ex = new LocalExecutor({ workRoot: root, concurrency: 2 });
        const log = join(root, 'conc');
        const script = `echo start >> ${log}; sleep 0.3; echo end >> ${log}`;
        await Promise.all([1, 2, 3, 4, 5].map(i => ex.run(sh(script, { id: `run1/s${i}` }), new AbortController().signal, () => {})));
        let cur = 0, max = 0;
        for (const line of readFileSync(log, 'utf8').trim().split('\n')) { cur += line === 'start' ? 1 : -1; max = Math.max(max, cur); }
        expect(max).toBe(2);
    });

    it('honours workdir', async () => {
        const ex = new LocalExecutor({ workRoot: root });
        const r = await ex.run(spec({ command: ['/bin/pwd'], workdir: 'sub/dir' }), new AbortController().signal, () => {});
        expect(r.stdout.trim().endsWith('/work/sub/dir')).toBe(true);
        const abs = await ex.run(spec({ command: ['/bin/pwd'], workdir: root }), new AbortController().signal, () => {});
        expect(abs.stdout.trim()).toBe(root);
    });
});

describe('LocalExecutor leftovers', () => {
    it('background processes do not outlive their step', async () => {
        const ex = new LocalExecutor({ workRoot: root });
        const pidFile = join(root, 'bg');
        const t0 = Date.now();
        const r = await ex.run(sh(`sleep 30 & echo $! > ${pidFile}; echo done`), new AbortController().signal, () => {});
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('done\n');
        expect(Date.now() - t0).toBeLessThan(3000);
        await waitFor(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
    });
});

describe('argument placeholders', () => {
    it('expands $KO_IN/$KO_OUT in args (no shell) and finds programs on PATH', async () => {
        const obj = join(root, 'obj2');
        writeFileSync(obj, 'x\ny\n');
        const ex = new LocalExecutor({ workRoot: root });
        const r = await ex.run(spec({ command: ['awk'], args: ['END { print NR > ENVIRON["KO_OUT"] "/n" } { print $0 "$HOME" }', '${KO_IN}/f'],
            inputs: [{ name: 'f', objectPath: obj, hash: 'h' }] }), new AbortController().signal, () => {});
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('x$HOME\ny$HOME\n');
        expect(readFileSync(r.outputs[0].localPath, 'utf8')).toBe('2\n');
    });
});
