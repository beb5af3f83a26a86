// Watch event latency against the kube double: time from just before a ConfigMap create is
// sent to the moment the executor's ListWatch delivers its ADDED event (the create's own round
// trip included), and the same after a forced reconnect and a 410 re-list. The double runs in
// its own process.
import { fmt, loadKube, startDoubleProcess, stats } from './kube-lib.mjs';

const N = Number(process.env.KO_BENCH_EVENTS ?? 300);
const { dir, kube } = await loadKube();
const double = await startDoubleProcess(dir);
const { kubeconfig } = double;
const ctx = kube.resolveKubeContext({ kubeconfigPath: kubeconfig });
const client = new kube.KubeClient(ctx.kubeConfig, ctx.server, ctx.contextName);
const pending = new Map();
const lat = [];
const watch = new kube.ListWatch(client, '/api/v1/namespaces/ko-test/configmaps', (type, obj) => {
    const t0 = pending.get(obj.metadata.name);
    if (type === 'ADDED' && t0 !== undefined) { lat.push(performance.now() - t0); pending.delete(obj.metadata.name); }
}, { labelSelector: 'bench=watch', namespace: 'ko-test' });
await watch.start();
const create = async (i) => {
    const name = `w-${i}`;
    pending.set(name, performance.now());
    await client.request('POST', '/api/v1/namespaces/ko-test/configmaps', { body: { metadata: { name, labels: { bench: 'watch' } }, data: { i: String(i) } } });
    while (pending.has(name)) await new Promise((r) => setImmediate(r));
};
for (let i = 0; i < N; i++) await create(i);
const s = stats(lat);
console.log(`watch event latency (create sent -> ADDED delivered), ${s.n} events: mean ${fmt(s.mean)}, p50 ${fmt(s.p50)}, p95 ${fmt(s.p95)}, max ${fmt(s.max)}`);

// Recovery: drop the stream, then compact + drop (410 -> re-list).
const t1 = performance.now();
await double.fault({ action: 'dropWatches' });
await create(N + 1);
const afterDrop = performance.now() - t1;
const t2 = performance.now();
await double.fault({ action: 'compact' });
await double.fault({ action: 'dropWatches' });
await create(N + 2);
const after410 = performance.now() - t2;
console.log(`event after a dropped stream: ${fmt(afterDrop)} (reconnects ${watch.stats.reconnects}); after 410 Gone: ${fmt(after410)} (re-lists ${watch.stats.relists})`);
await watch.stop();
await double.close();
