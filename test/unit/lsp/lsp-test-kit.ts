// Shared helpers for the language-server unit tests: one in-memory service container (the same
// DI module `ko lsp` serves), documents under fake file URIs so that files of one directory form
// a package, and an AST serializer for "same meaning" comparisons.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EmptyFileSystem, URI, type AstNode, type LangiumDocument } from 'langium';
import { clearDocuments, parseHelper } from 'langium/test';
import type { KoFile } from '../../../src/language/generated/ast.js';
import { createKoLspServices } from '../../../server/ko-lsp-module.js';

export const { shared, Ko } = createKoLspServices(EmptyFileSystem);
shared.workspace.ConfigurationProvider.initialized({});
const parseRaw = parseHelper<KoFile>(Ko);
let counter = 0;
/** Parses one file alone in its own directory (a package of its own). */
export function parse(text: string, options: { validation?: boolean } = {}): Promise<LangiumDocument<KoFile>> {
    return parseRaw(text, { ...options, documentUri: `file:///solo/${++counter}/file.ko` });
}

/** Parses and builds several files at once; keys are paths such as `/ws/pkg/a.ko`. */
export async function workspace(files: Record<string, string>): Promise<Record<string, LangiumDocument<KoFile>>> {
    await clearDocuments(shared);
    const out: Record<string, LangiumDocument<KoFile>> = {};
    const docs: LangiumDocument[] = [];
    for (const [path, text] of Object.entries(files)) {
        const doc = shared.workspace.LangiumDocumentFactory.fromString<KoFile>(text, URI.file(path));
        shared.workspace.LangiumDocuments.addDocument(doc);
        out[path] = doc;
        docs.push(doc);
    }
    await shared.workspace.DocumentBuilder.build(docs, { validation: true });
    return out;
}

/** `<|>` marks the cursor: returns the text without the marker and the marker's offset. */
export function cursor(text: string): { text: string; offset: number } {
    const offset = text.indexOf('<|>');
    if (offset < 0) throw new Error('no <|> in text');
    return { text: text.slice(0, offset) + text.slice(offset + 3), offset };
}

/** A plain-data copy of an AST (no $-prefixed links), for "same AST" comparisons. */
export function astData(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(astData);
    if (node && typeof node === 'object') {
        const out: Record<string, unknown> = { type: (node as AstNode).$type };
        for (const [k, v] of Object.entries(node)) if (!k.startsWith('$')) out[k] = astData(v);
        return out;
    }
    return node;
}

/** The on-disk multi-file workspace of test/fixtures/lsp/ws, loaded into the services. */
export const WS = join(import.meta.dirname, '../../fixtures/lsp/ws');

export async function loadWs(overrides: Record<string, string> = {}): Promise<Record<string, LangiumDocument<KoFile>>> {
    const files: Record<string, string> = {};
    const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
            const path = join(dir, name);
            if (statSync(path).isDirectory()) walk(path);
            else if (name.endsWith('.ko')) files[path] = readFileSync(path, 'utf8');
        }
    };
    walk(WS);
    for (const [rel, text] of Object.entries(overrides)) files[join(WS, rel)] = text;
    Ko.workspace.PackageIndex.setRoots([WS]);
    const docs = await workspace(files);
    const out: Record<string, LangiumDocument<KoFile>> = {};
    for (const [path, doc] of Object.entries(docs)) out[path.slice(WS.length + 1)] = doc;
    return out;
}

export function offsetOf(doc: LangiumDocument, needle: string, delta = 0): number {
    const i = doc.textDocument.getText().indexOf(needle);
    if (i < 0) throw new Error(`"${needle}" not in ${doc.uri.path}`);
    return i + delta;
}

export function position(doc: LangiumDocument, needle: string, delta = 0) {
    return doc.textDocument.positionAt(offsetOf(doc, needle, delta));
}
