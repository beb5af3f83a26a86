// Document highlights: the occurrences in this document of the parameter, step or function under
// the cursor (the declaration marked as a write).
import type { LangiumDocument } from 'langium';
import type { DocumentHighlightProvider } from 'langium/lsp';
import { DocumentHighlightKind, type DocumentHighlight, type DocumentHighlightParams } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import type { KoWorkspaceIndex } from './ko-names.js';
import { occurrences, targetAt } from './ko-targets.js';

export class KoDocumentHighlightProvider implements DocumentHighlightProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    getDocumentHighlight(document: LangiumDocument, params: DocumentHighlightParams): DocumentHighlight[] | undefined {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (!found) return undefined;
        return occurrences(this.index, found.target)
            .filter(o => o.document === document)
            .map(o => ({ range: o.range, kind: o.declaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
    }
}
