// Builds the engine-driver fixture into a plain ESM file once per test file and runs it.
import { build } from 'esbuild';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let bundled: string | undefined;

export async function driverPath(): Promise<string> {
    if (bundled) return bundled;
    const out = join(mkdtempSync(join(tmpdir(), 'ko-driver-')), 'driver.mjs');
    await build({ entryPoints: [fileURLToPath(new URL('./fixtures/engine-driver.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
    bundled = out;
    return out;
}

export interface DriverLine { name: string; key: string; status: string; stdout: string; outputs: string[] }

export function startDriver(path: string, plan: unknown): { child: ChildProcess; done: Promise<{ code: number | null; lines: DriverLine[]; stderr: string }> } {
    const child = spawn(process.execPath, [path, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout!.on('data', d => { out += d; });
    child.stderr!.on('data', d => { err += d; });
    const done = new Promise<{ code: number | null; lines: DriverLine[]; stderr: string }>(resolve => {
        child.on('close', code => resolve({ code, lines: out.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as DriverLine), stderr: err }));
    });
    return { child, done };
}
