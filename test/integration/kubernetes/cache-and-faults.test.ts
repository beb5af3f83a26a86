// The cluster cache (create-if-absent ConfigMaps, one winner per race), fast failure against
// an unreachable or silent API server, and 410 Gone answered at the HTTP level.
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterCacheStore, createClusterCacheStore, createKubernetesExecutor, KubeUnreachableError, MAX_RECORD_BYTES } from '../../../src/pipeline/kubernetes/index.js';
import { nodeStep, startFixture, waitFor, type Fixture } from './helpers.js';

let fx: Fixture | undefined;
afterEach(async () => { await fx?.double.close(); fx = undefined; });

describe('ClusterCacheStore', () => {
    it('two racing record calls for one key: exactly one winner, the loser adopts its record', async () => {
        fx = await startFixture();
        // Two stores with separate clients, as two runners on different machines would have.
        const [a, b] = await Promise.all([createClusterCacheStore({ kubeconfigPath: fx.kubeconfig }), createClusterCacheStore({ kubeconfigPath: fx.kubeconfig })]);
        const key = '0f'.repeat(32);
        expect(await a.lookup(key)).toBeUndefined();
        for (let round = 0; round < 5; round++) {
            const k = `${key.slice(0, 60)}${round}aaa`;
            const [ra, rb] = await Promise.all([a.record(k, { runner: 'a', exitCode: 0 }), b.record(k, { runner: 'b', exitCode: 0 })]);
            expect([ra.won, rb.won].filter(Boolean)).toHaveLength(1);
            const winner = ra.won ? 'a' : 'b';
            expect(ra.record).toEqual({ runner: winner, exitCode: 0 });
            expect(rb.record).toEqual({ runner: winner, exitCode: 0 });
            expect(await b.lookup(k)).toEqual({ runner: winner, exitCode: 0 });
        }
        const records = fx.double.list('configmaps', 'ko-test').filter((c) => c.metadata.labels?.['ko.dev/kind'] === 'cache-record');
        expect(records).toHaveLength(5);
        expect(records[0].metadata.name).toMatch(/^ko-cache-[0-9a-f]{64}$/);
        expect(records[0].metadata.labels?.['ko.dev/key']?.length).toBeLessThanOrEqual(63);
    });

    it('a create answered 500 is retried and wins', async () => {
        fx = await startFixture();
        const store = await createClusterCacheStore({ kubeconfigPath: fx.kubeconfig, client: { baseBackoffMs: 10 } });
        fx.double.faults.failNext({ status: 500, method: 'POST', path: '/configmaps' });
        const r = await store.record('abc123', { ok: true });
        expect(r).toEqual({ won: true, record: { ok: true } });
    });

    it('refuses records that belong in the store, not in etcd', async () => {
        fx = await startFixture();
        const store = await createClusterCacheStore({ kubeconfigPath: fx.kubeconfig });
        await expect(store.record('big', { blob: 'x'.repeat(MAX_RECORD_BYTES) })).rejects.toThrow(/under 262144 bytes/);
        expect(ClusterCacheStore.objectName('Not Hex!')).toMatch(/^ko-cache-[0-9a-f]{64}$/);
    });

    it('a run on another machine reuses a finished step recorded by the first', async () => {
        fx = await startFixture();
        const first = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'l1') });
        const cacheA = first.cacheStore();
        const step = nodeStep('console.log("expensive")');
        const result = await first.run(step, new AbortController().signal, () => undefined);
        await cacheA.record(step.key, { exitCode: result.exitCode, stdout: result.stdout, placement: result.placement });
        await first.close();
        const cacheB = await createClusterCacheStore({ kubeconfigPath: fx.kubeconfig });
        expect(await cacheB.lookup(step.key)).toEqual({ exitCode: 0, stdout: 'expensive\n', placement: result.placement });
    });
});

describe('plain http like kubectl proxy', () => {
    it('works without insecure-skip-tls-verify, sending the token', async () => {
        fx = await startFixture({ token: 'proxy-token' });
        const { readFileSync, writeFileSync } = await import('node:fs');
        const cfg = join(fx.dir, 'proxy-config');
        writeFileSync(cfg, readFileSync(fx.kubeconfig, 'utf8').replace('    insecure-skip-tls-verify: true\n', ''));
        expect(readFileSync(cfg, 'utf8')).not.toContain('insecure');
        const store = await createClusterCacheStore({ kubeconfigPath: cfg });
        expect(await store.record('feed', { ok: 1 })).toEqual({ won: true, record: { ok: 1 } });
    });
});

describe('unreachable clusters fail fast', () => {
    it('a closed port gives a clear error in under 5 s', async () => {
        const tmp = await startFixture();
        const cfg = tmp.double.writeKubeconfig(join(tmp.dir, 'dead-config'));
        const port = tmp.double.port;
        await tmp.double.close(); // nothing listens on the port any more
        const started = Date.now();
        const err = await createKubernetesExecutor({ kubeconfigPath: cfg }).catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(err).toBeInstanceOf(KubeUnreachableError);
        expect((err as Error).message).toContain(`cannot reach the Kubernetes API server at http://127.0.0.1:${port} (connection refused`);
        expect((err as Error).message).toContain('ko kube status');
    });

    it('a server that accepts connections but never answers gives the error in under 5 s', async () => {
        const sockets = new Set<net.Socket>();
        const silent = net.createServer((s) => { sockets.add(s); });
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
        const tmp = await startFixture();
        const cfg = join(tmp.dir, 'silent-config');
        tmp.double.writeKubeconfig(cfg);
        const { readFileSync, writeFileSync } = await import('node:fs');
        writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${(silent.address() as net.AddressInfo).port}`));
        await tmp.double.close();
        const started = Date.now();
        const err = await createKubernetesExecutor({ kubeconfigPath: cfg }).catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(err).toBeInstanceOf(KubeUnreachableError);
        expect((err as Error).message).toMatch(/connected, but no answer/);
        for (const s of sockets) s.destroy();
        silent.close();
    });
});

describe('410 Gone as an HTTP status', () => {
    it('re-lists and finishes the step', async () => {
        fx = await startFixture({ gone: 'http' });
        const executor = await createKubernetesExecutor({ kubeconfigPath: fx.kubeconfig, logDir: join(fx.dir, 'logs') });
        try {
            const run = executor.run(nodeStep('setTimeout(() => console.log("ok"), 600)'), new AbortController().signal, () => undefined);
            await waitFor(() => fx!.double.list('pods', 'ko-test').some((p) => p.status?.phase === 'Running'), 10_000, 'pod running');
            fx.double.faults.compact();
            fx.double.faults.dropWatches();
            expect((await run).stdout).toBe('ok\n');
            expect(executor.watchStats.pods?.relists).toBeGreaterThanOrEqual(1);
            expect(fx.double.requests.some((r) => r.url.includes('watch=true') && r.url.includes('resourceVersion='))).toBe(true);
        } finally {
            await executor.close();
        }
    });
});
