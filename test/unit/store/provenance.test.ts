// Provenance over a real store filled by real pipeline runs: why (recursive lineage), run
// diffs that name the changed key component, run references, and garbage collection.
import { describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { RunRecorder, newRunId, listRunIds } from '../../../src/store/run-records.js';
import { LocalExecutor } from '../../../src/pipeline/local-executor.js';
import { PipelineEngine, type FileRef, type StepRequest } from '../../../src/pipeline/engine.js';
import { diffRuns, gc, resolveKey, resolveRun, why, ProvenanceError } from '../../../src/store/provenance.js';

let root: string;
let store: Store;
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ko-prov-'));
    store = new Store(join(root, '.ko'));
});

function step(name: string, script: string, inputs: { name: string; file: FileRef }[] = [], env: Record<string, string> = {}): StepRequest {
    return { stepName: `Main.${name}`, stepId: `Main/${name}`, callee: 'pipeline.Shell', formula: `pipeline.Shell(${name})`, image: 'host',
        command: ['/bin/sh'], args: ['-c', script], env, inputs, retries: 0, cache: true, salt: '' };
}

async function pipeline(words: string, countFlag = '-l', token = 't1') {
    const runId = newRunId();
    const recorder = new RunRecorder(store.runsDir, store.tmpDir, runId, []);
    const e = new PipelineEngine({ store, executor: new LocalExecutor({ workRoot: store.workDir }), runId, recorder });
    const s = new AbortController().signal;
    const gen = await e.runStep(step('gen', `printf '${words}' > $KO_OUT/words`), s);
    const sort = await e.runStep(step('sort', 'sort -u $KO_IN/words > $KO_OUT/sorted', [{ name: 'words', file: gen.outputs[0] }]), s);
    const count = await e.runStep(step('count', `wc ${countFlag} < $KO_IN/sorted`, [{ name: 'sorted', file: sort.outputs[0] }], { API_TOKEN: token, MODE: 'fast' }), s);
    recorder.finish('ok');
    // Run ids order by millisecond; keep consecutive runs apart.
    await new Promise(r => setTimeout(r, 5));
    return { runId, gen, sort, count };
}

describe('why', () => {
    it('traces a step back through the steps that produced its inputs', async () => {
        const p = await pipeline('b\\na\\n');
        const r = await why(store, p.count.key.slice(0, 10));
        expect(r.kind).toBe('step');
        if (r.kind !== 'step') return;
        expect(r.node.record.stepName).toBe('Main.count');
        expect(r.node.record.env).toEqual({ API_TOKEN: '<redacted>', MODE: 'fast' });
        const sortNode = r.node.inputs[0].from;
        expect('record' in sortNode && sortNode.record.stepName).toBe('Main.sort');
        const genNode = 'record' in sortNode ? sortNode.inputs[0].from : undefined;
        expect(genNode && 'record' in genNode && genNode.record.stepName).toBe('Main.gen');
    });

    it('finds the producer of an object, an object path, a file with the same content, and a step name', async () => {
        const p = await pipeline('b\\na\\n');
        const hash = p.sort.outputs[0].hash;
        for (const target of [hash, `sha256:${hash}`, store.objects.path(hash)]) {
            const r = await why(store, target);
            expect(r.kind === 'object' && r.producers.map(n => n.record.stepName)).toEqual(['Main.sort']);
        }
        const copy = join(root, 'copy.txt');
        writeFileSync(copy, 'a\nb\n');
        const byFile = await why(store, copy);
        expect(byFile.kind === 'object' && byFile.producers[0].record.key).toBe(p.sort.key);
        const byName = await why(store, 'Main.sort');
        expect(byName.kind === 'step' && byName.node.record.key).toBe(p.sort.key);
        await expect(why(store, 'Main.nothing')).rejects.toBeInstanceOf(ProvenanceError);
    });
});

describe('diff', () => {
    it('names the changed key component and leaves unchanged steps alone', async () => {
        const a = await pipeline('b\\na\\n');
        const b = await pipeline('b\\na\\n', '-c', 't2');
        const d = diffRuns(store, resolveRun(store, 'last~1'), resolveRun(store, 'last'));
        expect(d.map(x => [x.step, x.status])).toEqual([['Main.gen', 'same'], ['Main.sort', 'same'], ['Main.count', 'changed']]);
        const parts = d[2].changes.map(c => c.part + ': ' + c.detail);
        expect(parts).toContain('args: ["-c","wc -l < $KO_IN/sorted"] -> ["-c","wc -c < $KO_IN/sorted"]');
        expect(parts).toContain('env: API_TOKEN changed (secret, value not shown)');
        expect(JSON.stringify(d)).not.toContain('t2');
        expect(resolveRun(store, a.runId.slice(0, 20)).runId).toBe(a.runId);
        expect(resolveRun(store, '-1').runId).toBe(a.runId);
        expect(resolveRun(store, 'last').runId).toBe(b.runId);
    });

    it('follows an input change to the upstream step that caused it', async () => {
        await pipeline('b\\na\\n');
        const c = await pipeline('c\\na\\n');
        const d = diffRuns(store, resolveRun(store, '-1'), resolveRun(store, 'last'));
        expect(d.map(x => x.status)).toEqual(['changed', 'changed', 'changed']);
        expect(d[0].changes.map(x => x.part)).toEqual(['args']);
        expect(d[1].changes).toHaveLength(1);
        expect(d[1].changes[0].detail).toMatch(new RegExp(`^words: content [0-9a-f]{12} -> [0-9a-f]{12} \\(produced by step ${c.gen.key.slice(0, 12)}, was [0-9a-f]{12}\\)$`));
        // The first cause of every difference is gen's args; count's output (one line each) is the same.
        for (const x of d) expect(x.causes!.map(k => [k.kind, k.step, k.key, k.components.map(p => p.part).join()])).toEqual([['step', 'Main.gen', c.gen.key, 'args']]);
        expect(d.map(x => x.output)).toEqual(['differs', 'differs', 'same']);
        expect(d[2].causes![0].summary).toMatch(/^Main\.gen \(args changed: .*b\\\\na.* -> .*c\\\\na.*\)$/);
    });

    it('the walk stops at a producer whose record is gone: cause unknown', async () => {
        const a = await pipeline('b\\na\\n');
        await pipeline('c\\na\\n');
        rmSync(store.steps.path(a.gen.key));
        const d = diffRuns(store, resolveRun(store, '-1'), resolveRun(store, 'last'));
        expect(d[1].causes).toEqual([expect.objectContaining({ kind: 'unknown', step: 'Main.gen',
            summary: `Main.gen (record of A's ${a.gen.key.slice(0, 12)} is gone: cause unknown)` })]);
    });

    it('a changed string input without a producer is a change of the step itself', async () => {
        const runWith = async (value: string) => {
            const runId = newRunId();
            const recorder = new RunRecorder(store.runsDir, store.tmpDir, runId, []);
            const e = new PipelineEngine({ store, executor: new LocalExecutor({ workRoot: store.workDir }), runId, recorder });
            const v = store.objects.putBytes(value);
            await e.runStep(step('use', 'cat $KO_IN/v', [{ name: 'v', file: { hash: v.hash, size: v.size, name: 'v' } }]), new AbortController().signal);
            recorder.finish('ok');
            await new Promise(r => setTimeout(r, 5));
        };
        await runWith('one');
        await runWith('two');
        const [d] = diffRuns(store, resolveRun(store, '-1'), resolveRun(store, 'last'));
        expect(d.output).toBe('differs');
        expect(d.causes).toEqual([expect.objectContaining({ kind: 'step', step: 'Main.use' })]);
        expect(d.causes![0].components).toEqual([{ part: 'input', detail: expect.stringMatching(/^v: string or Text value [0-9a-f]{12} -> [0-9a-f]{12}$/) }]);
    });
});

describe('gc', () => {
    it('removes only unreferenced objects older than the grace period; dry-run removes nothing', async () => {
        const p = await pipeline('b\\na\\n');
        const junk = store.objects.putBytes('junk');
        const old = new Date(Date.now() - 7200_000);
        utimesSync(store.objects.path(junk.hash), old, old);
        const fresh = store.objects.putBytes('fresh junk');
        const dry = gc(store, { dryRun: true, graceSeconds: 3600 });
        expect(dry.objects).toBe(1);
        expect(store.objects.has(junk.hash)).toBe(true);
        const real = gc(store, { dryRun: false, graceSeconds: 3600 });
        expect(real.objects).toBe(1);
        expect(store.objects.has(junk.hash)).toBe(false);
        expect(store.objects.has(fresh.hash)).toBe(true);
        for (const o of [...p.gen.outputs, ...p.sort.outputs]) expect(store.objects.has(o.hash)).toBe(true);
        expect(store.objects.has(p.count.record.logHash!)).toBe(true);
    });

    it('--keep-runs drops older runs and the records only they used', async () => {
        const a = await pipeline('b\\na\\n');
        await pipeline('b\\na\\n', '-c');
        const report = gc(store, { dryRun: false, keepRuns: 1, graceSeconds: 0 });
        expect(report.runs).toBe(1);
        expect(report.records).toBe(1); // the old count step; gen and sort are shared with the last run
        expect(store.steps.get(a.count.key)).toBeUndefined();
        expect(store.steps.get(a.sort.key)).toBeDefined();
        expect(listRunIds(store.runsDir)).toHaveLength(1);
        expect(resolveKey(store, a.sort.key.slice(0, 8))).toBe(a.sort.key);
    });
});

describe('changed', () => {
    it('elides the common prefix and suffix of long values', async () => {
        const { changed } = await import('../../../src/store/provenance.js');
        expect(changed('a', 'b')).toBe('a -> b');
        const long = (n: number) => `awk '{ print $7 }' log | sort | uniq -c | sort -rn | head -n ${n} > out; echo this is a long tail of the script here`;
        expect(changed(long(3), long(2))).toBe('…-c | sort -rn | head -n 3 > out; echo this is a l… -> …-c | sort -rn | head -n 2 > out; echo this is a l…');
    });
});
