// Every provider must answer (possibly with nothing) on half-typed, broken text at every cursor
// position: the editor calls them while the user types.
import { describe, expect, it } from 'vitest';
import { Ko, parse } from './lsp-test-kit.js';

const BROKEN = [
    'F(x) {\n\ta: x.\n\treturn: G(a, \n}',
    'import "',
    'import "a/b" as\nF(',
    'F(x?, y?) { return: (1, 2 }',
    'F() { a: 1 b: 2, return: a }\nG(',
    'F() {\n\treturn:\n\t\tg() { return: 1 }\n\tx: [1](\n}',
    'F(a) { : 1, return: G(: a, b: ) }',
    '/* unterminated\nF() { return: 1 }',
    'F() { return: `raw\n',
    'x: 1\n}}{',
];

describe('providers on broken text', () => {
    for (const text of BROKEN) {
        it(`never throw on ${JSON.stringify(text.slice(0, 30))}`, async () => {
            const doc = await parse(text, { validation: true });
            const uri = doc.uri.toString();
            const lsp = Ko.lsp;
            const whole = { start: { line: 0, character: 0 }, end: doc.textDocument.positionAt(text.length) };
            await lsp.DocumentSymbolProvider!.getSymbols(doc, { textDocument: { uri } });
            await lsp.FoldingRangeProvider!.getFoldingRanges(doc, { textDocument: { uri } });
            await lsp.InlayHintProvider!.getInlayHints(doc, { textDocument: { uri }, range: whole });
            await lsp.DocumentLinkProvider!.getDocumentLinks(doc, { textDocument: { uri } });
            await lsp.SemanticTokenProvider!.semanticHighlight(doc, { textDocument: { uri } });
            expect(await lsp.Formatter!.formatDocument(doc, { textDocument: { uri }, options: { tabSize: 4, insertSpaces: false } })).toEqual([]);
            for (let offset = 0; offset <= text.length; offset++) {
                const position = doc.textDocument.positionAt(offset);
                const p = { textDocument: { uri }, position };
                await lsp.CompletionProvider!.getCompletion(doc, p);
                await lsp.HoverProvider!.getHoverContent(doc, p);
                await lsp.SignatureHelp!.provideSignatureHelp(doc, p);
                await lsp.DefinitionProvider!.getDefinition(doc, p);
                await lsp.ReferencesProvider!.findReferences(doc, { ...p, context: { includeDeclaration: true } });
                await lsp.DocumentHighlightProvider!.getDocumentHighlight(doc, p);
                await lsp.CallHierarchyProvider!.prepareCallHierarchy(doc, p);
                await lsp.RenameProvider!.prepareRename(doc, p);
                await lsp.CodeActionProvider!.getCodeActions(doc, { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: doc.diagnostics ?? [] } });
            }
        });
    }
});
