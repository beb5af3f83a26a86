// A small, allocation-light Ko tokenizer shared by the formatter, completion context analysis and
// the TextMate-free semantic features. It mirrors the terminals of src/language/ko.langium (§1 of
// the reference) but keeps comments and newlines as tokens, which the Langium parser hides or folds
// into SEP: the formatter and completion need to see exactly where they are.

export type KoTokenType =
    | 'nl' | 'sep' | 'open' | 'close' | 'lineComment' | 'blockComment'
    | 'id' | 'string' | 'raw' | 'int' | 'float' | 'punct' | 'error';

export interface KoToken {
    type: KoTokenType;
    text: string;
    offset: number;
    end: number;
}

const ID = /[_\p{L}][_\p{L}\p{Nd}]*/uy;
const FLOAT = /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/y;
const INT = /\d[0-9a-zA-Z_]*/y;
const STRING = /"(?:\\.|[^"\\\n])*"?/y;
const RAW = /`[^`]*`?/y;
const BLOCK = /\/\*(?:[^*]|\*(?!\/))*(?:\*\/)?/y;
const LINE = /\/\/[^\n]*/y;

function sticky(re: RegExp, text: string, at: number): string | undefined {
    re.lastIndex = at;
    const m = re.exec(text);
    return m ? m[0] : undefined;
}

/** Tokenizes Ko source; whitespace (space, tab, CR, BOM) is dropped, everything else is kept. */
export function tokenize(text: string): KoToken[] {
    const out: KoToken[] = [];
    let i = 0;
    const n = text.length;
    const push = (type: KoTokenType, len: number) => { out.push({ type, text: text.slice(i, i + len), offset: i, end: i + len }); i += len; };
    while (i < n) {
        const c = text[i];
        if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') { i++; continue; }
        if (c === '\n') { push('nl', 1); continue; }
        if (c === ',' || c === ';') { push('sep', 1); continue; }
        if (c === '(' || c === '[' || c === '{') { push('open', 1); continue; }
        if (c === ')' || c === ']' || c === '}') { push('close', 1); continue; }
        if (c === '/' && text[i + 1] === '/') { push('lineComment', sticky(LINE, text, i)!.length); continue; }
        if (c === '/' && text[i + 1] === '*') { push('blockComment', sticky(BLOCK, text, i)!.length); continue; }
        if (c === '"') { push('string', sticky(STRING, text, i)!.length); continue; }
        if (c === '`') { push('raw', sticky(RAW, text, i)!.length); continue; }
        if ((c >= '0' && c <= '9') || (c === '.' && text[i + 1] >= '0' && text[i + 1] <= '9')) {
            const f = sticky(FLOAT, text, i);
            const d = sticky(INT, text, i);
            // Like the Langium lexer (longest match wins, FLOAT listed first on a tie).
            if (f !== undefined && (d === undefined || f.length >= d.length)) push('float', f.length);
            else push('int', d!.length);
            continue;
        }
        if (c === ':' || c === '.' || c === '-' || c === '?') { push('punct', 1); continue; }
        const id = sticky(ID, text, i);
        if (id) { push('id', id.length); continue; }
        push('error', 1);
    }
    return out;
}

export const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the matching bracket for every bracket token; undefined when brackets are unbalanced. */
export function matchBrackets(tokens: readonly KoToken[]): Int32Array | undefined {
    const match = new Int32Array(tokens.length).fill(-1);
    const stack: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.type === 'open') stack.push(i);
        else if (t.type === 'close') {
            const o = stack.pop();
            if (o === undefined || CLOSER[tokens[o].text] !== t.text) return undefined;
            match[o] = i; match[i] = o;
        }
    }
    return stack.length === 0 ? match : undefined;
}

/** The index of the last token starting before `offset` (binary search), or -1. */
export function tokenIndexBefore(tokens: readonly KoToken[], offset: number): number {
    let lo = 0, hi = tokens.length - 1, best = -1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (tokens[mid].offset < offset) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return best;
}

/** Index of the close matching the open bracket at `open`, or tokens.length when it is unclosed. */
export function matchForward(tokens: readonly KoToken[], open: number): number {
    let depth = 0;
    for (let k = open; k < tokens.length; k++) {
        if (tokens[k].type === 'open') depth++;
        else if (tokens[k].type === 'close' && --depth === 0) return k;
    }
    return tokens.length;
}
