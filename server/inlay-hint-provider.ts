// Inlay hints: in a positional call `F(x)`, name the monadic parameter that receives the value
// (`F(value: x)` is what it means); several positional values are gathered into that one argument.
import { AstUtils, type LangiumDocument } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import { isAugment, isInvoke } from '../src/language/generated/ast.js';
import { calleePath, termListShape } from '../src/language/ast-utils.js';
import type { KoLspServices } from './ko-lsp-module.js';
import type { KoWorkspaceIndex } from './ko-names.js';
import { calleeOfPath } from './ko-targets.js';

export class KoInlayHintProvider implements InlayHintProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async getInlayHints(document: LangiumDocument, params: InlayHintParams): Promise<InlayHint[]> {
        const out: InlayHint[] = [];
        const startOffset = document.textDocument.offsetAt(params.range.start);
        const endOffset = document.textDocument.offsetAt(params.range.end);
        for (const node of AstUtils.streamAllContents(document.parseResult.value)) {
            if (!isInvoke(node) && !isAugment(node)) continue;
            const cst = node.$cstNode;
            if (!cst || cst.end < startOffset || cst.offset > endOffset) continue;
            if (termListShape(node.terms) !== 'positional') continue;
            const path = calleePath(node);
            if (!path) continue;
            const sig = calleeOfPath(this.index, document, path.head);
            if (!sig?.monadic) continue;
            const first = node.terms[0].$cstNode;
            if (!first) continue;
            out.push({
                position: first.range.start, label: `${sig.monadic}:`, kind: InlayHintKind.Parameter, paddingRight: true,
                tooltip: node.terms.length > 1 ? `The ${node.terms.length} values are gathered into one sequence for ${sig.label}.` : `Monadic argument of ${sig.label}.`,
            });
        }
        return out;
    }
}
