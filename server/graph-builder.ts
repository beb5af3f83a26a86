// The step graph of a Ko file (the `ko/graph` request): one DAG per function with parameter and
// step nodes, edges "this value feeds that step (through that argument)", and the first call of
// every step so a viewer can expand into the callee. Pure: it takes a parsed KoFile and a package
// path and touches no workspace, so the extension and the runtime can reuse it. One linear pass
// over the AST per function keeps it cheap enough to recompute on every edit.
import type { AstNode, CstNode } from 'langium';
import {
    isAugment, isInlineFunc, isInvoke, isRef, isTerm,
    type Expr, type FuncDef, type KoFile, type Ref, type Term,
} from '../src/language/generated/ast.js';
import { calleePath, refPathOf } from '../src/language/ast-utils.js';
import { catalogueEntry } from '../src/language/catalogue.js';
import { defaultAlias } from '../src/workspace/package-roots.js';
import type {
    GraphCallee, GraphEdge, GraphFunction, GraphNode, GraphResult, KoRange,
} from '../src/protocol/ko-protocol.js';

export interface GraphBuildOptions {
    uri: string;
    packagePath: string;
    version?: number;
    /** Only this function. */
    functionName?: string;
    /**
     * Resolves a callee written as `segments` inside `func` (the server knows the other files of
     * the package and the imported packages); the default uses this file and the catalogue only.
     */
    resolveCallee?: (segments: readonly string[], func: FuncDef) => GraphCallee | undefined;
}

export function functionId(packagePath: string, name: string): string {
    return packagePath ? `${packagePath}.${name}` : name;
}

export function buildGraph(file: KoFile, options: GraphBuildOptions): GraphResult {
    const functions: GraphFunction[] = [];
    for (const node of collectFunctions(file)) {
        if (options.functionName !== undefined && node.name !== options.functionName) continue;
        functions.push(buildFunctionGraph(file, node, options));
    }
    return { uri: options.uri, version: options.version ?? 0, functions };
}

const collected = new WeakMap<KoFile, FuncDef[]>();
/**
 * Every named function of a file in source order, inline definitions included (they are hoisted
 * to package level, §3.2). A hand-written walk: Langium's generic AST streams cost several times
 * more, and this runs after every edit for the graph, completion and navigation.
 */
export function collectFunctions(file: KoFile): FuncDef[] {
    let out = collected.get(file);
    if (out) return out;
    out = [];
    const visit = (func: FuncDef) => {
        if (func.name) out!.push(func);
        for (const term of func.terms) {
            if (!term.value) continue;
            const stack: AstNode[] = [term.value];
            while (stack.length > 0) {
                const node = stack.pop()!;
                if (isInlineFunc(node)) { if (node.func) visit(node.func); continue; }
                pushChildren(node, stack);
            }
        }
    };
    for (const func of file.functions ?? []) visit(func);
    collected.set(file, out);
    return out;
}

/**
 * Pushes the AST children of a formula node in reverse source order. Written out per node type
 * because Langium's generic streams cost several times more and this runs on every edit.
 */
function pushChildren(node: AstNode, stack: AstNode[]): void {
    const n = node as unknown as { target?: AstNode; terms?: Term[]; value?: AstNode; callee?: AstNode };
    if (n.terms) for (let i = n.terms.length - 1; i >= 0; i--) stack.push(n.terms[i]);
    if (n.value) stack.push(n.value);
    if (n.target) stack.push(n.target);
    if (n.callee) stack.push(n.callee);
}

/** The value-position references of a step, excluding nested inline definitions (they capture nothing). */
export function* refsOf(term: Term): Generator<Ref> {
    if (!term.value) return;
    const stack: AstNode[] = [term.value];
    while (stack.length > 0) {
        const node = stack.pop()!;
        if (isInlineFunc(node)) continue;
        if (isRef(node)) { yield node; continue; }
        pushChildren(node, stack);
    }
}

/** The argument a reference is passed through: the label of the nearest enclosing call argument. */
function argumentOf(ref: Ref, step: Term): string | undefined {
    let node: AstNode | undefined = refPathOf(ref).node;
    while (node && node !== step) {
        const parent: AstNode | undefined = node.$container;
        if (isTerm(node) && (isInvoke(parent) || isAugment(parent))) return node.label;
        node = parent;
    }
    return undefined;
}

export interface LocalDependency { name: string; kind: 'param' | 'step'; argument?: string }

/**
 * For every labeled step, the parameters and steps its formula reads, resolved as §3.5 does:
 * `true`/`false` first, then parameters, then step labels.
 */
export function localDependencies(func: FuncDef): Map<Term, LocalDependency[]> {
    const params = new Set(func.params.map(p => p.name));
    const labels = new Set(func.terms.filter(t => t.label !== undefined).map(t => t.label!));
    const out = new Map<Term, LocalDependency[]>();
    for (const term of func.terms) {
        if (term.label === undefined) continue;
        const deps: LocalDependency[] = [];
        for (const ref of refsOf(term)) {
            const path = refPathOf(ref);
            if (path.segments.length === 1 && (ref.name === 'true' || ref.name === 'false') && !isCallee(ref)) continue;
            const kind = params.has(ref.name) ? 'param' : labels.has(ref.name) ? 'step' : undefined;
            if (!kind) continue;
            const argument = argumentOf(ref, term);
            deps.push({ name: ref.name, kind, ...(argument !== undefined ? { argument } : {}) });
        }
        out.set(term, deps);
    }
    return out;
}

function isCallee(ref: Ref): boolean {
    const node = refPathOf(ref).node;
    const parent = node.$container;
    return (isInvoke(parent) || isAugment(parent)) && parent.target === node;
}

// Ranges are Langium's cached CST ranges, shared rather than copied: the graph is plain data that
// is serialized or read, never mutated, and copying 1,500 ranges per graph showed in profiles.
function rangeOf(node: AstNode | undefined): KoRange {
    return node?.$cstNode?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function firstLeafRange(node: AstNode): KoRange {
    // The first visible child of the node's CST is its name (a Name datatype node or an ID leaf).
    const cst = node.$cstNode as (CstNode & { content?: CstNode[] }) | undefined;
    const first = cst?.content?.find(c => !c.hidden) ?? cst;
    return first?.range ?? rangeOf(node);
}

function formulaText(expr: Expr | undefined): string | undefined {
    const text = expr?.$cstNode?.text;
    if (text === undefined) return undefined;
    const one = text.replace(/\s*\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
    return one.length > 80 ? one.slice(0, 79) + '…' : one;
}

/**
 * The first call of a formula (the outermost call whose callee is a plain path, preferring the one
 * that starts first) and the inline definitions it contains.
 */
function callsOf(expr: Expr): { call?: Expr; inline: string[] } {
    let call: Expr | undefined;
    const inline: string[] = [];
    const stack: AstNode[] = [expr];
    while (stack.length > 0) {
        const node = stack.pop()!;
        if (isInlineFunc(node)) {
            if (node.func?.name) inline.push(node.func.name);
            // Nested definitions inside it are hoisted too (§3.2), but they are its own business.
            continue;
        }
        if (!call && (isInvoke(node) || isAugment(node)) && calleePath(node)) call = node;
        pushChildren(node, stack);
    }
    return { ...(call ? { call } : {}), inline };
}

/** Callee classification from this file alone: its functions, its imports and the catalogue. */
export function defaultCallee(file: KoFile, packagePath: string, segments: readonly string[], func: FuncDef): GraphCallee {
    const text = segments.join('.');
    if (localNames(func).has(segments[0])) return { text, kind: 'unknown' };
    if (segments.length === 1) {
        const local = functionsByName(file).get(segments[0]);
        if (local) return { text, kind: 'function', packagePath, functionName: segments[0], range: rangeOf(local) };
        return { text, kind: catalogueEntry('', segments[0]) ? 'builtin' : 'unknown' };
    }
    if (segments.length === 2) {
        const imp = file.imports.find(i => (i.alias ?? defaultAlias(unquote(i.path ?? ''))) === segments[0]);
        if (imp) {
            const path = unquote(imp.path ?? '');
            const entry = catalogueEntry(path, segments[1]);
            if (path === 'pipeline') return { text, kind: 'pipeline', packagePath: path, functionName: segments[1] };
            if (entry) return { text, kind: entry.kind === 'gate' ? 'gate' : 'builtin', packagePath: path, functionName: segments[1] };
            return { text, kind: 'function', packagePath: path, functionName: segments[1] };
        }
    }
    return { text, kind: 'unknown' };
}

const localsIndex = new WeakMap<FuncDef, Set<string>>();
/** Parameter names and step labels of a function (what shadows everything else, §3.5). */
export function localNames(func: FuncDef): Set<string> {
    let set = localsIndex.get(func);
    if (!set) {
        set = new Set([...func.params.map(p => p.name), ...func.terms.filter(t => t.label !== undefined).map(t => t.label!)]);
        localsIndex.set(func, set);
    }
    return set;
}

const functionIndex = new WeakMap<KoFile, Map<string, FuncDef>>();
/** The file's functions by name, computed once per parse (callee lookups are per step). */
function functionsByName(file: KoFile): Map<string, FuncDef> {
    let map = functionIndex.get(file);
    if (!map) {
        map = new Map();
        for (const node of collectFunctions(file)) if (!map.has(node.name)) map.set(node.name, node);
        functionIndex.set(file, map);
    }
    return map;
}

function unquote(path: string): string {
    return path.startsWith('"') ? path.slice(1, path.endsWith('"') && path.length > 1 ? -1 : undefined) : path;
}

export function buildFunctionGraph(file: KoFile, func: FuncDef, options: GraphBuildOptions): GraphFunction {
    const fid = functionId(options.packagePath, func.name);
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    const paramIds = new Map<string, string>();
    const stepIds = new Map<string, string>();
    for (const p of func.params) {
        if (paramIds.has(p.name)) continue;
        const id = `${fid}/(${p.name})`;
        paramIds.set(p.name, id);
        const range = rangeOf(p);
        nodes.push({ id, kind: 'param', label: p.name, range, labelRange: firstLeafRange(p) });
    }
    for (const term of func.terms) {
        if (term.label !== undefined && !stepIds.has(term.label)) stepIds.set(term.label, `${fid}/${term.label}`);
    }
    const deps = localDependencies(func);
    const seenEdges = new Set<string>();
    const termIds = new Map<Term, string>();
    const used2 = new Set<string>();
    for (const term of func.terms) {
        if (term.label === undefined) continue;
        let id = `${fid}/${term.label}`;
        for (let k = 2; used2.has(id); k++) id = `${fid}/${term.label}#${k}`;
        used2.add(id);
        termIds.set(term, id);
        const node: GraphNode = {
            id, kind: term.label === 'return' ? 'return' : 'step', label: term.label,
            range: rangeOf(term), labelRange: firstLeafRange(term),
        };
        const formula = formulaText(term.value);
        if (formula !== undefined) node.formula = formula;
        if (term.value) {
            const { call, inline } = callsOf(term.value);
            const path = call ? calleePath(call) : undefined;
            if (path) {
                node.callee = options.resolveCallee?.(path.segments, func) ?? defaultCallee(file, options.packagePath, path.segments, func);
            }
            if (inline.length > 0) node.inlineFunctions = inline;
        }
        nodes.push(node);
    }
    for (const [term, list] of deps) {
        const to = termIds.get(term)!;
        for (const dep of list) {
            const from = dep.kind === 'param' ? paramIds.get(dep.name) : stepIds.get(dep.name);
            if (!from) continue;
            const key = `${from}\0${to}\0${dep.argument ?? ''}`;
            if (seenEdges.has(key)) continue;
            seenEdges.add(key);
            edges.push({ from, to, ...(dep.argument !== undefined ? { argument: dep.argument } : {}) });
        }
    }
    return {
        id: fid, name: func.name, packagePath: options.packagePath, uri: options.uri, range: rangeOf(func),
        inline: isInlineFunc(func.$container), nodes, edges,
    };
}
