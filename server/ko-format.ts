// Ko's canonical formatter as a token-level pretty printer. Newlines are separators in Ko (§1.1)
// and forbidden in many places (§2.3), so the printer never moves a newline into a new place except
// where a separator is already legal: after an opening bracket, before a closing one, in place of a
// `,`/`;` between terms, and between top-level items. Everything else is re-spacing, re-indenting
// (tabs, one level per bracket opened on an earlier line) and dropping separators that are
// redundant (next to a newline or a bracket). Comments, strings and raw strings are kept verbatim.
// Style: one step per line in multi-step bodies, `F() { return: x }` stays on one line, one blank
// line between top-level functions, at most one blank line anywhere, a final newline.
import { matchBrackets, tokenize, type KoToken } from './ko-tokens.js';

type Item = KoToken | { type: 'newline'; blank: boolean };

const isNewline = (item: Item | undefined): item is { type: 'newline'; blank: boolean } => item?.type === 'newline';

/** The formatted text, or undefined when the text cannot be tokenized with balanced brackets. */
export function formatKo(text: string): string | undefined {
    const tokens = tokenize(text);
    if (tokens.some(t => t.type === 'error' || unterminated(t))) return undefined;
    const match = matchBrackets(tokens);
    if (!match) return undefined;
    const expanded = expandedBrackets(tokens, match);
    const items = layout(tokens, expanded);
    const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
    return bom + print(items);
}

/** A string, raw string or block comment that runs to the end of its line or file. */
function unterminated(t: KoToken): boolean {
    if (t.type === 'string') return t.text.length < 2 || !t.text.endsWith('"') || /(^|[^\\])(\\\\)*\\"$/.test(t.text);
    if (t.type === 'raw') return t.text.length < 2 || !t.text.endsWith('`');
    if (t.type === 'blockComment') return t.text.length < 4 || !t.text.endsWith('*/');
    return false;
}

/**
 * Which brackets are laid out over several lines: a body `{...}` that contains a newline or more
 * than one term; a `(...)`/`[...]` with a newline directly inside it.
 */
function expandedBrackets(tokens: readonly KoToken[], match: Int32Array): Uint8Array {
    const out = new Uint8Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.type !== 'open') continue;
        const end = match[i];
        let depth = 0;
        let terms = 0;
        let inTerm = false;
        for (let k = i + 1; k < end; k++) {
            const u = tokens[k];
            if (u.type === 'nl') {
                if (depth === 0 || t.text === '{') { out[i] = 1; break; }
                continue;
            }
            if (depth === 0 && u.type === 'sep') { inTerm = false; continue; }
            if (depth === 0 && !inTerm && u.type !== 'lineComment' && u.type !== 'blockComment') { inTerm = true; terms++; }
            if (u.type === 'open') depth++;
            else if (u.type === 'close') depth--;
        }
        if (t.text === '{' && terms > 1) out[i] = 1;
    }
    return out;
}

function layout(tokens: readonly KoToken[], expanded: Uint8Array): Item[] {
    const items: Item[] = [];
    const stack: number[] = [];
    let blankAfterTopLevel = false;
    const lastToken = (): KoToken | undefined => {
        for (let k = items.length - 1; k >= 0; k--) { const it = items[k]; if (!isNewline(it)) return it; }
        return undefined;
    };
    const newline = (blank = false) => {
        if (items.length === 0) return;
        const last = items[items.length - 1];
        if (isNewline(last)) { if (blank) last.blank = true; return; }
        items.push({ type: 'newline', blank });
    };
    const nextReal = (i: number): KoToken | undefined => {
        for (let k = i + 1; k < tokens.length; k++) if (tokens[k].type !== 'nl' && tokens[k].type !== 'sep') return tokens[k];
        return undefined;
    };
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        const top = stack.length > 0 ? stack[stack.length - 1] : -1;
        const inExpandedBody = top >= 0 && tokens[top].text === '{' && expanded[top] === 1;
        switch (t.type) {
            case 'nl': {
                let count = 1;
                while (tokens[i + 1]?.type === 'nl') { count++; i++; }
                const prev = lastToken();
                const next = nextReal(i);
                let blank = count > 1 && prev !== undefined && prev.type !== 'open' && next !== undefined && next.type !== 'close';
                if (blankAfterTopLevel && stack.length === 0 && next !== undefined) { blank = true; blankAfterTopLevel = false; }
                newline(blank);
                break;
            }
            case 'sep': {
                if (stack.length === 0 || inExpandedBody) { newline(); break; }
                const prev = items[items.length - 1];
                const next = tokens[i + 1];
                const redundant = prev === undefined || isNewline(prev) || prev.type === 'open' || prev.type === 'sep'
                    || next === undefined || next.type === 'nl' || next.type === 'sep' || next.type === 'close' || next.type === 'lineComment';
                if (!redundant) items.push({ ...t, text: ',' });
                break;
            }
            case 'open': {
                items.push(t);
                stack.push(i);
                if (expanded[i]) {
                    if (tokens[i + 1]?.type === 'lineComment') { items.push(tokens[i + 1]); i++; }
                    newline();
                }
                break;
            }
            case 'close': {
                const open = stack.pop()!;
                if (expanded[open]) newline();
                items.push(t);
                if (stack.length === 0 && t.text === '}') {
                    blankAfterTopLevel = true;
                    const next = tokens[i + 1];
                    if (next && next.type !== 'nl' && next.type !== 'lineComment' && next.type !== 'sep') { newline(true); blankAfterTopLevel = false; }
                }
                break;
            }
            case 'id': {
                // A top-level item (import or function) always starts on its own line.
                if (stack.length === 0 && (t.text === 'import' || t.text === 'use' || tokens[i + 1]?.text === '(')) {
                    const prev = items[items.length - 1];
                    if (prev !== undefined && !isNewline(prev) && !(prev.type === 'id' && (prev.text === 'as'))) newline(blankAfterTopLevel);
                }
                items.push(t);
                break;
            }
            case 'lineComment':
                items.push({ ...t, text: t.text.replace(/\s+$/, '') });
                break;
            default:
                items.push(t);
        }
    }
    return items;
}

function space(a: KoToken, b: KoToken): string {
    if (b.type === 'lineComment' || b.type === 'blockComment' || a.type === 'blockComment') return ' ';
    if (a.type === 'open') return a.text === '{' && !(b.type === 'close') ? ' ' : '';
    if (b.type === 'close') return b.text === '}' ? ' ' : '';
    if (b.type === 'sep') return '';
    if (a.type === 'sep') return ' ';
    if (b.text === ':' && b.type === 'punct') return '';
    if (a.text === ':' && a.type === 'punct') return ' ';
    if (b.text === '?' && b.type === 'punct') return '';
    if (b.text === '.' && b.type === 'punct') return a.type === 'int' || a.type === 'float' ? ' ' : '';
    if (a.text === '.' && a.type === 'punct') return b.type === 'int' || b.type === 'float' ? ' ' : '';
    if (a.text === '-' && a.type === 'punct') return '';
    if (b.type === 'open') {
        if (b.text === '{') return ' ';
        return a.type === 'close' && a.text === '}' ? ' ' : '';
    }
    return ' ';
}

function print(items: readonly Item[]): string {
    const lines: KoToken[][] = [];
    let current: KoToken[] = [];
    for (const item of items) {
        if (isNewline(item)) {
            lines.push(current);
            current = [];
            if (item.blank) { lines.push([]); }
        } else current.push(item);
    }
    if (current.length > 0) lines.push(current);
    // Indentation: a line sits one tab deeper than the line that opened the innermost bracket still
    // open at its start; a line starting with a closing bracket aligns with its opener's line.
    const openStack: number[] = [];
    let out = '';
    for (const line of lines) {
        if (line.length === 0) { out += '\n'; continue; }
        let indent: number;
        if (line[0].type === 'close') indent = openStack.length > 0 ? openStack[openStack.length - 1] : 0;
        else indent = openStack.length > 0 ? openStack[openStack.length - 1] + 1 : 0;
        let text = '\t'.repeat(indent) + line[0].text;
        for (let k = 1; k < line.length; k++) text += space(line[k - 1], line[k]) + line[k].text;
        for (const t of line) {
            if (t.type === 'open') openStack.push(indent);
            else if (t.type === 'close') openStack.pop();
        }
        out += text + '\n';
    }
    // Collapse blank lines at the end of the file.
    out = out.replace(/\n+$/, '\n');
    return out === '\n' ? '' : out;
}
