// Bundles the extension's extra pieces that scripts/build.mjs does not: the graph webview
// (browser IIFE -> dist/client/webview.js) and the ELK layout worker thread
// (-> dist/client/layout-worker.cjs). Also builds the extension itself when called with
// --all, so `npm run package` and the e2e run need nothing else.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const jobs = [
    build({
        entryPoints: [join(root, 'client/webview/main.mts')], outfile: join(root, 'dist/client/webview.js'),
        bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', minify: true, sourcemap: false, logLevel: 'warning',
    }),
    build({
        entryPoints: [join(root, 'client/graph/layout-worker.ts')], outfile: join(root, 'dist/client/layout-worker.cjs'),
        bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning', legalComments: 'none',
    }),
];
if (process.argv.includes('--all')) {
    jobs.push(build({
        entryPoints: [join(root, 'client/extension.ts')], outfile: join(root, 'dist/client/extension.cjs'),
        bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: true, external: ['vscode'], logLevel: 'warning',
        inject: [join(root, 'scripts/node20-polyfill.mjs')], legalComments: 'none',
    }));
}
await Promise.all(jobs);
console.log(`client build: webview and layout worker written to dist/client in ${Date.now() - started} ms`);
