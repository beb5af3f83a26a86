// Syntax diagnostics with exact ranges: lexer and parser errors rephrased with the cause a Ko
// user needs (newline rules, separators), bracket imbalance, literal checks (escapes, numbers),
// and comments in places the reference parser rejects (§2.3).
import type { CstNode, LeafCstNode } from 'langium';
import type { IRecognitionException, IToken } from 'chevrotain';
import { decodeGoString, parseKoInteger } from './ast-utils.js';
import type { KoDiagnostic, LineIndex } from './diagnostics.js';

export interface LexedToken { type: string; offset: number; end: number; text: string }

export interface SyntaxInput {
    text: string;
    lines: LineIndex;
    lexerErrors: readonly { offset: number; length: number; message: string }[];
    parserErrors: readonly IRecognitionException[];
    root: CstNode | undefined;
    /** Lexes the text again (all tokens, hidden ones included); only called for broken files. */
    lex: () => LexedToken[];
    /** The CST leaves of string, raw string and number literals (import paths included). */
    literalLeaves: () => LeafCstNode[];
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const HIDDEN = new Set(['WS', 'ML_COMMENT', 'SL_COMMENT']);

export function syntaxDiagnostics(input: SyntaxInput): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    const { lines } = input;
    for (const error of input.lexerErrors) {
        const ch = input.text.slice(error.offset, error.offset + 1);
        const hint = ch === '\'' ? ': Ko has no character literals, use a "string"'
            : /[+*/=<>%&|!^~]/.test(ch) ? ': Ko has no operators, call functions such as Sum, Equal, Less, Not'
                : '';
        out.push({
            severity: 'error', code: 'unrecognized-token',
            message: `unrecognized token ${JSON.stringify(ch)}${hint}`,
            range: lines.range(error.offset, error.offset + Math.max(1, ch.length)),
        });
    }
    let tokens: LexedToken[] | undefined;
    if (input.parserErrors.length > 0) {
        tokens = input.lex();
        const brackets = bracketDiagnostics(tokens, lines);
        out.push(...brackets);
        // With unbalanced brackets the parser's own errors are echoes of the same cause.
        if (brackets.length === 0) {
            out.push(...firstPerRegion(parserDiagnostics(input.parserErrors, tokens, input.text, lines), tokens, input.lexerErrors.map(e => e.offset), lines));
        }
    }
    out.push(...literalDiagnostics(input.literalLeaves(), lines));
    // Comments can only be misplaced in a file that has some.
    if (input.parserErrors.length === 0 && input.root && /\/[/*]/.test(input.text)) out.push(...commentDiagnostics(leavesAroundComments(input.root, input.text), lines));
    return dedupe(out);
}

/**
 * The leaves a comment check needs, in text order: every leaf of the top-level items that may
 * hold a comment, and only the first and last leaf of the others (the neighbours of comments
 * between items). Walking all leaves of a large file on every edit would dominate the check.
 */
function leavesAroundComments(root: CstNode, text: string): LeafCstNode[] {
    const commentStarts: number[] = [];
    for (let i = text.indexOf('/'); i >= 0; i = text.indexOf('/', i + 1)) {
        const next = text.charCodeAt(i + 1);
        if (next === 47 || next === 42) commentStarts.push(i);
    }
    const out: LeafCstNode[] = [];
    const walk = (node: CstNode) => {
        const content = (node as { content?: CstNode[] }).content;
        if (content) { for (const child of content) walk(child); }
        else out.push(node as LeafCstNode);
    };
    const edge = (node: CstNode, first: boolean): LeafCstNode | undefined => {
        let current: CstNode | undefined = node;
        while (current && (current as { content?: CstNode[] }).content) {
            const content: CstNode[] = (current as unknown as { content: CstNode[] }).content;
            current = first ? content[0] : content[content.length - 1];
        }
        return current as LeafCstNode | undefined;
    };
    let c = 0;
    for (const item of (root as { content?: CstNode[] }).content ?? []) {
        if (!(item as { content?: CstNode[] }).content) { out.push(item as LeafCstNode); continue; }
        const start = item.offset, end = item.end;
        while (c < commentStarts.length && commentStarts[c] < start) c++;
        if (c < commentStarts.length && commentStarts[c] < end) { walk(item); continue; }
        const first = edge(item, true), last = edge(item, false);
        if (first) out.push(first);
        if (last && last !== first) out.push(last);
    }
    return out;
}

function bracketDiagnostics(tokens: LexedToken[], lines: LineIndex): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    const stack: LexedToken[] = [];
    const unclosed = (t: LexedToken, before?: LexedToken) => out.push({
        severity: 'error', code: 'bracket-imbalance',
        message: before
            ? `'${t.text}' is not closed: '${before.text}' at ${where(lines, before.offset)} closes an outer bracket first (expected '${OPENERS[t.text]}')`
            : `'${t.text}' is never closed (expected '${OPENERS[t.text]}')`,
        range: lines.range(t.offset, t.end),
    });
    for (const t of tokens) {
        if (OPENERS[t.text] && t.type === t.text) { stack.push(t); continue; }
        const opener = CLOSERS[t.text];
        if (!opener || t.type !== t.text) continue;
        const depth = stack.map(s => s.text).lastIndexOf(opener);
        if (depth < 0) {
            out.push({ severity: 'error', code: 'bracket-imbalance', message: `'${t.text}' closes no open '${opener}'`, range: lines.range(t.offset, t.end) });
            continue;
        }
        while (stack.length - 1 > depth) unclosed(stack.pop()!, t);
        stack.pop();
    }
    while (stack.length > 0) unclosed(stack.pop()!);
    return out;
}

/**
 * Error recovery resynchronises inside a body, and the errors after the first one there are
 * mostly echoes: keep the first per top-level body (or per gap between bodies), none where a
 * lexer error already explains the region.
 */
function firstPerRegion(diagnostics: KoDiagnostic[], tokens: LexedToken[], lexerOffsets: number[], lines: LineIndex): KoDiagnostic[] {
    const regions: [number, number][] = [];
    let depth = 0, start = -1;
    for (const t of tokens) {
        if (OPENERS[t.text] && t.type === t.text) { if (depth === 0 && t.text === '{') start = t.offset; depth++; }
        else if (CLOSERS[t.text] && t.type === t.text) { depth--; if (depth === 0 && start >= 0) { regions.push([start, t.end]); start = -1; } }
    }
    const regionOf = (offset: number) => regions.findIndex(([a, b]) => a <= offset && offset < b);
    const lexed = new Set(lexerOffsets.map(regionOf));
    const seen = new Set<number>();
    return diagnostics.filter(d => {
        const offset = lines.offset(d.range.start);
        const region = regionOf(offset);
        if (region >= 0 && lexed.has(region)) return false;
        const key = region >= 0 ? region : -2 - regions.filter(([a]) => a < offset).length;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

function where(lines: LineIndex, offset: number): string {
    const p = lines.position(offset);
    return `${p.line + 1}:${p.character + 1}`;
}

function describe(token: { type: string; text: string } | undefined): string {
    if (!token || token.type === 'EOF') return 'end of file';
    switch (token.type) {
        case 'SEP': return token.text === '\n' ? 'newline' : `'${token.text}'`;
        case 'ID': return `name '${token.text}'`;
        case 'INT': case 'FLOAT': return `number ${token.text}`;
        case 'STRING': case 'RAW': return 'string';
        default: return `'${token.text}'`;
    }
}

const TERM_START = new Set(['ID', 'INT', 'FLOAT', 'STRING', 'RAW', '(', '[', '-', 'import', 'use', 'as']);

function parserDiagnostics(errors: readonly IRecognitionException[], tokens: LexedToken[], text: string, lines: LineIndex): KoDiagnostic[] {
    const significant = tokens.filter(t => !HIDDEN.has(t.type));
    const out: KoDiagnostic[] = [];
    for (const error of errors) {
        const raw = error.token as IToken | undefined;
        const atEnd = !raw || raw.tokenType?.name === 'EOF' || Number.isNaN(raw.startOffset);
        const offset = atEnd ? text.length : raw.startOffset;
        const index = significant.findIndex(t => t.offset >= offset);
        const token = atEnd || index < 0 ? undefined : significant[index];
        const prev = (index < 0 ? significant[significant.length - 1] : significant[index - 1]);
        const expected = /Expecting token of type '([^']+)'/.exec(error.message)?.[1];
        let message = `syntax error: unexpected ${describe(token)}`;
        const hint = explain(token, prev, expected);
        if (hint) message += `: ${hint}`;
        else if (expected && expected !== 'EOF') message += `, expected ${expected === 'SEP' ? 'a separator (newline, \',\' or \';\')' : `'${expected}'`}`;
        const end = token ? token.end : offset;
        const start = token ? token.offset : Math.max(0, offset - 1);
        out.push({ severity: 'error', code: 'syntax-error', message, range: lines.range(start, Math.max(end, start + (token ? 0 : 1))) });
    }
    return out;
}

/** The likely cause behind an unexpected token, in the user's terms (§2.3). */
function explain(token: LexedToken | undefined, prev: LexedToken | undefined, expected: string | undefined): string | undefined {
    const newline = (t: LexedToken | undefined) => t?.type === 'SEP' && t.text === '\n';
    if (newline(token) && prev?.type === ')' && expected === '{') return 'the body\'s \'{\' must be on the same line as \')\'';
    if (token && ['.', '(', '['].includes(token.type) && newline(prev)) {
        return `'${token.text}' must stay on the line of the value it applies to`;
    }
    if (token?.type === ':' && newline(prev)) return 'a label and its \':\' must be on the same line';
    if (token?.type === ':' && prev?.type === 'ID') return 'labels, argument and parameter names are single names';
    if (token?.type === '?') return '\'?\' only marks the monadic parameter of a definition';
    if (prev?.type === '-' && token && !['INT', 'FLOAT'].includes(token.type)) return '\'-\' only negates a number literal';
    if (token && TERM_START.has(token.type) && prev && !['SEP', '(', '[', '{', ':'].includes(prev.type)) {
        return 'expected a separator (newline, \',\' or \';\') before it';
    }
    if (newline(token) && prev?.type === ':') return 'the formula must start on the line of its label';
    return undefined;
}

function literalDiagnostics(leaves: LeafCstNode[], lines: LineIndex): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    for (const leaf of leaves) {
        const type = leaf.tokenType.name;
        if (type === 'STRING') {
            const decoded = decodeGoString(leaf.text);
            if (decoded.error) {
                const unterminated = decoded.error.message.includes('not terminated');
                out.push({
                    severity: 'error', code: unterminated ? 'unterminated-string' : 'bad-escape',
                    message: unterminated ? 'string literal not terminated: a "..." string must close on its line (use a `raw string` for several lines)' : decoded.error.message,
                    range: unterminated ? lines.range(leaf.offset, leaf.end) : lines.range(leaf.offset + decoded.error.offset, leaf.offset + decoded.error.offset + decoded.error.length),
                });
            }
        } else if (type === 'RAW') {
            if (leaf.text.length < 2 || !leaf.text.endsWith('`')) {
                out.push({ severity: 'error', code: 'unterminated-string', message: 'raw string not terminated: no closing backtick', range: lines.range(leaf.offset, leaf.offset + 1) });
            }
        } else if (type === 'INT') {
            if (parseKoInteger(leaf.text) === undefined) {
                const why = /^\d+$/.test(leaf.text) ? 'it does not fit in Int64'
                    : /^0[xXoObB]/.test(leaf.text) ? 'Ko integers are decimal only (no 0x, 0o or 0b)'
                        : leaf.text.includes('_') ? 'Ko integers have no digit separators'
                            : 'a number must not run into letters';
                out.push({ severity: 'error', code: 'bad-number', message: `invalid number ${leaf.text}: ${why}`, range: lines.range(leaf.offset, leaf.end) });
            }
        }
    }
    return out;
}

/**
 * Comments are legal only where a separator is (gap positions), plus one right after an
 * import. Between the tokens of one term (`a /* c *\/ : 1`, `F /* c *\/ (x)`) they are errors.
 */
function commentDiagnostics(leaves: LeafCstNode[], lines: LineIndex): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    let prev: LeafCstNode | undefined;
    const pending: { leaf: LeafCstNode; prev?: LeafCstNode }[] = [];
    const settle = (next: LeafCstNode | undefined) => {
        for (const c of pending) {
            if (c.leaf.tokenType.name === 'ML_COMMENT' && !c.leaf.text.endsWith('*/')) {
                out.push({ severity: 'warning', code: 'unterminated-comment', message: 'comment not terminated: the rest of the file is part of this comment', range: lines.range(c.leaf.offset, c.leaf.offset + 2) });
            }
            if (!legalComment(c.prev, next)) {
                out.push({
                    severity: 'error', code: 'comment-position',
                    message: 'a comment cannot stand here: Ko accepts comments only where a separator could stand (between items, terms or parameters)',
                    range: lines.range(c.leaf.offset, c.leaf.end),
                });
            }
        }
        pending.length = 0;
    };
    for (const leaf of leaves) {
        const type = leaf.tokenType.name;
        if (type === 'WS') continue;
        if (type === 'ML_COMMENT' || type === 'SL_COMMENT') { pending.push({ leaf, prev }); continue; }
        if (pending.length > 0) settle(leaf);
        prev = leaf;
    }
    settle(undefined);
    return out;
}

function legalComment(prev: LeafCstNode | undefined, next: LeafCstNode | undefined): boolean {
    const p = prev?.tokenType.name;
    const n = next?.tokenType.name;
    if (!prev || p === 'SEP' || p === '(' || p === '[' || p === '{') return true;
    if (!next || n === 'SEP' || n === ')' || n === ']' || n === '}') return true;
    // Between top-level items: after a function's closing brace or an import clause.
    if (endsTopLevelItem(prev)) return true;
    // `label: /* c */ g() { ... }`: the inline-definition gap of the reference parser.
    if (p === ':' && n === 'ID' && startsInlineFunc(next)) return true;
    return false;
}

/** The last token of a top-level function or of an import clause. */
function endsTopLevelItem(leaf: LeafCstNode): boolean {
    const node = leaf.astNode;
    if (node.$type !== 'FuncDef' && node.$type !== 'Import') return false;
    return node.$container?.$type === 'KoFile' && leaf.end === node.$cstNode?.end;
}

function startsInlineFunc(leaf: LeafCstNode): boolean {
    return leaf.astNode.$type === 'FuncDef';
}

function dedupe(diagnostics: KoDiagnostic[]): KoDiagnostic[] {
    const seen = new Set<string>();
    return diagnostics.filter(d => {
        const key = `${d.code}@${d.range.start.line}:${d.range.start.character}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
