// Bundles the e2e suites (test/e2e/suite/*.ts) into CommonJS files under out/e2e/suite/, the
// form the extension host `require`s: index.cjs (the test-electron-style runner) and one
// <name>.test.cjs per suite. `vscode` and `mocha` stay external (the host and the repo provide them).
// Also writes the workspace the suites open, out/e2e/ws: the fixture workspace
// (test/fixtures/e2e/ws) plus examples/pipeline as example/, copied afresh so the suites test the
// example as it is in the repository. Neither copy takes a `.ko` store from an earlier run.
import { build } from 'esbuild';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'test/e2e/suite'), out = join(root, 'out/e2e/suite');
rmSync(out, { recursive: true, force: true });
const entries = readdirSync(src).filter(f => f === 'index.ts' || f.endsWith('.test.ts'));
await build({
    entryPoints: entries.map(f => join(src, f)), outdir: out, outExtension: { '.js': '.cjs' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['vscode', 'mocha'], logLevel: 'warning',
});
console.log(`e2e: ${entries.length} suite files bundled to ${out}`);

const ws = join(root, 'out/e2e/ws'), example = join(root, 'examples/pipeline');
rmSync(ws, { recursive: true, force: true });
cpSync(join(root, 'test/fixtures/e2e/ws'), ws, { recursive: true, filter: from => basename(from) !== '.ko' });
// The example's files a run reads (logs.ko, data/, scripts/), not its README.
cpSync(example, join(ws, 'example'), { recursive: true, filter: from => basename(from) !== '.ko' && from !== join(example, 'README.md') });
console.log(`e2e: workspace written to ${ws}`);
