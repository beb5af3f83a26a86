// Shared by the Kubernetes benchmarks: bundles src/pipeline/kubernetes with esbuild (the
// sources are TypeScript) and starts the kube double with a kubeconfig in a temp directory.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startKubeDouble } from '../test/kube-double/kube-double.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function loadKube() {
    const dir = mkdtempSync(join(tmpdir(), 'ko-kube-bench-'));
    // Inside node_modules/.cache so the bundle's external imports resolve from the repository.
    const outfile = join(root, 'node_modules', '.cache', 'ko-kube-bench', 'kube.mjs');
    await build({ entryPoints: [join(root, 'src/pipeline/kubernetes/index.ts')], bundle: true, platform: 'node', format: 'esm',
        target: 'node20', outfile, packages: 'external', logLevel: 'warning', absWorkingDir: root });
    return { dir, kube: await import(pathToFileURL(outfile).href) };
}

/**
 * The double in its own process, as a cluster would be: its kubelet's process spawning (tens of
 * milliseconds each, synchronous) then does not stall the executor being measured.
 */
export async function startDoubleProcess(dir) {
    const kubeconfig = join(dir, 'kubeconfig');
    // KO_BENCH_DOUBLE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the double.
    const nodeArgs = (process.env.KO_BENCH_DOUBLE_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, join(root, 'test/kube-double/kube-double.mjs'), '--kubeconfig', kubeconfig, '--pvc-root', join(dir, 'pvcs'), '--kubelet-process'],
        { stdio: ['ignore', 'pipe', 'inherit'] });
    // Never leave the double behind when the bench fails or is interrupted.
    process.once('exit', () => child.kill('SIGKILL'));
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
    const url = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c) => { out += c; const m = out.match(/listening on (\S+?);/); if (m) resolve(m[1]); });
        child.on('exit', (code) => reject(new Error(`kube double exited with ${code}`)));
    });
    return {
        kubeconfig, url,
        stats: async () => (await fetch(`${url}/__double/stats`)).json(),
        fault: (f) => fetch(`${url}/__double/fault`, { method: 'POST', body: JSON.stringify(f) }),
        close: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }),
    };
}

export async function startDouble(dir, options = {}) {
    const double = await startKubeDouble({ pvcRoot: join(dir, 'pvcs'), bookmarkIntervalMs: 1000, ...options });
    const kubeconfig = double.writeKubeconfig(join(dir, 'kubeconfig'));
    return { double, kubeconfig };
}

export function stats(values) {
    const s = [...values].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), max: s.at(-1) };
}

export const fmt = (x) => `${x.toFixed(1)} ms`;
