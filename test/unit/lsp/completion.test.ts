// Completion: what a user sees in the list at typical places of a Ko file.
import { describe, expect, it } from 'vitest';
import { expectCompletion } from 'langium/test';
import type { CompletionItem } from 'vscode-languageserver';
import { Ko, loadWs, position } from './lsp-test-kit.js';

const provider = Ko.lsp.CompletionProvider!;

async function complete(files: Record<string, string>, path: string, marker: string): Promise<CompletionItem[]> {
    const text = files[path];
    const at = text.indexOf('<|>');
    const docs = await loadWs({ ...files, [path]: text.replace('<|>', '') });
    const doc = docs[path];
    const list = await provider.getCompletion(doc, { textDocument: { uri: doc.uri.toString() }, position: doc.textDocument.positionAt(at) });
    void marker;
    return list?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map(i => i.label);

describe('completion', () => {
    it('offers parameters, other steps, package functions from all files, aliases and builtins in a formula', async () => {
        const items = await complete({ 'app/main.ko': 'import "lib/text"\nimport "app" as self\n\nMain(names?, salutation) {\n\tgreeting: Greet(name: names)\n\treturn: <|>\n}\n' }, 'app/main.ko', '');
        const l = labels(items);
        expect(l).toEqual(expect.arrayContaining(['names', 'salutation', 'greeting', 'Greet', 'Frame', 'text', 'self', 'Sum', 'Branch', 'true']));
        expect(l).not.toContain('return'); // the step being written cannot use itself
        const greet = items.find(i => i.label === 'Greet')!;
        expect(greet.detail).toBe('Greet(name?, salutation)');
        expect(greet.documentation).toEqual({ kind: 'markdown', value: 'Greet joins a salutation and a name.' });
        const names = items.find(i => i.label === 'names')!;
        expect(names.detail).toBe('parameter of Main (monadic)');
        // Locals sort before package functions, which sort before builtins.
        expect(names.sortText! < greet.sortText!).toBe(true);
        expect(greet.sortText! < items.find(i => i.label === 'Sum')!.sortText!).toBe(true);
    });

    it('lists the members of an imported package after `alias.`: Ko functions of all its files', async () => {
        const items = await complete({ 'app/main.ko': 'import "lib/text"\n\nMain(x) {\n\treturn: text.<|>\n}\n' }, 'app/main.ko', '');
        expect(labels(items).sort()).toEqual(['Shout', 'Wrap']);
        expect(items.find(i => i.label === 'Wrap')!.detail).toBe('Wrap(word?, left, right)');
    });

    it('lists catalogue gates of a stdlib import', async () => {
        const items = await complete({ 'app/main.ko': 'import "github.com/kocircuit/kocircuit/lib/strings"\n\nMain(x) {\n\treturn: strings.<|>\n}\n' }, 'app/main.ko', '');
        expect(labels(items)).toEqual(expect.arrayContaining(['Join', 'Split', 'Upper']));
        expect(items.find(i => i.label === 'Join')!.detail).toBe('Join(string?, delimiter) (gate)');
    });

    it('offers the argument names not yet given inside a call, marking the monadic one', async () => {
        const items = await complete({ 'app/main.ko': 'Main(x) {\n\treturn: Wrap2(left: x, <|>)\n}\nWrap2(word?, left, right) {\n\treturn: word\n}\n' }, 'app/main.ko', '');
        const args = items.filter(i => i.kind === 10 /* Property */);
        expect(args.map(i => i.label)).toEqual(['word', 'right']);
        expect(args[0].detail).toBe('(monadic) argument of Wrap2(word?, left, right)');
        expect(args[0].textEdit).toMatchObject({ newText: 'word: ' });
        // Values can also be written positionally, so locals follow.
        expect(labels(items)).toContain('x');
    });

    it('offers builtin argument names from the catalogue', async () => {
        const items = await complete({ 'app/main.ko': 'Main(c) {\n\treturn: Yield(if: c, <|>)\n}\n' }, 'app/main.ko', '');
        expect(items.filter(i => i.kind === 10).map(i => i.label)).toEqual(['then', 'else']);
    });

    it('completes import paths from the package roots and pseudo-packages inside import "..."', async () => {
        const items = await complete({ 'app/main.ko': 'import "l<|>"\n' }, 'app/main.ko', '');
        expect(labels(items)).toEqual(expect.arrayContaining(['lib/text', 'app', 'integer', 'pipeline', 'github.com/kocircuit/kocircuit/lib/strings']));
        expect(items.find(i => i.label === 'lib/text')!.textEdit).toMatchObject({ newText: 'lib/text', range: { start: { line: 0, character: 8 }, end: { line: 0, character: 9 } } });
    });

    it('offers snippets for a new function at top level and a new step in a body', async () => {
        await expectCompletion(Ko)({
            text: 'F() {\n\treturn: 1\n}\n<|>', index: 0,
            assert: list => expect(list.items.map(i => i.label)).toEqual(['func', 'import']),
        });
        await expectCompletion(Ko)({
            text: 'F() {\n\ta: 1\n\t<|>\n}\n', index: 0,
            assert: list => {
                expect(list.items.map(i => i.label)).toEqual(['return', 'step']);
                expect(list.items[1].textEdit).toMatchObject({ newText: '${1:label}: ${0}' });
            },
        });
    });

    it('offers nothing inside strings, comments and parameter lists', async () => {
        for (const text of ['F() { return: "a<|>b" }', 'F() {\n\t// com<|>\n\treturn: 1\n}', 'F(a, <|>) { return: a }']) {
            await expectCompletion(Ko)({ text, index: 0, assert: list => expect(list.items).toEqual([]) });
        }
    });

    it('does not offer names of the outer function inside an inline definition', async () => {
        await expectCompletion(Ko)({
            text: 'F(outer) {\n\tg: inner(p) { return: <|> }\n\treturn: g\n}', index: 0,
            assert: list => {
                const l = list.items.map(i => i.label);
                expect(l).toContain('p');
                expect(l).not.toContain('outer');
            },
        });
    });
    void position;
});
