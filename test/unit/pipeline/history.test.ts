// Provenance through the CLI: ko history (and its alias ko runs), ko why's "why it ran or was
// reused", --json on every provenance command, and step-queued in `ko run --events ndjson`.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { koBundle, koRun } from './cli-bundle.js';
import { liveProgress } from '../../../src/pipeline/progress.js';

const pipeline = (b: string) => `import "pipeline"

Main() {
	a: pipeline.Shell(script: "sleep 0.2; echo a > \\"$KO_OUT/v\\"")
	b: pipeline.Shell(script: "${b}")
	return: (a: a.stdout, b: b.stdout)
}
`;

describe('ko history, why, --json and run events', () => {
    it('a run with concurrency 1 and two steps: the second is queued; history and why explain the rerun', async () => {
        await koBundle();
        const dir = mkdtempSync(join(tmpdir(), 'ko-history-'));
        writeFileSync(join(dir, 'two.ko'), pipeline('echo one'));
        const first = await koRun(['run', '--concurrency', '1', '--events', 'ndjson', 'two.ko:Main'], dir);
        expect(first.code).toBe(0);
        const events = first.stdout.trim().split('\n').map(l => JSON.parse(l) as { type: string; step?: string; cacheKey?: string });
        const queued = events.filter(e => e.type === 'step-queued');
        expect(queued).toHaveLength(1);
        expect(queued[0].cacheKey).toMatch(/^[0-9a-f]{64}$/);
        // The queued step starts only after it was queued, and both succeed.
        const q = events.indexOf(queued[0]);
        expect(events.findIndex((e, i) => i > q && e.type === 'step-started' && e.step === queued[0].step && e.cacheKey)).toBeGreaterThan(q);
        expect(events.filter(e => e.type === 'step-finished' && e.cacheKey)).toHaveLength(2);

        writeFileSync(join(dir, 'two.ko'), pipeline('echo two'));
        expect((await koRun(['run', 'two.ko:Main'], dir)).stderr).toMatch(/1 executed, 1 cached/);

        // history: the runs table, same as ko runs (alias).
        const runs = await koRun(['runs'], dir);
        const history = await koRun(['history'], dir);
        expect(history.stdout).toBe(runs.stdout);
        expect(history.stdout.trim().split('\n')).toHaveLength(3);
        const json = JSON.parse((await koRun(['history', '--json'], dir)).stdout) as { runId: string; host: string; steps: { stepName: string; status: string; reused: boolean; host: string; fromRun?: string }[] }[];
        expect(json).toHaveLength(2);
        const [newest, oldest] = json;
        expect(newest.steps.map(s => [s.stepName, s.status, s.reused]).sort()).toEqual([['Main.a', 'cached', true], ['Main.b', 'executed', false]]);
        expect(newest.steps.find(s => s.stepName === 'Main.a')!.fromRun).toBe(oldest.runId);
        expect(newest.steps.every(s => s.host === hostname())).toBe(true);
        // history of a run (its steps), of a step (across runs), of a target (runs that ran it).
        const last = await koRun(['history', 'last'], dir);
        expect(last.stdout).toMatch(new RegExp(`Main\\.a\\s+[0-9a-f]{12}  reused from run ${oldest.runId}`));
        expect(last.stdout).toMatch(/Main\.b\s+[0-9a-f]{12}  executed/);
        const stepHist = await koRun(['history', 'Main.b'], dir);
        expect(stepHist.stdout.trim().split('\n')).toHaveLength(2);
        expect(stepHist.stdout).toMatch(new RegExp(`^${newest.runId} .*executed`, 'm'));
        expect((await koRun(['history', 'two.ko:Main'], dir)).stdout).toContain(oldest.runId);
        expect((await koRun(['history', 'nothing.ko:X'], dir)).code).toBe(1);

        // why: ran because the formula changed; a was reused.
        const whyB = await koRun(['why', 'Main.b'], dir);
        expect(whyB.stdout).toMatch(new RegExp(`why it ran in run ${newest.runId}: ran: 2 key components changed since run ${oldest.runId} \\(formula, command\\)`));
        expect(whyB.stdout).toMatch(/^  formula: .*echo one.* -> .*echo two/m);
        const whyA = await koRun(['why', 'Main.a', '--json'], dir);
        const reasonA = JSON.parse(whyA.stdout).reason;
        expect(reasonA).toMatchObject({ reused: true, fromRun: oldest.runId, status: 'cached', changes: [] });
        expect((await koRun(['why', 'Main.a'], dir)).stdout).toMatch(new RegExp(`why it was reused in run ${newest.runId}: reused from run ${oldest.runId}`));
        const whyFirst = JSON.parse((await koRun(['why', 'Main.b', '--run', oldest.runId, '--json'], dir)).stdout);
        expect(whyFirst.reason.summary).toMatch(/no earlier run of this step/);
        expect(whyFirst.node.record.host).toBe(hostname());
        expect(whyFirst.node.record.status).toBe('executed');

        // log and gc --json.
        expect(JSON.parse((await koRun(['log', 'Main.b', '--json'], dir)).stdout)).toMatchObject({ target: 'Main.b', log: 'two\n' });
        const gc = JSON.parse((await koRun(['gc', '--dry-run', '--json'], dir)).stdout);
        expect(gc).toMatchObject({ objects: 0, records: 0 });
        expect(readFileSync(join(dir, 'two.ko'), 'utf8')).toContain('echo two');
    });

    it('live progress: in-place lines with elapsed time, erased at the end', () => {
        let out = '';
        const p = liveProgress(t => { out += t; }, () => 80);
        p.queued('k2', 'Main.b k2');
        p.running('k1', 'Main.a k1');
        expect(out).toMatch(/ko: queued   Main\.b k2 0\.0 s\n/);
        expect(out).toMatch(/running Main\.a k1 0\.0 s\n$/);
        p.line('ko: finished Main.a k1 in 0.01 s');
        p.done('k1');
        // The finished line is printed above the live block, which is redrawn after erasing it.
        expect(out).toContain('\x1b[1A\x1b[2K\x1b[1A\x1b[2Kko: finished Main.a k1 in 0.01 s\n');
        p.close();
        expect(out.endsWith('\x1b[1A\x1b[2K')).toBe(true);
    });
});
