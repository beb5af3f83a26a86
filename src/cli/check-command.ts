// `ko check [--format text|json] [--root DIR]... [PATH...]`: parses every .ko file under the
// paths (default: the current directory), analyses each with its whole package in view, and
// prints FILE:LINE:COL diagnostics. Exit 1 on any error, 0 otherwise, 2 for usage or I/O problems.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EmptyFileSystem } from 'langium';
import { createKoCoreServices, createPackageIndex } from '../language/ko-module.js';
import { analyzeFile } from '../language/ko-analysis.js';
import type { KoDiagnostic } from '../language/diagnostics.js';
import type { KoFile } from '../language/generated/ast.js';
import { packageRoots } from '../workspace/package-roots.js';
import { parseOptions, usageError, UsageError } from './cli-util.js';

const HELP = `usage: ko check [--format text|json] [--root DIR]... [PATH...]

Checks .ko files (directories are searched recursively; default: the current directory).
Package roots: the current directory, each KOPATH entry's src/, and every --root.
Exit status: 1 if any error was found, 0 otherwise, 2 for bad usage or unreadable paths.`;

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.ko', '.e2e', 'dist', 'out']);

export interface CheckedFile { filePath: string; diagnostics: KoDiagnostic[] }

export async function run(argv: string[]): Promise<number> {
    let options;
    try {
        options = parseOptions(argv, ['format', 'root'], ['help']);
    } catch (e) {
        if (e instanceof UsageError) return usageError(`${e.message}\n\n${HELP}`);
        throw e;
    }
    if (options.flags.has('help')) { process.stdout.write(HELP + '\n'); return 0; }
    const format = options.flags.get('format') ?? 'text';
    if (format !== 'text' && format !== 'json') return usageError(`--format must be text or json, not "${String(format)}"`);
    const extraRoots = options.flags.has('root') ? [String(options.flags.get('root'))] : [];
    const paths = options.positionals.length > 0 ? options.positionals : ['.'];

    const files: string[] = [];
    for (const path of paths) {
        try {
            collectKoFiles(resolve(path), files, true);
        } catch (e) {
            process.stderr.write(`ko check: cannot read ${path}: ${(e as Error).message}\n`);
            return 2;
        }
    }
    let results: CheckedFile[];
    try {
        results = checkFiles(files, packageRoots({ workspaceFolders: [process.cwd()], extraRoots }));
    } catch (e) {
        process.stderr.write(`ko check: ${(e as Error).message}\n`);
        return 2;
    }
    const errors = results.reduce((n, r) => n + r.diagnostics.filter(d => d.severity === 'error').length, 0);
    const warnings = results.reduce((n, r) => n + r.diagnostics.filter(d => d.severity === 'warning').length, 0);
    if (format === 'json') {
        const diagnostics = results.flatMap(r => r.diagnostics.map(d => ({
            file: displayPath(r.filePath), line: d.range.start.line + 1, column: d.range.start.character + 1,
            endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1,
            severity: d.severity, code: d.code, message: d.message,
        })));
        process.stdout.write(JSON.stringify({ files: results.length, diagnostics }, null, 2) + '\n');
    } else {
        const lines: string[] = [];
        for (const r of results) {
            for (const d of r.diagnostics) {
                if (d.severity === 'hint') continue;
                lines.push(`${displayPath(r.filePath)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message} [${d.code}]`);
            }
        }
        if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
        process.stderr.write(`${results.length} file${results.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return errors > 0 ? 1 : 0;
}

/** Checks the files, each with its package siblings (read from disk when not given) in view. */
export function checkFiles(files: readonly string[], roots: readonly string[]): CheckedFile[] {
    const { Ko } = createKoCoreServices(EmptyFileSystem);
    const parser = Ko.parser.LangiumParser;
    const index = createPackageIndex(Ko, roots);
    const parsed = files.map(filePath => {
        const text = readFileSync(filePath, 'utf8');
        const parseResult = parser.parse<KoFile>(text);
        index.setFile(filePath, parseResult.value);
        return { filePath, text, parseResult };
    });
    return parsed.map(({ filePath, text, parseResult }) => ({
        filePath,
        diagnostics: analyzeFile({ filePath, text, parseResult, index, lexer: Ko.parser.Lexer }),
    }));
}

function collectKoFiles(path: string, out: string[], explicit: boolean): void {
    const stat = statSync(path);
    if (stat.isFile()) {
        if (explicit || path.endsWith('.ko')) out.push(path);
        return;
    }
    if (!stat.isDirectory()) return;
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.isDirectory()) {
            if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
            collectKoFiles(join(path, entry.name), out, false);
        } else if (entry.isFile() && entry.name.endsWith('.ko')) {
            out.push(join(path, entry.name));
        }
    }
}

function displayPath(filePath: string): string {
    const rel = relative(process.cwd(), filePath);
    return rel.startsWith('..') ? filePath : rel;
}
