// Job submit-to-finished overhead per step against the kube double: executor.run() of a step
// whose container is /bin/true, minus what spawning /bin/true costs on its own. What remains is
// the executor's and the API's share: owner ConfigMap, Job create, watch events, log follow,
// final pod read and log read. Sequential and 8-wide. (A real cluster adds scheduling and
// container start, seconds; this measures ko's own part.) The double runs in its own process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fmt, loadKube, startDoubleProcess, stats } from './kube-lib.mjs';

const N = Number(process.env.KO_BENCH_STEPS ?? 40);
const { dir, kube } = await loadKube();
const double = await startDoubleProcess(dir);
const { kubeconfig } = double;
const executor = await kube.createKubernetesExecutor({ kubeconfigPath: kubeconfig, logDir: join(dir, 'logs') });
const signal = new AbortController().signal;
const step = (i, runId = 'bench') => ({ id: `${runId}/s${i}`, runId, stepName: `Bench.s${i}`, key: String(i).padStart(64, '0'), image: 'busybox',
    command: ['/bin/true'], args: [], env: {}, inputs: [], retries: 0 });

const spawnTimes = [];
for (let i = 0; i < N; i++) {
    const t = performance.now();
    await new Promise((resolve) => spawn('/bin/true').on('close', resolve));
    spawnTimes.push(performance.now() - t);
}
await executor.run(step(-1, 'warmup'), signal, () => undefined);
const seq = [];
for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await executor.run(step(i), signal, () => undefined);
    if (r.exitCode !== 0) throw new Error('step failed');
    seq.push(performance.now() - t);
}
const width = 8;
const par = [];
const wallStart = performance.now();
for (let i = 0; i < N; i += width) {
    await Promise.all(Array.from({ length: Math.min(width, N - i) }, async (_, j) => {
        const t = performance.now();
        await executor.run(step(N + i + j, 'bench-par'), signal, () => undefined);
        par.push(performance.now() - t);
    }));
}
const wall = performance.now() - wallStart;
const spawnS = stats(spawnTimes);
const seqS = stats(seq);
const parS = stats(par);
console.log(`steps: ${N}; /bin/true spawn alone: mean ${fmt(spawnS.mean)}`);
console.log(`sequential submit-to-finished: mean ${fmt(seqS.mean)}, p50 ${fmt(seqS.p50)}, p95 ${fmt(seqS.p95)}, max ${fmt(seqS.max)}; overhead over spawn ${fmt(seqS.mean - spawnS.mean)} per step`);
console.log(`${width} at a time: per step p50 ${fmt(parS.p50)}, p95 ${fmt(parS.p95)}; throughput ${(N / (wall / 1000)).toFixed(1)} steps/s`);
const { requests } = await double.stats();
console.log(`API requests: ${requests} (${(requests / (2 * N + 1)).toFixed(1)} per step, watch streams and preflight included)`);
await executor.close();
await double.close();
