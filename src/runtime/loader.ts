// Program loading: parses packages (one package = every *.ko file of a directory; the fast parser
// for clean files, Langium for the rest), follows imports transitively over the package roots,
// and reports lexer, parser and grafting errors (§3.8) itself, so the runtime does not depend on
// the validator.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { AstNode } from 'langium';
import type { FuncDef, KoFile } from '../language/generated/ast.js';
import { allFunctions, unquoteKoString } from '../language/ast-utils.js';
import { defaultAlias, packagePathOf, resolveImport } from '../workspace/package-roots.js';
import { parseWithLangium } from './full-parser.js';
import { functionsOfCleanFile, parseCleanKo } from '../language/fast-parser.js';
import type { SourcePosition, SourceRange } from './events.js';

export interface LoadDiagnostic extends SourcePosition {
    readonly message: string;
}

export class KoLoadError extends Error {
    constructor(readonly diagnostics: readonly LoadDiagnostic[]) {
        super(diagnostics.map(d => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
        this.name = 'KoLoadError';
    }
}

export interface SourceUnit {
    /** Absolute path of the file. */
    readonly path: string;
    /** The path as shown in messages (relative to the working directory when inside it). */
    readonly displayPath: string;
    readonly text: string;
    readonly ast: KoFile;
    /** Import alias to import path, per file (§3.1). */
    readonly aliases: Map<string, string>;
}

export interface Package {
    /** The import path ('' for a root directory itself; the absolute dir when under no root). */
    readonly path: string;
    readonly dir?: string;
    readonly units: SourceUnit[];
    /** Every function of the package, inline definitions hoisted (§3.2). */
    readonly funcs: Map<string, { def: FuncDef; unit: SourceUnit }>;
}

export interface LoadedSources {
    readonly roots: readonly string[];
    readonly packages: Map<string, Package>;
    /** The package of the entry (file or directory or import path). */
    readonly entry: Package;
    /** When the entry was a file: that file. */
    readonly entryUnit?: SourceUnit;
}

export type LoadEntry = { file: string } | { dir: string } | { pkgPath: string };

export interface LoadSourcesOptions {
    roots: readonly string[];
    entry: LoadEntry;
    /** Unsaved editor buffers by absolute path; they replace the file contents on disk. */
    overrides?: ReadonlyMap<string, string>;
    /** Base for relative display paths (defaults to process.cwd()). */
    cwd?: string;
}

/** Parses one Ko source text; syntax errors (as `ko check` words them) become diagnostics. */
export function parseKo(text: string, displayPath: string): { ast: KoFile; diagnostics: LoadDiagnostic[] } {
    // Clean files (nearly all) need neither Langium's CST nor its services.
    const clean = parseCleanKo(text);
    return clean ? { ast: clean, diagnostics: [] } : parseWithLangium(text, displayPath);
}

export function positionOf(node: AstNode | undefined, unit: { displayPath: string }): SourceRange {
    const range = node?.$cstNode?.range;
    if (!range) return { file: unit.displayPath, line: 1, column: 1, endLine: 1, endColumn: 1 };
    return {
        file: unit.displayPath,
        line: range.start.line + 1, column: range.start.character + 1,
        endLine: range.end.line + 1, endColumn: range.end.character + 1,
    };
}

export function loadSources(options: LoadSourcesOptions): LoadedSources {
    const cwd = options.cwd ?? process.cwd();
    const roots = options.roots.map(r => resolve(r));
    const packages = new Map<string, Package>();
    const diagnostics: LoadDiagnostic[] = [];
    const display = (p: string) => {
        const rel = relative(cwd, p);
        return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
    };
    const read = (path: string) => options.overrides?.get(path) ?? readFileSync(path, 'utf8');

    const loadDir = (dir: string, pkgPath: string): Package => {
        const existing = packages.get(pkgPath);
        if (existing) return existing;
        const files = listKoFiles(dir, options.overrides);
        const units: SourceUnit[] = [];
        for (const file of files) {
            const text = read(file);
            const { ast, diagnostics: errs } = parseKo(text, display(file));
            diagnostics.push(...errs);
            units.push({ path: file, displayPath: display(file), text, ast, aliases: new Map() });
        }
        const pkg: Package = { path: pkgPath, dir, units, funcs: new Map() };
        packages.set(pkgPath, pkg);
        return pkg;
    };

    let entry: Package;
    let entryUnit: SourceUnit | undefined;
    if ('file' in options.entry) {
        const file = resolve(cwd, options.entry.file);
        try { statSync(file); } catch {
            if (!options.overrides?.has(file)) throw new KoLoadError([{ file: display(file), line: 1, column: 1, message: 'no such file' }]);
        }
        const dir = dirname(file);
        entry = loadDir(dir, packagePathOf(dir, roots) ?? dir);
        entryUnit = entry.units.find(u => u.path === file);
        if (!entryUnit) {
            // A file without the .ko suffix: load it on its own into the directory's package.
            const text = read(file);
            const parsed = parseKo(text, display(file));
            diagnostics.push(...parsed.diagnostics);
            entryUnit = { path: file, displayPath: display(file), text, ast: parsed.ast, aliases: new Map() };
            entry.units.push(entryUnit);
        }
    } else if ('dir' in options.entry) {
        const dir = resolve(cwd, options.entry.dir);
        entry = loadDir(dir, packagePathOf(dir, roots) ?? dir);
    } else {
        const resolved = resolveImport(options.entry.pkgPath, roots);
        entry = resolved.dir ? loadDir(resolved.dir, options.entry.pkgPath) : emptyPackage(packages, options.entry.pkgPath);
    }

    // Transitive imports: a path with no directory is an empty package (pseudo-packages, stdlib gates).
    const queue: Package[] = [entry];
    const seen = new Set<Package>();
    while (queue.length > 0) {
        const pkg = queue.shift()!;
        if (seen.has(pkg)) continue;
        seen.add(pkg);
        for (const unit of pkg.units) {
            for (const imp of unit.ast.imports ?? []) {
                const path = imp.path === undefined ? '' : unquoteKoString(imp.path);
                const alias = imp.alias ?? defaultAlias(path);
                const pos = positionOf(imp, unit);
                if (unit.aliases.has(alias)) {
                    diagnostics.push({ ...pos, message: `alias ${alias} already used for package ${unit.aliases.get(alias)}` });
                    continue;
                }
                unit.aliases.set(alias, path);
                if (packages.has(path)) { queue.push(packages.get(path)!); continue; }
                const resolved = resolveImport(path, roots);
                queue.push(resolved.dir ? loadDir(resolved.dir, path) : emptyPackage(packages, path));
            }
        }
    }

    // Package-wide function tables (inline definitions hoisted).
    for (const pkg of packages.values()) {
        for (const unit of pkg.units) {
            for (const def of functionsOfCleanFile(unit.ast) ?? allFunctions(unit.ast)) {
                const prior = pkg.funcs.get(def.name);
                if (prior) {
                    const pos = positionOf(def, unit);
                    diagnostics.push({
                        ...pos,
                        message: prior.unit === unit
                            ? `function ${pkg.path}.${def.name} (${pos.file}:${pos.line}:${pos.column}) already grafted in the same package`
                            : `duplicate function ${def.name} in package ${pkg.path}`,
                    });
                    continue;
                }
                pkg.funcs.set(def.name, { def, unit });
            }
        }
    }
    if (diagnostics.length > 0) throw new KoLoadError(diagnostics);
    return { roots, packages, entry, ...(entryUnit ? { entryUnit } : {}) };
}

function emptyPackage(packages: Map<string, Package>, path: string): Package {
    const pkg: Package = { path, units: [], funcs: new Map() };
    packages.set(path, pkg);
    return pkg;
}

function listKoFiles(dir: string, overrides?: ReadonlyMap<string, string>): string[] {
    let names: string[] = [];
    try {
        names = readdirSync(dir, { withFileTypes: true })
            .filter(e => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.ko'))
            .map(e => join(dir, e.name));
    } catch { /* a missing directory is an empty package */ }
    for (const path of overrides?.keys() ?? []) {
        if (dirname(path) === dir && path.endsWith('.ko') && !names.includes(path)) names.push(path);
    }
    return names.sort((a, b) => basename(a).localeCompare(basename(b)));
}

