// The Kubernetes executor against the kube double over real HTTP: steps run as Jobs whose pods
// are real local processes, so stdout, exit codes, retries, watches and deletions are real.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubernetesExecutor, KubeConfigError, KubePermissionError, KubeStepError, type KubernetesExecutor } from '../../../src/pipeline/kubernetes/index.js';
import { nameFragment, shortHash } from '../../../src/pipeline/kubernetes/names.js';
import { nodeStep, recorder, startFixture, waitFor, type Fixture } from './helpers.js';

let fx: Fixture;
let executor: KubernetesExecutor;
const never = new AbortController().signal;

beforeEach(async () => {
    fx = await startFixture();
    executor = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs'), client: { baseBackoffMs: 20 } });
});
afterEach(async () => {
    await executor.close();
    await fx.double.close();
});

describe('KubernetesExecutor against the kube double', () => {
    it('runs a step as a Job and returns its stdout and exit code', async () => {
        const rec = recorder();
        const step = nodeStep('console.log("hello from a pod"); console.log(process.argv.slice(1).join("|"))', {
            args: ['-e', 'console.log("hello from a pod"); console.log(process.argv.slice(1).join("|"))', 'a b', '$HOME', '*'],
            retries: 2, timeoutSeconds: 60, env: { GREETING: 'hi' },
        });
        const result = await executor.run(step, never, rec.on);
        expect(result.exitCode).toBe(0);
        // argv arrives untouched: no shell expanded $HOME or *, the space stayed inside one argument.
        expect(result.stdout).toBe('hello from a pod\na b|$HOME|*\n');
        expect(result.attempts).toBe(1);
        expect(result.placement).toMatch(/^kubernetes:kube-double\/ko-test\/ko-main-step\d+-[0-9a-f]{10}$/);
        expect(readFileSync(result.logPath, 'utf8')).toContain('hello from a pod');
        expect(rec.events.map((e) => e.kind)).toEqual(['queued', 'started', 'log', 'log', 'finished']);
        expect(rec.events.filter((e) => e.kind === 'log').map((e) => (e as { line: string }).line)).toEqual(['hello from a pod', 'a b|$HOME|*']);

        const [job] = fx.double.list('jobs', 'ko-test');
        expect(job.spec.backoffLimit).toBe(2);
        expect(job.spec.activeDeadlineSeconds).toBe(60);
        expect(job.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ko', 'ko.dev/run': step.runId, 'ko.dev/step': step.stepName });
        expect(job.metadata.labels?.['ko.dev/key']).toHaveLength(63);
        expect(job.metadata.annotations?.['ko.dev/key']).toBe(step.key);
        const container = job.spec.template.spec.containers[0];
        expect(container.command).toEqual([process.execPath]);
        expect(container.env).toEqual([{ name: 'GREETING', value: 'hi' }, { name: 'KO_STEP', value: step.stepName },
            { name: 'KO_RUN_ID', value: step.runId }, { name: 'KO_KEY', value: step.key }]);
        const owner = fx.double.list('configmaps', 'ko-test').find((c) => c.metadata.labels?.['ko.dev/kind'] === 'run');
        expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ConfigMap', name: owner?.metadata.name, uid: owner?.metadata.uid });
    });

    it('reports a failing exit code after the Job used up its retries', async () => {
        const rec = recorder();
        const result = await executor.run(nodeStep('console.log("try"); process.exit(3)', { retries: 1 }), never, rec.on);
        expect(result.exitCode).toBe(3);
        expect(result.attempts).toBe(2);
        expect(rec.events.map((e) => e.kind)).toEqual(['queued', 'started', 'log', 'retrying', 'started', 'log', 'finished']);
        expect(rec.events.find((e) => e.kind === 'retrying')).toMatchObject({ attempt: 2, reason: expect.stringContaining('exited with code 3') });
    });

    it('keeps following after the watch streams are dropped', async () => {
        const rec = recorder();
        const run = executor.run(nodeStep('setTimeout(() => console.log("done"), 600)'), never, rec.on);
        await waitFor(() => rec.events.some((e) => e.kind === 'started'), 10_000, 'pod start');
        fx.double.faults.dropWatches();
        const result = await run;
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toBe('done\n');
        expect(executor.watchStats.jobs?.reconnects).toBeGreaterThanOrEqual(1);
        expect(executor.watchStats.jobs?.relists).toBe(0);
        // Bookmarks (every 200 ms here) kept the resourceVersion current while nothing changed.
        expect((executor.watchStats.jobs?.bookmarks ?? 0) + (executor.watchStats.pods?.bookmarks ?? 0)).toBeGreaterThan(0);
    });

    it('gets stdout right when the Job reports its end before the pod events arrive', async () => {
        fx.double.faults.lagWatch({ resource: 'pods', ms: 700 });
        const rec = recorder();
        const result = await executor.run(nodeStep('console.log("raced")', { retries: 1 }), never, rec.on);
        expect(result).toMatchObject({ exitCode: 0, stdout: 'raced\n', attempts: 1 });
        expect(rec.events.filter((e) => e.kind === 'started')).toHaveLength(1);
        const failing = await executor.run(nodeStep('console.log("no"); process.exit(4)', { retries: 1 }), never, rec.on);
        expect(failing).toMatchObject({ exitCode: 4, stdout: 'no\n', attempts: 2 });
    });

    it('gives up on a watch stream that went silent and reconnects', async () => {
        const short = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs'), watchTimeoutSeconds: 1 });
        try {
            const run = short.run(nodeStep('setTimeout(() => console.log("heard"), 800)'), never, () => undefined);
            await waitFor(() => fx.double.list('pods', 'ko-test').some((p) => p.status?.phase === 'Running'), 10_000, 'pod running');
            fx.double.faults.stallWatches();
            const result = await run;
            expect(result.stdout).toBe('heard\n');
            expect(short.watchStats.jobs?.reconnects).toBeGreaterThanOrEqual(1);
        } finally {
            await short.close();
        }
    });

    it('re-lists after 410 Gone when its resourceVersion was compacted away', async () => {
        const run = executor.run(nodeStep('setTimeout(() => console.log("after 410"), 600)'), never, () => undefined);
        await waitFor(() => fx.double.list('pods', 'ko-test').some((p) => p.status?.phase === 'Running'), 10_000, 'pod running');
        // Compact, then cut the streams: the reconnect asks for a version the server no longer has.
        fx.double.faults.compact();
        fx.double.faults.dropWatches();
        const result = await run;
        expect(result.stdout).toBe('after 410\n');
        expect(executor.watchStats.jobs?.relists).toBeGreaterThanOrEqual(1);
        expect(executor.watchStats.jobs?.lists).toBeGreaterThanOrEqual(2);
    });

    it('a cancel while the Job create is in flight still deletes the Job', async () => {
        fx.double.faults.slow({ ms: 600, method: 'POST', path: '/jobs' });
        const ac = new AbortController();
        const run = executor.run(nodeStep('setTimeout(() => {}, 30000)'), ac.signal, () => undefined);
        await waitFor(() => fx.double.requests.some((r) => r.method === 'POST' && r.path.endsWith('/jobs')), 5_000, 'create sent');
        ac.abort();
        await expect(run).rejects.toMatchObject({ name: 'AbortError' });
        await waitFor(() => fx.double.list('jobs', 'ko-test').length === 0 && fx.double.list('pods', 'ko-test').length === 0, 5_000, 'nothing left running');
    });

    it('cancellation deletes the Job and its pod (propagationPolicy Background)', async () => {
        const ac = new AbortController();
        const rec = recorder();
        const run = executor.run(nodeStep('console.log("long"); setTimeout(() => {}, 30000)'), ac.signal, rec.on);
        await waitFor(() => rec.events.some((e) => e.kind === 'log'), 10_000, 'first log line');
        const started = Date.now();
        ac.abort();
        await expect(run).rejects.toMatchObject({ name: 'AbortError' });
        await waitFor(() => fx.double.list('jobs', 'ko-test').length === 0 && fx.double.list('pods', 'ko-test').length === 0, 5_000, 'jobs and pods gone');
        expect(Date.now() - started).toBeLessThan(5_000);
        const del = fx.double.requests.find((r) => r.method === 'DELETE' && r.path.includes('/jobs/'));
        expect(del?.url).toContain('propagationPolicy=Background');
    });

    it('cancelRun deletes every Job of a run', async () => {
        const runId = 'run-cancel-all';
        const runs = [1, 2].map((i) => executor.run(nodeStep(`setTimeout(() => {}, 30000)`, { runId, stepName: `Main.s${i}`, id: `${runId}/Main.s${i}` }), never, () => undefined)
            .then(() => 'resolved', (e: unknown) => e));
        await waitFor(() => fx.double.list('pods', 'ko-test').filter((p) => p.status?.phase === 'Running').length === 2, 10_000, 'two pods running');
        await executor.cancelRun(runId);
        for (const r of runs) expect(await r).toBeInstanceOf(KubeStepError);
        await waitFor(() => fx.double.list('pods', 'ko-test').length === 0, 5_000, 'pods gone');
    });

    it('retries 429 and 500 answers with backoff', async () => {
        fx.double.faults.failNext({ status: 429, count: 2, method: 'POST', path: '/jobs', retryAfter: 0 });
        fx.double.faults.failNext({ status: 500, count: 1, method: 'GET', path: '/log' });
        fx.double.faults.failNext({ status: 503, count: 1, method: 'POST', path: '/configmaps' });
        const result = await executor.run(nodeStep('console.log("through faults")'), never, () => undefined);
        expect(result.stdout).toBe('through faults\n');
        const injected = fx.double.requests.filter((r) => r.injected);
        expect(injected.map((r) => r.injected).sort()).toEqual([429, 429, 500, 503]);
        expect(fx.double.list('jobs', 'ko-test')).toHaveLength(1);
    });

    it('survives slow answers and a dropped connection on create', async () => {
        fx.double.faults.slow({ ms: 1_500, method: 'POST', path: '/jobs' });
        fx.double.faults.slow({ ms: 800, method: 'GET', path: '/log' });
        const result = await executor.run(nodeStep('console.log("slow but fine")'), never, () => undefined);
        expect(result.stdout).toBe('slow but fine\n');
        fx.double.faults.failNext({ status: 'drop', method: 'POST', path: '/jobs' });
        expect((await executor.run(nodeStep('console.log("after drop")'), never, () => undefined)).stdout).toBe('after drop\n');
    });

    it('409 on a Job: adopts its own, refuses someone else\'s with the name to delete', async () => {
        // An injected 409 with no Job behind it: the executor looks, finds none, and creates again.
        fx.double.faults.failNext({ status: 409, method: 'POST', path: '/jobs' });
        expect((await executor.run(nodeStep('console.log(1)'), never, () => undefined)).exitCode).toBe(0);
        // A Job of the same name left by someone else.
        const step = nodeStep('console.log(2)');
        // The executor names Jobs from its session, the step id and a per-call sequence number (the 2nd call here).
        const name = `ko-${nameFragment(step.stepName, 40)}-${shortHash(`${executor.session}/${step.id}/2`, 10)}`;
        await fetch(`${fx.double.url}/apis/batch/v1/namespaces/ko-test/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ metadata: { name }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x', command: ['true'] }] } } } }) });
        await expect(executor.run(step, never, () => undefined)).rejects.toThrow(`Job ${name} already exists in namespace ko-test and was not created by this run; delete it (kubectl delete job -n ko-test ${name})`);
    });

    it('403 names the missing permission and shows the RBAC to grant', async () => {
        fx.double.faults.deny({ verb: 'create', resource: 'jobs', group: 'batch' });
        const err = await executor.run(nodeStep('1'), never, () => undefined).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubePermissionError);
        const message = (err as Error).message;
        expect(message).toContain('cannot create resource "jobs" in API group "batch" in the namespace "ko-test"');
        expect(message).toContain('kind: Role');
        expect(message).toContain('docs/rbac.yaml');
    });

    it('403 on the watch itself fails the step with the RBAC message instead of hanging', async () => {
        fx.double.faults.deny({ verb: 'watch', resource: 'pods' });
        const fresh = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs') });
        try {
            for (let i = 0; i < 2; i++) {
                const err = await fresh.run(nodeStep('setTimeout(() => {}, 500)'), never, () => undefined).catch((e: unknown) => e);
                expect(err).toBeInstanceOf(KubePermissionError);
                expect((err as Error).message).toContain('cannot watch resource "pods" in API group "" in the namespace "ko-test"');
            }
        } finally {
            await fresh.close();
        }
    });

    it('401 says the credentials were rejected', async () => {
        fx.double.faults.unauthorized();
        const err = await executor.run(nodeStep('1'), never, () => undefined).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubePermissionError);
        expect((err as Error).message).toMatch(/rejected the credentials of context "kube-double" \(401 Unauthorized\)/);
    });

    it('a missing namespace is reported as such', async () => {
        const other = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, namespace: 'nope' });
        try {
            await expect(other.run(nodeStep('1'), never, () => undefined)).rejects.toThrow(/namespace "nope" does not exist.*kubectl create namespace nope/);
        } finally {
            await other.close();
        }
    });

    it('reports an image pull failure with the event message', async () => {
        fx.double.faults.imagePullFailure({ image: 'registry.invalid/' });
        const rec = recorder();
        const err = await executor.run(nodeStep('1', { image: 'registry.invalid/team/trainer:v3' }), never, rec.on).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubeStepError);
        expect((err as Error).message).toMatch(/ErrImagePull.*Failed to pull image "registry.invalid\/team\/trainer:v3"/);
        expect(rec.events.some((e) => e.kind === 'log' && e.stream === 'stderr' && e.line.includes('Failed to pull image'))).toBe(true);
        await waitFor(() => fx.double.list('jobs', 'ko-test').length === 0, 5_000, 'job deleted');
    });

    it('reports an eviction as the reason of the retry', async () => {
        fx.double.faults.evictPods({ selector: 'app.kubernetes.io/managed-by=ko', afterMs: 100, message: 'The node was low on resource: memory.' });
        const rec = recorder();
        const result = await executor.run(nodeStep('setTimeout(() => console.log("second try"), 400)', { retries: 1 }), never, rec.on);
        expect(result.exitCode).toBe(0);
        expect(result.attempts).toBe(2);
        expect(result.stdout).toBe('second try\n');
        const retry = rec.events.find((e) => e.kind === 'retrying');
        expect(retry).toMatchObject({ reason: expect.stringContaining('evicted: The node was low on resource: memory.') });
    });

    it('an eviction without retries left fails the step with the eviction message', async () => {
        fx.double.faults.evictPods({ selector: 'app.kubernetes.io/managed-by=ko', afterMs: 100, message: 'The node had condition: [DiskPressure].' });
        await expect(executor.run(nodeStep('setTimeout(() => {}, 2000)'), never, () => undefined)).rejects.toThrow(/evicted: The node had condition: \[DiskPressure\]/);
    });

    it('turns activeDeadlineSeconds into exit code 124', async () => {
        const rec = recorder();
        const result = await executor.run(nodeStep('setTimeout(() => {}, 10000)', { timeoutSeconds: 1 }), never, rec.on);
        expect(result.exitCode).toBe(124);
        expect(rec.events.some((e) => e.kind === 'log' && e.line.includes('exceeded its timeout of 1s'))).toBe(true);
    });
});

const job0Args = (f: Fixture): string[] => f.double.list('jobs', 'ko-test')[0].spec.template.spec.containers[0].args;

describe('file values through the shared volume', () => {
    it('without a PVC, a step with file inputs gets a configuration error', async () => {
        const step = nodeStep('1', { inputs: [{ name: 'data.txt', objectPath: '/nonexistent', hash: 'cd'.repeat(32) }] });
        const err = await executor.run(step, never, () => undefined).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(KubeConfigError);
        expect((err as Error).message).toMatch(/none is configured[\s\S]*KO_PVC=<claim>:<where this machine sees the volume>[\s\S]*docs\/kubernetes.md/);
        // An output placeholder in argv needs the volume just the same.
        await expect(executor.run(nodeStep('1', { args: ['-e', '1', '$KO_OUT/x'] }), never, () => undefined)).rejects.toBeInstanceOf(KubeConfigError);
        expect(fx.double.list('jobs', 'ko-test')).toHaveLength(0);
    });

    it('stages inputs content-addressed on the PVC and collects outputs', async () => {
        const volume = join(fx.double.pvcRoot, 'ko-data');
        mkdirSync(volume, { recursive: true });
        const withPvc = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, pvc: `ko-data:${volume}`, logDir: join(fx.dir, 'logs') });
        try {
            const src = join(fx.dir, 'object');
            writeFileSync(src, 'twelve bytes');
            const hash = 'ef'.repeat(32);
            const script = `const fs = require('fs'), p = require('path');
                const text = fs.readFileSync(p.join(process.env.KO_IN, 'in/data.txt'), 'utf8');
                fs.mkdirSync(p.join(process.env.KO_OUT, 'sub'), { recursive: true });
                fs.writeFileSync(p.join(process.env.KO_OUT, 'sub/upper.txt'), text.toUpperCase());
                fs.writeFileSync(process.argv[1], 'via placeholder');`;
            const result = await withPvc.run(nodeStep(script, { args: ['-e', script, '${KO_OUT}/arg.txt'], inputs: [{ name: 'in/data.txt', objectPath: src, hash }] }), never, () => undefined);
            expect(result.exitCode).toBe(0);
            expect(result.outputs.map((o) => o.name)).toEqual(['arg.txt', 'sub/upper.txt']);
            expect(readFileSync(result.outputs[0].localPath, 'utf8')).toBe('via placeholder');
            expect(readFileSync(result.outputs[1].localPath, 'utf8')).toBe('TWELVE BYTES');
            const args = job0Args(fx);
            expect(args[2]).toMatch(/^\/ko-data\/runs\/.*\/out\/arg.txt$/);
            expect(existsSync(join(volume, 'objects', 'ef', hash))).toBe(true);
            // The pod was given the in-pod mount path (the double maps it to the local directory).
            const job = fx.double.list('jobs', 'ko-test')[0];
            const env = job.spec.template.spec.containers[0].env as { name: string; value: string }[];
            expect(env.find((e) => e.name === 'KO_OUT')?.value).toMatch(/^\/ko-data\/runs\//);
            expect(job.spec.template.spec.volumes).toEqual([{ name: 'ko-data', persistentVolumeClaim: { claimName: 'ko-data' } }]);
        } finally {
            await withPvc.close();
        }
    });
});
