// The engine on a real store and real processes: caching across runs, minimal reruns after an
// edit, opt-out, failures, corrupt records, kill -9 resume and two racing runner processes.
import { describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { RunRecorder, newRunId, readRun } from '../../../src/store/run-records.js';
import { LocalExecutor } from '../../../src/pipeline/local-executor.js';
import { PipelineEngine, StepFailedError, type FileRef, type StepRequest, type ProgressEvent, type SharedCache } from '../../../src/pipeline/engine.js';
import { driverPath, startDriver } from './driver.js';
import { koRun } from './cli-bundle.js';

let root: string;
let store: Store;
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ko-engine-'));
    store = new Store(join(root, '.ko'));
});

function engine(events: ProgressEvent[] = []) {
    const runId = newRunId();
    const recorder = new RunRecorder(store.runsDir, store.tmpDir, runId, []);
    return { e: new PipelineEngine({ store, executor: new LocalExecutor({ workRoot: store.workDir, backoffMs: 10 }), runId, recorder, onProgress: ev => events.push(ev) }), recorder };
}

function shell(name: string, script: string, inputs: { name: string; file: FileRef }[] = [], over: Partial<StepRequest> = {}): StepRequest {
    return { stepName: `Main.${name}`, stepId: `Main/${name}`, callee: 'pipeline.Shell', formula: `pipeline.Shell(${name})`, image: 'host',
        command: ['/bin/sh'], args: ['-c', script], env: {}, inputs, retries: 0, cache: true, salt: '', ...over };
}

const signal = () => new AbortController().signal;
const counter = () => join(root, 'executions');
/** Shell: wait (up to 30 s) until two executions have been counted. */
const barrier = () => `i=0; while [ $(wc -l < ${counter()}) -lt 2 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done`;
const executions = () => existsSync(counter()) ? readFileSync(counter(), 'utf8').trim().split('\n') : [];

/** A three-step pipeline: gen -> sort -> count; each execution appends its name to a counter file. */
async function pipeline(e: PipelineEngine, words: string) {
    const gen = await e.runStep(shell('gen', `echo gen >> ${counter()}; printf '${words}' > $KO_OUT/words`), signal());
    const sort = await e.runStep(shell('sort', `echo sort >> ${counter()}; sort -u $KO_IN/words > $KO_OUT/sorted`, [{ name: 'words', file: gen.outputs[0] }]), signal());
    const count = await e.runStep(shell('count', `echo count >> ${counter()}; wc -l < $KO_IN/sorted`, [{ name: 'sorted', file: sort.outputs[0] }]), signal());
    return { gen, sort, count };
}

describe('PipelineEngine', () => {
    it('a rerun of an unchanged pipeline executes nothing; an edit reruns only what it changes', async () => {
        const first = await pipeline(engine().e, 'b\\na\\nb\\n');
        expect(first.count.stdout.trim()).toBe('2');
        expect(executions()).toEqual(['gen', 'sort', 'count']);
        expect([first.gen.status, first.sort.status, first.count.status]).toEqual(['executed', 'executed', 'executed']);

        const events: ProgressEvent[] = [];
        const { e } = engine(events);
        const second = await pipeline(e, 'b\\na\\nb\\n');
        expect(executions()).toHaveLength(3);
        expect(e.stats).toMatchObject({ cached: 3, executed: 0 });
        expect(second.count.key).toBe(first.count.key);
        expect(second.count.stdout).toBe(first.count.stdout);
        expect(events.map(ev => ev.kind)).toEqual(['cached', 'cached', 'cached']);

        // Same sorted set from different words: gen and sort rerun, count is cut off (same input hash).
        await pipeline(engine().e, 'a\\nb\\na\\n');
        expect(executions()).toEqual(['gen', 'sort', 'count', 'gen', 'sort']);
        // A real change flows all the way down.
        const third = await pipeline(engine().e, 'a\\nb\\nc\\n');
        expect(executions().slice(5)).toEqual(['gen', 'sort', 'count']);
        expect(third.count.stdout.trim()).toBe('3');
    });

    it('cache: false runs every time but still records provenance', async () => {
        const { e } = engine();
        const a = await e.runStep(shell('t', `echo x >> ${counter()}`, [], { cache: false }), signal());
        const b = await e.runStep(shell('t', `echo x >> ${counter()}`, [], { cache: false }), signal());
        expect(executions()).toHaveLength(2);
        expect(a.key).not.toBe(b.key);
        expect(store.steps.get(a.key)?.cache).toBe(false);
    });

    it('identical steps in one run execute once', async () => {
        const { e } = engine();
        const [a, b] = await Promise.all([e.runStep(shell('t', `sleep 0.2; echo x >> ${counter()}`), signal()), e.runStep(shell('t', `sleep 0.2; echo x >> ${counter()}`), signal())]);
        expect(a.key).toBe(b.key);
        expect(executions()).toHaveLength(1);
    });

    it('a failing step throws with exit code and log tail, is journaled but not recorded, and reruns', async () => {
        const { e, recorder } = engine();
        const req = shell('bad', `echo x >> ${counter()}; echo oops >&2; exit 7`, [], { retries: 1 });
        const err = await e.runStep(req, signal()).then(() => { throw new Error('should fail'); }, (x: unknown) => x as StepFailedError);
        expect(err).toBeInstanceOf(StepFailedError);
        expect(err).toMatchObject({ exitCode: 7, attempts: 2, stepName: 'Main.bad' });
        expect(err.logTail).toContain('oops');
        expect(store.steps.get(err.key)).toBeUndefined();
        expect(readFileSync(store.objects.path(err.logHash!), 'utf8')).toContain('oops');
        recorder.finish('failed');
        expect(readRun(store.runsDir, recorder.runId)?.steps.map(s => [s.status, s.exitCode])).toEqual([['failed', 7]]);
        await e.runStep(req, signal()).catch(() => {});
        expect(executions()).toHaveLength(4);
        expect(readdirSync(store.workDir)).toEqual([]);
    });

    it('a corrupt record or a missing output object makes the step run again, never used', async () => {
        const first = await pipeline(engine().e, 'x\\n');
        const path = store.steps.path(first.sort.key);
        chmodSync(path, 0o644);
        writeFileSync(path, readFileSync(path, 'utf8').slice(0, 100));
        await pipeline(engine().e, 'x\\n');
        expect(executions()).toEqual(['gen', 'sort', 'count', 'sort']);
        expect(store.steps.get(first.sort.key)).toBeDefined();
        store.objects.remove(first.gen.outputs[0].hash);
        await pipeline(engine().e, 'x\\n');
        expect(executions().slice(4)).toEqual(['gen']);
    });

    it('keeps large stdout as an object and outputs as read-only objects', async () => {
        const { e } = engine();
        const r = await e.runStep(shell('big', `head -c 200000 /dev/zero | tr '\\0' 'a'; echo out > $KO_OUT/f`), signal());
        expect(r.stdout.length).toBe(200000);
        expect(r.record.stdout).toBeUndefined();
        expect(r.record.stdoutHash).toMatch(/^[0-9a-f]{64}$/);
        const again = await engine().e.runStep(shell('big', `head -c 200000 /dev/zero | tr '\\0' 'a'; echo out > $KO_OUT/f`), signal());
        expect(again.status).toBe('cached');
        expect(again.stdout.length).toBe(200000);
        expect(readFileSync(store.objects.path(r.outputs[0].hash), 'utf8')).toBe('out\n');
    });
});

describe('shared cache (the cluster cache between machines)', () => {
    /** First writer wins, like the API server's create-if-absent; JSON round trip like a ConfigMap. */
    function memoryCache(): SharedCache & { size: () => number } {
        const m = new Map<string, string>();
        return {
            size: () => m.size,
            lookup: async key => (m.has(key) ? JSON.parse(m.get(key)!) : undefined),
            record: async (key, record) => {
                if (m.has(key)) return { won: false, record: JSON.parse(m.get(key)!) };
                m.set(key, JSON.stringify(record));
                return { won: true, record };
            },
        };
    }
    const engineOn = (s: Store, sharedCache: SharedCache) => new PipelineEngine({ store: s, executor: new LocalExecutor({ workRoot: s.workDir }), runId: newRunId(), sharedCache });

    it('adopts a shared record whose objects are here, and runs a step whose objects are not', async () => {
        const shared = memoryCache();
        const req = shell('r', `echo x >> ${counter()}; od -An -N8 -tx1 /dev/urandom > $KO_OUT/r`);
        const first = await engineOn(store, shared).runStep(req, signal());
        expect(first.status).toBe('executed');
        expect(shared.size()).toBe(1);
        // Same machine, local record lost: the shared record is adopted, nothing runs.
        chmodSync(store.steps.path(first.key), 0o644);
        rmSync(store.steps.path(first.key));
        const again = await engineOn(store, shared).runStep(req, signal());
        expect(again.status).toBe('cached');
        expect(again.outputs).toEqual(first.outputs);
        expect(executions()).toHaveLength(1);
        // Another machine (its own store, without the objects) must run the step; the shared
        // winner stays, and the differing outcome is kept as evidence there.
        const other = new Store(join(root, 'other', '.ko'));
        const second = await engineOn(other, shared).runStep(req, signal());
        expect(executions()).toHaveLength(2);
        expect(second.status).toBe('executed');
        expect(other.steps.evidence(first.key)).toHaveLength(1);
    });

    it('a shared winner whose objects are here is adopted over our own outcome', async () => {
        const shared = memoryCache();
        const req = shell('r2', `echo x >> ${counter()}; od -An -N8 -tx1 /dev/urandom > $KO_OUT/r`);
        const first = await engineOn(store, shared).runStep(req, signal());
        // A second runner on this store that missed the shared lookup (an unreachable cluster).
        chmodSync(store.steps.path(first.key), 0o644);
        rmSync(store.steps.path(first.key));
        let down = true;
        const flaky: SharedCache = { lookup: async k => { if (down) throw new Error('unreachable'); return shared.lookup(k); }, record: (k, r) => shared.record(k, r) };
        const second = await engineOn(store, flaky).runStep(req, signal());
        down = false;
        expect(executions()).toHaveLength(2);
        expect(second.status).toBe('adopted');
        expect(second.outputs).toEqual(first.outputs);
        expect(store.steps.get(first.key)?.outputs).toEqual(first.record.outputs);
        expect(store.steps.evidence(first.key)).toHaveLength(1);
    });
});

describe('resume and races (separate runner processes)', () => {
    it('kill -9 mid-run: the next run repeats only unfinished steps and loses no finished output', async () => {
        const driver = await driverPath();
        const steps = Array.from({ length: 8 }, (_, i) => ({
            name: `s${i}`,
            script: `echo s${i} >> ${counter()}; sleep 0.3; ${i === 0 ? 'true' : 'cat $KO_IN/v'} > $KO_OUT/v; echo ${i} >> $KO_OUT/v`,
            ...(i > 0 ? { inputFrom: `s${i - 1}` } : {}),
        }));
        const plan = { store: store.root, steps };
        const first = startDriver(driver, plan);
        // Kill once a few steps are recorded, while a later one is running.
        const recorded = () => existsSync(store.steps.dir) ? readdirSync(store.steps.dir).flatMap(d => readdirSync(join(store.steps.dir, d))).length : 0;
        while (recorded() < 3) await new Promise(r => setTimeout(r, 10));
        first.child.kill('SIGKILL');
        const killed = await first.done;
        expect(killed.code).toBe(null);
        // Finished means recorded in the store (the driver may die before printing its line).
        const finishedBefore = [...store.steps.list()].map(r => r.stepName.replace('Main.', ''));
        expect(killed.lines.length).toBeLessThanOrEqual(finishedBefore.length);
        expect(finishedBefore.length).toBeGreaterThanOrEqual(3);
        expect(finishedBefore.length).toBeLessThan(8);
        const second = await startDriver(driver, plan).done;
        expect(second.code).toBe(0);
        expect(second.lines.filter(l => l.status === 'cached').map(l => l.name)).toEqual(expect.arrayContaining(finishedBefore));
        const runs = executions();
        for (const name of finishedBefore) expect(runs.filter(n => n === name)).toHaveLength(1);
        for (const s of steps) expect(runs.filter(n => n === s.name).length).toBeLessThanOrEqual(2);
        const last = second.lines.at(-1)!;
        const out = readFileSync(store.objects.path(last.outputs[0].split('=')[1]), 'utf8');
        expect(out).toBe('0\n1\n2\n3\n4\n5\n6\n7\n');
        // A third run executes nothing.
        const third = await startDriver(driver, plan).done;
        expect(third.lines.every(l => l.status === 'cached')).toBe(true);
        rmSync(root, { recursive: true, force: true });
    });

    it('kill -9 of the runner does not leave its running step behind', async () => {
        const driver = await driverPath();
        const pidFile = join(root, 'step.pid');
        const plan = { store: store.root, steps: [{ name: 'long', script: `echo $$ > ${pidFile}; sleep 30 & wait` }] };
        const p = startDriver(driver, plan);
        while (!existsSync(pidFile) || !readFileSync(pidFile, 'utf8').endsWith('\n')) await new Promise(r => setTimeout(r, 20));
        const pid = Number(readFileSync(pidFile, 'utf8'));
        p.child.kill('SIGKILL');
        await p.done;
        const gone = () => { try { process.kill(pid, 0); return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z'; } catch { return true; } };
        const end = Date.now() + 5000;
        while (!gone() && Date.now() < end) await new Promise(r => setTimeout(r, 50));
        expect(gone()).toBe(true);
        expect([...store.steps.list()]).toEqual([]);
    });

    it('kill -9 in the instant after a spawn: the watchdog still finds the step by its KO_WATCH token', async () => {
        const driver = await driverPath();
        const pidFile = join(root, 'step2.pid');
        const plan = { store: store.root, steps: [{ name: 'long2', script: `echo $$ > ${pidFile}; sleep 30 & wait` }] };
        const p = startDriver(driver, plan);
        while (!existsSync(pidFile) || !readFileSync(pidFile, 'utf8').endsWith('\n')) await new Promise(r => setTimeout(r, 20));
        const pid = Number(readFileSync(pidFile, 'utf8'));
        // Simulate the runner dying before it wrote the step into the watchdog's ledger.
        const ledgers = readdirSync(tmpdir()).filter(n => n.startsWith(`ko-watchdog-${p.child.pid}-`));
        expect(ledgers).toHaveLength(1);
        writeFileSync(join(tmpdir(), ledgers[0]), '');
        p.child.kill('SIGKILL');
        await p.done;
        const gone = () => { try { process.kill(pid, 0); return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z'; } catch { return true; } };
        const end = Date.now() + 8000;
        while (!gone() && Date.now() < end) await new Promise(r => setTimeout(r, 50));
        expect(gone()).toBe(true);
    });

    it('two runners computing the same key record one outcome; the loser adopts it and keeps evidence', async () => {
        const driver = await driverPath();
        // Non-deterministic output: each runner writes different bytes for the same key.
        // A barrier: each runner's step waits until both are executing, however slowly they start.
        const plan = { store: store.root, steps: [{ name: 'rand', script: `echo run >> ${counter()}; ${barrier()}; od -An -N16 -tx1 /dev/urandom > $KO_OUT/r` }] };
        const [a, b] = await Promise.all([startDriver(driver, plan).done, startDriver(driver, plan).done]);
        expect(a.code).toBe(0);
        expect(b.code).toBe(0);
        expect(executions()).toHaveLength(2); // both really ran concurrently
        expect(a.lines[0].key).toBe(b.lines[0].key);
        expect(a.lines[0].outputs).toEqual(b.lines[0].outputs); // both use the single recorded outcome
        expect([a.lines[0].status, b.lines[0].status].sort()).toEqual(['adopted', 'executed']);
        const key = a.lines[0].key;
        expect(readdirSync(join(store.steps.dir, key.slice(0, 2)))).toEqual([key + '.rec']);
        const evidence = store.steps.evidence(key) as { loser: { outputs: string[] }; winner: { outputs: string[] } }[];
        expect(evidence).toHaveLength(1);
        expect(evidence[0].loser.outputs).not.toEqual(evidence[0].winner.outputs);
        expect(store.steps.get(key)?.outputs[0].hash).toBe(a.lines[0].outputs[0].split('=')[1]);
        const why = await koRun(['why', key.slice(0, 12), '--store', store.root], root);
        expect(why.stdout).toMatch(/NOT DETERMINISTIC: 1 other outcome recorded/);
    });

    it('a deterministic race leaves no evidence', async () => {
        const driver = await driverPath();
        const plan = { store: store.root, steps: [{ name: 'det', script: `echo run >> ${counter()}; ${barrier()}; echo same > $KO_OUT/r` }] };
        const [a, b] = await Promise.all([startDriver(driver, plan).done, startDriver(driver, plan).done]);
        expect(executions()).toHaveLength(2);
        expect(a.lines[0].outputs).toEqual(b.lines[0].outputs);
        expect(store.steps.evidence(a.lines[0].key)).toEqual([]);
    });
});
