// Imported packages outside the workspace (a KOPATH library) are parsed on demand for completion,
// hover and definition, without becoming workspace documents that get validated and reported.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import type { KoFile } from '../../../src/language/generated/ast.js';
import { createKoLspServices } from '../../../server/ko-lsp-module.js';

const lib = mkdtempSync(join(tmpdir(), 'ko-lib-'));
mkdirSync(join(lib, 'acme', 'util'), { recursive: true });
writeFileSync(join(lib, 'acme', 'util', 'util.ko'), '// Twice doubles.\nTwice(n?) {\n\treturn: Sum(n, n)\n}\n');
afterAll(() => rmSync(lib, { recursive: true, force: true }));

describe('packages outside the workspace', () => {
    it('are read for completion, hover and definition but never built', async () => {
        const { shared, Ko } = createKoLspServices(NodeFileSystem);
        shared.workspace.ConfigurationProvider.initialized({});
        Ko.workspace.PackageIndex.setRoots([lib]);
        const doc = shared.workspace.LangiumDocumentFactory.fromString<KoFile>('import "acme/util"\n\nF(x) {\n\treturn: util.Twice(x)\n}\n', URI.file('/elsewhere/app/f.ko'));
        shared.workspace.LangiumDocuments.addDocument(doc);
        await shared.workspace.DocumentBuilder.build([doc]);
        const uri = doc.uri.toString();
        const list = await Ko.lsp.CompletionProvider!.getCompletion(doc, { textDocument: { uri }, position: { line: 3, character: 14 } });
        expect(list!.items.map(i => [i.label, i.detail])).toEqual([['Twice', 'Twice(n?)']]);
        const hover = await Ko.lsp.HoverProvider!.getHoverContent(doc, { textDocument: { uri }, position: { line: 3, character: 15 } });
        expect((hover!.contents as { value: string }).value).toContain('Twice doubles.');
        const def = await Ko.lsp.DefinitionProvider!.getDefinition(doc, { textDocument: { uri }, position: { line: 3, character: 15 } });
        expect(def![0].targetUri).toBe(URI.file(join(lib, 'acme', 'util', 'util.ko')).toString());
        expect(shared.workspace.LangiumDocuments.all.map(d => d.uri.toString()).toArray()).toEqual([uri]);
    });
});
