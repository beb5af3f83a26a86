// Document links: an import path links to the package it names (its first .ko file, since an
// editor cannot open a directory), so Ctrl+click on `import "a/b"` opens the package.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import type { DocumentLinkProvider } from 'langium/lsp';
import type { DocumentLink, DocumentLinkParams } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import type { KoWorkspaceIndex } from './ko-names.js';

export class KoDocumentLinkProvider implements DocumentLinkProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    getDocumentLinks(document: LangiumDocument, _params: DocumentLinkParams): DocumentLink[] {
        const out: DocumentLink[] = [];
        for (const info of this.index.imports(document)) {
            if (!info.dir || !info.imp.$cstNode) continue;
            let files: string[] = [];
            try { files = readdirSync(info.dir).filter(f => f.endsWith('.ko')).sort(); } catch { continue; }
            if (files.length === 0) continue;
            const text = document.textDocument.getText();
            const start = text.indexOf(info.imp.path!, info.imp.$cstNode.offset);
            if (start < 0) continue;
            out.push({
                range: { start: document.textDocument.positionAt(start + 1), end: document.textDocument.positionAt(start + info.imp.path!.length - 1) },
                target: URI.file(join(info.dir, files[0])).toString(),
                tooltip: `Package ${info.importPath} (${files.length} file${files.length === 1 ? '' : 's'})`,
            });
        }
        return out;
    }
}
