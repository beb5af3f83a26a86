// Document symbols (functions with their parameters and steps; inline definitions nested under the
// step that defines them) and workspace symbols (every function of every loaded .ko file).
import { AstUtils, type LangiumDocument } from 'langium';
import type { DocumentSymbolProvider, WorkspaceSymbolProvider, LangiumSharedServices } from 'langium/lsp';
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams, type WorkspaceSymbol, type WorkspaceSymbolParams } from 'vscode-languageserver';
import { isInlineFunc, type FuncDef, type KoFile } from '../src/language/generated/ast.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { fileFunctions, signatureOf } from './ko-names.js';
import { labelRange, nameRange } from './ko-targets.js';

function functionSymbol(func: FuncDef): DocumentSymbol | undefined {
    const range = func.$cstNode?.range;
    const selection = nameRange(func);
    if (!range || !selection) return undefined;
    const children: DocumentSymbol[] = [];
    for (const p of func.params) {
        const r = nameRange(p);
        if (r) children.push({ name: p.name, detail: p.monadic ? 'monadic parameter' : 'parameter', kind: SymbolKind.Variable, range: p.$cstNode!.range, selectionRange: r });
    }
    for (const term of func.terms) {
        if (term.label === undefined || !term.$cstNode) continue;
        const r = labelRange(term);
        if (!r) continue;
        const nested: DocumentSymbol[] = [];
        for (const node of AstUtils.streamAst(term)) {
            if (isInlineFunc(node) && node.func) { const s = functionSymbol(node.func); if (s) nested.push(s); }
        }
        children.push({
            name: term.label, detail: 'step', kind: term.label === 'return' ? SymbolKind.Event : SymbolKind.Field,
            range: term.$cstNode.range, selectionRange: r, ...(nested.length ? { children: nested } : {}),
        });
    }
    return { name: func.name, detail: signatureOf(func), kind: SymbolKind.Function, range, selectionRange: selection, children };
}

export class KoDocumentSymbolProvider implements DocumentSymbolProvider {
    constructor(_services: KoLspServices) {}

    getSymbols(document: LangiumDocument, _params: DocumentSymbolParams): DocumentSymbol[] {
        const file = document.parseResult.value as KoFile;
        const out: DocumentSymbol[] = [];
        for (const imp of file.imports) {
            if (imp.$cstNode && imp.path) out.push({ name: imp.path, detail: imp.alias ? `as ${imp.alias}` : 'import', kind: SymbolKind.Module, range: imp.$cstNode.range, selectionRange: imp.$cstNode.range });
        }
        for (const func of file.functions) {
            const s = functionSymbol(func);
            if (s) out.push(s);
        }
        return out;
    }
}

export class KoWorkspaceSymbolProvider implements WorkspaceSymbolProvider {
    constructor(private readonly shared: LangiumSharedServices) {}

    getSymbols(params: WorkspaceSymbolParams): WorkspaceSymbol[] {
        const query = params.query.toLowerCase();
        const matcher = this.shared.lsp.FuzzyMatcher;
        const out: WorkspaceSymbol[] = [];
        for (const doc of this.shared.workspace.LangiumDocuments.all) {
            const dirName = doc.uri.path.split('/').slice(-2, -1)[0] ?? '';
            for (const func of fileFunctions(doc)) {
                if (query && !matcher.match(query, func.name)) continue;
                const r = nameRange(func);
                if (r) out.push({ name: func.name, kind: SymbolKind.Function, containerName: dirName, location: { uri: doc.uri.toString(), range: r } });
            }
        }
        return out;
    }
}
