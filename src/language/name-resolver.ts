// Name resolution exactly as the reference orders it (§3.5): Bool literals, parameters, steps,
// then (unresolved at compile time) import aliases for `a.b`, package functions, idioms and
// macros for one segment. Shared by the validator, the language server and the graph.
import { dirname } from 'node:path';
import { isAugment, isInvoke, type FuncDef, type Import, type KoFile, type Param, type Term } from './generated/ast.js';
import { enclosingFunction, stepsOf, unquoteKoString, type RefPath } from './ast-utils.js';
import { catalogueEntry, type CatalogueEntry } from './catalogue.js';
import { defaultAlias, type ResolvedImport } from '../workspace/package-roots.js';
import type { FunctionSymbol, PackageIndex } from '../workspace/package-index.js';

export type Resolution =
    | { kind: 'bool'; value: boolean }
    | { kind: 'param'; func: FuncDef; param: Param }
    | { kind: 'step'; func: FuncDef; step: Term }
    | { kind: 'function'; symbols: readonly FunctionSymbol[] }
    | { kind: 'builtin'; entry: CatalogueEntry }
    /** `alias.Member`: a Ko function of the imported package and/or a catalogue gate. */
    | { kind: 'member'; import: Import; resolved: ResolvedImport; member: string; symbols: readonly FunctionSymbol[]; entry?: CatalogueEntry; known: boolean }
    /** `alias.Member` whose alias is not imported in this file: a compile error. */
    | { kind: 'unknown-alias'; alias: string }
    /** One segment nothing defines: a runtime error `macro "".X not known`. */
    | { kind: 'unknown-name'; name: string }
    /** Three or more segments not rooted at a parameter or step: can never resolve. */
    | { kind: 'unresolvable-path' };

/** What one file sees: its imports by alias and its package directory. */
export class FileScope {
    readonly dir: string;
    readonly aliases = new Map<string, Import>();
    private readonly stepMaps = new WeakMap<FuncDef, Map<string, Term>>();
    private readonly paramMaps = new WeakMap<FuncDef, Map<string, Param>>();

    constructor(readonly file: KoFile, readonly filePath: string, readonly index: PackageIndex) {
        this.dir = dirname(filePath);
        for (const imp of file.imports) {
            const alias = importAlias(imp);
            if (alias !== undefined && !this.aliases.has(alias)) this.aliases.set(alias, imp);
        }
    }

    /** First step with each label (duplicates are reported separately). */
    steps(func: FuncDef): Map<string, Term> {
        let map = this.stepMaps.get(func);
        if (!map) {
            map = new Map();
            for (const step of stepsOf(func)) if (step.label !== undefined && !map.has(step.label)) map.set(step.label, step);
            this.stepMaps.set(func, map);
        }
        return map;
    }

    params(func: FuncDef): Map<string, Param> {
        let map = this.paramMaps.get(func);
        if (!map) {
            map = new Map();
            for (const p of func.params) if (p.name !== undefined && !map.has(p.name)) map.set(p.name, p);
            this.paramMaps.set(func, map);
        }
        return map;
    }

    private packageTable: ReadonlyMap<string, readonly FunctionSymbol[]> | undefined;
    private readonly resolutions = new Map<RefPath['node'], Resolution>();

    /** The package's functions; looked up once per scope (a scope lives for one analysis). */
    packageFunctions(): ReadonlyMap<string, readonly FunctionSymbol[]> {
        return this.packageTable ??= this.index.functionsOf(this.dir);
    }

    resolveImport(imp: Import): ResolvedImport {
        return this.index.resolveImport(importPathOf(imp));
    }

    /**
     * Resolves a reference path inside its enclosing function. `asCallee` disables the Bool
     * literal rule (it applies in value position only).
     */
    resolve(path: RefPath, asCallee?: boolean): Resolution {
        // Cached for the path's own position; an explicit other position is resolved afresh.
        const natural = isCalleePosition(path);
        if (asCallee !== undefined && asCallee !== natural) return this.resolveUncached(path, asCallee);
        asCallee = natural;
        let resolution = this.resolutions.get(path.node);
        if (!resolution) {
            resolution = this.resolveUncached(path, asCallee);
            this.resolutions.set(path.node, resolution);
        }
        return resolution;
    }

    private resolveUncached(path: RefPath, asCallee: boolean): Resolution {
        const [head, ...rest] = path.segments;
        if (!asCallee && rest.length === 0 && (head === 'true' || head === 'false')) return { kind: 'bool', value: head === 'true' };
        const func = enclosingFunction(path.head);
        if (func) {
            const param = this.params(func).get(head);
            if (param) return { kind: 'param', func, param };
            const step = this.steps(func).get(head);
            if (step) return { kind: 'step', func, step };
        }
        if (rest.length === 1) return this.resolveMember(head, rest[0]);
        if (rest.length > 1) return { kind: 'unresolvable-path' };
        const symbols = this.packageFunctions().get(head);
        if (symbols && symbols.length > 0) return { kind: 'function', symbols };
        const entry = catalogueEntry('', head);
        if (entry) return { kind: 'builtin', entry };
        return { kind: 'unknown-name', name: head };
    }

    resolveMember(alias: string, member: string): Resolution {
        const imp = this.aliases.get(alias);
        if (!imp) return { kind: 'unknown-alias', alias };
        const resolved = this.resolveImport(imp);
        const symbols = resolved.dir ? this.index.functionsOf(resolved.dir).get(member) ?? [] : [];
        const entry = catalogueEntry(resolved.importPath, member);
        // A member can be judged unknown only when the package can be indexed: it has a
        // directory or is entirely described by the catalogue.
        const indexable = resolved.dir !== undefined || resolved.catalogue;
        const known = symbols.length > 0 || entry !== undefined || !indexable;
        return { kind: 'member', import: imp, resolved, member, symbols, ...(entry ? { entry } : {}), known };
    }
}

export function importPathOf(imp: Import): string {
    return imp.path === undefined ? '' : unquoteKoString(imp.path);
}

/** The alias of an import: explicit `as`, else the last path segment (may not be an identifier). */
export function importAlias(imp: Import): string | undefined {
    if (imp.alias !== undefined) return imp.alias;
    if (imp.path === undefined) return undefined;
    return defaultAlias(importPathOf(imp));
}

function isCalleePosition(path: RefPath): boolean {
    const parent = path.node.$container;
    return (isInvoke(parent) || isAugment(parent)) && parent.target === path.node;
}

/** What a call's callee accepts: argument names and the monadic one (undefined: unknown callee). */
export interface CalleeSignature {
    readonly name: string;
    readonly params: readonly string[];
    readonly monadic?: string;
    /** Accepts any named argument (constructor-like macros). */
    readonly open: boolean;
    readonly ko: boolean;
}

export function signatureOf(resolution: Resolution): CalleeSignature | undefined {
    const fromFunc = (symbols: readonly FunctionSymbol[]): CalleeSignature | undefined => {
        if (symbols.length !== 1) return undefined;
        const func = symbols[0].func;
        const monadic = func.params.find(p => p.monadic)?.name;
        return { name: func.name, params: func.params.map(p => p.name), ...(monadic ? { monadic } : {}), open: false, ko: true };
    };
    const fromEntry = (entry: CatalogueEntry): CalleeSignature =>
        ({ name: entry.name, params: entry.params, ...(entry.monadic ? { monadic: entry.monadic } : {}), open: entry.open === true, ko: false });
    switch (resolution.kind) {
        case 'function': return fromFunc(resolution.symbols);
        case 'builtin': return fromEntry(resolution.entry);
        // A Ko function of the package wins over a gate of the same name (§3.5).
        case 'member': return resolution.symbols.length > 0 ? fromFunc(resolution.symbols) : resolution.entry ? fromEntry(resolution.entry) : undefined;
        default: return undefined;
    }
}
