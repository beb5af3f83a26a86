// `npm run bench`: runs every benchmark script under bench/ (*-bench.mjs) one after another.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
let failed = 0;
for (const name of readdirSync(dir).filter(f => f.endsWith('-bench.mjs')).sort()) {
    if (only.length > 0 && !only.some(o => name.includes(o))) continue;
    console.log(`\n=== ${name}`);
    const r = spawnSync(process.execPath, ['--import', join(dir, '..', 'scripts', 'node20-polyfill.mjs'), join(dir, name)], { stdio: 'inherit' });
    if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
