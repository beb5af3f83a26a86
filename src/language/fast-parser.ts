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
import type { AstNode, CstNode } from 'langium';
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

/**
 * An AST node of the fast parser: its first and last token instead of a CST node. `$cstNode` is
 * made on demand (only diagnostics and run events ask for positions); keeping the AST small
 * matters because a package's ASTs are alive through its analysis, so their size is what
 * garbage collection copies.
 */
class FastNode {
    $last = 0;
    // Set when the node is placed in its container; declared here so that they live inside the
    // object (added later, they overflowed into a separate property array per node).
    $container: AstNode | undefined = undefined;
    $containerProperty: string | undefined = undefined;
    $containerIndex: number | undefined = undefined;
    /** FuncDef: the body's `{` token. */
    declare $brace?: number;
    constructor(readonly $type: string, readonly $source: SourceText, readonly $first: number) {}
    get $cstNode(): CstNode { return new LightCstNode(this) as unknown as CstNode; }
}

/** Stands in for a Langium CST node: the node's first and last token, and its property tokens. */
export class LightCstNode {
    constructor(private readonly node: FastNode) {}
    get offset(): number { return this.node.$source.starts[this.node.$first]; }
    get end(): number { return this.node.$source.ends[this.node.$last]; }
    get length(): number { return this.end - this.offset; }
    get text(): string { return this.node.$source.text.substring(this.offset, this.end); }
    get range(): KoRange { return this.node.$source.range(this.offset, this.end); }
    /** The span of a property's token, if the property is a token of this node. */
    propertySpan(property: string): { offset: number; end: number; range: KoRange; text: string } | undefined {
        const token = propertyToken(this.node, property);
        if (token === undefined) return undefined;
        const source = this.node.$source;
        const offset = source.starts[token], end = source.ends[token];
        return { offset, end, get range() { return source.range(offset, end); }, get text() { return source.text.substring(offset, end); } };
    }
}

/** Which token holds a token-valued property, from the node's shape (see the grammar rules). */
function propertyToken(node: FastNode, property: string): number | undefined {
    const { $first: first, $last: last } = node;
    const values = node as unknown as Record<string, unknown>;
    switch (`${node.$type}.${property}`) {
        case 'Import.keyword': case 'FuncDef.name': case 'Param.name': case 'Ref.name': case 'Construct.bracket': return first;
        case 'Import.path': return first + 1;
        case 'Import.alias': return values.alias !== undefined ? last : undefined;
        case 'FuncDef.{': return node.$brace;
        case 'Param.monadic': return values.monadic ? last : undefined;
        case 'Term.label': return values.label !== undefined ? first : undefined;
        case 'Term.colon': return values.colon ? (values.label !== undefined ? first + 1 : first) : undefined;
        case 'Term.newlineAfterColon': return values.newlineAfterColon ? (values.label !== undefined ? first + 2 : first + 1) : undefined;
        case 'Select.field': case 'NumberLiteral.value': return last;
        case 'StringLiteral.value': case 'StringLiteral.raw': return values[property] !== undefined ? first : undefined;
        case 'CurlyConstruct.{': return values.callee ? (values.callee as FastNode).$last + 1 : first;
        default: return undefined;
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

interface Tokens {
    types: Uint8Array; starts: Int32Array; ends: Int32Array;
    /** The span from the first comment's start to the last one's end (-1 when none). */
    commentStart: number; commentEnd: number;
}

/** Lexes like the Langium lexer; undefined where that lexer or a literal check would complain. */
function lex(text: string): Tokens | undefined {
    const n = text.length;
    let capacity = (n >> 2) + 16;
    let types = new Uint8Array(capacity), starts = new Int32Array(capacity), ends = new Int32Array(capacity);
    let count = 0;
    // A comment is trivially legal after nothing, a separator or an opening bracket, or before
    // a separator or a closing bracket; anything else needs the full comment check.
    let pendingComment = false, prevType = -1, commentStart = -1, commentEnd = -1;
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
                const i0 = i;
                const next = text.charCodeAt(i + 1);
                if (next === 47) {
                    const eol = text.indexOf('\n', i);
                    i = eol < 0 ? n : eol;
                } else if (next === 42) {
                    const close = text.indexOf('*/', i + 2);
                    if (close < 0) return undefined;
                    i = close + 2;
                } else return undefined;
                if (commentStart < 0) commentStart = i0;
                commentEnd = i;
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
        // Written out here rather than in a helper closure: this is the lexer's innermost loop.
        if (pendingComment) {
            pendingComment = false;
            if (!(type === T.SEP || type === T.RPAREN || type === T.RBRACK || type === T.RBRACE)) return undefined;
        }
        if (count === capacity) {
            capacity *= 2;
            const t2 = new Uint8Array(capacity); t2.set(types); types = t2;
            const s2 = new Int32Array(capacity); s2.set(starts); starts = s2;
            const e2 = new Int32Array(capacity); e2.set(ends); ends = e2;
        }
        types[count] = type; starts[count] = i; ends[count] = end; count++;
        prevType = type;
        i = end;
    }
    if (count === capacity) {
        const t2 = new Uint8Array(capacity + 1); t2.set(types); types = t2;
        const s2 = new Int32Array(capacity + 1); s2.set(starts); starts = s2;
        const e2 = new Int32Array(capacity + 1); e2.set(ends); ends = e2;
    }
    types[count] = T.EOF; starts[count] = n; ends[count] = n; count++;
    return { types, starts, ends, commentStart, commentEnd };
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
    /** Every function, inline ones included, in text order (as the file facts list them). */
    private readonly functions: FuncDef[] = [];

    constructor(private readonly text: string, private readonly tokens: Tokens) {
        this.types = tokens.types;
        this.source = new SourceText(text, tokens.starts, tokens.ends);
    }

    private tokenText(i: number): string {
        return this.text.substring(this.source.starts[i], this.source.ends[i]);
    }

    private node<N>(type: string, first: number): N & FastNode {
        return new FastNode(type, this.source, first) as N & FastNode;
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
        const types = this.types;
        // Like Langium's root: from the first to the last visible token; else over the comments.
        const { commentStart, commentEnd } = this.tokens;
        const file = types[this.p] === T.EOF
            ? new FastNode('KoFile', new SourceText(this.text, Int32Array.of(Math.max(0, commentStart)), Int32Array.of(Math.max(0, commentEnd))), 0) as KoFile & FastNode
            : this.node<KoFile>('KoFile', this.p);
        const imports: Import[] = file.imports = [], functions: FuncDef[] = file.functions = [];
        for (;;) {
            const t = types[this.p];
            if (t === T.EOF) break;
            if (t === T.SEP) { this.p++; continue; }
            if ((t === T.IMPORT || t === T.USE) && (types[this.p + 1] === T.STRING || types[this.p + 1] === T.RAW)) {
                imports.push(contain(this.importClause(), file, 'imports', imports.length));
            } else if (isName(t) && types[this.p + 1] === T.LPAREN) {
                functions.push(contain(this.funcDef(), file, 'functions', functions.length));
            } else throw DECLINE;
        }
        file.$last = Math.max(0, this.p - 1);
        (file as unknown as { $functions: FuncDef[] }).$functions = this.functions;
        return file;
    }

    private importClause(): Import {
        const node = this.node<Import>('Import', this.p);
        node.keyword = this.tokenText(this.p++) as Import['keyword'];
        node.path = this.tokenText(this.p++);
        if (this.types[this.p] === T.AS && isName(this.types[this.p + 1])) {
            this.p++;
            node.alias = this.tokenText(this.p++);
        }
        node.$last = this.p - 1;
        return node;
    }

    private funcDef(): FuncDef {
        const node = this.node<FuncDef>('FuncDef', this.p);
        this.functions.push(node);
        node.name = this.tokenText(this.p++);
        const params: Param[] = node.params = [];
        this.expect(T.LPAREN);
        this.skipSeps();
        while (this.types[this.p] !== T.RPAREN) {
            if (!isName(this.types[this.p])) throw DECLINE;
            params.push(contain(this.param(), node, 'params', params.length));
            if (!this.skipSeps() && this.types[this.p] !== T.RPAREN) throw DECLINE;
        }
        this.p++;
        if (params.length > 0) node.params = params.slice();
        node.$brace = this.expect(T.LBRACE);
        node.terms = this.termList(node, T.RBRACE);
        node.$last = this.p - 1;
        return node;
    }

    private param(): Param {
        const node = this.node<Param>('Param', this.p);
        node.name = this.tokenText(this.p++);
        node.monadic = this.types[this.p] === T.QUESTION;
        if (node.monadic) this.p++;
        node.$last = this.p - 1;
        return node;
    }

    /** `SEP* (Term (SEP+ Term)* SEP*)? close`, consuming the closing token. */
    private termList(container: AstNode, close: T): Term[] {
        const terms: Term[] = [];
        this.skipSeps();
        while (this.types[this.p] !== close) {
            terms.push(contain(this.term(), container, 'terms', terms.length));
            if (!this.skipSeps() && this.types[this.p] !== close) throw DECLINE;
        }
        this.p++;
        // A pushed-to array keeps room for 16 elements; most lists hold one to three.
        return terms.length === 0 ? terms : terms.slice();
    }

    private term(): Term {
        const types = this.types;
        const node = this.node<Term>('Term', this.p);
        node.colon = false;
        node.newlineAfterColon = false;
        if (isName(types[this.p]) && types[this.p + 1] === T.COLON) {
            node.label = this.tokenText(this.p);
            this.p += 2;
            node.colon = true;
        } else if (types[this.p] === T.COLON) {
            this.p++;
            node.colon = true;
        }
        if (node.colon && types[this.p] === T.SEP) {
            node.newlineAfterColon = true;
            this.skipSeps();
        }
        node.value = contain(this.expr(), node, 'value');
        node.$last = this.p - 1;
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
                const node = this.node<{ target: Expr; terms: Term[] }>(t === T.LPAREN ? 'Invoke' : 'Augment', start);
                node.target = contain(current, node, 'target');
                node.terms = this.termList(node, t === T.LPAREN ? T.RPAREN : T.RBRACK);
                node.$last = this.p - 1;
                current = node as unknown as Expr;
            } else if (t === T.DOT) {
                this.p++;
                if (!isName(types[this.p])) throw DECLINE;
                const node = this.node<{ target: Expr; field: string }>('Select', start);
                node.target = contain(current, node, 'target');
                node.field = this.tokenText(this.p);
                node.$last = this.p++;
                current = node as unknown as Expr;
            } else return current;
        }
    }

    private primary(): Expr {
        const start = this.p;
        const types = this.types;
        const t = types[start];
        if (isName(t)) {
            if (types[start + 1] === T.LPAREN && this.isInlineFunc()) {
                const node = this.node<{ func: FuncDef }>('InlineFunc', start);
                node.func = contain(this.funcDef(), node, 'func');
                node.$last = this.p - 1;
                return node as unknown as Expr;
            }
            const ref = this.ref();
            if (types[this.p] !== T.LBRACE) return ref;
            this.p++;
            const node = this.node<{ callee: Expr; terms: Term[] }>('CurlyConstruct', start);
            node.callee = contain(ref, node, 'callee');
            node.terms = this.termList(node, T.RBRACE);
            node.$last = this.p - 1;
            return node as unknown as Expr;
        }
        switch (t) {
            case T.MINUS: case T.INT: case T.FLOAT: {
                const node = this.node<{ negative: boolean; value: string }>('NumberLiteral', start);
                node.negative = t === T.MINUS;
                if (node.negative) this.p++;
                if (types[this.p] !== T.INT && types[this.p] !== T.FLOAT) throw DECLINE;
                node.value = this.tokenText(this.p);
                node.$last = this.p++;
                return node as unknown as Expr;
            }
            case T.STRING: case T.RAW: {
                const node = this.node<{ value?: string; raw?: string }>('StringLiteral', start);
                if (t === T.STRING) node.value = this.tokenText(start); else node.raw = this.tokenText(start);
                node.$last = this.p++;
                return node as unknown as Expr;
            }
            case T.LPAREN: case T.LBRACK: {
                this.p++;
                const node = this.node<{ bracket: string; terms: Term[] }>('Construct', start);
                node.bracket = t === T.LPAREN ? '(' : '[';
                node.terms = this.termList(node, t === T.LPAREN ? T.RPAREN : T.RBRACK);
                node.$last = this.p - 1;
                return node as unknown as Expr;
            }
            case T.LBRACE: {
                this.p++;
                const node = this.node<{ terms: Term[] }>('CurlyConstruct', start);
                node.terms = this.termList(node, T.RBRACE);
                node.$last = this.p - 1;
                return node as unknown as Expr;
            }
            default:
                throw DECLINE;
        }
    }

    private ref(): Expr {
        const node = this.node<{ name: string }>('Ref', this.p);
        node.name = this.tokenText(this.p);
        node.$last = this.p++;
        return node as unknown as Expr;
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
 * `KO_FAST_PARSER=off` sends every file to the Langium parser: for comparisons (the check
 * benchmark's baseline) and for ruling the fast parser out when a result looks wrong.
 */
const FAST_PARSER_OFF = typeof process !== 'undefined' && process.env?.KO_FAST_PARSER === 'off';

/** The functions of a file from the fast parser, inline ones included, in text order. */
export function functionsOfCleanFile(file: KoFile): readonly FuncDef[] | undefined {
    return (file as { $functions?: readonly FuncDef[] }).$functions;
}

/**
 * Parses a Ko file that is free of syntax errors; undefined when the file needs the Langium
 * parser (any syntax error, a literal or comment that the syntax checks must look at).
 */
export function parseCleanKo(text: string): KoFile | undefined {
    if (FAST_PARSER_OFF) return undefined;
    const tokens = lex(text);
    if (!tokens) return undefined;
    try {
        return new Parser(text, tokens).file();
    } catch (e) {
        if (e === DECLINE) return undefined;
        throw e;
    }
}
