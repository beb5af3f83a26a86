// `ko check [--format text|json] [--root DIR]... [PATH...]`: parses every .ko file under the
// paths (default: the current directory), analyses each with its whole package in view, and
// prints FILE:LINE:COL diagnostics. Exit 1 on any error, 0 otherwise, 2 for usage or I/O problems.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { dirname, join, relative, resolve } from 'node:path';
import type { Lexer } from 'langium';
import { createCstFreePackageIndex, parseKoText } from '../language/cst-free-parsing.js';
import { langiumServices as services } from '../runtime/full-parser.js';
import { analyzeFile } from '../language/ko-analysis.js';
import type { KoDiagnostic } from '../language/diagnostics.js';
import type { PackageIndex } from '../workspace/package-index.js';
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
        const roots = packageRoots({ workspaceFolders: [process.cwd()], extraRoots });
        results = await checkInParallel(files, roots);
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

/**
 * Checks the files, each with its package siblings (read from disk when not given) in view.
 * Packages are checked one directory at a time and then released: holding every AST of a
 * large workspace at once makes garbage collection the dominant cost.
 */
export function checkFiles(files: readonly string[], roots: readonly string[]): CheckedFile[] {
    const checker = new PackageChecker(roots);
    const results = new Map<string, KoDiagnostic[]>();
    for (const dirFiles of byPackage(files).values()) {
        for (const r of checker.check(dirFiles)) results.set(r.filePath, r.diagnostics);
    }
    return files.map(filePath => ({ filePath, diagnostics: results.get(filePath)! }));
}

/** Checks one package (the files of one directory) at a time against one package index. */
class PackageChecker {
    // Langium (its services: parser, lexer) is loaded only if a file has syntax errors.
    private readonly lexer: Lexer = { get definition() { return services().parser.Lexer.definition; }, tokenize: (text, options) => services().parser.Lexer.tokenize(text, options) };
    private readonly index: PackageIndex;

    constructor(roots: readonly string[]) {
        this.index = createCstFreePackageIndex(services, roots);
    }

    check(dirFiles: readonly string[]): CheckedFile[] {
        const { index, lexer } = this;
        const parsed = dirFiles.map(filePath => {
            const text = readFileSync(filePath, 'utf8');
            const parseResult = parseKoText(services, text);
            index.setFile(filePath, parseResult.value);
            return { filePath, text, parseResult };
        });
        const out = parsed.map(({ filePath, text, parseResult }) => ({ filePath, diagnostics: analyzeFile({ filePath, text, parseResult, index, lexer }) }));
        for (const filePath of dirFiles) index.removeFile(filePath);
        return out;
    }
}

/** Files grouped by package directory, in first-seen order. */
function byPackage(files: readonly string[]): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const filePath of files) {
        const dir = dirname(filePath);
        const list = groups.get(dir);
        if (list) list.push(filePath); else groups.set(dir, [filePath]);
    }
    return groups;
}

/** Below this many bytes a worker's start-up costs more than it saves. */
const PARALLEL_THRESHOLD_BYTES = 400_000;

/**
 * Large workspaces are checked by worker threads, which take packages from a queue, biggest
 * first, so that they finish together; packages are independent units of analysis, so the
 * results are identical. Workers rather than the main thread: a worker's heap can be given a
 * young generation large enough that a package's ASTs die young instead of being copied by every
 * scavenge and promoted (half of the main thread's time on a 100k-line workspace).
 * One core is left to V8's own threads (concurrent marking, optimizing compilation): on two
 * cores one worker checks the 100k-line workspace in 0.41 s, while two take 0.53 s each.
 */
async function checkInParallel(files: readonly string[], roots: readonly string[]): Promise<CheckedFile[]> {
    const sizes = new Map(files.map(f => [f, statSync(f).size]));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    const threads = Math.max(1, Math.min(4, availableParallelism() - 1));
    const packages = byPackage(files);
    if (total < PARALLEL_THRESHOLD_BYTES) return checkFiles(files, roots);
    const queue = [...packages.values()]
        .map(fs => ({ fs, bytes: fs.reduce((n, f) => n + sizes.get(f)!, 0) }))
        .sort((a, b) => b.bytes - a.bytes).map(p => p.fs);
    const results = new Map<string, CheckedFile>();
    // V8 reads this when it sets up a new isolate's heap, so it applies to the workers below.
    setFlagsFromString('--min-semi-space-size=16');
    await Promise.all(Array.from({ length: threads }, () => new Promise<void>((done, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { koCheckWorker: true, roots }, resourceLimits: { maxYoungGenerationSizeMb: 48 } });
        // The worker says it is ready with an empty result, then returns each package it is given.
        worker.on('message', (checked: CheckedFile[]) => {
            for (const r of checked) results.set(r.filePath, r);
            const next = queue.shift();
            worker.postMessage(next ?? null);
        });
        worker.once('error', reject);
        worker.once('exit', code => (code === 0 ? done() : reject(new Error(`check worker exited with ${code}`))));
    })));
    return files.map(f => results.get(f)!);
}

if (!isMainThread && (workerData as { koCheckWorker?: boolean } | null)?.koCheckWorker) {
    const checker = new PackageChecker((workerData as { roots: string[] }).roots);
    parentPort!.on('message', (files: string[] | null) => {
        if (files) parentPort!.postMessage(checker.check(files));
        else parentPort!.close();
    });
    parentPort!.postMessage([]);
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
