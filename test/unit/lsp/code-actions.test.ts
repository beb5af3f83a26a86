// Quick fixes for the validator's diagnostics and the extract/inline step refactors: the text a
// user gets after choosing the action.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearDocuments } from 'langium/test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Range, TextEdit } from 'vscode-languageserver';
import type { LangiumDocument } from 'langium';
import { Ko, loadWs, parse, shared } from './lsp-test-kit.js';

beforeEach(() => clearDocuments(shared));

function apply(doc: LangiumDocument, action: CodeAction): string {
    const edits: TextEdit[] = action.edit?.changes?.[doc.uri.toString()] ?? [];
    return TextDocument.applyEdits(TextDocument.create('x', 'ko', 0, doc.textDocument.getText()), edits);
}

async function fixes(doc: LangiumDocument, code: string, only?: string[]): Promise<CodeAction[]> {
    const diagnostics = (doc.diagnostics ?? []).filter(d => d.code === code);
    expect(diagnostics.length, `diagnostics with code ${code}: ${JSON.stringify(doc.diagnostics?.map(d => d.code))}`).toBeGreaterThan(0);
    const actions = await Ko.lsp.CodeActionProvider!.getCodeActions(doc, {
        textDocument: { uri: doc.uri.toString() }, range: diagnostics[0].range, context: { diagnostics: [diagnostics[0]], only: only ?? ['quickfix'] },
    });
    return (actions ?? []) as CodeAction[];
}

async function refactors(doc: LangiumDocument, range: Range): Promise<CodeAction[]> {
    return (await Ko.lsp.CodeActionProvider!.getCodeActions(doc, { textDocument: { uri: doc.uri.toString() }, range, context: { diagnostics: [] } }) ?? []) as CodeAction[];
}

describe('quick fixes', () => {
    it('adds a missing return that returns the last step', async () => {
        const doc = await parse('F(x) {\n\ta: Sum(x, 1)\n}\n', { validation: true });
        const [fix] = await fixes(doc, 'missing-return');
        expect(fix.title).toBe('Add `return: a`');
        expect(apply(doc, fix)).toBe('F(x) {\n\ta: Sum(x, 1)\n\treturn: a\n}\n');
        const one = await parse('G(x) { a: x }\n', { validation: true });
        expect(apply(one, (await fixes(one, 'missing-return'))[0])).toBe('G(x) { a: x, return: a }\n');
    });

    it('renames an unknown name to the suggestion, or creates the missing function with the call\'s arguments', async () => {
        const docs = await loadWs();
        const doc = docs['app/fixme.ko'];
        const actions = await fixes(doc, 'unknown-name');
        expect(actions.map(a => a.title)).toEqual(['Change to `Greet`', 'Create function `Gret(name)`']);
        expect(apply(doc, actions[0])).toContain('\ta: Greet(name: x)\n');
        expect(apply(doc, actions[1]).endsWith('\treturn: p\n}\n\nGret(name) {\n\treturn: Empty()\n}\n')).toBe(true);
    });

    it('creates a missing step before the step that uses it', async () => {
        const doc = await parse('F(x) {\n\treturn: Sum(x, total)\n}\n', { validation: true });
        const actions = await fixes(doc, 'unknown-name');
        const create = actions.find(a => a.title === 'Create step `total`')!;
        expect(apply(doc, create)).toBe('F(x) {\n\ttotal: Empty()\n\treturn: Sum(x, total)\n}\n');
    });

    it('adds a missing import for an unknown alias and removes an unused one', async () => {
        const doc = await parse('F(x) {\n\treturn: strings.Join(x)\n}\n', { validation: true });
        const [add] = await fixes(doc, 'unknown-alias');
        expect(add.title).toBe('Add `import "github.com/kocircuit/kocircuit/lib/strings"`');
        expect(apply(doc, add)).toBe('import "github.com/kocircuit/kocircuit/lib/strings"\n\nF(x) {\n\treturn: strings.Join(x)\n}\n');
        const unused = await parse('import "integer"\nimport "circuit"\nF() {\n\treturn: circuit.PkgPath()\n}\n', { validation: true });
        const [remove] = await fixes(unused, 'unused-import');
        expect(apply(unused, remove)).toBe('import "circuit"\nF() {\n\treturn: circuit.PkgPath()\n}\n');
    });

    it('breaks a step cycle, naming its path', async () => {
        const doc = await parse('F() {\n\tp: Show(q)\n\tq: Show(p)\n\treturn: p\n}\n', { validation: true });
        const [fix] = await fixes(doc, 'step-cycle');
        expect(fix.title).toBe('Break cycle p → q → p: step p stops using q');
        expect(apply(doc, fix)).toBe('F() {\n\tp: Show(Empty())\n\tq: Show(p)\n\treturn: p\n}\n');
    });
});

describe('refactors', () => {
    it('extracts the selected formula into a new step', async () => {
        const text = 'F(x) {\n\treturn: Sum(Prod(x, 2), 1)\n}\n';
        const doc = await parse(text);
        const start = text.indexOf('Prod');
        const range = { start: doc.textDocument.positionAt(start), end: doc.textDocument.positionAt(start + 'Prod(x, 2)'.length) };
        const action = (await refactors(doc, range)).find(a => a.kind === 'refactor.extract')!;
        expect(action.title).toBe('Extract into step `extracted`');
        expect(apply(doc, action)).toBe('F(x) {\n\textracted: Prod(x, 2)\n\treturn: Sum(extracted, 1)\n}\n');
    });

    it('inlines a step into its uses and deletes it', async () => {
        const text = 'F(x) {\n\ttwice: Prod(x, 2)\n\treturn: Sum(twice, twice)\n}\n';
        const doc = await parse(text);
        const at = doc.textDocument.positionAt(text.indexOf('twice'));
        const action = (await refactors(doc, { start: at, end: at })).find(a => a.kind === 'refactor.inline')!;
        expect(action.title).toBe('Inline step `twice` (2 uses)');
        expect(apply(doc, action)).toBe('F(x) {\n\treturn: Sum(Prod(x, 2), Prod(x, 2))\n}\n');
    });

    it('does not offer to inline the return step or a step nobody uses', async () => {
        const text = 'F(x) {\n\tunused: Show(x)\n\treturn: x\n}\n';
        const doc = await parse(text);
        for (const needle of ['unused', 'return']) {
            const at = doc.textDocument.positionAt(text.indexOf(needle));
            expect((await refactors(doc, { start: at, end: at })).filter(a => a.kind === 'refactor.inline')).toEqual([]);
        }
    });
});
