// `ko run` of pipelines and the provenance commands as real processes: Ctrl-C cancellation,
// kill -9 resume, and ko runs / why / diff / log / gc on the store they leave behind.
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from '../../../src/store/store.js';
import { listRunIds, readRun } from '../../../src/store/run-records.js';
import { ko, koBundle, koRun } from './cli-bundle.js';

const example = fileURLToPath(new URL('../../../examples/pipeline', import.meta.url));

function alive(pid: number): boolean {
    try { process.kill(pid, 0); return true; } catch { return false; }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error('timed out waiting');
        await new Promise(r => setTimeout(r, 20));
    }
}

describe('ko run of a pipeline', () => {
    it('Ctrl-C kills the running step, records nothing for it and marks the run cancelled', async () => {
        await koBundle();
        const dir = mkdtempSync(join(tmpdir(), 'ko-cli-int-'));
        writeFileSync(join(dir, 'slow.ko'), `import "pipeline"

Main() {
	fast: pipeline.Shell(script: "echo fast > $KO_OUT/f")
	slow: pipeline.Shell(script: "echo $$ > ${dir}/pid; sleep 30 & wait", inputs: (f: fast.outputs.f))
	return: slow.stdout
}
`);
        const p = await ko(['run', 'slow.ko:Main'], dir);
        await until(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').endsWith('\n'));
        const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
        const t0 = Date.now();
        p.child.kill('SIGINT');
        const code = await p.done;
        expect(Date.now() - t0).toBeLessThan(6000);
        expect(code).not.toBe(0);
        expect(p.stderr()).toMatch(/started  Main\.slow/);
        expect(p.stderr()).toMatch(/cancelled/);
        await until(() => !alive(pid) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z', 5000);
        const store = new Store(join(dir, '.ko'));
        expect([...store.steps.list()].map(r => r.stepName)).toEqual(['Main.fast']);
        const run = readRun(store.runsDir, listRunIds(store.runsDir)[0])!;
        expect(run.status).toBe('cancelled');
        expect(run.steps.map(s => [s.stepName, s.status])).toEqual([['Main.fast', 'executed'], ['Main.slow', 'cancelled']]);
        expect(readdirSync(store.workDir)).toEqual([]);
        // The rerun keeps the finished step.
        writeFileSync(join(dir, 'slow.ko'), readFileSync(join(dir, 'slow.ko'), 'utf8').replace('sleep 30 & wait', 'echo done'));
        const again = await koRun(['run', 'slow.ko:Main'], dir);
        expect(again.code).toBe(0);
        expect(again.stderr).toMatch(/cached   Main\.fast/);
        expect(again.stdout.trim()).toBe('"done"');
    });

    it('kill -9 of ko run: the next run repeats only unfinished steps', async () => {
        await koBundle();
        const dir = mkdtempSync(join(tmpdir(), 'ko-cli-kill-'));
        const steps = Array.from({ length: 8 }, (_, i) => `\ts${i}: pipeline.Shell(script: "echo s${i} >> ${dir}/count; sleep 0.3; echo ${i} > $KO_OUT/v"${i ? `, inputs: (prev: s${i - 1}.outputs.v)` : ''})`);
        writeFileSync(join(dir, 'chain.ko'), `import "pipeline"\n\nMain() {\n${steps.join('\n')}\n\treturn: s7.outputs.v\n}\n`);
        const store = new Store(join(dir, '.ko'));
        const p = await ko(['run', 'chain.ko:Main'], dir);
        await until(() => existsSync(store.steps.dir) && [...store.steps.list()].length >= 3);
        p.child.kill('SIGKILL');
        await p.done;
        const finished = [...store.steps.list()].map(r => r.stepName.slice(5));
        expect(finished.length).toBeLessThan(8);
        const again = await koRun(['run', 'chain.ko:Main'], dir);
        expect(again.code).toBe(0);
        const count = readFileSync(join(dir, 'count'), 'utf8').trim().split('\n');
        for (const name of finished) expect(count.filter(c => c === name)).toHaveLength(1);
        for (const name of finished) expect(again.stderr).toContain(`cached   Main.${name}`);
        const runs = listRunIds(store.runsDir).map(id => readRun(store.runsDir, id)!);
        expect(runs[1].effectiveStatus).toBe('interrupted');
        expect((await koRun(['runs'], dir)).stdout).toMatch(/interrupted/);
    });

    it('a failing step: ko run fails with the step, exit code and log tail; ko log and ko runs show it', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-cli-fail-'));
        writeFileSync(join(dir, 'bad.ko'), `import "pipeline"\n\nMain() {\n\tbad: pipeline.Shell(script: "echo preparing; echo 'disk full' >&2; exit 4")\n\treturn: bad.stdout\n}\n`);
        const r = await koRun(['run', 'bad.ko:Main'], dir);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/failed   Main\.bad [0-9a-f]{12} exit 4 after 1 attempt/);
        expect(r.stderr).toMatch(/unrecovered panic: .*step: "Main\.bad".*exitCode: 4/);
        expect(r.stderr).toContain('disk full');
        const log = await koRun(['log', 'Main.bad'], dir);
        expect(log.stdout).toBe("preparing\ndisk full\n");
        const key = /failed   Main\.bad ([0-9a-f]{12})/.exec(r.stderr)![1];
        expect((await koRun(['log', key], dir)).stdout).toBe("preparing\ndisk full\n");
        expect((await koRun(['runs'], dir)).stdout).toMatch(/failed\s.*\s0\s+0\s+1$/m);
    });

    it('ko runs, diff, why, log and gc on the example', async () => {
        await koBundle();
        const dir = mkdtempSync(join(tmpdir(), 'ko-cli-prov-'));
        cpSync(example, dir, { recursive: true, filter: src => !src.split('/').includes('.ko') });
        expect((await koRun(['run', 'logs.ko:Main'], dir)).code).toBe(0);
        writeFileSync(join(dir, 'logs.ko'), readFileSync(join(dir, 'logs.ko'), 'utf8').replace('head -n 3', 'head -n 2'));
        const second = await koRun(['run', 'logs.ko:Main'], dir);
        expect(second.code).toBe(0);
        expect(second.stderr).toMatch(/2 executed, 3 cached/);

        const runs = await koRun(['runs'], dir);
        expect(runs.stdout.trim().split('\n')).toHaveLength(3);
        const diff = await koRun(['diff'], dir);
        expect(diff.stdout).toMatch(/~ Main\.paths .*\(executed -> executed\)|~ Main\.paths/);
        expect(diff.stdout).toMatch(/head -n 3 .* -> .*head -n 2/);
        expect(diff.stdout).toMatch(/~ Main\.report[\s\S]*input: paths: content [0-9a-f]{12} -> [0-9a-f]{12} \(produced by step/);
        expect(diff.stdout).toMatch(/3 steps identical/);
        const diffJson = JSON.parse((await koRun(['diff', 'last~1', 'last', '--json'], dir)).stdout);
        expect(diffJson.steps.filter((s: { status: string }) => s.status === 'changed')).toHaveLength(2);

        const why = await koRun(['why', 'Main.report'], dir);
        expect(why.stdout).toMatch(/^step Main\.report/);
        expect(why.stdout).toMatch(/input log = [0-9a-f]{12} \(workspace file data\/access\.log\)/);
        expect(why.stdout).toMatch(/step Main\.clean/);
        const log = await koRun(['log', 'Main.requests'], dir);
        expect(log.stdout).toBe('16\n');
        const noStep = await koRun(['log', 'Main.nope'], dir);
        expect(noStep.code).toBe(1);
        const gcDry = await koRun(['gc', '--dry-run', '--grace', '0', '--keep-runs', '1'], dir);
        expect(gcDry.stdout).toMatch(/would remove \d+ objects .*2 step records, 1 runs/);
        const gc = await koRun(['gc', '--grace', '0', '--keep-runs', '1'], dir);
        expect(gc.stdout).toMatch(/removed/);
        const third = await koRun(['run', 'logs.ko:Main'], dir);
        expect(third.stderr).toMatch(/0 executed, 5 cached/);
        expect((await koRun(['gc', '--keep-runs', 'x'], dir)).code).toBe(2);
    });
});
