// `ko test [PATH...]`: runs every zero-parameter `Test*` function of the given packages
// (directories; a file limits the run to its own tests), default the working directory.
// A test fails when it panics or errors. Ends with `N passed, N failed`; exit 1 on failures.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { packageRoots } from '../workspace/package-roots.js';
import { usageError } from './cli-util.js';
import { describeKoError, KoExit } from '../runtime/errors.js';

export const HELP = `usage: ko test [--root DIR]... [--concurrency N] [-v] [PATH...]

Runs the zero-parameter functions whose names start with Test in each package directory
(or only those defined in a given .ko file). DIR/... means every package below DIR.
Default PATH: the working directory.`;

export async function run(argv: string[]): Promise<number> {
    const paths: string[] = [];
    const extraRoots: string[] = [];
    let concurrency: number | undefined;
    let verbose = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--help' || a === '-h') { process.stdout.write(HELP + '\n'); return 0; }
        if (a === '-v' || a === '--verbose') { verbose = true; continue; }
        if (a === '--root' || a === '--package-root') { const v = argv[++i]; if (!v) return usageError(`test: ${a} needs a value`); extraRoots.push(v); continue; }
        if (a.startsWith('--root=')) { extraRoots.push(a.slice(7)); continue; }
        if (a === '--concurrency') { concurrency = Number(argv[++i]); if (!Number.isInteger(concurrency) || concurrency < 1) return usageError('test: --concurrency needs a positive integer'); continue; }
        if (a.startsWith('-')) return usageError(`test: unknown option ${a}`);
        paths.push(a);
    }
    if (paths.length === 0) paths.push('.');
    const cwd = process.cwd();
    const roots = packageRoots({ workspaceFolders: [cwd], extraRoots });
    const { loadProgram, runFunction, KoLoadError } = await import('../runtime/interpreter.js');

    // `dir/...` expands to every directory below dir (itself included) that holds .ko files.
    const expanded = paths.flatMap(p => (p === '...' || p.endsWith('/...') ? packagesBelow(resolve(cwd, p.slice(0, -3) || '.'), cwd) : [p]));
    let passed = 0, failed = 0;
    for (const p of expanded) {
        const abs = resolve(cwd, p);
        let isFile: boolean;
        try { isFile = statSync(abs).isFile(); } catch { process.stderr.write(`ko: ${p}: no such file or directory\n`); failed++; continue; }
        let program;
        try {
            program = loadProgram({ roots, entry: isFile ? { file: abs } : { dir: abs }, cwd });
        } catch (e) {
            if (!(e instanceof KoLoadError)) throw e;
            for (const d of e.diagnostics) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
            process.stdout.write(`FAIL ${p} (does not load)\n`);
            failed++;
            continue;
        }
        const pkg = program.entry;
        const label = pkg.path === '' ? (isFile ? p : dirname(p + '/x')) : pkg.path;
        const tests = [...program.funcs.get(pkg.path)!.values()]
            .filter(f => f.name.startsWith('Test') && f.params.length === 0)
            .filter(f => !isFile || f.unit.path === abs)
            .sort((a, b) => a.name.localeCompare(b.name));
        for (const t of tests) {
            const started = performance.now();
            let output = '';
            const capture = { write: (s: string) => { output += s; } };
            try {
                await runFunction(program, { pkgPath: pkg.path }, t.name, [], {
                    workspaceDir: cwd, stdout: capture, stderr: capture, ...(concurrency ? { concurrency } : {}),
                });
                passed++;
                process.stdout.write(`ok   ${label}.${t.name} (${(performance.now() - started).toFixed(1)} ms)\n`);
                if (verbose && output) process.stdout.write(indent(output));
            } catch (e) {
                failed++;
                const why = e instanceof KoExit ? `os.Exit(${e.code})` : describeKoError(e);
                process.stdout.write(`FAIL ${label}.${t.name} (${(performance.now() - started).toFixed(1)} ms)\n${indent(why + '\n')}`);
                if (output) process.stdout.write(indent(output));
            }
        }
    }
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
}

function packagesBelow(dir: string, cwd: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        let entries;
        try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
        if (entries.some(e => e.isFile() && e.name.endsWith('.ko'))) out.push(relative(cwd, d) || '.');
        for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(d, e.name));
    };
    walk(dir);
    return out.sort();
}

function indent(text: string): string {
    return text.split('\n').map((l, i, all) => (i === all.length - 1 && l === '' ? '' : '    ' + l + '\n')).join('');
}
