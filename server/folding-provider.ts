// Folding: function bodies, multi-line calls and constructors, multi-line raw strings, runs of
// imports and runs of line comments. Works on tokens so it also folds files with syntax errors.
import type { LangiumDocument } from 'langium';
import type { FoldingRangeProvider } from 'langium/lsp';
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import type { KoLspServices } from './ko-lsp-module.js';
import { documentTokens } from './ko-names.js';

export class KoFoldingRangeProvider implements FoldingRangeProvider {
    constructor(_services: KoLspServices) {}

    getFoldingRanges(document: LangiumDocument, _params: FoldingRangeParams): FoldingRange[] {
        const text = document.textDocument;
        const tokens = documentTokens(document);
        const out: FoldingRange[] = [];
        const stack: number[] = [];
        const line = (offset: number) => text.positionAt(offset).line;
        let commentRun: { start: number; end: number } | undefined;
        let importRun: { start: number; end: number } | undefined;
        const flush = () => {
            if (commentRun && commentRun.end > commentRun.start) out.push({ startLine: commentRun.start, endLine: commentRun.end, kind: FoldingRangeKind.Comment });
            commentRun = undefined;
        };
        for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i];
            if (t.type === 'lineComment') {
                const l = line(t.offset);
                const alone = i === 0 || tokens[i - 1].type === 'nl';
                if (alone && commentRun && commentRun.end === l - 1) commentRun.end = l;
                else if (alone) { flush(); commentRun = { start: l, end: l }; }
                continue;
            }
            if (t.type === 'nl') continue;
            flush();
            if (t.type === 'open') stack.push(i);
            else if (t.type === 'close') {
                const o = stack.pop();
                if (o === undefined) continue;
                const s = line(tokens[o].offset);
                const e = line(t.offset) - 1; // keep the closing bracket visible
                if (e > s) out.push({ startLine: s, endLine: e });
            } else if ((t.type === 'raw' || t.type === 'blockComment') && line(t.end) > line(t.offset)) {
                out.push({ startLine: line(t.offset), endLine: line(t.end), ...(t.type === 'blockComment' ? { kind: FoldingRangeKind.Comment } : {}) });
            } else if (t.type === 'id' && (t.text === 'import' || t.text === 'use') && stack.length === 0) {
                const l = line(t.offset);
                if (importRun && importRun.end >= l - 1) importRun.end = l;
                else { if (importRun && importRun.end > importRun.start) out.push({ startLine: importRun.start, endLine: importRun.end, kind: FoldingRangeKind.Imports }); importRun = { start: l, end: l }; }
            }
        }
        flush();
        if (importRun && importRun.end > importRun.start) out.push({ startLine: importRun.start, endLine: importRun.end, kind: FoldingRangeKind.Imports });
        return out.sort((a, b) => a.startLine - b.startLine);
    }
}
