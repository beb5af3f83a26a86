// `ko check` as a user runs it: the realistic corpus checks clean, output formats and exit
// codes follow the contract (1 on errors, 2 on bad usage or unreadable paths).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const ko = join(repo, 'bin', 'ko');
const runKo = (args: string[], cwd = repo) => spawnSync(process.execPath, [ko, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KOPATH: '' } });

describe('ko check', () => {
    test('the corpus and the examples check clean', () => {
        const result = runKo(['check', '--root', 'test/fixtures/corpus', 'test/fixtures/corpus', 'examples']);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/\d+ files checked: 0 errors, 0 warnings/);
        expect(result.status).toBe(0);
    });

    test('KO_FAST_PARSER=off (every file through Langium) reports the same', () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-check-'));
        writeFileSync(join(dir, 'a.ko'), 'import "pipeline"\nMain(user?) {\n\tx: Summ(1, 2)\n\tassert: pipeline.Text(name: "n", content: user)\n\treturn: (x: x, a: assert, b: (1,)\n}\n');
        writeFileSync(join(dir, 'b.ko'), 'F() {\r\n\ty: Missing()\r\n\treturn: y\r\n}\r\n');
        const fast = runKo(['check', '--format', 'json', '.'], dir);
        const off = spawnSync(process.execPath, [ko, 'check', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, KOPATH: '', KO_FAST_PARSER: 'off' } });
        expect(JSON.parse(fast.stdout).diagnostics.length).toBeGreaterThan(1);
        expect(off.stdout).toBe(fast.stdout);
        expect(off.status).toBe(fast.status);
    });

    test('text format: FILE:LINE:COL: severity: message [code], exit 1 on errors', () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-check-'));
        writeFileSync(join(dir, 'bad.ko'), 'Main() {\n\tx: Summ(1, 2)\n}\n');
        const result = runKo(['check', 'bad.ko'], dir);
        expect(result.stdout.trim().split('\n')).toEqual([
            'bad.ko:1:1: error: missing return in Main: a function needs one `return: formula` step [missing-return]',
            'bad.ko:2:5: warning: unknown name Summ: no parameter, step, function of this package, idiom or builtin has this name; did you mean Sum? [unknown-name]',
        ]);
        expect(result.status).toBe(1);
    });

    test('json format has 1-based positions and ranges', () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-check-'));
        writeFileSync(join(dir, 'a.ko'), 'F() { return: Summ(1) }\n');
        const result = runKo(['check', '--format', 'json'], dir);
        expect(JSON.parse(result.stdout)).toEqual({
            files: 1,
            diagnostics: [{
                file: 'a.ko', line: 1, column: 15, endLine: 1, endColumn: 19, severity: 'warning', code: 'unknown-name',
                message: 'unknown name Summ: no parameter, step, function of this package, idiom or builtin has this name; did you mean Sum?',
            }],
        });
        expect(result.status).toBe(0);
    });

    test('warnings alone exit 0; usage errors and unreadable paths exit 2', () => {
        expect(runKo(['check', '--format', 'xml']).status).toBe(2);
        expect(runKo(['check', '--bogus']).status).toBe(2);
        const missing = runKo(['check', 'no/such/file.ko']);
        expect(missing.status).toBe(2);
        expect(missing.stderr).toContain('cannot read no/such/file.ko');
    });

    test('imports resolve against KOPATH entries (their src/ folder)', () => {
        const kopath = mkdtempSync(join(tmpdir(), 'ko-path-'));
        const pkg = join(kopath, 'src', 'acme', 'util');
        execFileSync('mkdir', ['-p', pkg]);
        writeFileSync(join(pkg, 'util.ko'), 'Twice(x?) { return: (x, x) }\n');
        const dir = mkdtempSync(join(tmpdir(), 'ko-check-'));
        writeFileSync(join(dir, 'main.ko'), 'import "acme/util"\nMain() { return: (util.Twice(1), util.Thrice(1)) }\n');
        const result = spawnSync(process.execPath, [ko, 'check', '--format', 'json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, KOPATH: kopath } });
        const codes = JSON.parse(result.stdout).diagnostics.map((d: { code: string; message: string }) => `${d.code}: ${d.message}`);
        expect(codes).toEqual(['unknown-member: no function or macro "acme/util".Thrice; did you mean util.Twice?']);
    });

    test('a large workspace, checked by worker threads, reports exactly what the main thread reports', async () => {
        const generator = join(repo, 'bench', 'generate-workspace.mjs');
        const { generateWorkspace } = await import(generator) as { generateWorkspace: (dir: string, options: Record<string, number>) => number };
        const dir = mkdtempSync(join(tmpdir(), 'ko-check-big-'));
        generateWorkspace(dir, { packages: 12, files: 6, functions: 16 });
        // Mistakes in several packages (syntax errors go through the Langium parser, the rest
        // through the fast one), so the threads have something to report.
        writeFileSync(join(dir, 'pkg3', 'extra.ko'), 'Extra() {\n\tx: Summ(1, 2)\n\treturn: x\n}\n');
        writeFileSync(join(dir, 'pkg7', 'broken.ko'), 'Broken() {\n\treturn: (1,\n}\n');
        writeFileSync(join(dir, 'pkg9', 'dup.ko'), 'Stage0_0() {\n\treturn: 1\n}\n');
        const parallel = runKo(['check', '--format', 'json', '.'], dir);
        expect(parallel.status).toBe(1);
        const { checkFiles } = await import('../../../src/cli/check-command.js');
        const { packageRoots } = await import('../../../src/workspace/package-roots.js');
        const { readdirSync } = await import('node:fs');
        const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile() && e.name.endsWith('.ko')).map(e => join(e.parentPath, e.name));
        const single = checkFiles(files, packageRoots({ workspaceFolders: [dir], extraRoots: [] }))
            .flatMap(r => r.diagnostics.map(d => `${r.filePath.slice(dir.length + 1)}:${d.range.start.line + 1}:${d.range.start.character + 1}:${d.code}`));
        const report = JSON.parse(parallel.stdout) as { files: number; diagnostics: { file: string; line: number; column: number; code: string }[] };
        expect(report.files).toBe(files.length);
        expect(report.diagnostics.map(d => `${d.file}:${d.line}:${d.column}:${d.code}`).sort()).toEqual(single.sort());
        expect(single.some(d => d.includes('unknown-name')) && single.some(d => d.includes('syntax-error') || d.includes('bracket')) && single.some(d => d.includes('duplicate-function'))).toBe(true);
    }, 60_000);
});
