// Hover, signature help, go to definition, references, rename (with its refusals), highlights.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearDocuments } from 'langium/test';
import { expectFindReferences, expectGoToDefinition, expectHover } from 'langium/test';
import type { Hover, MarkupContent, WorkspaceEdit } from 'vscode-languageserver';
import { Ko, WS, loadWs, position, shared, workspace } from './lsp-test-kit.js';

beforeEach(() => clearDocuments(shared));
import { URI } from 'langium';
import { join } from 'node:path';

const uriOf = (rel: string) => URI.file(join(WS, rel)).toString();
const hoverText = (h: Hover | undefined) => (h?.contents as MarkupContent | undefined)?.value;

describe('hover', () => {
    it('shows a function signature, its doc comment, its arguments and where it is defined (other file)', async () => {
        const docs = await loadWs();
        const main = docs['app/main.ko'];
        const h = await Ko.lsp.HoverProvider!.getHoverContent(main, { textDocument: { uri: main.uri.toString() }, position: position(main, 'Greet(name') });
        expect(hoverText(h)).toContain('```ko\nGreet(name?, salutation)\n```');
        expect(hoverText(h)).toContain('Greet joins a salutation and a name.');
        expect(hoverText(h)).toContain('Arguments: `name` (monadic), `salutation`');
        expect(hoverText(h)).toContain('helpers.ko:4');
    });

    it('shows what a step depends on and what depends on it', async () => {
        await expectHover(Ko)({
            text: 'F(a, b) {\n\tx: Sum(a, b)\n\t<|>y: Prod(x, a)\n\tz: Show(y)\n\treturn: (y, z)\n}',
            index: 0,
            hover: '```ko\ny: Prod(x, a)\n```\n\nStep of `F`.\n\nDepends on: `x`, `a`\n\nUsed by: `z`, `return`',
        });
    });

    it('shows builtin docs, call-argument names and the doc comment collected before a function', async () => {
        await expectHover(Ko)({ text: 'F(a) { return: <|>Sum(a, 1) }', index: 0, hover: /Sum\(value\?\)\n```\n\nSum of a non-empty sequence of integers of one type\./ });
        await expectHover(Ko)({ text: 'F(c) { return: Yield(<|>if: c) }', index: 0, hover: /Argument of `Yield\(if, then, else\)`/ });
        await expectHover(Ko)({ text: '// line one\n\n// line two\nDocumented() { return: 1 }\nG() { return: <|>Documented() }', index: 0, hover: /line one\nline two/ });
        await expectHover(Ko)({ text: 'F() { return: <|>Nope() }', index: 0, hover: /is not a parameter, step, package function, idiom or builtin/ });
        // `a.b` with `a` no parameter, step or alias does not reach the package function a (§3.5).
        await expectHover(Ko)({ text: 'Pkg() { return: 1 }\nUser() { return: <|>Pkg.x }', index: 0, hover: /`Pkg` is not a parameter, step or import alias of this file, so `Pkg.x` cannot resolve/ });
    });
});

describe('signature help', () => {
    it('shows the callee parameters with the active one', async () => {
        const docs = await loadWs({ 'app/extra.ko': 'X(v) {\n\ta: Greet(salutation: v, )\n\treturn: Greet()\n}\n' });
        const doc = docs['app/extra.ko'];
        const help = await Ko.lsp.SignatureHelp!.provideSignatureHelp(doc, { textDocument: { uri: doc.uri.toString() }, position: position(doc, 'v, )') });
        expect(help?.signatures[0].label).toBe('Greet(name?, salutation)');
        expect(help?.signatures[0].parameters?.map(p => p.label)).toEqual(['name?', 'salutation']);
        expect(help?.activeParameter).toBe(1);
        const positional = await Ko.lsp.SignatureHelp!.provideSignatureHelp(doc, { textDocument: { uri: doc.uri.toString() }, position: position(doc, 'Greet()', 6) });
        expect(positional?.activeParameter).toBe(0); // the monadic parameter takes a positional value
    });
});

describe('go to definition', () => {
    it('jumps to steps (forward references), parameters and functions in the same file', async () => {
        await expectGoToDefinition(Ko)({ text: 'F(<|a|>) {\n\treturn: Sum(<|>a, b)\n\tb: 1\n}', index: 0, rangeIndex: 0 });
        await expectGoToDefinition(Ko)({ text: 'F(a) {\n\treturn: Sum(a, <|>b)\n\t<|b|>: 1\n}', index: 0, rangeIndex: 0 });
        await expectGoToDefinition(Ko)({ text: '<|G|>() { return: 1 }\nF() { return: <|>G() }', index: 0, rangeIndex: 0 });
    });

    it('jumps across files of the package, into imported packages, and from import paths to the package files', async () => {
        const docs = await loadWs();
        const main = docs['app/main.ko'];
        const def = (needle: string, delta = 0) => Ko.lsp.DefinitionProvider!.getDefinition(main, { textDocument: { uri: main.uri.toString() }, position: position(main, needle, delta) });
        const greet = await def('Greet(name');
        expect(greet).toMatchObject([{ targetUri: uriOf('app/helpers.ko'), targetSelectionRange: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } } }]);
        const shout = await def('Shout', 1);
        expect(shout).toMatchObject([{ targetUri: uriOf('lib/text/text.ko'), targetSelectionRange: { start: { line: 3, character: 0 } } }]);
        const frame = await def('Frame');
        expect(frame).toMatchObject([{ targetUri: uriOf('app/helpers.ko'), targetSelectionRange: { start: { line: 9, character: 0 } } }]);
        const pkg = await def('"lib/text"', 2);
        expect(pkg?.map(l => l.targetUri)).toEqual([uriOf('lib/text/text.ko'), uriOf('lib/text/wrap.ko')]);
        // An argument label goes to the callee's parameter.
        const arg = await def('salutation: salutation');
        expect(arg).toMatchObject([{ targetUri: uriOf('app/helpers.ko'), targetSelectionRange: { start: { line: 3, character: 13 } } }]);
    });

    it('still names the import and its member in `alias.F.x`, a path the resolver calls unresolvable', async () => {
        // FileScope resolves whole paths: three segments not rooted at a parameter or step never
        // resolve (§3.5). The editor works per segment, so `text` and `Shout` keep their meaning.
        const docs = await loadWs({ 'app/extra.ko': 'import "lib/text"\n\nX(v) {\n\treturn: text.Shout.x\n}\n' });
        const doc = docs['app/extra.ko'];
        const at = (needle: string, delta = 0) => ({ textDocument: { uri: doc.uri.toString() }, position: position(doc, needle, delta) });
        expect(await Ko.lsp.DefinitionProvider!.getDefinition(doc, at('Shout.x', 1)))
            .toMatchObject([{ targetUri: uriOf('lib/text/text.ko'), targetSelectionRange: { start: { line: 3, character: 0 } } }]);
        expect(hoverText(await Ko.lsp.HoverProvider!.getHoverContent(doc, at('text.Shout', 1)))).toContain('Alias `text` of package `lib/text`.');
        expect(hoverText(await Ko.lsp.HoverProvider!.getHoverContent(doc, at('.x', 1)))).toContain('(field) x');
    });

    it('takes a function defined twice in the package from the first file by path, whatever the load order', async () => {
        // As the package index (and so `ko check`) orders a package's files, not as documents were opened.
        const docs = await workspace({ '/dup/p/b.ko': 'F() { return: 2 }\n', '/dup/p/a.ko': 'F() { return: 1 }\n', '/dup/p/c.ko': 'G() { return: F() }\n' });
        const doc = docs['/dup/p/c.ko'];
        const def = await Ko.lsp.DefinitionProvider!.getDefinition(doc, { textDocument: { uri: doc.uri.toString() }, position: position(doc, 'F()') });
        expect(def?.map(l => l.targetUri)).toEqual([URI.file('/dup/p/a.ko').toString()]);
    });
});

describe('references and rename', () => {
    it('finds a step and its uses in one function, not a same-named step of another', async () => {
        await expectFindReferences(Ko)({
            text: 'F(x) {\n\t<|<|>total|>: Sum(x, 1)\n\treturn: Prod(<|total|>, <|total|>)\n}\nG() {\n\ttotal: 1\n\treturn: total\n}',
            includeDeclaration: true,
        });
    });

    it('finds a function across files: declaration, bare uses in the package, alias uses from importers', async () => {
        const docs = await loadWs();
        const helpers = docs['app/helpers.ko'];
        const refs = await Ko.lsp.ReferencesProvider!.findReferences(helpers, {
            textDocument: { uri: helpers.uri.toString() }, position: position(helpers, 'Frame('), context: { includeDeclaration: true },
        });
        expect(refs.map(r => `${r.uri.split('/').slice(-2).join('/')}:${r.range.start.line}:${r.range.start.character}`).sort())
            .toEqual(['app/helpers.ko:9:0', 'app/main.ko:7:14']);
    });

    it('renames a function in every file, including `alias.Name` uses', async () => {
        const docs = await loadWs();
        const text = docs['lib/text/wrap.ko'];
        const edit = await Ko.lsp.RenameProvider!.rename(text, { textDocument: { uri: text.uri.toString() }, position: position(text, 'Wrap('), newName: 'Surround' });
        const summary = Object.entries(edit!.changes!).map(([uri, edits]) => [uri.split('/').slice(-2).join('/'), edits.map(e => `${e.range.start.line}:${e.range.start.character}-${e.range.end.character}=${e.newText}`)]);
        expect(Object.fromEntries(summary)).toEqual({
            'text/wrap.ko': ['1:0-4=Surround'],
            'app/helpers.ko': ['5:14-18=Surround', '10:14-18=Surround'],
        });
    });

    it('renames a parameter together with the argument labels of its calls', async () => {
        const docs = await loadWs();
        const helpers = docs['app/helpers.ko'];
        const edit = await Ko.lsp.RenameProvider!.rename(helpers, { textDocument: { uri: helpers.uri.toString() }, position: position(helpers, 'salutation)'), newName: 'hello' }) as WorkspaceEdit;
        const flat = Object.entries(edit.changes!).flatMap(([uri, edits]) => edits.map(e => `${uri.split('/').pop()}:${e.range.start.line}:${e.range.start.character}`)).sort();
        expect(flat).toEqual(['helpers.ko:3:13', 'helpers.ko:4:9', 'main.ko:5:30']);
    });

    it('renames a step and its uses, and refuses renames that would collide or capture', async () => {
        const docs = await loadWs({ 'app/extra.ko': 'X(v) {\n\ta: Sum(v, 1)\n\tb: Prod(a, a)\n\treturn: Greet(b)\n}\n' });
        const doc = docs['app/extra.ko'];
        const rename = (needle: string, newName: string) => Ko.lsp.RenameProvider!.rename(doc, { textDocument: { uri: doc.uri.toString() }, position: position(doc, needle), newName });
        const ok = await rename('a: Sum', 'total');
        expect(ok!.changes![doc.uri.toString()].map(e => `${e.range.start.line}:${e.range.start.character}`)).toEqual(['1:1', '2:9', '2:12']);
        await expect(rename('a: Sum', 'b')).rejects.toThrow('X already has a step "b".');
        await expect(rename('a: Sum', 'v')).rejects.toThrow('X already has a parameter "v".');
        await expect(rename('a: Sum', 'Greet')).rejects.toThrow(/would capture/);
        await expect(rename('a: Sum', '1x')).rejects.toThrow('"1x" is not a Ko identifier.');
        await expect(rename('return', 'out')).rejects.toThrow('The return step must keep its label.');
        await expect(rename('Greet', 'Frame')).rejects.toThrow('The package already has a function "Frame".');
        await expect(rename('Greet', 'Sum')).rejects.toThrow(/builtin/);
        await expect(rename('Greet', 'b')).rejects.toThrow(/would shadow/);
    });
});

describe('document highlights', () => {
    it('marks the declaration as write and uses as read', async () => {
        const docs = await loadWs({ 'app/extra.ko': 'X(v) {\n\ta: v\n\treturn: (a, a)\n}\n' });
        const doc = docs['app/extra.ko'];
        const hl = await Ko.lsp.DocumentHighlightProvider!.getDocumentHighlight(doc, { textDocument: { uri: doc.uri.toString() }, position: position(doc, 'a: v') });
        expect(hl!.map(h => `${h.range.start.line}:${h.range.start.character}:${h.kind}`)).toEqual(['1:1:3', '2:10:2', '2:13:2']);
    });
});
