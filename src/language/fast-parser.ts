// A hand-written lexer and recursive-descent parser for syntactically clean Ko files. It builds
// the same AST as the Langium parser (ko.langium) but no concrete syntax tree: each node gets a
// light `$cstNode` (offset, end, text, range) and the token spans of its properties, which is all
// that `ko check`, the package index and the runtime loader need. Building Langium's CST and its
// garbage dominated whole-workspace checks and program loading.
//
// It declines (returns undefined) at the first thing that would produce a syntax diagnostic: a
// lexer or parser error, a malformed literal, a comment whose place needs the full check, a lone
// carriage return. Callers then use the Langium parser, so the diagnostics are the same either way;
// test/unit/language/fast-parser.test.ts checks that equivalence over the corpus and fuzz inputs.
import type { AstNode } from 'langium';
import type { Expr, FuncDef, Import, KoFile, Param, Term } from './generated/ast.js';
import { decodeGoString, parseKoInteger } from './ast-utils.js';
import { LineIndex } from './diagnostics.js';
import type { KoRange } from '../protocol/ko-protocol.js';

const enum T {
    EOF, SEP, FLOAT, INT, STRING, RAW, ID, IMPORT, USE, AS,
    LPAREN, RPAREN, LBRACE, RBRACE, LBRACK, RBRACK, COLON, QUESTION, DOT, MINUS,
}

/** The text and token spans shared by every light node of one file. */
class SourceText {
    private lineIndex: LineIndex | undefined;
    constructor(readonly text: string, readonly starts: Int32Array, readonly ends: Int32Array) {}
    get lines(): LineIndex { return this.lineIndex ??= new LineIndex(this.text); }
    /** As Langium reports it: a span ending in a newline token ends on that newline's line. */
    range(offset: number, end: number): KoRange {
        if (end > offset && this.text.charCodeAt(end - 1) === 10) {
            const range = this.lines.range(offset, end - 1);
            return { start: range.start, end: { line: range.end.line, character: range.end.character + 1 } };
        }
        return this.lines.range(offset, end);
    }
}

/** Stands in for a Langium CST node: the node's first and last token, and its property tokens. */
export class LightCstNode {
    constructor(
        private readonly source: SourceText,
        private readonly first: number,
        private readonly last: number,
        /** Property name to token index, for properties whose value is a token. */
        readonly propertyTokens?: Readonly<Record<string, number>>,
    ) {}
    get offset(): number { return this.source.starts[this.first]; }
    get end(): number { return this.source.ends[this.last]; }
    get length(): number { return this.end - this.offset; }
    get text(): string { return this.source.text.substring(this.offset, this.end); }
    get range(): KoRange { return this.source.range(this.offset, this.end); }
    /** The span of a property's token, if the property is a token of this node. */
    propertySpan(property: string): { offset: number; end: number; range: KoRange; text: string } | undefined {
        const token = this.propertyTokens?.[property];
        if (token === undefined) return undefined;
        const offset = this.source.starts[token], end = this.source.ends[token];
        const source = this.source;
        return { offset, end, get range() { return source.range(offset, end); }, get text() { return source.text.substring(offset, end); } };
    }
}

export function isLightCstNode(node: unknown): node is LightCstNode {
    return node instanceof LightCstNode;
}

class Decline extends Error {}
const DECLINE = new Decline();

const ID_RE = /[_\p{L}][_\p{L}\p{Nd}]*/uy;
const FLOAT_RE = /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/y;
const INT_RE = /\d[0-9a-zA-Z_]*/y;
const STRING_RE = /"(?:\\.|[^"\\\n])*"?/y;

interface Tokens { types: Uint8Array; starts: Int32Array; ends: Int32Array; count: number }

/** Lexes like the Langium lexer; undefined where that lexer or a literal check would complain. */
function lex(text: string): Tokens | undefined {
    const n = text.length;
    let capacity = (n >> 2) + 16;
    let types = new Uint8Array(capacity), starts = new Int32Array(capacity), ends = new Int32Array(capacity);
    let count = 0;
    // A comment is trivially legal after nothing, a separator or an opening bracket, or before
    // a separator or a closing bracket; anything else needs the full comment check.
    let pendingComment = false, prevType = -1;
    const push = (type: T, start: number, end: number) => {
        if (pendingComment) {
            pendingComment = false;
            if (!(type === T.SEP || type === T.RPAREN || type === T.RBRACK || type === T.RBRACE || type === T.EOF)) return false;
        }
        if (count === capacity) {
            capacity *= 2;
            const t2 = new Uint8Array(capacity); t2.set(types); types = t2;
            const s2 = new Int32Array(capacity); s2.set(starts); starts = s2;
            const e2 = new Int32Array(capacity); e2.set(ends); ends = e2;
        }
        types[count] = type; starts[count] = start; ends[count] = end; count++;
        prevType = type;
        return true;
    };
    let i = 0;
    while (i < n) {
        const c = text.charCodeAt(i);
        let type: T, end = i + 1;
        switch (c) {
            case 32: case 9: case 0xfeff: i++; continue;
            // A lone carriage return is a line break to some and not to others: leave it to Langium.
            case 13: if (text.charCodeAt(i + 1) !== 10) return undefined; i++; continue;
            case 10: case 44: case 59: type = T.SEP; break;
            case 40: type = T.LPAREN; break;
            case 41: type = T.RPAREN; break;
            case 123: type = T.LBRACE; break;
            case 125: type = T.RBRACE; break;
            case 91: type = T.LBRACK; break;
            case 93: type = T.RBRACK; break;
            case 58: type = T.COLON; break;
            case 63: type = T.QUESTION; break;
            case 45: type = T.MINUS; break;
            case 47: { // comments
                const next = text.charCodeAt(i + 1);
                if (next === 47) {
                    const eol = text.indexOf('\n', i);
                    i = eol < 0 ? n : eol;
                } else if (next === 42) {
                    const close = text.indexOf('*/', i + 2);
                    if (close < 0) return undefined;
                    i = close + 2;
                } else return undefined;
                if (pendingComment) continue;
                if (!(prevType < 0 || prevType === T.SEP || prevType === T.LPAREN || prevType === T.LBRACK || prevType === T.LBRACE)) pendingComment = true;
                continue;
            }
            case 34: { // "string"
                STRING_RE.lastIndex = i;
                STRING_RE.test(text);
                end = STRING_RE.lastIndex;
                if (decodeGoString(text.substring(i, end)).error) return undefined;
                type = T.STRING;
                break;
            }
            case 96: { // `raw`
                const close = text.indexOf('`', i + 1);
                if (close < 0) return undefined;
                end = close + 1;
                type = T.RAW;
                break;
            }
            case 46: // '.', or a float such as .5
                if (isDigit(text.charCodeAt(i + 1))) {
                    FLOAT_RE.lastIndex = i;
                    FLOAT_RE.test(text);
                    end = FLOAT_RE.lastIndex;
                    type = T.FLOAT;
                } else type = T.DOT;
                break;
            default:
                if (isDigit(c)) {
                    FLOAT_RE.lastIndex = i;
                    if (FLOAT_RE.test(text)) { end = FLOAT_RE.lastIndex; type = T.FLOAT; break; }
                    INT_RE.lastIndex = i;
                    INT_RE.test(text);
                    end = INT_RE.lastIndex;
                    if (parseKoInteger(text.substring(i, end)) === undefined) return undefined;
                    type = T.INT;
                    break;
                }
                end = i;
                while (end < n) {
                    const d = text.charCodeAt(end);
                    if ((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || d === 95 || (end > i && d >= 48 && d <= 57)) end++;
                    else break;
                }
                if (end < n && text.charCodeAt(end) >= 128) {
                    ID_RE.lastIndex = i;
                    if (!ID_RE.test(text)) return undefined;
                    end = ID_RE.lastIndex;
                }
                if (end === i) return undefined;
                type = T.ID;
                if (end - i <= 6) {
                    const word = text.substring(i, end);
                    if (word === 'import') type = T.IMPORT;
                    else if (word === 'use') type = T.USE;
                    else if (word === 'as') type = T.AS;
                }
        }
        if (!push(type, i, end)) return undefined;
        i = end;
    }
    if (!push(T.EOF, n, n)) return undefined;
    return { types, starts, ends, count };
}

function isDigit(c: number): boolean {
    return c >= 48 && c <= 57;
}

function isName(t: number): boolean {
    return t === T.ID || t === T.IMPORT || t === T.USE || t === T.AS;
}

/** Recursive descent over the token arrays, following ko.langium rule by rule. */
class Parser {
    private p = 0;
    private readonly types: Uint8Array;
    private readonly source: SourceText;

    constructor(private readonly text: string, tokens: Tokens) {
        this.types = tokens.types;
        this.source = new SourceText(text, tokens.starts, tokens.ends);
    }

    private tokenText(i: number): string {
        return this.text.substring(this.source.starts[i], this.source.ends[i]);
    }

    private cst(first: number, last: number, props?: Record<string, number>): LightCstNode {
        return new LightCstNode(this.source, first, last, props);
    }

    private expect(type: T): number {
        if (this.types[this.p] !== type) throw DECLINE;
        return this.p++;
    }

    private skipSeps(): boolean {
        const start = this.p;
        while (this.types[this.p] === T.SEP) this.p++;
        return this.p > start;
    }

    file(): KoFile {
        const imports: Import[] = [], functions: FuncDef[] = [];
        const file = { $type: 'KoFile', imports, functions } as unknown as KoFile;
        const types = this.types;
        let first = -1;
        for (;;) {
            const t = types[this.p];
            if (t === T.EOF) break;
            if (first < 0) first = this.p;
            if (t === T.SEP) { this.p++; continue; }
            if ((t === T.IMPORT || t === T.USE) && (types[this.p + 1] === T.STRING || types[this.p + 1] === T.RAW)) {
                imports.push(contain(this.importClause(), file, 'imports', imports.length));
            } else if (isName(t) && types[this.p + 1] === T.LPAREN) {
                functions.push(contain(this.funcDef(), file, 'functions', functions.length));
            } else throw DECLINE;
        }
        const last = this.p - 1;
        // Like Langium's root: from the first to the last visible token, or all text when none.
        (file as { $cstNode: unknown }).$cstNode = first >= 0 ? this.cst(first, last)
            : new LightCstNode(new SourceText(this.text, Int32Array.of(0), Int32Array.of(this.text.length)), 0, 0);
        return file;
    }

    private importClause(): Import {
        const start = this.p;
        const keyword = this.tokenText(this.p++) as Import['keyword'];
        const pathToken = this.p++;
        const node = { $type: 'Import', keyword, path: this.tokenText(pathToken) } as Import;
        const props: Record<string, number> = { keyword: start, path: pathToken };
        if (this.types[this.p] === T.AS && isName(this.types[this.p + 1])) {
            this.p++;
            props.alias = this.p;
            (node as { alias?: string }).alias = this.tokenText(this.p++);
        }
        (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, props);
        return node;
    }

    private funcDef(): FuncDef {
        const start = this.p;
        const name = this.tokenText(this.p++);
        this.expect(T.LPAREN);
        const params: Param[] = [], terms: Term[] = [];
        const node = { $type: 'FuncDef', name, params, terms } as unknown as FuncDef;
        this.skipSeps();
        while (this.types[this.p] !== T.RPAREN) {
            if (!isName(this.types[this.p])) throw DECLINE;
            params.push(contain(this.param(), node, 'params', params.length));
            if (!this.skipSeps() && this.types[this.p] !== T.RPAREN) throw DECLINE;
        }
        this.p++;
        const brace = this.expect(T.LBRACE);
        this.termList(node, terms, T.RBRACE);
        (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, { name: start, '{': brace });
        return node;
    }

    private param(): Param {
        const start = this.p;
        const name = this.tokenText(this.p++);
        let monadic = false;
        let props: Record<string, number> = { name: start };
        if (this.types[this.p] === T.QUESTION) { monadic = true; props = { name: start, monadic: this.p }; this.p++; }
        const node = { $type: 'Param', name, monadic } as Param;
        (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, props);
        return node;
    }

    /** `SEP* (Term (SEP+ Term)* SEP*)? close`, consuming the closing token. */
    private termList(container: AstNode, terms: Term[], close: T): void {
        this.skipSeps();
        while (this.types[this.p] !== close) {
            terms.push(contain(this.term(), container, 'terms', terms.length));
            if (!this.skipSeps() && this.types[this.p] !== close) throw DECLINE;
        }
        this.p++;
    }

    private term(): Term {
        const start = this.p;
        const types = this.types;
        const node = { $type: 'Term', colon: false, newlineAfterColon: false } as Term;
        let props: Record<string, number> | undefined;
        if (isName(types[this.p]) && types[this.p + 1] === T.COLON) {
            props = { label: this.p, colon: this.p + 1 };
            (node as { label?: string }).label = this.tokenText(this.p);
            this.p += 2;
            node.colon = true;
        } else if (types[this.p] === T.COLON) {
            props = { colon: this.p };
            this.p++;
            node.colon = true;
        }
        if (node.colon && types[this.p] === T.SEP) {
            props!.newlineAfterColon = this.p;
            node.newlineAfterColon = true;
            this.skipSeps();
        }
        node.value = contain(this.expr(), node, 'value');
        (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, props);
        return node;
    }

    private expr(): Expr {
        const start = this.p;
        let current = this.primary();
        const types = this.types;
        for (;;) {
            const t = types[this.p];
            if (t === T.LPAREN || t === T.LBRACK) {
                this.p++;
                const terms: Term[] = [];
                const node = { $type: t === T.LPAREN ? 'Invoke' : 'Augment', target: current, terms } as unknown as Expr;
                contain(current, node, 'target');
                this.termList(node, terms, t === T.LPAREN ? T.RPAREN : T.RBRACK);
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1);
                current = node;
            } else if (t === T.DOT) {
                this.p++;
                if (!isName(types[this.p])) throw DECLINE;
                const field = this.p++;
                const node = { $type: 'Select', target: current, field: this.tokenText(field) } as unknown as Expr;
                contain(current, node, 'target');
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, field, { field });
                current = node;
            } else return current;
        }
    }

    private primary(): Expr {
        const start = this.p;
        const types = this.types;
        const t = types[start];
        if (isName(t)) {
            if (types[start + 1] === T.LPAREN && this.isInlineFunc()) {
                const node = { $type: 'InlineFunc' } as unknown as Expr & { func: FuncDef };
                node.func = contain(this.funcDef(), node, 'func');
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1);
                return node;
            }
            const ref = this.ref();
            if (types[this.p] !== T.LBRACE) return ref;
            const brace = this.p++;
            const terms: Term[] = [];
            const node = { $type: 'CurlyConstruct', callee: ref, terms } as unknown as Expr;
            contain(ref, node, 'callee');
            this.termList(node, terms, T.RBRACE);
            (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, { '{': brace });
            return node;
        }
        switch (t) {
            case T.MINUS: case T.INT: case T.FLOAT: {
                const negative = t === T.MINUS;
                if (negative) this.p++;
                const valueToken = this.p;
                if (types[valueToken] !== T.INT && types[valueToken] !== T.FLOAT) throw DECLINE;
                this.p++;
                const node = { $type: 'NumberLiteral', negative, value: this.tokenText(valueToken) } as unknown as Expr;
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, valueToken, { value: valueToken });
                return node;
            }
            case T.STRING: case T.RAW: {
                this.p++;
                const property = t === T.STRING ? 'value' : 'raw';
                const node = { $type: 'StringLiteral', [property]: this.tokenText(start) } as unknown as Expr;
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, start, { [property]: start });
                return node;
            }
            case T.LPAREN: case T.LBRACK: {
                this.p++;
                const terms: Term[] = [];
                const node = { $type: 'Construct', bracket: t === T.LPAREN ? '(' : '[', terms } as unknown as Expr;
                this.termList(node, terms, t === T.LPAREN ? T.RPAREN : T.RBRACK);
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, { bracket: start });
                return node;
            }
            case T.LBRACE: {
                this.p++;
                const terms: Term[] = [];
                const node = { $type: 'CurlyConstruct', terms } as unknown as Expr;
                this.termList(node, terms, T.RBRACE);
                (node as { $cstNode: unknown }).$cstNode = this.cst(start, this.p - 1, { '{': start });
                return node;
            }
            default:
                throw DECLINE;
        }
    }

    private ref(): Expr {
        const at = this.p++;
        const node = { $type: 'Ref', name: this.tokenText(at) } as unknown as Expr;
        (node as { $cstNode: unknown }).$cstNode = this.cst(at, at, { name: at });
        return node;
    }

    /** `Name ( params ) {` ahead: an inline definition rather than a call. */
    private isInlineFunc(): boolean {
        const types = this.types;
        let q = this.p + 2;
        while (types[q] === T.SEP) q++;
        while (types[q] !== T.RPAREN) {
            if (!isName(types[q])) return false;
            q++;
            if (types[q] === T.QUESTION) q++;
            if (types[q] === T.SEP) { while (types[q] === T.SEP) q++; } else if (types[q] !== T.RPAREN) return false;
        }
        return types[q + 1] === T.LBRACE;
    }
}

function contain<N>(child: N, container: AstNode, property: string, index?: number): N {
    const node = child as { $container: AstNode; $containerProperty: string; $containerIndex?: number };
    node.$container = container;
    node.$containerProperty = property;
    if (index !== undefined) node.$containerIndex = index;
    return child;
}

/**
 * Parses a Ko file that is free of syntax errors; undefined when the file needs the Langium
 * parser (any syntax error, a literal or comment that the syntax checks must look at).
 */
export function parseCleanKo(text: string): KoFile | undefined {
    const tokens = lex(text);
    if (!tokens) return undefined;
    try {
        return new Parser(text, tokens).file();
    } catch (e) {
        if (e === DECLINE) return undefined;
        throw e;
    }
}
