// End to end: the real `ko` CLI (bundled from src/ with esbuild, as scripts/build.mjs does) runs
// the examples/pipeline log-analytics pipeline with --executor kubernetes against the kube
// double: every step becomes a Job whose pod is a real local process, file values go through
// the PVC, and a second run reuses everything without creating Jobs.
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './helpers.js';

const execFileP = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let fx: Fixture;
let cli: string;
let work: string;

beforeAll(async () => {
    fx = await startFixture();
    // Inside node_modules/.cache so bare imports of the bundle resolve from the repository.
    const out = join(root, 'node_modules', '.cache', `ko-kube-e2e-${process.pid}`);
    await build({ entryPoints: { main: join(root, 'src/cli/main.ts') }, outdir: out, bundle: true, platform: 'node', target: 'node20', format: 'esm',
        splitting: true, outExtension: { '.js': '.mjs' }, inject: [join(root, 'scripts/node20-polyfill.mjs')], logLevel: 'error', absWorkingDir: root,
        banner: { js: "import { createRequire as __koCreateRequire } from 'module'; const require = __koCreateRequire(import.meta.url);" } });
    cli = join(out, 'entry.mjs');
    writeFileSync(cli, "import { main } from './main.mjs';\nprocess.exitCode = await main(process.argv.slice(2));\n");
    work = join(fx.dir, 'example');
    cpSync(join(root, 'examples/pipeline'), work, { recursive: true, filter: (src) => !src.includes('/.ko') });
    mkdirSync(join(fx.double.pvcRoot, 'ko-data'), { recursive: true });
}, 60_000);
afterAll(async () => {
    await fx.double.close();
    rmSync(dirname(cli), { recursive: true, force: true });
});

async function ko(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return execFileP(process.execPath, [cli, ...args], {
        cwd: work, timeout: 60_000,
        env: { ...process.env, KUBECONFIG: fx.kubeconfig, KO_PVC: `ko-data:${join(fx.double.pvcRoot, 'ko-data')}`, HOME: fx.dir },
    });
}

describe('ko run --executor kubernetes', () => {
    it('runs the example pipeline as Jobs and reuses the results on the second run', async () => {
        const first = await ko('run', '--executor', 'kubernetes', 'logs.ko:Main');
        expect(first.stdout).toContain('Requests: 16');
        expect(first.stdout).toContain('| 200 | 11 |');
        expect(first.stderr).toMatch(/5 executed, 0 cached/);
        const jobs = fx.double.list('jobs', 'ko-test');
        expect(jobs).toHaveLength(5);
        expect(jobs.every((j) => j.status?.conditions?.some((c: { type: string }) => c.type === 'Complete'))).toBe(true);
        expect(jobs.map((j) => j.metadata.labels?.['ko.dev/step']).sort()).toEqual(['Main.clean', 'Main.paths', 'Main.report', 'Main.requests', 'Main.status']);
        const second = await ko('run', '--executor', 'kubernetes', 'logs.ko:Main');
        expect(second.stdout).toContain('Requests: 16');
        expect(second.stderr).toMatch(/0 executed, 5 cached/);
        expect(fx.double.list('jobs', 'ko-test')).toHaveLength(5);
    });
});
