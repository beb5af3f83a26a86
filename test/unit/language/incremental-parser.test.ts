// Incremental re-parsing must be indistinguishable from a full parse: random edits inside
// function bodies of the corpus are parsed both ways and the ASTs, every CST position and the
// diagnostics are compared.
import { EmptyFileSystem, URI, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createKoCoreServices } from '../../../src/language/ko-module.js';
import { reparseIncrementally } from '../../../src/language/incremental-parser.js';
import type { KoFile } from '../../../src/language/generated/ast.js';

const { Ko, shared } = createKoCoreServices(EmptyFileSystem);
const parser = Ko.parser.LangiumParser;

function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** The AST with each node's CST position, and every CST leaf: what a consumer could observe. */
function snapshot(file: KoFile): unknown {
    const ast = (node: AstNode): unknown => {
        const out: Record<string, unknown> = { $type: node.$type, at: node.$cstNode && [node.$cstNode.offset, node.$cstNode.end, node.$cstNode.range] };
        for (const [key, value] of Object.entries(node)) {
            if (key.startsWith('$')) continue;
            out[key] = Array.isArray(value) ? value.map(v => (typeof v === 'object' && v ? ast(v) : v)) : typeof value === 'object' && value ? ast(value as AstNode) : value;
        }
        return out;
    };
    const leaves: unknown[] = [];
    const walk = (node: CstNode) => {
        const content = (node as { content?: CstNode[] }).content;
        if (content) content.forEach(walk);
        else leaves.push([node.offset, node.end, node.range, node.text, node.astNode.$type]);
    };
    walk(file.$cstNode!);
    return { ast: ast(file), leaves, text: file.$cstNode!.root.fullText };
}

const corpus = readdirSync(join(import.meta.dirname, '..', '..', 'fixtures', 'corpus'), { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ko')).map(e => readFileSync(join(e.parentPath, e.name), 'utf8'));

const SNIPPETS = ['x', ' ', '\n\t', 'a: 1\n', '(', ')', '"s"', '// c\n', ', b: 2', 'Sum(1, 2)', '}', '{', '\n', '`raw`', 'q.r'];

describe('incremental parsing', () => {
    test('random edits inside bodies equal a full parse (AST, every CST position)', () => {
        let incrementalCount = 0;
        for (let seed = 1; seed <= 600; seed++) {
            const random = rng(seed);
            const text = corpus[seed % corpus.length];
            const old = parser.parse<KoFile>(text);
            // Edit somewhere inside a random function's body.
            const funcs = old.value.functions;
            const func = funcs[Math.floor(random() * funcs.length)];
            const body = func.$cstNode!;
            const at = body.offset + Math.floor(random() * body.length);
            const removed = random() < 0.4 ? Math.floor(random() * 6) : 0;
            const inserted = random() < 0.8 ? SNIPPETS[Math.floor(random() * SNIPPETS.length)] : '';
            const edited = text.slice(0, at) + inserted + text.slice(at + removed);
            const full = parser.parse<KoFile>(edited);
            const incremental = reparseIncrementally(old, edited, parser);
            if (!incremental) continue;
            incrementalCount++;
            expect(full.lexerErrors.length + full.parserErrors.length, `seed ${seed}`).toBe(0);
            expect(snapshot(incremental.value), `seed ${seed}`).toEqual(snapshot(full.value));
        }
        // The fast path must actually be taken for a good share of body edits.
        expect(incrementalCount).toBeGreaterThan(150);
    });

    test('the document builder uses it, and diagnostics match a fresh document', async () => {
        const text = corpus[0];
        const uri = URI.file('/ko-incremental/a/file.ko');
        const documents = shared.workspace.LangiumDocuments;
        const doc = shared.workspace.LangiumDocumentFactory.fromString<KoFile>(text, uri);
        documents.addDocument(doc);
        await shared.workspace.DocumentBuilder.build([doc], { validation: true });
        const firstFunction = doc.parseResult.value.functions[0];
        const secondBefore = doc.parseResult.value.functions[1];
        // Introduce an unknown name in the first body through the text document update path.
        const at = firstFunction.$cstNode!.end - 1;
        const edited = text.slice(0, at) + '\tbroken: Summ(1)\n' + text.slice(at);
        Object.defineProperty(doc, 'textDocument', { value: { getText: () => edited, uri: uri.toString(), languageId: 'ko', version: 2, lineCount: edited.split('\n').length, positionAt: () => ({ line: 0, character: 0 }), offsetAt: () => 0 } });
        (shared.workspace.LangiumDocumentFactory as unknown as { getUpdatedText: () => Promise<string> }).getUpdatedText = async () => edited;
        await shared.workspace.DocumentBuilder.update([uri], []);
        const after = documents.getDocument(uri)! as LangiumDocument<KoFile>;
        // Only the edited function is a new node: the next one is the very same object.
        expect(after.parseResult.value.functions[1]).toBe(secondBefore);
        const fresh = shared.workspace.LangiumDocumentFactory.fromString<KoFile>(edited, URI.file('/ko-incremental/b/file.ko'));
        documents.addDocument(fresh);
        await shared.workspace.DocumentBuilder.build([fresh], { validation: true });
        const strip = (ds: typeof fresh.diagnostics) => (ds ?? []).map(d => ({ code: d.code, range: d.range, message: d.message }));
        expect(strip(after.diagnostics)).toEqual(strip(fresh.diagnostics));
        expect(strip(after.diagnostics).map(d => d.code)).toContain('unknown-name');
    });
});
