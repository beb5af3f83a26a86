// Bundles the debug adapter's stdio entry (client/debug/debug-adapter-main.ts) from the current
// sources into a temporary CommonJS file, so DAP tests run the adapter as a real process on the
// code under test (not on a dist/ that someone else may be rebuilding).
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let bundled: Promise<string> | undefined;

export function adapterBundle(): Promise<string> {
    bundled ??= (async () => {
        const out = join(mkdtempSync(join(tmpdir(), 'ko-dap-')), 'debug-adapter.cjs');
        await build({
            entryPoints: [join(root, 'client/debug/debug-adapter-main.ts')], outfile: out,
            bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
            inject: [join(root, 'scripts/node20-polyfill.mjs')],
        });
        return out;
    })();
    return bundled;
}
