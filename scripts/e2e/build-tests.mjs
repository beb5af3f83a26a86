// Bundles the e2e suites (test/e2e/suite/*.ts) into CommonJS files under out/e2e/suite/, the
// form the extension host `require`s: index.cjs (the test-electron-style runner) and one
// <name>.test.cjs per suite. `vscode` and `mocha` stay external (the host and the repo provide them).
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
