// Package roots and import resolution (§3.1): a package is a directory under a root; roots are
// the workspace folders, each KOPATH entry's src/ folder (colon-separated, KOPATH order), then
// any extra roots from settings or flags.
import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { catalogueHasPackage, isPseudoPackage } from '../language/catalogue.js';

export interface PackageRootOptions {
    workspaceFolders: readonly string[];
    /** The KOPATH value (defaults to process.env.KOPATH). */
    kopath?: string;
    extraRoots?: readonly string[];
}

export function packageRoots(options: PackageRootOptions): string[] {
    const kopath = options.kopath ?? process.env.KOPATH ?? '';
    const fromKopath = kopath.split(delimiter).filter(p => p.length > 0).map(p => join(resolve(p), 'src'));
    const all = [...options.workspaceFolders.map(f => resolve(f)), ...fromKopath, ...(options.extraRoots ?? []).map(r => resolve(r))];
    return [...new Set(all)];
}

export interface ResolvedImport {
    readonly importPath: string;
    /** The package directory, when one exists under a root. */
    readonly dir?: string;
    /** A builtin pseudo-package (`integer`, `circuit`, `ko`, `pipeline`). */
    readonly pseudo: boolean;
    /** The catalogue registers gates under this path (stdlib gates or pseudo-packages). */
    readonly catalogue: boolean;
}

export function resolveImport(importPath: string, roots: readonly string[]): ResolvedImport {
    const pseudo = isPseudoPackage(importPath);
    const catalogue = catalogueHasPackage(importPath);
    let dir: string | undefined;
    // Absolute or parent-escaping paths are never packages; a raw-string path keeps its backticks.
    if (importPath.length > 0 && !isAbsolute(importPath) && !importPath.split('/').includes('..')) {
        for (const root of roots) {
            const candidate = join(root, ...importPath.split('/'));
            if (isDirectory(candidate)) { dir = candidate; break; }
        }
    }
    return { importPath, ...(dir ? { dir } : {}), pseudo, catalogue };
}

/**
 * The import path of the package in `dir`, relative to the most specific root containing it
 * (a KOPATH src/ inside the workspace names its packages as imports reach them). The runtime's
 * step ids and the editor's graph ids both come from here.
 */
export function packagePathOf(dir: string, roots: readonly string[]): string | undefined {
    const absolute = resolve(dir);
    let best: string | undefined;
    for (const root of roots) {
        const rel = relative(root, absolute);
        if (rel.startsWith('..') || isAbsolute(rel)) continue;
        const path = rel === '' ? '' : rel.split(sep).join('/');
        if (best === undefined || path.length < best.length) best = path;
    }
    return best;
}

/** The alias an import gets without `as` (Go's path.Split: the text after the last '/'). */
export function defaultAlias(importPath: string): string {
    const i = importPath.lastIndexOf('/');
    return i >= 0 ? importPath.slice(i + 1) : importPath;
}

function isDirectory(path: string): boolean {
    try { return existsSync(path) && statSync(path).isDirectory(); } catch { return false; }
}
