// "What is under the cursor": maps a position to the Ko entity it names (a parameter, step,
// function, builtin, import, package member or call argument), for hover, definition, references,
// rename and highlights. Declarations and uses map to the same entity, so a feature can start from
// either.
import { AstUtils, CstUtils, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import type { Range } from 'vscode-languageserver';
import {
    isAugment, isFuncDef, isImport, isInvoke, isParam, isRef, isSelect, isTerm,
    type FuncDef, type Param, type Ref, type Term,
} from '../src/language/generated/ast.js';
import { calleePath, refPathOf } from '../src/language/ast-utils.js';
import type { CatalogueEntry } from '../src/language/catalogue.js';
import {
    entrySignature, fileFunctions, functionSignature, memberSignature, pathHead, refsOfFunction,
    type CalleeSignature, type ImportInfo, type KoWorkspaceIndex, type Resolution,
} from './ko-names.js';

export type Target =
    | { kind: 'param'; func: FuncDef; param: Param; document: LangiumDocument }
    | { kind: 'step'; func: FuncDef; term: Term; document: LangiumDocument }
    | { kind: 'function'; func: FuncDef; document: LangiumDocument }
    | { kind: 'builtin'; entry: CatalogueEntry }
    | { kind: 'import'; info: ImportInfo; document: LangiumDocument; onPath: boolean }
    | { kind: 'member'; info: ImportInfo; name: string; document: LangiumDocument; entry?: CatalogueEntry }
    | { kind: 'argument'; name: string; callee?: CalleeSignature; term: Term }
    | { kind: 'field'; name: string; base: string }
    | { kind: 'bool'; value: boolean }
    | { kind: 'unknown'; name: string; path?: string };

export interface TargetAt {
    target: Target;
    /** The range of the word under the cursor. */
    range: Range;
    node: AstNode;
}

const NAME = /[_\p{L}\p{Nd}]/u;

/** The entity named at `offset`, or undefined on punctuation, literals and whitespace. */
export function targetAt(index: KoWorkspaceIndex, document: LangiumDocument, offset: number): TargetAt | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findDeclarationNodeAtOffset(root, offset, NAME);
    if (!leaf || leaf.hidden) return undefined;
    const node = leaf.astNode;
    const target = targetOfLeaf(index, document, node, leaf);
    return target ? { target, range: leaf.range, node } : undefined;
}

function isNameLeaf(leaf: CstNode): boolean {
    return /^[_\p{L}][_\p{L}\p{Nd}]*$/u.test(leaf.text);
}

function targetOfLeaf(index: KoWorkspaceIndex, document: LangiumDocument, node: AstNode, leaf: CstNode): Target | undefined {
    if (isImport(node)) {
        const info = index.imports(document).find(i => i.imp === node);
        if (!info) return undefined;
        const onPath = leaf.text.startsWith('"') || leaf.text.startsWith('`');
        if (!onPath && leaf.text !== node.alias) return undefined;
        return { kind: 'import', info, document, onPath };
    }
    if (!isNameLeaf(leaf)) return undefined;
    if (isRef(node)) return fromResolution(index, document, node, 0, index.resolve(document, node, 0));
    if (isSelect(node)) {
        const head = pathHead(node);
        if (!head) return { kind: 'field', name: node.field, base: '' };
        const resolution = index.resolve(document, head.ref, head.index);
        return fromResolution(index, document, head.ref, head.index, resolution);
    }
    if (isFuncDef(node) && leaf.text === node.name && node.$cstNode && leaf.offset < (node.params[0]?.$cstNode?.offset ?? Infinity)) {
        return { kind: 'function', func: node, document: documentOf(index, node) ?? document };
    }
    if (isParam(node) && isFuncDef(node.$container)) return { kind: 'param', func: node.$container, param: node, document };
    if (isTerm(node) && node.label === leaf.text) {
        if (isFuncDef(node.$container)) return { kind: 'step', func: node.$container, term: node, document };
        const call = node.$container;
        if (isInvoke(call) || isAugment(call)) {
            const path = calleePath(call);
            const callee = path ? calleeOfPath(index, document, path.head) : undefined;
            return { kind: 'argument', name: node.label, ...(callee ? { callee } : {}), term: node };
        }
    }
    return undefined;
}

export function calleeOfPath(index: KoWorkspaceIndex, document: LangiumDocument, head: Ref): CalleeSignature | undefined {
    const segments = refPathOf(head).segments;
    const resolution = index.resolve(document, head, segments.length >= 2 ? 1 : 0);
    if (resolution.kind === 'function') return functionSignature(resolution.func, resolution.document);
    if (resolution.kind === 'builtin') return entrySignature(resolution.entry);
    if (resolution.kind === 'member') return memberSignature(resolution, `${segments[0]}.`);
    return undefined;
}

function fromResolution(index: KoWorkspaceIndex, document: LangiumDocument, head: Ref, i: number, r: Resolution): Target {
    switch (r.kind) {
        case 'bool': return { kind: 'bool', value: r.value };
        case 'param': return { kind: 'param', func: r.func, param: r.param, document };
        case 'step': return { kind: 'step', func: r.func, term: r.term, document };
        case 'function': return { kind: 'function', func: r.func, document: r.document };
        case 'builtin': return { kind: 'builtin', entry: r.entry };
        case 'alias': {
            const info = index.imports(document).find(x => x.imp === r.imp)!;
            return { kind: 'import', info, document, onPath: false };
        }
        case 'member': {
            const info = index.imports(document).find(x => x.imp === r.imp)!;
            if (r.func && r.document) return { kind: 'function', func: r.func, document: r.document };
            return { kind: 'member', info, name: r.name, document, ...(r.entry ? { entry: r.entry } : {}) };
        }
        default: {
            const segments = refPathOf(head).segments;
            if (i > 0) return { kind: 'field', name: segments[i], base: segments.slice(0, i).join('.') };
            return segments.length > 1 ? { kind: 'unknown', name: r.name, path: segments.join('.') } : { kind: 'unknown', name: r.name };
        }
    }
}

function documentOf(index: KoWorkspaceIndex, node: AstNode): LangiumDocument | undefined {
    const root = AstUtils.getDocument(node);
    return root ?? index.documents.all.find(d => d.parseResult.value === AstUtils.findRootNode(node));
}

/** A place in some document where an entity is named (declaration or use). */
export interface Occurrence {
    document: LangiumDocument;
    range: Range;
    declaration: boolean;
}

/** The range of a Ref name or of the `field` of the Select that holds segment `i` of a path. */
function segmentRange(head: Ref, i: number): Range | undefined {
    let node: AstNode = head;
    for (let k = 0; k < i; k++) node = node.$container!;
    if (i === 0) return head.$cstNode?.range;
    const cst = node.$cstNode;
    if (!cst) return undefined;
    // The field is the last leaf of the Select.
    const leaves = CstUtils.flattenCst(cst).toArray();
    return leaves[leaves.length - 1]?.range;
}

export function labelRange(term: Term): Range | undefined {
    const cst = term.$cstNode;
    if (!cst) return undefined;
    const leaf = CstUtils.flattenCst(cst).find(l => !l.hidden && l.text === term.label);
    return leaf?.range;
}

export function nameRange(node: FuncDef | Param): Range | undefined {
    const cst = node.$cstNode;
    if (!cst) return undefined;
    const leaf = CstUtils.flattenCst(cst).find(l => !l.hidden && l.text === node.name);
    return leaf?.range;
}

export function declarationRange(target: Target): { document: LangiumDocument; range: Range } | undefined {
    switch (target.kind) {
        case 'param': { const r = nameRange(target.param); return r ? { document: target.document, range: r } : undefined; }
        case 'step': { const r = labelRange(target.term); return r ? { document: target.document, range: r } : undefined; }
        case 'function': { const r = nameRange(target.func); return r ? { document: target.document, range: r } : undefined; }
        default: return undefined;
    }
}

/**
 * Every occurrence of a parameter, step or function: its declaration, the references that resolve
 * to it and, for parameters, the argument labels of calls to its function (`F(x: 1)` names `x`).
 */
export function occurrences(index: KoWorkspaceIndex, target: Target): Occurrence[] {
    const out: Occurrence[] = [];
    const decl = declarationRange(target);
    if (decl) out.push({ ...decl, declaration: true });
    if (target.kind === 'param' || target.kind === 'step') {
        const name = target.kind === 'param' ? target.param.name : target.term.label!;
        for (const ref of refsOfFunction(target.func)) {
            if (ref.name !== name) continue;
            const r = index.resolve(target.document, ref, 0);
            const same = target.kind === 'param' ? r.kind === 'param' && r.param === target.param : r.kind === 'step' && r.term === target.term;
            if (same && ref.$cstNode) out.push({ document: target.document, range: ref.$cstNode.range, declaration: false });
        }
        if (target.kind === 'param') {
            for (const call of callsOf(index, target.func, target.document)) {
                for (const term of call.terms) {
                    const r = term.label === name ? labelRange(term) : undefined;
                    if (r) out.push({ document: call.document, range: r, declaration: false });
                }
            }
        }
        return out;
    }
    if (target.kind === 'function') {
        for (const use of functionUses(index, target.func, target.document)) {
            const r = segmentRange(use.head, use.index);
            if (r) out.push({ document: use.document, range: r, declaration: false });
        }
    }
    return out;
}

interface FunctionUse { document: LangiumDocument; head: Ref; index: number }

/** References to a function: bare names in its package, `alias.Name` in files importing the package. */
export function functionUses(index: KoWorkspaceIndex, func: FuncDef, document: LangiumDocument): FunctionUse[] {
    const out: FunctionUse[] = [];
    const dir = index.packageDirOf(document);
    for (const doc of index.documents.all) {
        const samePackage = index.packageDirOf(doc) === dir;
        const aliases = index.imports(doc).filter(i => i.dir === dir).map(i => i.alias);
        if (!samePackage && aliases.length === 0) continue;
        for (const f of fileFunctions(doc)) {
            for (const ref of refsOfFunction(f)) {
                if (samePackage && ref.name === func.name) {
                    const r = index.resolve(doc, ref, 0);
                    if (r.kind === 'function' && r.func === func) out.push({ document: doc, head: ref, index: 0 });
                } else if (aliases.includes(ref.name)) {
                    const path = refPathOf(ref);
                    if (path.segments[1] !== func.name) continue;
                    const r = index.resolve(doc, ref, 1);
                    if (r.kind === 'member' && r.func === func) out.push({ document: doc, head: ref, index: 1 });
                }
            }
        }
    }
    return out;
}

/** Call sites (`F(...)`/`F[...]`) of a function, with their argument terms. */
function callsOf(index: KoWorkspaceIndex, func: FuncDef, document: LangiumDocument): { document: LangiumDocument; terms: Term[] }[] {
    const out: { document: LangiumDocument; terms: Term[] }[] = [];
    for (const use of functionUses(index, func, document)) {
        let node: AstNode = refPathOf(use.head).node;
        // Walk up through `F[...](...)` chains: every bracket applies to F.
        while ((isInvoke(node.$container) || isAugment(node.$container)) && (node.$container as { target: AstNode }).target === node) {
            node = node.$container;
            out.push({ document: use.document, terms: (node as unknown as { terms: Term[] }).terms });
        }
    }
    return out;
}
