// The step graph of a Ko file (the `ko/graph` request): one DAG per function with parameter and
// step nodes, edges "this value feeds that step (through that argument)", and the first call of
// every step so a viewer can expand into the callee. Pure: it takes a parsed KoFile and a package
// path and touches no workspace, so the extension and the runtime can reuse it. One linear pass
// over the AST per function keeps it cheap enough to recompute on every edit.
import { AstUtils, CstUtils, type AstNode } from 'langium';
import {
    isAugment, isFuncDef, isInlineFunc, isInvoke, isRef, isTerm,
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
    for (const node of AstUtils.streamAllContents(file)) {
        if (!isFuncDef(node) || !node.name) continue;
        if (options.functionName !== undefined && node.name !== options.functionName) continue;
        functions.push(buildFunctionGraph(file, node, options));
    }
    return { uri: options.uri, version: options.version ?? 0, functions };
}

/** The value-position references of a step, excluding nested inline definitions (they capture nothing). */
function* refsOf(term: Term): Generator<Ref> {
    const stack: AstNode[] = [term.value];
    while (stack.length > 0) {
        const node = stack.pop()!;
        if (isInlineFunc(node)) continue;
        if (isRef(node)) { yield node; continue; }
        // Children pushed in reverse so they pop in source order.
        const children = AstUtils.streamContents(node).toArray();
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
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

function rangeOf(node: AstNode | undefined): KoRange {
    const r = node?.$cstNode?.range;
    return r ? { start: { ...r.start }, end: { ...r.end } } : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

function firstLeafRange(node: AstNode): KoRange {
    const cst = node.$cstNode;
    const leaf = cst ? CstUtils.flattenCst(cst).find(l => !l.hidden) : undefined;
    return leaf ? { start: { ...leaf.range.start }, end: { ...leaf.range.end } } : rangeOf(node);
}

function formulaText(expr: Expr | undefined): string | undefined {
    const text = expr?.$cstNode?.text;
    if (text === undefined) return undefined;
    const one = text.replace(/\s*\n\s*/g, ' ').replace(/\s+/g, ' ').trim();
    return one.length > 80 ? one.slice(0, 79) + '…' : one;
}

/** The first call of a formula in source order, skipping nested inline definitions. */
function firstCall(expr: Expr): Expr | undefined {
    let best: Expr | undefined;
    let bestOffset = Infinity;
    const stack: AstNode[] = [expr];
    while (stack.length > 0) {
        const node = stack.pop()!;
        if (isInlineFunc(node)) continue;
        if ((isInvoke(node) || isAugment(node)) && calleePath(node)) {
            const offset = node.$cstNode?.offset ?? Infinity;
            if (offset < bestOffset) { best = node; bestOffset = offset; }
        }
        for (const child of AstUtils.streamContents(node)) stack.push(child);
    }
    return best;
}

function inlineFunctionsOf(expr: Expr): string[] {
    const out: string[] = [];
    for (const node of AstUtils.streamAst(expr)) {
        if (isInlineFunc(node) && node.func?.name) out.push(node.func.name);
    }
    return out;
}

/** Callee classification from this file alone: its functions, its imports and the catalogue. */
export function defaultCallee(file: KoFile, packagePath: string, segments: readonly string[], func: FuncDef): GraphCallee {
    const text = segments.join('.');
    if (func.params.some(p => p.name === segments[0]) || func.terms.some(t => t.label === segments[0])) return { text, kind: 'unknown' };
    if (segments.length === 1) {
        for (const node of AstUtils.streamAllContents(file)) {
            if (isFuncDef(node) && node.name === segments[0]) return { text, kind: 'function', packagePath, functionName: segments[0], range: rangeOf(node) };
        }
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
    const used = new Set<string>();
    for (const term of func.terms) {
        if (term.label === undefined) continue;
        let id = `${fid}/${term.label}`;
        for (let k = 2; used.has(id); k++) id = `${fid}/${term.label}#${k}`;
        used.add(id);
        if (!stepIds.has(term.label)) stepIds.set(term.label, id);
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
            const call = firstCall(term.value);
            const path = call ? calleePath(call) : undefined;
            if (path) {
                node.callee = options.resolveCallee?.(path.segments, func) ?? defaultCallee(file, options.packagePath, path.segments, func);
            }
            const inline = inlineFunctionsOf(term.value);
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
