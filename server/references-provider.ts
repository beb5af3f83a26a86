// Find references of parameters (including argument labels at call sites), steps and functions
// (bare names in the package, `alias.Name` in importing files).
import type { LangiumDocument } from 'langium';
import type { ReferencesProvider } from 'langium/lsp';
import type { Location, ReferenceParams } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import type { KoWorkspaceIndex } from './ko-names.js';
import { occurrences, targetAt } from './ko-targets.js';

export class KoReferencesProvider implements ReferencesProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async findReferences(document: LangiumDocument, params: ReferenceParams): Promise<Location[]> {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (!found) return [];
        return occurrences(this.index, found.target)
            .filter(o => params.context.includeDeclaration || !o.declaration)
            .map(o => ({ uri: o.document.uri.toString(), range: o.range }));
    }
}
