// Concurrency and processes: independent os.Task steps overlap in time under the run's limit;
// os.Task follows §7 (no shell, no PATH lookup, env replaces, Bool result, output logged on failure).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKo, writeTree } from './helpers.js';

const OS = 'import "github.com/kocircuit/kocircuit/lib/os"\n';

/** Four independent tasks (0.8 s each); each logs its start and end time (ns) to a shared file. */
function fourTasks(log: string): string {
    const task = (i: number) => `\tt${i}: os.Task(name: "t${i}", binary: "/bin/sh", arg: ("-c", "echo start $(date +%s%N) >> ${log}; sleep 0.8; echo end $(date +%s%N) >> ${log}"))`;
    return `${OS}Main() {\n${[1, 2, 3, 4].map(task).join('\n')}\n\treturn: (t1, t2, t3, t4)\n}\n`;
}

function maxOverlap(log: string): number {
    const events = readFileSync(log, 'utf8').trim().split('\n').map(l => { const [kind, t] = l.split(' '); return { kind, t: BigInt(t) }; });
    events.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : a.kind === 'end' ? -1 : 1));
    let cur = 0, max = 0;
    for (const e of events) { cur += e.kind === 'start' ? 1 : -1; max = Math.max(max, cur); }
    return max;
}

describe('concurrency', () => {
    it('independent tasks overlap in time', async () => {
        const dir = writeTree({});
        const log = join(dir, 'overlap.log');
        const r = await runKo(fourTasks(log), 'Main', { concurrency: 4 });
        expect(r.printed).toBe('(true, true, true, true)');
        expect(maxOverlap(log)).toBeGreaterThanOrEqual(3);
    });
    it('the concurrency limit is respected', async () => {
        const dir = writeTree({});
        const log = join(dir, 'limit.log');
        const started = performance.now();
        const r = await runKo(fourTasks(log), 'Main', { concurrency: 2 });
        expect(r.printed).toBe('(true, true, true, true)');
        expect(maxOverlap(log)).toBe(2);
        expect(performance.now() - started).toBeGreaterThanOrEqual(1590);
    });
    it('Sequential runs the independent tasks of its callee one at a time', async () => {
        const dir = writeTree({});
        const log = join(dir, 'sequential.log');
        const src = fourTasks(log).replace('Main() {', 'tasks() {') + 'Main() { return: Sequential(tasks) }\n';
        const r = await runKo(src, 'Main', { concurrency: 4 });
        expect(r.printed).toBe('(true, true, true, true)');
        expect(maxOverlap(log)).toBe(1);
    });
    it('_after makes tasks run one after the other', async () => {
        const dir = writeTree({});
        const log = join(dir, 'seq.log');
        const t = (i: number, after: string) => `\tt${i}: os.Task(name: "t${i}", binary: "/bin/sh", arg: ("-c", "echo start $(date +%s%N) >> ${log}; sleep 0.1; echo end $(date +%s%N) >> ${log}")${after})`;
        const src = `${OS}Main() {\n${t(1, '')}\n${t(2, ', _after: t1')}\n${t(3, ', _after: t2')}\n\treturn: t3\n}\n`;
        await runKo(src, 'Main', { concurrency: 4 });
        expect(maxOverlap(log)).toBe(1);
    });
});

describe('os.Task', () => {
    it('returns true on exit status 0 and false otherwise, logging output only on failure', async () => {
        const r = await runKo(`${OS}Main() {
	ok: os.Task(name: "ok", binary: "/bin/sh", arg: ("-c", "echo quiet"))
	bad: os.Task(name: "bad", binary: "/bin/sh", arg: ("-c", "echo loud; exit 3"))
	return: (ok: ok, bad: bad)
}`);
        expect(r.printed).toBe('(ok: true, bad: false)');
        expect(r.stderr).not.toContain('quiet');
        expect(r.stderr).toContain('loud');
        expect(r.stderr).toContain('exit status 3');
    });
    it('does no PATH lookup', async () => {
        const r = await runKo(`${OS}Main() { return: os.Task(name: "ls", binary: "ls") }`);
        expect(r.printed).toBe('false');
        expect(r.stderr).toContain('fork/exec ls: no such file or directory');
    });
    it('a non-empty env replaces the environment; an empty one inherits it', async () => {
        const dir = writeTree({});
        process.env.KO_TASK_TEST = 'inherited';
        const src = `${OS}Main() {
	a: os.Task(name: "a", binary: "/bin/sh", arg: ("-c", "echo \\"[$ONLY][$KO_TASK_TEST]\\" > ${dir}/a.txt"), env: "ONLY=1")
	b: os.Task(name: "b", binary: "/bin/sh", arg: ("-c", "echo \\"[$KO_TASK_TEST]\\" > ${dir}/b.txt"))
	return: (a, b)
}`;
        const r = await runKo(src);
        expect(r.printed).toBe('(true, true)');
        expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('[1][]\n');
        expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('[inherited]\n');
    });
    it('runs in dir', async () => {
        const dir = writeTree({ 'sub/marker': 'x' });
        const r = await runKo(`${OS}Main() { return: os.Task(name: "d", binary: "/bin/sh", arg: ("-c", "test -f marker"), dir: "${dir}/sub") }`);
        expect(r.printed).toBe('true');
    });
    it('cancellation stops running tasks', async () => {
        const controller = new AbortController();
        const started = performance.now();
        setTimeout(() => controller.abort(), 200);
        await expect(runKo(`${OS}Main() { return: os.Task(name: "long", binary: "/bin/sleep", arg: "10") }`, 'Main', { signal: controller.signal })).rejects.toThrow();
        expect(performance.now() - started).toBeLessThan(5000);
    });
});
