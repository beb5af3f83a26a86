// kubectl (/usr/bin/kubectl) against the kube double after the executor ran a step: get,
// logs and delete work, and deleting the run's owner ConfigMap removes its Jobs and pods.
// Also `ko kube status` against the double, with and without the needed permissions.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as kubeCommand } from '../../../src/cli/kube-command.js';
import { createKubernetesExecutor } from '../../../src/pipeline/kubernetes/index.js';
import { nodeStep, startFixture, waitFor, type Fixture } from './helpers.js';

const execFileP = promisify(execFile);
let fx: Fixture;
beforeEach(async () => { fx = await startFixture(); });
afterEach(async () => { await fx.double.close(); });

// Async: the double runs in this process, so a synchronous child would starve it.
async function kubectl(...args: string[]): Promise<string> {
    const { stdout } = await execFileP('/usr/bin/kubectl', ['--kubeconfig', fx.kubeconfig, '--cache-dir', join(fx.dir, 'kcache'), ...args],
        { env: { ...process.env, HOME: fx.dir, KUBECONFIG: '' }, timeout: 20_000 });
    return stdout;
}

describe.skipIf(!existsSync('/usr/bin/kubectl'))('kubectl against the double', () => {
    it('get, logs and delete a step the executor ran', async () => {
        const executor = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs') });
        const step = nodeStep('console.log("line one"); console.log("line two")');
        const result = await executor.run(step, new AbortController().signal, () => undefined);
        await executor.close();
        const jobName = result.placement.split('/').pop()!;

        const jobs = await kubectl('get', 'jobs');
        expect(jobs).toMatch(/NAME\s+STATUS\s+COMPLETIONS/);
        expect(jobs).toMatch(new RegExp(`${jobName}\\s+Complete\\s+1/1`));
        const pods = await kubectl('get', 'pods', '-l', `ko.dev/run=${step.runId}`);
        expect(pods).toMatch(new RegExp(`${jobName}-\\w+\\s+0/1\\s+Completed\\s+0`));
        expect(await kubectl('logs', `job/${jobName}`)).toBe('line one\nline two\n');
        const podName = fx.double.list('pods', 'ko-test')[0].metadata.name;
        expect(await kubectl('logs', podName)).toBe('line one\nline two\n');
        expect(await kubectl('get', 'events')).toMatch(/Started\s+pod\/\S+\s+Started container main/);

        // One delete removes a run: the owner ConfigMap cascades to the Job and its pod.
        const owner = fx.double.list('configmaps', 'ko-test').find((c) => c.metadata.labels?.['ko.dev/kind'] === 'run')!;
        expect(await kubectl('delete', 'configmap', owner.metadata.name, '--wait=false')).toContain(`configmap "${owner.metadata.name}" deleted`);
        await waitFor(() => fx.double.list('jobs', 'ko-test').length === 0 && fx.double.list('pods', 'ko-test').length === 0, 5_000, 'cascade');
        expect(await kubectl('get', 'jobs,pods')).toBe('');
    });

    it('kubectl delete job kills a running pod', async () => {
        const executor = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs') });
        const run = executor.run(nodeStep('setTimeout(() => {}, 30000)'), new AbortController().signal, () => undefined).then(() => 'resolved', (e: Error) => e);
        await waitFor(() => fx.double.list('pods', 'ko-test').some((p) => p.status?.phase === 'Running'), 10_000, 'running');
        const job = fx.double.list('jobs', 'ko-test')[0].metadata.name;
        expect(await kubectl('delete', 'job', job, '--wait=false')).toContain(`job.batch "${job}" deleted`);
        expect(String(await run)).toMatch(/was deleted/);
        await waitFor(() => fx.double.list('pods', 'ko-test').length === 0, 5_000, 'pod gone');
        await executor.close();
    });
});

describe('ko kube status', () => {
    async function status(args: string[]): Promise<{ code: number; out: string; err: string }> {
        let out = '';
        let err = '';
        const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
        const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
        try {
            const code = await kubeCommand(args);
            return { code, out, err };
        } finally {
            o.mockRestore();
            e.mockRestore();
        }
    }

    it('prints context, server, namespace and that permissions are there', async () => {
        const r = await status(['status', '--kubeconfig', fx.kubeconfig, '--namespace', 'default']);
        expect(r.code).toBe(0);
        expect(r.out).toContain('context:    kube-double');
        expect(r.out).toContain(`server:     ${fx.double.url} (Kubernetes v1.32.0-kube-double)`);
        expect(r.out).toContain('namespace:  default (exists)');
        expect(r.out).toMatch(/ok\s+create jobs\.batch/);
        expect(r.out).toMatch(/ok\s+get pods\/log/);
        expect(r.out).toContain('ready:');
    });

    it('names the missing permissions and prints the RBAC', async () => {
        fx.double.faults.deny({ verb: 'watch', resource: 'jobs', group: 'batch' });
        fx.double.faults.deny({ verb: 'create', resource: 'configmaps' });
        const r = await status(['status', '--kubeconfig', fx.kubeconfig]);
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/MISSING\s+watch jobs\.batch/);
        expect(r.out).toMatch(/MISSING\s+create configmaps/);
        expect(r.out).toMatch(/ok\s+create jobs\.batch/);
        expect(r.out).toContain('2 permission(s) missing');
        expect(r.out).toContain('kind: RoleBinding');
    });

    it('exits 1 with the reason when the cluster is unreachable, 2 on bad usage', async () => {
        const cfg = fx.double.writeKubeconfig(join(fx.dir, 'gone-config'));
        await fx.double.close();
        const started = Date.now();
        const r = await status(['status', '--kubeconfig', cfg]);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/^ko kube status: cannot reach the Kubernetes API server at http:\/\/127\.0\.0\.1:\d+ \(connection refused/);
        expect((await status(['restart'])).code).toBe(2);
        fx = await startFixture(); // afterEach closes it
    });

    it('honours KUBECONFIG and --context, and fails clearly for an unknown context', async () => {
        const old = process.env.KUBECONFIG;
        process.env.KUBECONFIG = fx.kubeconfig;
        try {
            expect((await status(['status'])).out).toContain('namespace:  ko-test (exists)');
            const missing = await status(['status', '--namespace', 'ml']);
            expect(missing.code).toBe(1);
            expect(missing.out).toContain('namespace:  ml (DOES NOT EXIST: kubectl create namespace ml)');
            const bad = await status(['status', '--context', 'prod']);
            expect(bad.code).toBe(1);
            expect(bad.err).toContain('context "prod" is not in KUBECONFIG=');
            expect(bad.err).toContain('contexts: kube-double');
        } finally {
            if (old === undefined) delete process.env.KUBECONFIG;
            else process.env.KUBECONFIG = old;
        }
    });
});
