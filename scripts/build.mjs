// Build: regenerate the Langium parser when the grammar changed, then bundle the CLI, the
// language server and the VS Code extension with esbuild. Bundles keep `ko` start-up fast.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const grammar = join(root, 'src/language/ko.langium');
const generated = join(root, 'src/language/generated/grammar.ts');
if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(grammar).mtimeMs) {
    execFileSync(process.execPath, ['--import', './scripts/node20-polyfill.mjs',
        'node_modules/langium-cli/bin/langium.js', 'generate'], { cwd: root, stdio: 'inherit' });
}
mkdirSync(join(root, 'dist'), { recursive: true });
// The CLI's chunks have content-hashed names: drop the previous build's, or dist/ (and a
// packaged extension) keeps every chunk ever built.
if (!process.argv.includes('--only') || process.argv.includes('cli')) {
    for (const name of readdirSync(join(root, 'dist'))) if (/\.mjs(\.map)?$/.test(name)) rmSync(join(root, 'dist', name));
}
const polyfill = join(root, 'scripts/node20-polyfill.mjs');
const common = {
    bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning',
    inject: [polyfill], legalComments: 'none',
};
// `--only cli|server|client` builds one bundle (handy while another one is mid-change).
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;
const wanted = (name) => !only || only === name;
// `ko run` and `ko check` of clean sources need no Langium: the fast parser reads them. In the
// CLI bundle the Langium fallback (src/runtime/full-parser.ts) becomes a separate CommonJS
// bundle, required on first use, so neither command loads nor compiles Langium up front.
const lazyFullParser = {
    name: 'lazy-full-parser',
    setup(b) {
        b.onResolve({ filter: /\/full-parser\.js$/ }, () => ({ path: 'full-parser', namespace: 'ko-lazy' }));
        b.onLoad({ filter: /.*/, namespace: 'ko-lazy' }, () => ({
            loader: 'js', resolveDir: root,
            contents: `import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCstLookups } from './src/language/source-spans.ts';
let full;
function load() {
    if (!full) {
        const here = dirname(fileURLToPath(import.meta.url));
        const file = [join(here, 'full-parser.cjs'), join(here, '..', 'full-parser.cjs')].find(f => existsSync(f));
        full = require(file);
        registerCstLookups(full.cstLookups);
    }
    return full;
}
export function parseWithLangium(text, displayPath) { return load().parseWithLangium(text, displayPath); }
export function langiumServices() { return load().langiumServices(); }`,
        }));
    },
};
const started = Date.now();
await Promise.all([
    // The CLI is ESM with code splitting so `ko check` loads neither the runtime nor the LSP.
    ...(!wanted('cli') ? [] : [build({
        ...common, entryPoints: { 'cli/main': 'src/cli/main.ts' }, outdir: join(root, 'dist'),
        format: 'esm', splitting: true, outExtension: { '.js': '.mjs' },
        banner: { js: "import { createRequire as __koCreateRequire } from 'module'; const require = __koCreateRequire(import.meta.url);" },
        minify: true, plugins: [lazyFullParser],
    }), build({
        ...common, entryPoints: { 'full-parser': 'src/runtime/full-parser.ts' }, outdir: join(root, 'dist'), format: 'cjs',
        outExtension: { '.js': '.cjs' }, minify: true,
    })]),
    ...(wanted('server') && existsSync(join(root, 'server/main.ts')) ? [build({
        ...common, entryPoints: { 'server/main': 'server/main.ts' }, outdir: join(root, 'dist'), format: 'cjs',
        outExtension: { '.js': '.cjs' },
    })] : []),
    ...(wanted('client') && existsSync(join(root, 'client/extension.ts')) ? [build({
        ...common, entryPoints: { 'client/extension': 'client/extension.ts' }, outdir: join(root, 'dist'), format: 'cjs',
        outExtension: { '.js': '.cjs' }, external: ['vscode'],
    })] : []),
]);
// The graph webview (browser bundle) and the ELK layout worker of the extension.
if (wanted('client') && existsSync(join(root, 'client/build.mjs'))) await import('../client/build.mjs');
console.log(`build: bundles written to dist/ in ${Date.now() - started} ms`);
