// Token-level analysis of "where is the cursor" for completion and signature help. It works on the
// raw tokens rather than the AST because the text being typed is usually not parseable yet: the
// enclosing brackets, the function whose body we are in (with its parameters and step labels), the
// callee of the call whose brackets hold the cursor, and the arguments already given.
import { matchForward, type KoToken } from './ko-tokens.js';

export interface FunctionContext {
    name: string;
    params: { name: string; monadic: boolean }[];
    steps: string[];
    /** Token index of the body's `{`. */
    bodyOpen: number;
}

export interface CallContext {
    /** Index of the open bracket. */
    open: number;
    /** The callee path written before the bracket (`strings.Join` gives ['strings', 'Join']). */
    callee?: string[];
    /** Argument labels already written in this bracket (the one being typed excluded). */
    given: string[];
    /** Label of the term holding the cursor, when it already has one (`x: <cursor>`). */
    currentLabel?: string;
    /** Index of the term holding the cursor among the bracket's terms. */
    termIndex: number;
    positional: boolean;
}

export interface CursorContext {
    /** Index of the last token before the word being typed (or -1). */
    before: number;
    /** Enclosing open brackets, innermost first. */
    opens: number[];
    func?: FunctionContext;
    /** The step label of the body term that holds the cursor. */
    currentStep?: string;
}

const isTermBoundary = (t: KoToken | undefined) => !t || t.type === 'open' || t.type === 'sep' || t.type === 'nl';

/** Enclosing open brackets of the position right after token `before`, innermost first. */
export function enclosingOpens(tokens: readonly KoToken[], before: number): number[] {
    const out: number[] = [];
    let depth = 0;
    for (let k = before; k >= 0; k--) {
        const t = tokens[k];
        if (t.type === 'close') depth++;
        else if (t.type === 'open') {
            if (depth === 0) out.push(k); else depth--;
        }
    }
    return out;
}

/** Index of the `(` matching the `)` at `close`, scanning backwards. */
export function matchBackward(tokens: readonly KoToken[], close: number): number {
    let depth = 0;
    for (let k = close; k >= 0; k--) {
        if (tokens[k].type === 'close') depth++;
        else if (tokens[k].type === 'open' && --depth === 0) return k;
    }
    return -1;
}

/** When the `{` at `open` is a function body (`Name(params) {`), the function's name and parameters. */
export function functionOfBody(tokens: readonly KoToken[], open: number): FunctionContext | undefined {
    if (tokens[open]?.text !== '{' || tokens[open - 1]?.text !== ')') return undefined;
    const paren = matchBackward(tokens, open - 1);
    if (paren <= 0 || tokens[paren].text !== '(' || tokens[paren - 1].type !== 'id') return undefined;
    const params: FunctionContext['params'] = [];
    for (let k = paren + 1; k < open - 1; k++) {
        if (tokens[k].type === 'id') params.push({ name: tokens[k].text, monadic: tokens[k + 1]?.text === '?' });
    }
    return { name: tokens[paren - 1].text, params, steps: termLabels(tokens, open), bodyOpen: open };
}

/** Labels of the terms directly inside the bracket opened at `open`. */
export function termLabels(tokens: readonly KoToken[], open: number, skip?: number): string[] {
    const out: string[] = [];
    const end = matchForward(tokens, open);
    let depth = 0;
    for (let k = open + 1; k < end; k++) {
        const t = tokens[k];
        if (t.type === 'open') depth++;
        else if (t.type === 'close') depth--;
        else if (depth === 0 && t.type === 'id' && tokens[k + 1]?.text === ':' && isTermBoundary(tokens[k - 1]) && k !== skip) out.push(t.text);
    }
    return out;
}

/** The path of names written right before token index `end` (exclusive): `a.b.c(` gives [a, b, c]. */
export function pathBefore(tokens: readonly KoToken[], end: number): string[] | undefined {
    let k = end - 1;
    // `G[x: 1](...)`: the arguments of both brackets go to G.
    while (k >= 0 && tokens[k].text === ']') {
        const o = matchBackward(tokens, k);
        if (o < 0) return undefined;
        k = o - 1;
    }
    if (k < 0 || tokens[k].type !== 'id') return undefined;
    const out = [tokens[k].text];
    while (k >= 2 && tokens[k - 1].text === '.' && tokens[k - 2].type === 'id') { k -= 2; out.unshift(tokens[k].text); }
    return out;
}

export function cursorContext(tokens: readonly KoToken[], before: number): CursorContext {
    const opens = enclosingOpens(tokens, before);
    let func: FunctionContext | undefined;
    let currentStep: string | undefined;
    for (let i = 0; i < opens.length; i++) {
        func = functionOfBody(tokens, opens[i]);
        if (func) {
            // The step holding the cursor: the last `label:` at body depth before the cursor.
            const inner = i > 0 ? opens[i - 1] : before + 1;
            currentStep = lastLabelBefore(tokens, opens[i], inner);
            break;
        }
    }
    return { before, opens, ...(func ? { func } : {}), ...(currentStep ? { currentStep } : {}) };
}

function lastLabelBefore(tokens: readonly KoToken[], open: number, end: number): string | undefined {
    let depth = 0;
    let label: string | undefined;
    for (let k = open + 1; k < end && k < tokens.length; k++) {
        const t = tokens[k];
        if (t.type === 'open') depth++;
        else if (t.type === 'close') depth--;
        else if (depth === 0 && (t.type === 'sep' || t.type === 'nl')) label = undefined;
        else if (depth === 0 && t.type === 'id' && tokens[k + 1]?.text === ':' && isTermBoundary(tokens[k - 1])) label = t.text;
    }
    return label;
}

/** The call (or constructor) whose brackets directly hold the position after `before`. */
export function callContext(tokens: readonly KoToken[], open: number, before: number): CallContext {
    const callee = tokens[open].text === '{' ? undefined : pathBefore(tokens, open);
    let termIndex = 0;
    let termStart = open + 1;
    let depth = 0;
    for (let k = open + 1; k <= before; k++) {
        const t = tokens[k];
        if (t.type === 'open') depth++;
        else if (t.type === 'close') depth--;
        else if (depth === 0 && (t.type === 'sep' || t.type === 'nl')) {
            // Runs of separators count once; a term starts at the next real token.
            if (k + 1 <= before + 1 && termStart < k) termIndex++;
            termStart = k + 1;
        }
    }
    const currentLabel = tokens[termStart]?.type === 'id' && tokens[termStart + 1]?.text === ':' && termStart + 1 <= before ? tokens[termStart].text : undefined;
    const given = termLabels(tokens, open, termStart);
    const positional = !currentLabel && given.length === 0 && hasPositional(tokens, open, termStart);
    return { open, ...(callee ? { callee } : {}), given, ...(currentLabel ? { currentLabel } : {}), termIndex, positional };
}

function hasPositional(tokens: readonly KoToken[], open: number, skipStart: number): boolean {
    const end = matchForward(tokens, open);
    let depth = 0;
    for (let k = open + 1; k < end; k++) {
        const t = tokens[k];
        if (t.type === 'open') { if (depth === 0 && k !== skipStart && isTermBoundary(tokens[k - 1])) return true; depth++; }
        else if (t.type === 'close') depth--;
        else if (depth === 0 && isTermBoundary(tokens[k - 1]) && k !== skipStart && t.type !== 'sep' && t.type !== 'nl'
            && t.type !== 'lineComment' && t.type !== 'blockComment' && !(t.type === 'id' && tokens[k + 1]?.text === ':')) return true;
    }
    return false;
}
