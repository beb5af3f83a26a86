// The double's kubelet spawning pods from helper processes (`kubeletProcess`, used by the
// benchmarks so spawning never blocks the API): logs, exit codes, missing commands and kills
// behave as with in-process spawning.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesExecutor, KubeStepError, type KubernetesExecutor } from '../../../src/pipeline/kubernetes/index.js';
import { nodeStep, recorder, startFixture, waitFor, type Fixture } from './helpers.js';

let fx: Fixture;
let executor: KubernetesExecutor;
beforeAll(async () => {
    fx = await startFixture({ kubeletProcess: true });
    executor = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs') });
});
afterAll(async () => {
    await executor.close();
    await fx.double.close();
});

describe('kube double with the kubelet in helper processes', () => {
    it('streams logs and reports exit codes', async () => {
        const r = recorder();
        const ok = await executor.run(nodeStep('console.log("one"); console.log("two")'), new AbortController().signal, r.on);
        expect(ok.exitCode).toBe(0);
        expect(ok.stdout).toBe('one\ntwo\n');
        expect(r.events.filter((e) => e.kind === 'log').map((e) => (e as { line: string }).line)).toEqual(['one', 'two']);
        const bad = await executor.run(nodeStep('process.exit(3)'), new AbortController().signal, () => undefined);
        expect(bad.exitCode).toBe(3);
    });

    it('a missing command fails the step; a deleted Job kills its process', async () => {
        const missing = await executor.run(nodeStep('', { command: ['/no/such/binary'], args: [] }), new AbortController().signal, () => undefined)
            .catch((e: unknown) => e);
        expect(missing instanceof KubeStepError || (missing as { exitCode?: number }).exitCode === 128).toBe(true);
        const abort = new AbortController();
        const running = executor.run(nodeStep('setTimeout(() => {}, 60_000)'), abort.signal, () => undefined).catch((e: Error) => e);
        await waitFor(() => fx.double.list('pods', 'ko-test').some((p) => p.status?.phase === 'Running' && p.spec?.containers?.[0]?.args?.[1]?.includes('60_000')));
        abort.abort();
        expect(((await running) as Error).name).toBe('AbortError');
        await waitFor(() => fx.double.list('pods', 'ko-test').every((p) => p.status?.phase !== 'Running'), 10_000, 'the pod to stop');
    });
});
