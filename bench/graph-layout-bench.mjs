// Graph preview layout speed (the VS Code extension's layout worker, dist/client/layout-worker.cjs,
// the same bundle the extension starts): a 1,000-node DAG in one function and 1,000 nodes over
// 20 functions, cold, after a one-function edit (per-function cache) and unchanged; ELK alone
// for reference; and the largest stall of this (the "UI") thread while the worker lays out.
// Targets: 1,000 nodes laid out in < 1 s off the UI thread; UI thread stall < 50 ms.
// Usage: node bench/graph-layout-bench.mjs [--no-elk]   (builds the worker when it is missing)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = join(ROOT, 'dist/client/layout-worker.cjs');
if (!existsSync(WORKER)) spawnSync(process.execPath, [join(ROOT, 'client/build.mjs')], { stdio: 'inherit' });

/** One function of `steps` steps: a chain with fan-in every 7th step and a fan-out every 13th, plus a return. */
function fn(pkg, name, steps, salt = '') {
    const id = `${pkg}.${name}`, nodes = [], edges = [];
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
    for (let i = 0; i < steps; i++) {
        const deps = i === 0 ? [] : [i - 1, ...(i % 7 === 0 ? [Math.floor(i / 2)] : []), ...(i % 13 === 0 && i > 20 ? [i - 20] : [])];
        nodes.push({ id: `${id}/s${i}`, kind: 'step', label: `s${i}`, range, labelRange: range, formula: `Step${salt}(in: s${deps[0] ?? 0})` });
        for (const d of new Set(deps)) edges.push({ from: `${id}/s${d}`, to: `${id}/s${i}` });
    }
    nodes.push({ id: `${id}/return`, kind: 'return', label: 'return', range, labelRange: range, formula: `s${steps - 1}` });
    edges.push({ from: `${id}/s${steps - 1}`, to: `${id}/return` });
    return { id, name, packagePath: pkg, uri: 'file:///bench.ko', range, inline: false, nodes, edges };
}
const graph = functions => ({ uri: 'file:///bench.ko', version: 1, functions });

const worker = new Worker(WORKER);
let next = 1;
const waiting = new Map();
worker.on('message', m => { const w = waiting.get(m.id); waiting.delete(m.id); if (m.error) w.reject(new Error(m.error)); else w.resolve(m); });

/** Lays out in the worker; meanwhile measures the largest gap between 5 ms ticks of this thread. */
async function layout(g, opts = {}) {
    let last = performance.now(), stall = 0;
    const tick = setInterval(() => { const now = performance.now(); stall = Math.max(stall, now - last - 5); last = now; }, 5);
    const started = performance.now();
    const id = next++;
    const res = await new Promise((resolve, reject) => { waiting.set(id, { resolve, reject }); worker.postMessage({ id, graph: g, ...opts }); });
    const ms = performance.now() - started;
    clearInterval(tick);
    const nodes = res.layout.nodes.length;
    if (nodes !== g.functions.reduce((s, f) => s + f.nodes.length, 0)) throw new Error('a node is missing from the layout');
    if (!res.layout.nodes.every(n => Number.isFinite(n.x) && Number.isFinite(n.y))) throw new Error('a node is not placed');
    return { ms, stall: Math.max(0, stall), nodes, stats: res.stats };
}

const rows = [];
const row = (what, r, target) => {
    rows.push({ what, ms: Math.round(r.ms), nodes: r.nodes, stallMs: Math.round(r.stall), computed: r.stats.computed, cached: r.stats.cached, target, ok: target === undefined || r.ms < target });
};

// Warm the worker (module load, JIT) on a small graph first.
await layout(graph([fn('w', 'Warm', 40)]), { noCache: true });
await layout(graph([fn('w', 'Warm', 400)]), { noCache: true });

const one = graph([fn('big', 'Main', 999)]);
row('1 function x 1,000 nodes, cold', await layout(one), 1000);
row('  same topology again (cache)', await layout(one), 100);
const many = graph(Array.from({ length: 20 }, (_, i) => fn('big', `F${i}`, 49)));
row('20 functions x 50 nodes, cold', await layout(many), 1000);
const edited = graph(many.functions.map((f, i) => (i === 7 ? fn('big', 'F7', 50) : f)));
row('  after adding a step to one function', await layout(edited), 200);
row('  unchanged (cache)', await layout(edited), 100);
if (!process.argv.includes('--no-elk')) row('ELK alone, 1 function x 1,000 nodes (reference)', await layout(one, { engine: 'elk', noCache: true }));
await worker.terminate();

const failed = rows.filter(r => !r.ok);
// The stall target applies to what the extension does (the rows with targets); the ELK reference
// keeps a core busy for tens of seconds on this shared 2-core machine, its stall is shown as is.
const stallTarget = 50, worstStall = Math.max(...rows.filter(r => r.target !== undefined).map(r => r.stallMs));
console.log('graph layout (worker thread)                     ms   nodes  computed/cached  UI stall  target');
for (const r of rows) {
    console.log(`${r.what.padEnd(48)} ${String(r.ms).padStart(5)}  ${String(r.nodes).padStart(5)}  ${String(r.computed).padStart(8)}/${String(r.cached).padEnd(6)}  ${String(r.stallMs).padStart(5)} ms  ${r.target === undefined ? '' : `< ${r.target} ms ${r.ok ? 'ok' : 'MISSED'}`}`);
}
console.log(`largest UI-thread stall during the extension's layouts: ${worstStall} ms (target < ${stallTarget} ms) ${worstStall < stallTarget ? 'ok' : 'MISSED'}`);
console.log(JSON.stringify({ bench: 'graph-layout', rows, worstStallMs: worstStall }));
process.exitCode = failed.length > 0 || worstStall >= stallTarget ? 1 : 0;
