// Where a node, one of its properties or one of its keywords sits in the source, for ASTs from
// either parser: Langium's (a full CST) and the fast parser's (light nodes that keep only the
// token spans the checks and the runtime ask for). The Langium lookups are registered by
// ko-module.ts, the only place Langium ASTs come from, so the runtime of clean programs never
// loads Langium's grammar utilities.
import type { AstNode, CstNode } from 'langium';
import { isLightCstNode } from './fast-parser.js';
import type { KoRange } from '../protocol/ko-protocol.js';

export interface SourceSpan { readonly offset: number; readonly end: number; readonly range: KoRange; readonly text: string }

export interface CstLookups {
    findNodeForProperty(node: CstNode | undefined, property: string, index?: number): CstNode | undefined;
    findNodeForKeyword(node: CstNode | undefined, keyword: string, index?: number): CstNode | undefined;
}

let langiumLookups: CstLookups | undefined;

/** Called by ko-module.ts with Langium's GrammarUtils. */
export function registerCstLookups(lookups: CstLookups): void {
    langiumLookups = lookups;
}

function lookups(): CstLookups {
    if (!langiumLookups) throw new Error('a Langium CST node without Langium loaded');
    return langiumLookups;
}

/** The span of `node[property]` (the `index`-th element for lists), if the node has one. */
export function propertySpan(node: AstNode, property: string, index?: number): SourceSpan | undefined {
    const cst = node.$cstNode;
    if (!cst) return undefined;
    if (isLightCstNode(cst)) {
        const value = (node as unknown as Record<string, unknown>)[property];
        const child = Array.isArray(value) ? value[index ?? 0] : value;
        if (child && typeof child === 'object' && '$type' in child) return (child as AstNode).$cstNode as SourceSpan | undefined;
        return index ? undefined : cst.propertySpan(property);
    }
    return lookups().findNodeForProperty(cst, property, index);
}

/** The span of a keyword token directly inside the node (e.g. a function's body `{`). */
export function keywordSpan(node: AstNode, keyword: string): SourceSpan | undefined {
    const cst = node.$cstNode;
    if (!cst) return undefined;
    if (isLightCstNode(cst)) return cst.propertySpan(keyword);
    return lookups().findNodeForKeyword(cst, keyword);
}
