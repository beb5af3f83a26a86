// Test helpers: write Ko sources into a fresh temporary package root and run a function with
// the real loader and interpreter, capturing Show/Peek output.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProgram, runFunction, type RunOptions } from '../../../src/runtime/interpreter.js';
import { printValue, type Value } from '../../../src/runtime/values.js';

export interface KoRun { value: Value; printed: string; stdout: string; stderr: string }

/** Writes `files` (path -> text) under a new root and returns the root. */
export function writeTree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'ko-rt-'));
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), text);
    }
    return root;
}

/** Runs `func` of a one-file package `main.ko` with the given source. */
export async function runKo(source: string, func = 'Main', options: RunOptions & { args?: Record<string, Value>; extra?: Record<string, string> } = {}): Promise<KoRun> {
    const root = writeTree({ 'main/main.ko': source, ...(options.extra ?? {}) });
    const program = loadProgram({ roots: [root], entry: { dir: join(root, 'main') }, cwd: root });
    let stdout = '', stderr = '';
    const value = await runFunction(program, { pkgPath: 'main' }, func, options.args ?? {}, {
        stdout: { write: t => { stdout += t; } }, stderr: { write: t => { stderr += t; } }, workspaceDir: root, ...options,
    });
    return { value, printed: printValue(value), stdout, stderr };
}

/** The printed value of `return: <expr>` in a throwaway Main. */
export async function evalKo(expr: string, more = ''): Promise<string> {
    return (await runKo(`Main() {\n\treturn: ${expr}\n}\n${more}`)).printed;
}
