// The kube double itself speaks the API the way clients expect: @kubernetes/client-node's typed
// API and Watch work against it, creates conflict with 409, watches replay from a
// resourceVersion, send bookmarks and refuse compacted versions with 410, and kubectl gets Tables.
import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, waitFor, type Fixture } from './helpers.js';

let fx: Fixture;
beforeEach(async () => { fx = await startFixture({ token: 'fake-token-123' }); });
afterEach(async () => { await fx.double.close(); });

const api = (path: string, init: RequestInit = {}) => fetch(`${fx.double.url}${path}`,
    { ...init, headers: { authorization: 'Bearer fake-token-123', 'content-type': 'application/json', ...(init.headers ?? {}) } });

describe('kube double', () => {
    it('serves client-node 1.4: create, 409, list, watch, logs, delete', async () => {
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(fx.kubeconfig);
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const batch = kc.makeApiClient(k8s.BatchV1Api);
        const seen: string[] = [];
        const watch = await new k8s.Watch(kc).watch('/api/v1/namespaces/ko-test/pods', { labelSelector: 'app=t' },
            (type: string, obj: k8s.V1Pod) => seen.push(`${type} ${obj.status?.phase}`), () => undefined);
        await batch.createNamespacedJob({ namespace: 'ko-test', body: { metadata: { name: 'j' }, spec: { backoffLimit: 0, template: {
            metadata: { labels: { app: 't' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x', command: [process.execPath, '-e', 'console.log("out"); console.error("err")'] }] } } } } });
        await expect(batch.createNamespacedJob({ namespace: 'ko-test', body: { metadata: { name: 'j' }, spec: { template: { spec: { containers: [] } } } } }))
            .rejects.toMatchObject({ code: 409 });
        await waitFor(() => seen.includes('MODIFIED Succeeded'), 10_000, 'pod succeeded');
        expect(seen[0]).toBe('ADDED Pending');
        expect(seen).toContain('MODIFIED Running');
        const pods = await core.listNamespacedPod({ namespace: 'ko-test', labelSelector: 'job-name=j' });
        expect(pods.items).toHaveLength(1);
        const name = pods.items[0].metadata!.name!;
        expect(pods.items[0].status?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(0);
        expect(await core.readNamespacedPodLog({ name, namespace: 'ko-test', container: 'main' })).toBe('out\nerr\n');
        await batch.deleteNamespacedJob({ name: 'j', namespace: 'ko-test', propagationPolicy: 'Background' });
        await waitFor(() => seen.includes('DELETED Succeeded'), 5_000, 'pod deleted with its job');
        watch.abort();
    });

    it('watch from a resourceVersion replays only newer changes, sends bookmarks, and answers 410 for compacted versions', async () => {
        const mk = (name: string) => api('/api/v1/namespaces/ko-test/configmaps', { method: 'POST', body: JSON.stringify({ metadata: { name }, data: {} }) });
        await mk('a');
        const list = await (await api('/api/v1/namespaces/ko-test/configmaps')).json() as { metadata: { resourceVersion: string } };
        await mk('b');
        const res = await api(`/api/v1/namespaces/ko-test/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`);
        const reader = res.body!.getReader();
        let text = '';
        while (!text.includes('BOOKMARK')) text += new TextDecoder().decode((await reader.read()).value);
        const events = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name?: string } } });
        expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'b' } } });
        expect(events.some((e) => e.object.metadata.name === 'a')).toBe(false);
        await reader.cancel();
        fx.double.faults.compact();
        const gone = await (await api(`/api/v1/namespaces/ko-test/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`)).text();
        expect(JSON.parse(gone.trim())).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
        expect((await api('/api/v1/namespaces/ko-test/configmaps')).status).toBe(200);
        expect((await fetch(`${fx.double.url}/api/v1/namespaces/ko-test/configmaps`)).status).toBe(401);
    });

    it('answers Tables for kubectl and 404 for a missing namespace', async () => {
        const table = await (await api('/api/v1/namespaces/ko-test/configmaps', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } })).json() as { kind: string; columnDefinitions: { name: string }[] };
        expect(table.kind).toBe('Table');
        expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
        const r = await api('/api/v1/namespaces/nope/configmaps', { method: 'POST', body: JSON.stringify({ metadata: { name: 'x' } }) });
        expect(r.status).toBe(404);
        expect(await r.json()).toMatchObject({ reason: 'NotFound', details: { kind: 'namespaces', name: 'nope' } });
    });
});
