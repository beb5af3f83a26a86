// Name resolution exactly as the reference orders it (§3.5): Bool literals, parameters, steps,
// then (unresolved at compile time) import aliases for `a.b`, package functions, idioms and
// macros for one segment. Shared by the validator, the language server and the graph.
import { dirname } from 'node:path';
import type { FuncDef, Import, KoFile, Param, Ref, Term } from './generated/ast.js';
import { enclosingFunction, selectionOf, unquoteKoString, type RefPath } from './ast-utils.js';
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

/** Resolutions that need no allocation per reference. */
const TRUE: Resolution = { kind: 'bool', value: true };
const FALSE: Resolution = { kind: 'bool', value: false };
const UNRESOLVABLE: Resolution = { kind: 'unresolvable-path' };

/**
 * What one file sees: its imports by alias and its package directory. A scope lives for one
 * analysis (one version of the file and its package), so resolutions are memoized by name:
 * per function for parameters and steps, per scope for everything else. The checks resolve every
 * reference of a file, so sharing one immutable resolution per name saves an object and a cache
 * entry per reference.
 */
export class FileScope {
    readonly dir: string;
    readonly aliases = new Map<string, Import>();
    private readonly importPaths = new Map<Import, string>();
    private readonly stepMaps = new Map<FuncDef, Map<string, Term>>();
    private readonly paramMaps = new Map<FuncDef, Map<string, Param>>();
    /** Parameters and steps of a function by name, parameters first (§3.5). */
    private readonly localMaps = new Map<FuncDef, Map<string, Resolution>>();
    /** One-segment names that are no parameter or step. */
    private readonly globals = new Map<string, Resolution>();
    /** `alias.member` resolutions by alias, then member. */
    private readonly members = new Map<string, Map<string, Resolution>>();
    private readonly signatures = new Map<Resolution, CalleeSignature | undefined>();

    constructor(readonly file: KoFile, readonly filePath: string, readonly index: PackageIndex) {
        this.dir = dirname(filePath);
        for (const imp of file.imports) {
            const alias = this.importAlias(imp);
            if (alias !== undefined && !this.aliases.has(alias)) this.aliases.set(alias, imp);
        }
    }

    /** The decoded import path (decoded once per scope, not per member reference). */
    importPath(imp: Import): string {
        let path = this.importPaths.get(imp);
        if (path === undefined) {
            path = importPathOf(imp);
            this.importPaths.set(imp, path);
        }
        return path;
    }

    /** As importAlias, with the path decoded once. */
    importAlias(imp: Import): string | undefined {
        return importAlias(imp, i => this.importPath(i));
    }

    /** First step with each label (duplicates are reported separately). */
    steps(func: FuncDef): Map<string, Term> {
        let map = this.stepMaps.get(func);
        if (!map) {
            map = new Map();
            for (const step of func.terms) if (step.label !== undefined && !map.has(step.label)) map.set(step.label, step);
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

    /**
     * What `name` means inside `func` if it is one of its parameters or steps: the first
     * parameter with the name, else the first step with the label (the same as params() and
     * steps(), built directly: every function needs this map, few need those two).
     */
    local(func: FuncDef, name: string): Resolution | undefined {
        let map = this.localMaps.get(func);
        if (!map) {
            map = new Map();
            for (const param of func.params) if (param.name !== undefined && !map.has(param.name)) map.set(param.name, { kind: 'param', func, param });
            for (const step of func.terms) if (step.label !== undefined && !map.has(step.label)) map.set(step.label, { kind: 'step', func, step });
            this.localMaps.set(func, map);
        }
        return map.get(name);
    }

    /** The first step of `func` with this label (the local map has it unless a parameter shadows it). */
    firstStep(func: FuncDef, label: string): Term | undefined {
        const local = this.local(func, label);
        if (local === undefined) return undefined;
        return local.kind === 'step' ? local.step : this.steps(func).get(label);
    }

    /** signatureOf, made once per callee and scope rather than once per call. */
    signature(resolution: Resolution): CalleeSignature | undefined {
        if (this.signatures.has(resolution)) return this.signatures.get(resolution);
        const signature = signatureOf(resolution);
        this.signatures.set(resolution, signature);
        return signature;
    }

    private packageTable: ReadonlyMap<string, readonly FunctionSymbol[]> | undefined;

    /** The package's functions; looked up once per scope (a scope lives for one analysis). */
    packageFunctions(): ReadonlyMap<string, readonly FunctionSymbol[]> {
        return this.packageTable ??= this.index.functionsOf(this.dir);
    }

    resolveImport(imp: Import): ResolvedImport {
        return this.index.resolveImport(this.importPath(imp));
    }

    /**
     * Resolves a reference path inside its enclosing function. `asCallee` disables the Bool
     * literal rule (it applies in value position only); by default it follows the path's position.
     */
    resolve(path: RefPath, asCallee?: boolean): Resolution {
        const length = path.segments.length;
        if (length === 1 && isBoolName(path.head.name) && !(asCallee ?? isCalleePosition(path.node))) return path.head.name === 'true' ? TRUE : FALSE;
        return this.lookup(path.head, path.segments[1], length);
    }

    /** resolve(refPathOf(ref)) without building the path (once per reference of every file). */
    resolveRef(ref: Ref): Resolution {
        const selection = selectionOf(ref);
        if (selection) return this.lookup(ref, selection.field, selectionOf(selection) ? 3 : 2);
        if (isBoolName(ref.name) && !isCalleePosition(ref)) return ref.name === 'true' ? TRUE : FALSE;
        return this.lookup(ref, undefined, 1);
    }

    /**
     * A path of `length` segments starting at `head` (`second` is the next segment): only the
     * first two segments matter, as three or more resolve only through a parameter or step
     * (so any length above 2 will do for those).
     */
    private lookup(head: Ref, second: string | undefined, length: number): Resolution {
        const name = head.name;
        const func = enclosingFunction(head);
        const local = func && this.local(func, name);
        if (local) return local;
        if (length === 2) return this.resolveMember(name, second!);
        if (length > 2) return UNRESOLVABLE;
        let resolution = this.globals.get(name);
        if (!resolution) {
            resolution = this.resolveGlobal(name);
            this.globals.set(name, resolution);
        }
        return resolution;
    }

    private resolveGlobal(name: string): Resolution {
        const symbols = this.packageFunctions().get(name);
        if (symbols && symbols.length > 0) return { kind: 'function', symbols };
        const entry = catalogueEntry('', name);
        if (entry) return { kind: 'builtin', entry };
        return { kind: 'unknown-name', name };
    }

    resolveMember(alias: string, member: string): Resolution {
        let byMember = this.members.get(alias);
        if (!byMember) this.members.set(alias, byMember = new Map());
        let resolution = byMember.get(member);
        if (!resolution) {
            resolution = this.resolveMemberUncached(alias, member);
            byMember.set(member, resolution);
        }
        return resolution;
    }

    private resolveMemberUncached(alias: string, member: string): Resolution {
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
export function importAlias(imp: Import, pathOf: (imp: Import) => string = importPathOf): string | undefined {
    if (imp.alias !== undefined) return imp.alias;
    if (imp.path === undefined) return undefined;
    return defaultAlias(pathOf(imp));
}

function isBoolName(name: string): boolean {
    return name === 'true' || name === 'false';
}

/** Whether the path ending at `node` is called (`F(...)`, `F[...]`). */
function isCalleePosition(node: RefPath['node']): boolean {
    const parent = node.$container;
    return (parent.$type === 'Invoke' || parent.$type === 'Augment') && parent.target === node;
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
    switch (resolution.kind) {
        case 'function': return functionSignature(resolution.symbols);
        case 'builtin': return entrySignature(resolution.entry);
        // A Ko function of the package wins over a gate of the same name (§3.5).
        case 'member': return resolution.symbols.length > 0 ? functionSignature(resolution.symbols) : resolution.entry ? entrySignature(resolution.entry) : undefined;
        default: return undefined;
    }
}

function functionSignature(symbols: readonly FunctionSymbol[]): CalleeSignature | undefined {
    if (symbols.length !== 1) return undefined;
    const func = symbols[0].func;
    const monadic = func.params.find(p => p.monadic)?.name;
    return { name: func.name, params: func.params.map(p => p.name), ...(monadic ? { monadic } : {}), open: false, ko: true };
}

/** Catalogue entries are static: their signatures are made once. */
const entrySignatures = new Map<CatalogueEntry, CalleeSignature>();

function entrySignature(entry: CatalogueEntry): CalleeSignature {
    let signature = entrySignatures.get(entry);
    if (!signature) {
        signature = { name: entry.name, params: entry.params, ...(entry.monadic ? { monadic: entry.monadic } : {}), open: entry.open === true, ko: false };
        entrySignatures.set(entry, signature);
    }
    return signature;
}
