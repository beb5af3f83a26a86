// Job submit-to-finished overhead per step against the kube double: executor.run() of a step
// whose container is /bin/true, minus what spawning /bin/true costs on its own. What remains is
// the executor's and the API's share: owner ConfigMap, Job create, watch events, log follow,
// final pod read and log read. Sequential and 8-wide. (A real cluster adds scheduling and
// container start, seconds; this measures ko's own part.) The double runs in its own process.
// Then the wide case: 500 instant steps, 50 in flight (KO_BENCH_WIDE_STEPS, KO_BENCH_CONCURRENCY).
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

// Wide: M instant steps (/bin/true), C in flight at once, submitted and tracked to completion.
// Overhead per step = submit-to-observed-completion minus the process's own time (the pod's
// terminated startedAt..finishedAt as the double's kubelet saw it: spawn to exit).
const M = Number(process.env.KO_BENCH_WIDE_STEPS ?? 500);
const C = Number(process.env.KO_BENCH_CONCURRENCY ?? 50);
const TARGET_RATE = 50;
const before = await double.stats();
const cpu0 = process.cpuUsage();
const latency = new Map(); // Job name -> ms
let next = 0;
let namespace = 'default';
const wideStart = performance.now();
await Promise.all(Array.from({ length: C }, async () => {
    while (next < M) {
        const i = next++;
        const t = performance.now();
        const r = await executor.run(step(100_000 + i, 'bench-wide'), signal, () => undefined);
        if (r.exitCode !== 0) throw new Error('step failed');
        const where = r.placement.split('/'); // kubernetes:<context>/<namespace>/<job>
        latency.set(where.at(-1), performance.now() - t);
        namespace = where.at(-2);
    }
}));
const wideWall = performance.now() - wideStart;
const cpu1 = process.cpuUsage(cpu0);
const after = await double.stats();
const pods = await (await fetch(`${double.url}/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent('ko.dev/run=bench-wide')}`)).json();
const processMs = new Map();
for (const p of pods.items ?? []) {
    const term = p.status?.containerStatuses?.[0]?.state?.terminated;
    if (term) processMs.set(p.metadata.labels['job-name'], Date.parse(term.finishedAt) - Date.parse(term.startedAt));
}
const lat = stats([...latency.values()]);
const proc = stats([...processMs.values()]);
const over = stats([...latency].filter(([job]) => processMs.has(job)).map(([job, ms]) => ms - processMs.get(job)));
const rate = M / (wideWall / 1000);
const cpuMs = (u) => ((u.user + u.system) / 1000).toFixed(0);
console.log(`${M} instant steps, ${C} at a time: ${rate.toFixed(1)} steps/s (target >= ${TARGET_RATE}: ${rate >= TARGET_RATE ? 'met' : 'NOT met'}), wall ${(wideWall / 1000).toFixed(2)} s`);
console.log(`  submit-to-observed-completion per step: p50 ${fmt(lat.p50)}, mean ${fmt(lat.mean)}, p95 ${fmt(lat.p95)}; process time (pod start..exit): p50 ${fmt(proc.p50)}, mean ${fmt(proc.mean)}`);
console.log(`  overhead per step (latency minus process time): p50 ${fmt(over.p50)}, mean ${fmt(over.mean)}, p95 ${fmt(over.p95)} (${over.n} steps)`);
console.log(`  API requests per step ${((after.requests - before.requests) / M).toFixed(2)}; CPU: executor process ${cpuMs(cpu1)} ms, double ${after.cpu ? cpuMs({ user: after.cpu.user - before.cpu.user, system: after.cpu.system - before.cpu.system }) : '?'} ms (2 cores, shared)`);
await executor.close();
await double.close();
