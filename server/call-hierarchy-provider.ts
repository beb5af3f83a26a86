// Call hierarchy between Ko functions: incoming calls are the functions whose bodies name this one
// (bare in the package, `alias.Name` elsewhere); outgoing calls are the Ko functions this body names.
import { URI, type LangiumDocument } from 'langium';
import type { CallHierarchyProvider } from 'langium/lsp';
import {
    SymbolKind, type CallHierarchyIncomingCall, type CallHierarchyIncomingCallsParams, type CallHierarchyItem,
    type CallHierarchyOutgoingCall, type CallHierarchyOutgoingCallsParams, type CallHierarchyPrepareParams, type Range,
} from 'vscode-languageserver';
import type { FuncDef } from '../src/language/generated/ast.js';
import { enclosingFunction, refPathOf } from '../src/language/ast-utils.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { fileFunctions, refsOfFunction, signatureOf, type KoWorkspaceIndex } from './ko-names.js';
import { functionUses, nameRange, targetAt } from './ko-targets.js';

interface ItemData { uri: string; name: string; offset: number }

export class KoCallHierarchyProvider implements CallHierarchyProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    private item(func: FuncDef, document: LangiumDocument): CallHierarchyItem | undefined {
        const range = func.$cstNode?.range;
        const selection = nameRange(func);
        if (!range || !selection) return undefined;
        const data: ItemData = { uri: document.uri.toString(), name: func.name, offset: func.$cstNode!.offset };
        return { name: func.name, kind: SymbolKind.Function, detail: signatureOf(func), uri: document.uri.toString(), range, selectionRange: selection, data };
    }

    private lookup(item: CallHierarchyItem): { func: FuncDef; document: LangiumDocument } | undefined {
        const data = item.data as ItemData | undefined;
        const document = this.index.documents.getDocument(URI.parse(item.uri));
        if (!document) return undefined;
        const funcs = fileFunctions(document).filter(f => f.name === (data?.name ?? item.name));
        const func = funcs.find(f => f.$cstNode?.offset === data?.offset) ?? funcs[0];
        return func ? { func, document } : undefined;
    }

    async prepareCallHierarchy(document: LangiumDocument, params: CallHierarchyPrepareParams): Promise<CallHierarchyItem[] | undefined> {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (found?.target.kind !== 'function') return undefined;
        const item = this.item(found.target.func, found.target.document);
        return item ? [item] : undefined;
    }

    incomingCalls(params: CallHierarchyIncomingCallsParams): CallHierarchyIncomingCall[] | undefined {
        const target = this.lookup(params.item);
        if (!target) return undefined;
        const byCaller = new Map<FuncDef, { document: LangiumDocument; ranges: Range[] }>();
        for (const use of functionUses(this.index, target.func, target.document)) {
            const caller = enclosingFunction(use.head);
            const range = refPathOf(use.head).node.$cstNode?.range;
            if (!caller || !range) continue;
            let entry = byCaller.get(caller);
            if (!entry) byCaller.set(caller, entry = { document: use.document, ranges: [] });
            entry.ranges.push(range);
        }
        const out: CallHierarchyIncomingCall[] = [];
        for (const [caller, { document, ranges }] of byCaller) {
            const from = this.item(caller, document);
            if (from) out.push({ from, fromRanges: ranges });
        }
        return out;
    }

    outgoingCalls(params: CallHierarchyOutgoingCallsParams): CallHierarchyOutgoingCall[] | undefined {
        const source = this.lookup(params.item);
        if (!source) return undefined;
        const byCallee = new Map<FuncDef, { document: LangiumDocument; ranges: Range[] }>();
        for (const ref of refsOfFunction(source.func)) {
            const segments = refPathOf(ref).segments;
            const r = this.index.resolve(source.document, ref, segments.length >= 2 ? 1 : 0);
            const hit = r.kind === 'function' ? { func: r.func, document: r.document }
                : r.kind === 'member' && r.func && r.document ? { func: r.func, document: r.document } : undefined;
            const range = refPathOf(ref).node.$cstNode?.range;
            if (!hit || !range) continue;
            let entry = byCallee.get(hit.func);
            if (!entry) byCallee.set(hit.func, entry = { document: hit.document, ranges: [] });
            entry.ranges.push(range);
        }
        const out: CallHierarchyOutgoingCall[] = [];
        for (const [callee, { document, ranges }] of byCallee) {
            const to = this.item(callee, document);
            if (to) out.push({ to, fromRanges: ranges });
        }
        return out;
    }
}
