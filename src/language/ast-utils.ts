// Helpers over the generated Ko AST that every layer shares (validator, LSP, runtime):
// reference paths (`a.b.c` is Select(Select(Ref a, b), c) in the AST), hoisted functions,
// step lists and term-list shapes.
import type { AstNode } from 'langium';
import { factsOf } from './file-facts.js';
import type { Expr, FuncDef, KoFile, Ref, Select, Term } from './generated/ast.js';

// Node types are tested by comparing `$type`: every Ko node type is concrete (no subtypes), and
// Langium's generated isX guards go through the reflection's isSubtype, which showed up in
// profiles of `ko check` (these helpers run for every reference).

/** A dotted reference `p0.p1...pn` as the reference parser sees it (one Ref plus Selects). */
export interface RefPath {
    /** The outermost node of the path (a Ref or the last Select). */
    readonly node: Ref | Select;
    readonly head: Ref;
    readonly segments: readonly string[];
}

/** The path rooted at `ref`: the maximal chain of `.name` selections applied directly to it. */
export function refPathOf(ref: Ref): RefPath {
    const node = pathEnd(ref);
    if (node === ref) return { node, head: ref, segments: [ref.name] };
    // An exact-size array: push() would grow a literal to 17 slots, for every member reference.
    let length = 1;
    for (let n: Ref | Select = ref; n !== node; n = n.$container as Select) length++;
    const segments = new Array<string>(length);
    segments[0] = ref.name;
    let i = 1;
    for (let n = selectionOf(ref); n; n = selectionOf(n)) segments[i++] = n.field;
    return { node, head: ref, segments };
}

/** The outermost node of the path rooted at `ref` (`ref` itself when nothing is selected from it). */
function pathEnd(ref: Ref): Ref | Select {
    let node: Ref | Select = ref;
    for (let next = selectionOf(node); next; next = selectionOf(node)) node = next;
    return node;
}

/** The `.field` selection applied directly to `node` (the next segment of its path), if any. */
export function selectionOf(node: Ref | Select): Select | undefined {
    const parent = node.$container as AstNode | undefined;
    return parent?.$type === 'Select' && (parent as Select).target === node && (parent as Select).field !== undefined ? parent as Select : undefined;
}

/** If `expr` is a pure path (Ref with selections), returns it; otherwise undefined. */
export function asRefPath(expr: Expr | undefined): RefPath | undefined {
    const head = pathHead(expr);
    return head && refPathOf(head);
}

/** If `expr` is a pure path, the reference it starts at (asRefPath without building the path). */
function pathHead(expr: Expr | undefined): Ref | undefined {
    let node: Expr | undefined = expr;
    while (node?.$type === 'Select') node = node.target;
    return node?.$type === 'Ref' && pathEnd(node) === expr ? node : undefined;
}

/** The function definition (top-level or inline) whose body lexically contains `node`. */
export function enclosingFunction(node: AstNode): FuncDef | undefined {
    let current = node.$container;
    while (current && current.$type !== 'FuncDef') current = current.$container;
    return current as FuncDef | undefined;
}

/** Every function of a file: top-level ones and inline definitions (hoisted, §3.2), in order. */
export function allFunctions(file: KoFile): readonly FuncDef[] {
    return factsOf(file).functions;
}

/** True for a definition that appears in value position (`label: g(x) { ... }`). */
export function isInlineDefinition(func: FuncDef): boolean {
    return func.$container?.$type === 'InlineFunc';
}

/** The labeled steps of a body (terms without a label are errors reported elsewhere). */
export function stepsOf(func: FuncDef): Term[] {
    return func.terms.filter(t => t.label !== undefined);
}

export type TermListShape = 'empty' | 'labeled' | 'positional' | 'mixed';

/** Whether a bracket holds only `label: x` terms, only bare formulas, or a (forbidden) mix. */
export function termListShape(terms: readonly Term[]): TermListShape {
    if (terms.length === 0) return 'empty';
    let labeled = 0;
    for (const term of terms) if (term.colon) labeled++;
    if (labeled === terms.length) return 'labeled';
    if (labeled === 0) return 'positional';
    return 'mixed';
}

/** The callee path of a call or augmentation (`F(...)`, `a.F[...]`), if it is a plain path. */
export function calleePath(call: Expr): RefPath | undefined {
    const head = calleeHead(call);
    return head && refPathOf(head);
}

/** The reference the callee path of a call starts at (calleePath without building the path). */
export function calleeHead(call: Expr): Ref | undefined {
    if (call.$type !== 'Invoke' && call.$type !== 'Augment') return undefined;
    let target: Expr | undefined = call.target;
    // `G[x: 1](y: 2)`: both bracket lists go to G.
    while (target?.$type === 'Augment') target = target.target;
    return pathHead(target);
}

/** The name of the monadic parameter of a function, if any. */
export function monadicParam(func: FuncDef): string | undefined {
    return func.params.find(p => p.monadic)?.name;
}

/** A string literal's value as the reference stores it (raw strings keep their backticks). */
export function unquoteKoString(text: string): string {
    if (text.startsWith('`')) return text;
    return decodeGoString(text).value;
}

export interface DecodedString { value: string; error?: { offset: number; length: number; message: string } }

/** Decodes a Go interpreted string literal (with quotes); reports the first invalid escape. */
export function decodeGoString(text: string): DecodedString {
    // Most literals have no escape: one slice instead of a string built character by character.
    if (text.length > 1 && text.endsWith('"') && !text.includes('\\')) return { value: text.slice(1, -1) };
    let out = '';
    const end = text.length > 1 && text.endsWith('"') && !isEscapedQuote(text) ? text.length - 1 : text.length;
    if (end === text.length) return { value: text.slice(1), error: { offset: 0, length: text.length, message: 'string literal not terminated' } };
    for (let i = 1; i < end; i++) {
        const c = text[i];
        if (c !== '\\') { out += c; continue; }
        const e = text[i + 1];
        const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
        if (e in simple) { out += simple[e]; i++; continue; }
        const hex = (n: number, from: number) => /^[0-9a-fA-F]+$/.test(text.slice(from, from + n)) && from + n <= end ? parseInt(text.slice(from, from + n), 16) : -1;
        if (e === 'x' || e === 'u' || e === 'U') {
            const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
            const code = hex(n, i + 2);
            if (code < 0 || code > 0x10ffff || (e !== 'x' && code >= 0xd800 && code < 0xe000)) {
                return { value: out, error: { offset: i, length: Math.min(n + 2, end - i), message: `invalid escape \\${e}: expects ${n} hexadecimal digits` } };
            }
            out += e === 'x' ? String.fromCharCode(code) : String.fromCodePoint(code);
            i += n + 1;
            continue;
        }
        if (e !== undefined && e >= '0' && e <= '7') {
            const digits = text.slice(i + 1, i + 4);
            if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 255) {
                return { value: out, error: { offset: i, length: Math.min(4, end - i), message: 'invalid escape: an octal escape needs three digits up to \\377' } };
            }
            out += String.fromCharCode(parseInt(digits, 8));
            i += 3;
            continue;
        }
        return { value: out, error: { offset: i, length: 2, message: `invalid escape \\${e ?? ''} in string literal` } };
    }
    return { value: out };
}

function isEscapedQuote(text: string): boolean {
    // `"abc\"` ends with an escaped quote: count the backslashes before the last character.
    let n = 0;
    for (let i = text.length - 2; i > 0 && text[i] === '\\'; i--) n++;
    return n % 2 === 1;
}

/** Parses a Ko integer token; undefined when it is not plain decimal or overflows int64. */
export function parseKoInteger(text: string): bigint | undefined {
    if (!/^\d+$/.test(text)) return undefined;
    const value = BigInt(text);
    return value > 9223372036854775807n ? undefined : value;
}
