// Shared test kit for language tests: Langium services with the Ko module, and a helper that
// validates a source through the real document pipeline (parseHelper from langium/test).
import { EmptyFileSystem, URI } from 'langium';
import { parseHelper } from 'langium/test';
import type { Diagnostic } from 'vscode-languageserver-types';
import { createKoCoreServices } from '../../../src/language/ko-module.js';
import type { KoFile } from '../../../src/language/generated/ast.js';

export const services = createKoCoreServices(EmptyFileSystem);
const parse = parseHelper<KoFile>(services.Ko);
let counter = 0;

/** Validates `text` as the only file of a fresh package directory. */
export async function diagnose(text: string, fileName = 'snip.ko'): Promise<Diagnostic[]> {
    const doc = await parse(text, { validation: true, documentUri: URI.file(`/ko-test/p${counter++}/${fileName}`).toString() });
    return doc.diagnostics ?? [];
}

/** Validates several files of one package together; returns diagnostics per file name. */
export async function diagnosePackage(files: Record<string, string>): Promise<Record<string, Diagnostic[]>> {
    const dir = `/ko-test/p${counter++}`;
    const documents = Object.entries(files).map(([name, text]) =>
        services.shared.workspace.LangiumDocumentFactory.fromString<KoFile>(text, URI.file(`${dir}/${name}`)));
    for (const doc of documents) services.shared.workspace.LangiumDocuments.addDocument(doc);
    await services.shared.workspace.DocumentBuilder.build(documents, { validation: true });
    return Object.fromEntries(documents.map(d => [d.uri.path.split('/').pop()!, d.diagnostics ?? []]));
}

export const errors = (ds: Diagnostic[]) => ds.filter(d => d.severity === 1);
export const codes = (ds: Diagnostic[]) => ds.map(d => String(d.code));
export const errorCodes = (ds: Diagnostic[]) => codes(errors(ds));
