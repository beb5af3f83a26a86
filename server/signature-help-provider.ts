// Signature help inside a call's brackets: the callee's parameters (Ko function or builtin), the
// monadic one marked `?`, and the active parameter: the label being written, or the monadic
// parameter for a positional argument.
import type { LangiumDocument } from 'langium';
import type { SignatureHelpProvider } from 'langium/lsp';
import { MarkupKind, type SignatureHelp, type SignatureHelpOptions, type SignatureHelpParams } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import { documentTokens, type KoWorkspaceIndex } from './ko-names.js';
import { tokenIndexBefore } from './ko-tokens.js';
import { callContext, cursorContext } from './completion-context.js';

export class KoSignatureHelpProvider implements SignatureHelpProvider {
    private readonly index: KoWorkspaceIndex;
    readonly signatureHelpOptions: SignatureHelpOptions = { triggerCharacters: ['(', '['], retriggerCharacters: [',', ':', '\n'] };

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async provideSignatureHelp(document: LangiumDocument, params: SignatureHelpParams): Promise<SignatureHelp | undefined> {
        const tokens = documentTokens(document);
        const offset = document.textDocument.offsetAt(params.position);
        let at = tokenIndexBefore(tokens, offset);
        // A closing bracket right before the cursor belongs to the call we are leaving.
        if (at >= 0 && tokens[at].type === 'close' && tokens[at].end === offset) at--;
        const ctx = cursorContext(tokens, at);
        for (const open of ctx.opens) {
            if (tokens[open].text === '{') return undefined;
            const call = callContext(tokens, open, at);
            if (!call.callee) continue;
            const locals = new Set([...(ctx.func?.params.map(p => p.name) ?? []), ...(ctx.func?.steps ?? [])]);
            const sig = this.index.calleeSignature(document, call.callee, locals);
            if (!sig) return undefined;
            const labels = sig.params.map(p => (p === sig.monadic ? `${p}?` : p));
            let active = call.currentLabel !== undefined ? sig.params.indexOf(call.currentLabel) : -1;
            if (active < 0 && call.currentLabel === undefined && call.given.length === 0 && sig.monadic) active = sig.params.indexOf(sig.monadic);
            return {
                signatures: [{
                    label: sig.label,
                    ...(sig.doc ? { documentation: { kind: MarkupKind.Markdown, value: sig.doc } } : {}),
                    parameters: labels.map((label, i) => ({
                        label,
                        documentation: sig.params[i] === sig.monadic ? 'monadic: receives the unnamed (positional) argument' : `argument \`${sig.params[i]}\``,
                    })),
                    ...(active >= 0 ? { activeParameter: active } : {}),
                }],
                activeSignature: 0,
                ...(active >= 0 ? { activeParameter: active } : {}),
            };
        }
        return undefined;
    }
}
