// The package index: which Ko functions each package directory defines, across all its files
// (§3.1, §3.2), with open/workspace documents taking precedence over disk. Packages outside
// the workspace (KOPATH roots, imports) are parsed lazily from disk and cached. Shared by
// `ko check`, the language server and the runtime loader; knows nothing of Langium services.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FuncDef, KoFile } from '../language/generated/ast.js';
import { allFunctions, isInlineDefinition } from '../language/ast-utils.js';
import { resolveImport, type ResolvedImport } from './package-roots.js';

export interface FunctionSymbol {
    readonly name: string;
    readonly func: FuncDef;
    /** Absolute path of the defining file. */
    readonly filePath: string;
    readonly inline: boolean;
}

export type ParseKoFile = (filePath: string, text: string) => KoFile;

interface DirListing { files: string[]; mtimeMs: number }

export class PackageIndex {
    private readonly supplied = new Map<string, KoFile>();
    private readonly fromDisk = new Map<string, { ast: KoFile; mtimeMs: number }>();
    private readonly listings = new Map<string, DirListing>();
    private readonly functionCache = new Map<string, Map<string, FunctionSymbol[]>>();
    private readonly importCache = new Map<string, ResolvedImport>();

    constructor(private readonly parse: ParseKoFile, private roots: readonly string[]) {}

    setRoots(roots: readonly string[]): void {
        this.roots = roots;
        this.importCache.clear();
    }

    getRoots(): readonly string[] {
        return this.roots;
    }

    /** Supplies a file's current AST (an open or workspace document); it wins over disk. */
    setFile(filePath: string, ast: KoFile): void {
        const path = resolve(filePath);
        this.supplied.set(path, ast);
        this.functionCache.delete(dirname(path));
    }

    removeFile(filePath: string): void {
        const path = resolve(filePath);
        this.supplied.delete(path);
        this.fromDisk.delete(path);
        this.invalidateDir(dirname(path));
    }

    /** Forgets what is known about a directory's files on disk (after file-system changes). */
    invalidateDir(dir: string): void {
        const path = resolve(dir);
        this.listings.delete(path);
        this.functionCache.delete(path);
        this.importCache.clear();
    }

    /** All files of the package in `dir`: supplied ASTs, else parsed from disk. */
    filesOf(dir: string): { filePath: string; ast: KoFile }[] {
        const absolute = resolve(dir);
        const paths = new Set(this.listing(absolute).files.map(f => join(absolute, f)));
        for (const path of this.supplied.keys()) if (dirname(path) === absolute) paths.add(path);
        const out: { filePath: string; ast: KoFile }[] = [];
        for (const filePath of [...paths].sort()) {
            const ast = this.supplied.get(filePath) ?? this.loadFromDisk(filePath);
            if (ast) out.push({ filePath, ast });
        }
        return out;
    }

    /** Functions of the package in `dir` by name (several entries mean a duplicate). */
    functionsOf(dir: string): ReadonlyMap<string, readonly FunctionSymbol[]> {
        const absolute = resolve(dir);
        let table = this.functionCache.get(absolute);
        if (!table) {
            table = new Map();
            for (const { filePath, ast } of this.filesOf(absolute)) {
                for (const func of allFunctions(ast)) {
                    if (!func.name) continue;
                    const symbol: FunctionSymbol = { name: func.name, func, filePath, inline: isInlineDefinition(func) };
                    const list = table.get(func.name);
                    if (list) list.push(symbol); else table.set(func.name, [symbol]);
                }
            }
            this.functionCache.set(absolute, table);
        }
        return table;
    }

    resolveImport(importPath: string): ResolvedImport {
        let resolved = this.importCache.get(importPath);
        if (!resolved) {
            resolved = resolveImport(importPath, this.roots);
            this.importCache.set(importPath, resolved);
        }
        return resolved;
    }

    private listing(dir: string): DirListing {
        let listing = this.listings.get(dir);
        if (!listing) {
            try {
                const mtimeMs = statSync(dir).mtimeMs;
                const files = readdirSync(dir, { withFileTypes: true })
                    .filter(e => e.isFile() && e.name.endsWith('.ko')).map(e => e.name);
                listing = { files, mtimeMs };
            } catch {
                listing = { files: [], mtimeMs: 0 };
            }
            this.listings.set(dir, listing);
        }
        return listing;
    }

    private loadFromDisk(filePath: string): KoFile | undefined {
        try {
            const mtimeMs = statSync(filePath).mtimeMs;
            const cached = this.fromDisk.get(filePath);
            if (cached && cached.mtimeMs === mtimeMs) return cached.ast;
            const ast = this.parse(filePath, readFileSync(filePath, 'utf8'));
            this.fromDisk.set(filePath, { ast, mtimeMs });
            return ast;
        } catch {
            return undefined;
        }
    }
}
