// Builds the current `ko` CLI sources into a temporary single-file bundle (as scripts/build.mjs
// does for dist/), so CLI tests run real processes on the code under test, not a stale dist/.
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let bundled: Promise<string> | undefined;

export function koBundle(): Promise<string> {
    bundled ??= (async () => {
        const out = join(mkdtempSync(join(tmpdir(), 'ko-cli-')), 'ko.mjs');
        await build({
            stdin: { contents: "import { main } from './src/cli/main.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n", resolveDir: root, loader: 'ts' },
            bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
            inject: [join(root, 'scripts/node20-polyfill.mjs')],
            banner: { js: "import { createRequire as __koCreateRequire } from 'module'; const require = __koCreateRequire(import.meta.url);" },
        });
        return out;
    })();
    return bundled;
}

export interface KoProcess {
    child: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    done: Promise<number | null>;
}

export async function ko(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<KoProcess> {
    const child = spawn(process.execPath, [await koBundle(), ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout!.on('data', d => { out += d; });
    child.stderr!.on('data', d => { err += d; });
    const done = new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
    return { child, stdout: () => out, stderr: () => err, done };
}

export async function koRun(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const p = await ko(args, cwd, env);
    const code = await p.done;
    return { code, stdout: p.stdout(), stderr: p.stderr() };
}
