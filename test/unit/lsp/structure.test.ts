// Symbols, semantic tokens, folding, document links, inlay hints and call hierarchy.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearDocuments, expectFoldings, expectSymbols, highlightHelper, expectSemanticToken } from 'langium/test';
import { SemanticTokenModifiers, SemanticTokenTypes, SymbolKind } from 'vscode-languageserver';
import { Ko, WS, loadWs, position, shared } from './lsp-test-kit.js';

beforeEach(() => clearDocuments(shared));

describe('document and workspace symbols', () => {
    it('lists imports, functions with parameters and steps, and inline definitions under their step', async () => {
        await expectSymbols(Ko)({
            text: 'import "a/b"\nF(x?) {\n\tg: inner(p) { return: p }\n\treturn: g\n}\n',
            assert: symbols => {
                expect(symbols.map(s => `${s.name}:${s.kind}`)).toEqual(['"a/b":2', 'F:12']);
                const f = symbols[1];
                expect(f.detail).toBe('F(x?)');
                expect(f.children!.map(c => `${c.name}:${c.kind}`)).toEqual(['x:13', 'g:8', 'return:24']);
                expect(f.children![1].children!.map(c => c.name)).toEqual(['inner']);
            },
        });
    });

    it('finds functions of every loaded file by fuzzy query', async () => {
        await loadWs();
        const symbols = await shared.lsp.WorkspaceSymbolProvider!.getSymbols({ query: 'wr' });
        expect(symbols.map(s => `${s.name}@${s.containerName}`)).toEqual(['Wrap@text']);
        expect(symbols[0].kind).toBe(SymbolKind.Function);
    });
});

describe('semantic tokens', () => {
    it('colours names by what they resolve to', async () => {
        const tokens = await highlightHelper(Ko)('import "a/b" as <|c|>\n<|F|>(<|x|>) {\n\t<|s|>: <|Sum|>(<|x|>, <|1|>)\n\treturn: <|c|>.M(<|s|>, <|"t"|>, <|G|>())\n}\n<|G|>() { return: <|true|> }\n');
        const expectToken = (rangeIndex: number, tokenType: SemanticTokenTypes) => expectSemanticToken(tokens, { rangeIndex, tokenType });
        expectToken(0, SemanticTokenTypes.namespace);
        expectToken(1, SemanticTokenTypes.function);
        expectToken(2, SemanticTokenTypes.parameter);
        expectToken(3, SemanticTokenTypes.variable);
        expectToken(4, SemanticTokenTypes.function);
        expectToken(5, SemanticTokenTypes.parameter);
        expectToken(6, SemanticTokenTypes.number);
        expectToken(7, SemanticTokenTypes.namespace);
        expectToken(8, SemanticTokenTypes.variable);
        expectToken(9, SemanticTokenTypes.string);
        expectToken(10, SemanticTokenTypes.function);
        expectToken(12, SemanticTokenTypes.keyword);
        const sum = tokens.tokens.find(t => t.text === 'Sum');
        const legend = (Ko.lsp.SemanticTokenProvider as unknown as { tokenModifiers: Record<string, number> }).tokenModifiers;
        expect(sum?.tokenModifiers).toBe(legend[SemanticTokenModifiers.defaultLibrary]);
        expect(tokens.tokens.find(t => t.text === 'F')?.tokenModifiers).toBe(legend[SemanticTokenModifiers.declaration]);
    });
});

describe('folding', () => {
    it('folds bodies, multi-line calls, raw strings, imports and comment blocks', async () => {
        await expectFoldings(Ko)({
            text: '<|// a\n// b|>\n<|import "x"\nimport "y"|>\n<|F() {\n\t<|a: G(\n\t\t1\n\t)|>\n\t<|r: `one\ntwo`|>\n\treturn: a\n|>}\n',
            assert: (foldings, expected) => {
                expect(foldings.map(f => `${f.startLine}-${f.endLine}`)).toEqual(['0-1', '2-3', '4-10', '5-6', '8-9']);
                void expected;
            },
        });
    });
});

describe('document links, inlay hints, call hierarchy', () => {
    it('links an import path to the package', async () => {
        const docs = await loadWs();
        const main = docs['app/main.ko'];
        const links = await Ko.lsp.DocumentLinkProvider!.getDocumentLinks(main, { textDocument: { uri: main.uri.toString() } });
        expect(links.map(l => [l.range.start.character, l.range.end.character, l.target!.slice(l.target!.indexOf('/ws/'))])).toEqual([
            [8, 16, '/ws/lib/text/text.ko'],
            [8, 11, '/ws/app/fixme.ko'],
        ]);
    });

    it('names the monadic parameter in positional calls', async () => {
        const docs = await loadWs();
        const main = docs['app/main.ko'];
        const hints = await Ko.lsp.InlayHintProvider!.getInlayHints(main, {
            textDocument: { uri: main.uri.toString() }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
        });
        expect(hints!.map(h => `${h.position.line}:${h.position.character} ${h.label}`)).toEqual(['6:18 word:']);
    });

    it('walks incoming and outgoing calls across files', async () => {
        const docs = await loadWs();
        const helpers = docs['app/helpers.ko'];
        const provider = Ko.lsp.CallHierarchyProvider!;
        const [item] = (await provider.prepareCallHierarchy(helpers, { textDocument: { uri: helpers.uri.toString() }, position: position(helpers, 'Greet(') }))!;
        expect(item.name).toBe('Greet');
        const incoming = await provider.incomingCalls({ item });
        expect(incoming!.map(c => `${c.from.name}@${c.from.uri.split('/').pop()}`)).toEqual(['Main@main.ko']);
        const outgoing = await provider.outgoingCalls({ item });
        expect(outgoing!.map(c => `${c.to.name}@${c.to.uri.slice(c.to.uri.indexOf('/ws/'))}`)).toEqual(['Wrap@/ws/lib/text/wrap.ko']);
        void WS;
    });
});
