// Shared helpers for the language-server unit tests: one in-memory service container (the same
// DI module `ko lsp` serves), documents under fake file URIs so that files of one directory form
// a package, and an AST serializer for "same meaning" comparisons.
import { EmptyFileSystem, type AstNode, type LangiumDocument } from 'langium';
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
        const doc = shared.workspace.LangiumDocumentFactory.fromString<KoFile>(text, (await import('langium')).URI.file(path));
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
