// Shared by the Kubernetes benchmarks: bundles src/pipeline/kubernetes with esbuild (the
// sources are TypeScript) and starts the kube double with a kubeconfig in a temp directory.
import { build } from 'esbuild';
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
