// The Formatter service: runs the canonical pretty printer of ko-format.ts over the whole document
// and returns one edit covering the changed span. Refuses (no edits) when the document has lexer or
// parser errors, because a layout decision on a misparsed file could change its meaning.
import type { LangiumDocument } from 'langium';
import type { Formatter } from 'langium/lsp';
import type {
    DocumentFormattingParams, DocumentOnTypeFormattingOptions, DocumentRangeFormattingParams, TextEdit,
} from 'vscode-languageserver';
import { formatKo } from './ko-format.js';

export class KoFormatter implements Formatter {
    formatDocument(document: LangiumDocument, _params: DocumentFormattingParams): TextEdit[] {
        return formatEdits(document);
    }

    formatDocumentRange(document: LangiumDocument, _params: DocumentRangeFormattingParams): TextEdit[] {
        // Canonical layout depends on whole brackets, so a range request formats the document.
        return formatEdits(document);
    }

    formatDocumentOnType(): TextEdit[] {
        return [];
    }

    get formatOnTypeOptions(): DocumentOnTypeFormattingOptions | undefined {
        return undefined;
    }
}

/** Codes of src/language/diagnostics.ts that the reference reports as lexing or parsing failures. */
const SYNTAX_CODES = new Set([
    'syntax-error', 'unrecognized-token', 'bracket-imbalance', 'bad-escape', 'unterminated-string', 'bad-number',
    'comment-position', 'newline-after-colon', 'unterminated-comment',
]);

export function hasSyntaxErrors(document: LangiumDocument): boolean {
    return document.parseResult.lexerErrors.length > 0 || document.parseResult.parserErrors.length > 0
        || (document.diagnostics ?? []).some(d => typeof d.code === 'string' && SYNTAX_CODES.has(d.code));
}

export function formatEdits(document: LangiumDocument): TextEdit[] {
    if (hasSyntaxErrors(document)) return [];
    const text = document.textDocument.getText();
    const formatted = formatKo(text);
    if (formatted === undefined || formatted === text) return [];
    // One edit over the span that differs keeps the cursor and undo history stable in editors.
    let start = 0;
    while (start < text.length && start < formatted.length && text[start] === formatted[start]) start++;
    let endOld = text.length;
    let endNew = formatted.length;
    while (endOld > start && endNew > start && text[endOld - 1] === formatted[endNew - 1]) { endOld--; endNew--; }
    return [{
        range: { start: document.textDocument.positionAt(start), end: document.textDocument.positionAt(endOld) },
        newText: formatted.slice(start, endNew),
    }];
}
