// End to end over JSON-RPC: spawns `./bin/ko lsp --stdio` (run `npm run build` first) on the
// multi-file workspace test/fixtures/lsp/ws (a package of several files, imports of another
// package and a self-import) and checks exact results of the main editor requests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, LocationLink, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { GraphRequestMethod, type GraphResult } from '../../../src/protocol/ko-protocol.js';
import { ROOT, startKoLsp, type KoLspClient } from './lsp-client.js';

const WS = join(ROOT, 'test/fixtures/lsp/ws');
const uri = (rel: string) => pathToFileURL(join(WS, rel)).toString();
const read = (rel: string) => readFileSync(join(WS, rel), 'utf8');
const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

let client: KoLspClient;

beforeAll(async () => {
    client = await startKoLsp(WS);
    for (const rel of ['app/main.ko', 'app/helpers.ko', 'app/fixme.ko']) {
        const waiting = client.waitForDiagnostics(uri(rel));
        await client.open(uri(rel), read(rel));
        await waiting;
    }
    // The server loads the rest of the workspace on its own; wait until it has, or requests
    // about other packages race with the initial build on a busy machine.
    for (const rel of ['lib/text/text.ko', 'lib/text/wrap.ko']) await client.published(uri(rel));
}, 60_000);

afterAll(async () => { await client?.stop(); });

describe('ko lsp --stdio', () => {
    it('publishes the validator diagnostics with their codes', () => {
        expect(client.diagnostics.get(uri('app/main.ko'))).toEqual([]);
        expect(client.diagnostics.get(uri('app/fixme.ko'))!.map(d => d.code).sort()).toEqual(['missing-return', 'step-cycle', 'step-cycle', 'unknown-name', 'unused-import']);
    });

    it('completes package members after `alias.` and argument names inside a call', async () => {
        const scratch = uri('app/scratch.ko');
        await client.open(scratch, 'import "lib/text"\n\nScratch(v) {\n\tw: text.\n\treturn: Greet(salutation: v, )\n}\n');
        const members = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: scratch }, position: { line: 3, character: 9 } }) as CompletionList;
        expect(members.items.map(i => [i.label, i.detail])).toEqual([['Shout', 'Shout(word?)'], ['Wrap', 'Wrap(word?, left, right)']]);
        const args = await client.connection.sendRequest('textDocument/completion', { textDocument: { uri: scratch }, position: { line: 4, character: 30 } }) as CompletionList;
        expect(args.items.filter(i => i.kind === 10).map(i => [i.label, i.detail])).toEqual([['name', '(monadic) argument of Greet(name?, salutation)']]);
        expect(args.items.map(i => i.label)).toEqual(expect.arrayContaining(['v', 'w', 'Greet', 'Frame', 'Main', 'text', 'Sum']));
        await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: scratch } });
    });

    it('goes to definitions across files and packages', async () => {
        const def = async (line: number, character: number) =>
            (await client.connection.sendRequest('textDocument/definition', { textDocument: { uri: uri('app/main.ko') }, position: { line, character } }) as LocationLink[])
                .map(l => [l.targetUri.slice(l.targetUri.indexOf('/ws/') + 4), l.targetSelectionRange]);
        expect(await def(5, 12)).toEqual([['app/helpers.ko', r(3, 0, 3, 5)]]); // Greet
        expect(await def(6, 13)).toEqual([['lib/text/text.ko', r(3, 0, 3, 5)]]); // text.Shout
        expect(await def(7, 15)).toEqual([['app/helpers.ko', r(9, 0, 9, 5)]]); // self.Frame (self-import)
        expect(await def(0, 10)).toEqual([['lib/text/text.ko', r(0, 0, 0, 0)], ['lib/text/wrap.ko', r(0, 0, 0, 0)]]); // import path
    });

    it('renames a function across files and refuses a colliding name', async () => {
        const edit = await client.connection.sendRequest('textDocument/rename', { textDocument: { uri: uri('lib/text/wrap.ko') }, position: { line: 1, character: 1 }, newName: 'Surround' }) as WorkspaceEdit;
        expect(edit.changes).toEqual({
            [uri('lib/text/wrap.ko')]: [{ range: r(1, 0, 1, 4), newText: 'Surround' }],
            [uri('app/helpers.ko')]: [{ range: r(5, 14, 5, 18), newText: 'Surround' }, { range: r(10, 14, 10, 18), newText: 'Surround' }],
        });
        await expect(client.connection.sendRequest('textDocument/rename', { textDocument: { uri: uri('app/helpers.ko') }, position: { line: 3, character: 1 }, newName: 'Frame' }))
            .rejects.toThrow('The package already has a function "Frame".');
    });

    it('formats a messy file to the canonical style in one edit', async () => {
        const messy = uri('fmt/messy.ko');
        const before = readFileSync(join(ROOT, 'test/fixtures/lsp/format/messy.ko'), 'utf8');
        await client.open(messy, before);
        const edits = await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri: messy }, options: { tabSize: 4, insertSpaces: true } }) as TextEdit[];
        expect(edits.length).toBe(1);
        const after = TextDocument.applyEdits(TextDocument.create(messy, 'ko', 1, before), edits);
        expect(after).toBe(readFileSync(join(ROOT, 'test/fixtures/lsp/format/messy.expected.ko'), 'utf8'));
        await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: messy } });
    });

    it('offers quick fixes for the diagnostics of a file', async () => {
        const diagnostics = client.diagnostics.get(uri('app/fixme.ko'))!;
        const missing = diagnostics.find(d => d.code === 'missing-return')!;
        const actions = await client.connection.sendRequest('textDocument/codeAction', {
            textDocument: { uri: uri('app/fixme.ko') }, range: missing.range, context: { diagnostics: [missing], only: ['quickfix'] },
        }) as CodeAction[];
        expect(actions.map(a => [a.title, a.edit])).toEqual([['Add `return: b`', { changes: { [uri('app/fixme.ko')]: [{ range: r(4, 5, 4, 5), newText: '\n\treturn: b' }] } }]]);
        const unknown = diagnostics.find(d => d.code === 'unknown-name')!;
        const fixes = await client.connection.sendRequest('textDocument/codeAction', {
            textDocument: { uri: uri('app/fixme.ko') }, range: unknown.range, context: { diagnostics: [unknown], only: ['quickfix'] },
        }) as CodeAction[];
        expect(fixes.map(a => a.title)).toEqual(['Change to `Greet`', 'Create function `Gret(name)`']);
        expect(fixes[0].edit).toEqual({ changes: { [uri('app/fixme.ko')]: [{ range: r(3, 4, 3, 8), newText: 'Greet' }] } });
    });

    it('answers the graph request with steps, edges, arguments and callees to expand', async () => {
        const graph = await client.connection.sendRequest(GraphRequestMethod, { uri: uri('app/main.ko') }) as GraphResult;
        expect(graph.uri).toBe(uri('app/main.ko'));
        expect(graph.functions.map(f => f.id)).toEqual(['app.Main']);
        const main = graph.functions[0];
        expect(main.nodes.map(n => [n.id, n.kind, n.callee?.kind ?? null, n.callee?.functionName ?? null])).toEqual([
            ['app.Main/(names)', 'param', null, null],
            ['app.Main/(salutation)', 'param', null, null],
            ['app.Main/greeting', 'step', 'function', 'Greet'],
            ['app.Main/loud', 'step', 'function', 'Shout'],
            ['app.Main/framed', 'step', 'function', 'Frame'],
            ['app.Main/return', 'return', null, null],
        ]);
        expect(main.edges).toEqual([
            { from: 'app.Main/(names)', to: 'app.Main/greeting', argument: 'name' },
            { from: 'app.Main/(salutation)', to: 'app.Main/greeting', argument: 'salutation' },
            { from: 'app.Main/greeting', to: 'app.Main/loud' },
            { from: 'app.Main/loud', to: 'app.Main/framed', argument: 'body' },
            { from: 'app.Main/framed', to: 'app.Main/return' },
        ]);
        const loud = main.nodes.find(n => n.label === 'loud')!;
        expect(loud.callee).toEqual({ text: 'text.Shout', kind: 'function', packagePath: 'lib/text', functionName: 'Shout', uri: uri('lib/text/text.ko'), range: r(3, 0, 5, 1) });
        expect(loud.range).toEqual(r(6, 1, 6, 27));
        expect(loud.labelRange).toEqual(r(6, 1, 6, 5));
        const only = await client.connection.sendRequest(GraphRequestMethod, { uri: uri('app/helpers.ko'), functionName: 'Frame' }) as GraphResult;
        expect(only.functions.map(f => f.name)).toEqual(['Frame']);
    });
});
