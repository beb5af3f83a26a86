// Builds the bundles once before any test file runs: tests spawn `bin/ko` and the server from
// dist/, and parallel test files building at the same time would race on the same outputs.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
    const repo = join(import.meta.dirname, '..');
    execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
}
