// Semantic tokens: functions, parameters, steps, package aliases, builtins, strings and numbers,
// coloured by what the name resolves to (§3.5) rather than by its spelling: `if`, `then`, `return`
// are ordinary names and get the colour of the parameter or step they are.
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import {
    isFuncDef, isImport, isNumberLiteral, isParam, isRef, isSelect, isStringLiteral, isTerm,
} from '../src/language/generated/ast.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { pathHead, type KoWorkspaceIndex, type Resolution } from './ko-names.js';
import { labelRange, nameRange } from './ko-targets.js';

export class KoSemanticTokenProvider extends AbstractSemanticTokenProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        super(services);
        this.index = services.ko.Index;
    }

    private get document(): LangiumDocument {
        return this.currentDocument!;
    }

    protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        if (isFuncDef(node)) {
            const r = nameRange(node);
            if (r) acceptor({ range: r, type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.declaration });
        } else if (isParam(node)) {
            const r = nameRange(node);
            if (r) acceptor({ range: r, type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration });
        } else if (isTerm(node) && node.label !== undefined) {
            const r = labelRange(node);
            if (r) acceptor(isFuncDef(node.$container)
                ? { range: r, type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration }
                : { range: r, type: SemanticTokenTypes.property });
        } else if (isImport(node)) {
            if (node.alias) acceptor({ node, property: 'alias', type: SemanticTokenTypes.namespace, modifier: SemanticTokenModifiers.declaration });
            if (node.path) acceptor({ node, property: 'path', type: SemanticTokenTypes.string });
        } else if (isStringLiteral(node)) {
            if (node.$cstNode) acceptor({ cst: node.$cstNode, type: SemanticTokenTypes.string });
        } else if (isNumberLiteral(node)) {
            if (node.$cstNode) acceptor({ cst: node.$cstNode, type: SemanticTokenTypes.number });
        } else if (isRef(node)) {
            const type = this.typeOf(this.index.resolve(this.document, node, 0));
            if (type && node.$cstNode) acceptor({ cst: node.$cstNode, ...type });
        } else if (isSelect(node)) {
            const head = pathHead(node);
            const cst = node.$cstNode;
            if (!head || !cst) return;
            const leaves = CstUtils.flattenCst(cst).toArray();
            const last = leaves[leaves.length - 1];
            if (!last || last.text !== node.field) return;
            const type = head.index === 1 ? this.typeOf(this.index.resolve(this.document, head.ref, 1)) : { type: SemanticTokenTypes.property };
            if (type) acceptor({ cst: last, ...type });
        }
    }

    private typeOf(r: Resolution): { type: string; modifier?: string } | undefined {
        switch (r.kind) {
            case 'param': return { type: SemanticTokenTypes.parameter };
            case 'step': return { type: SemanticTokenTypes.variable };
            case 'function': return { type: SemanticTokenTypes.function };
            case 'builtin': return { type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.defaultLibrary };
            case 'alias': return { type: SemanticTokenTypes.namespace };
            case 'member': return r.func ? { type: SemanticTokenTypes.function } : { type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.defaultLibrary };
            case 'bool': return { type: SemanticTokenTypes.keyword };
            default: return undefined;
        }
    }
}
