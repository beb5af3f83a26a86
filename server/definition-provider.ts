// Go to definition: parameters, steps (forward references included), functions across the files
// of the package and of imported packages, call-argument labels to the callee's parameter, and
// import paths (or aliases) to the files of the package directory.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import type { DefinitionProvider } from 'langium/lsp';
import type { DefinitionParams, LocationLink, Range } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import type { KoWorkspaceIndex } from './ko-names.js';
import { declarationRange, nameRange, targetAt } from './ko-targets.js';

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export class KoDefinitionProvider implements DefinitionProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async getDefinition(document: LangiumDocument, params: DefinitionParams): Promise<LocationLink[] | undefined> {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (!found) return undefined;
        const t = found.target;
        const link = (uri: string, range: Range, selection = range): LocationLink => ({
            originSelectionRange: found.range, targetUri: uri, targetRange: range, targetSelectionRange: selection,
        });
        if (t.kind === 'import') {
            if (!t.info.dir) return undefined;
            let files: string[] = [];
            try { files = readdirSync(t.info.dir).filter(f => f.endsWith('.ko')).sort(); } catch { return undefined; }
            return files.map(f => link(URI.file(join(t.info.dir!, f)).toString(), START));
        }
        if (t.kind === 'argument') {
            const func = t.callee?.func;
            const doc = t.callee?.document;
            const param = func?.params.find(p => p.name === t.name);
            const range = param ? nameRange(param) : undefined;
            return range && doc ? [link(doc.uri.toString(), range)] : undefined;
        }
        const decl = declarationRange(t);
        if (!decl) return undefined;
        const whole = t.kind === 'function' ? t.func.$cstNode?.range : t.kind === 'step' ? t.term.$cstNode?.range : decl.range;
        return [link(decl.document.uri.toString(), whole ?? decl.range, decl.range)];
    }
}
