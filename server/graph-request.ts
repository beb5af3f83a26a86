// Server side of `ko/graph`: builds the pure graph of graph-builder.ts for a document, resolving
// callees across the files of the package and the imported packages so a viewer can expand a call
// into the callee's own graph (uri and range of the callee function).
import type { LangiumDocument } from 'langium';
import type { FuncDef, KoFile } from '../src/language/generated/ast.js';
import type { GraphCallee, GraphResult } from '../src/protocol/ko-protocol.js';
import { buildGraph, defaultCallee, localNames } from './graph-builder.js';
import type { KoLspServices } from './ko-lsp-module.js';

const cache = new WeakMap<KoFile, Map<string, GraphResult>>();

export async function computeGraph(services: KoLspServices, document: LangiumDocument, functionName?: string): Promise<GraphResult> {
    const index = services.ko.Index;
    const file = document.parseResult.value as KoFile;
    // A viewer asks again after every edit notification; an unchanged parse gives the same graph.
    let perFile = cache.get(file);
    if (!perFile) cache.set(file, perFile = new Map());
    const key = functionName ?? '\0all';
    const hit = perFile.get(key);
    if (hit && hit.version === document.textDocument.version) return hit;
    const dir = index.packageDirOf(document);
    const packagePath = index.packagePathOf(dir);
    const scope = index.scope(document);
    // Many steps call the same few names (Sum, alias.F): resolve each name once per function.
    const memo = new Map<string, GraphCallee | undefined>();
    let memoFunc: FuncDef | undefined;
    const resolveCallee = (segments: readonly string[], func: FuncDef): GraphCallee | undefined => {
        if (memoFunc !== func) { memo.clear(); memoFunc = func; }
        const key = segments.join('.');
        if (memo.has(key)) return memo.get(key);
        const result = resolveUncached(segments, func);
        memo.set(key, result);
        return result;
    };
    const resolveUncached = (segments: readonly string[], func: FuncDef): GraphCallee | undefined => {
        const base = defaultCallee(file, packagePath, segments, func);
        if (base.kind === 'unknown' && segments.length !== 1) return base;
        if (segments.length === 1 && base.kind !== 'unknown' && base.kind !== 'builtin' && base.kind !== 'function') return base;
        if (segments.length === 1) {
            if (localNames(func).has(segments[0])) return base;
            const symbol = scope.packageFunctions().get(segments[0])?.[0];
            if (!symbol) return base;
            return { text: base.text, kind: 'function', packagePath, functionName: segments[0], uri: index.documentOf(symbol).uri.toString(), range: symbol.func.$cstNode!.range };
        }
        const member = scope.resolveMember(segments[0], segments[1]);
        if (member.kind !== 'member' || member.symbols.length === 0) return base.kind === 'function' ? { ...base, kind: 'unknown' } : base;
        const symbol = member.symbols[0];
        return { text: base.text, kind: 'function', packagePath: member.resolved.importPath, functionName: segments[1], uri: index.documentOf(symbol).uri.toString(), range: symbol.func.$cstNode!.range };
    };
    const graph = buildGraph(file, {
        uri: document.uri.toString(), packagePath, version: document.textDocument.version,
        ...(functionName !== undefined ? { functionName } : {}), resolveCallee,
    });
    perFile.set(key, graph);
    return graph;
}
