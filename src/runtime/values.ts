// The Ko value model (§3.6) shared by the interpreter, the builtins and every gate module:
// basic values, sequences, structures, varieties, the empty value and opaque gate values,
// plus the canonical printing that `ko run` shows (strings quoted, `(a: 1, b: "x")`, `(1, 2)`).
import type { GateImpl } from './gate-registry.js';

export const INT_TYPES = ['Int8', 'Int16', 'Int32', 'Int64', 'Uint8', 'Uint16', 'Uint32', 'Uint64'] as const;
export const FLOAT_TYPES = ['Float32', 'Float64'] as const;
export type IntType = typeof INT_TYPES[number];
export type FloatType = typeof FLOAT_TYPES[number];

export interface EmptyValue { readonly kind: 'empty' }
export interface BoolValue { readonly kind: 'bool'; readonly value: boolean }
export interface StringValue { readonly kind: 'string'; readonly value: string }
/** Integers keep their Go width; the value is always inside the width's range. */
export interface IntValue { readonly kind: 'int'; readonly type: IntType; readonly value: bigint }
export interface FloatValue { readonly kind: 'float'; readonly type: FloatType; readonly value: number }
/** Never empty and never holding the empty value: a sequence with no elements is EMPTY. */
export interface SeqValue { readonly kind: 'seq'; readonly items: readonly Value[] }
export interface Field {
    /** '' for the unnamed (monadic) argument of a variety. */
    readonly name: string;
    readonly value: Value;
}
export interface StructValue { readonly kind: 'struct'; readonly fields: readonly Field[] }
/** A function value: a callee plus the arguments bound so far by augmentation. */
export interface VarietyValue { readonly kind: 'variety'; readonly callee: Callee; readonly bound: readonly Field[] }
/** A value owned by a gate (an HTTP response, a ring, a file handle); printed by `show`. */
export interface OpaqueValue {
    readonly kind: 'opaque';
    readonly typeName: string;
    readonly value: unknown;
    readonly show?: () => string;
}

export type Value = EmptyValue | BoolValue | StringValue | IntValue | FloatValue | SeqValue | StructValue | VarietyValue | OpaqueValue;

/**
 * What a variety calls. `native` callees are gates, macros and the closures gates hand out
 * (Memory's Remember, Spin's Wait); `ko` callees are functions of a loaded program, whose
 * definition only the interpreter reads.
 */
export type Callee = NativeCallee | KoCallee;
export interface NativeCallee {
    readonly kind: 'native';
    /** `pkg.Name` or `Name`, used when printing the variety and in stacks. */
    readonly display: string;
    /** The argument that receives the unnamed argument, if any. */
    readonly monadic?: string;
    readonly impl: GateImpl;
    /** Runs under the run's concurrency limit (processes, containers, requests). */
    readonly limited?: boolean;
    /** Stable identity for Equal/Hash (defaults to display). */
    readonly id?: string;
}
export interface KoCallee {
    readonly kind: 'ko';
    readonly display: string;
    readonly monadic?: string;
    readonly id: string;
    /** The interpreter's compiled function; opaque to everyone else. */
    readonly func: unknown;
}

export const EMPTY: EmptyValue = Object.freeze({ kind: 'empty' });
export const TRUE: BoolValue = Object.freeze({ kind: 'bool', value: true });
export const FALSE: BoolValue = Object.freeze({ kind: 'bool', value: false });

export const bool = (b: boolean): BoolValue => (b ? TRUE : FALSE);
export const str = (s: string): StringValue => ({ kind: 'string', value: s });
export const float64 = (n: number): FloatValue => ({ kind: 'float', type: 'Float64', value: n });
export const int64 = (n: bigint | number): IntValue => intOf('Int64', BigInt(n));

const WIDTH: Record<IntType, [bits: number, signed: boolean]> = {
    Int8: [8, true], Int16: [16, true], Int32: [32, true], Int64: [64, true],
    Uint8: [8, false], Uint16: [16, false], Uint32: [32, false], Uint64: [64, false],
};

/** An integer of the given width, wrapped around like Go's fixed-width arithmetic. */
export function intOf(type: IntType, n: bigint): IntValue {
    const [bits, signed] = WIDTH[type];
    return { kind: 'int', type, value: signed ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n) };
}

export function floatOf(type: FloatType, n: number): FloatValue {
    return { kind: 'float', type, value: type === 'Float32' ? Math.fround(n) : n };
}

export function isIntType(name: string): name is IntType { return (INT_TYPES as readonly string[]).includes(name); }
export function isFloatType(name: string): name is FloatType { return (FLOAT_TYPES as readonly string[]).includes(name); }

export const isEmpty = (v: Value): v is EmptyValue => v.kind === 'empty';

/** A sequence of the non-empty values; no values gives EMPTY (§3.6: empties are dropped). */
export function seq(values: readonly Value[]): SeqValue | EmptyValue {
    const items = values.some(v => v.kind === 'empty') ? values.filter(v => v.kind !== 'empty') : values;
    return items.length === 0 ? EMPTY : { kind: 'seq', items: [...items] };
}

/** Like seq, for an array the caller hands over (not copied when it holds no empty value). */
export function seqOwned(values: Value[]): SeqValue | EmptyValue {
    for (const v of values) if (v.kind === 'empty') return seq(values);
    return values.length === 0 ? EMPTY : { kind: 'seq', items: values };
}

/** Lifting: a sequence is its elements, empty is none, anything else is one element. */
export function lift(v: Value): readonly Value[] {
    if (v.kind === 'seq') return v.items;
    if (v.kind === 'empty') return [];
    return [v];
}

export function struct(fields: readonly Field[] | Record<string, Value>): StructValue {
    const list = Array.isArray(fields) ? fields as readonly Field[] : Object.entries(fields).map(([name, value]) => ({ name, value }));
    return { kind: 'struct', fields: list };
}

export function opaque(typeName: string, value: unknown, show?: () => string): OpaqueValue {
    return { kind: 'opaque', typeName, value, ...(show ? { show } : {}) };
}

export function nativeVariety(display: string, impl: GateImpl, monadic?: string, bound: readonly Field[] = []): VarietyValue {
    return { kind: 'variety', callee: { kind: 'native', display, impl, ...(monadic ? { monadic } : {}) }, bound };
}

/** Field selection: a missing field or selecting into empty gives EMPTY; undefined means "cannot select". */
export function selectField(v: Value, name: string): Value | undefined {
    if (v.kind === 'empty') return EMPTY;
    if (v.kind === 'struct') {
        for (const f of v.fields) if (f.name === name) return f.value;
        return EMPTY;
    }
    return undefined;
}

/** Deep equality as Equal sees it: same basic type and value, structures ignore empty fields and order. */
export function valuesEqual(a: Value, b: Value): boolean {
    if (a === b) return true;
    // Lifting: a one-element sequence stands for its element (Split("a") equals "a").
    if (a.kind === 'seq' && b.kind !== 'seq' && a.items.length === 1) return valuesEqual(a.items[0], b);
    if (b.kind === 'seq' && a.kind !== 'seq' && b.items.length === 1) return valuesEqual(a, b.items[0]);
    switch (a.kind) {
        case 'empty': return b.kind === 'empty';
        case 'bool': case 'string': return b.kind === a.kind && b.value === a.value;
        case 'int': return b.kind === 'int' && b.type === a.type && b.value === a.value;
        case 'float': return b.kind === 'float' && b.type === a.type && b.value === a.value;
        case 'seq':
            return b.kind === 'seq' && b.items.length === a.items.length && a.items.every((x, i) => valuesEqual(x, b.items[i]));
        case 'struct':
            return b.kind === 'struct' && fieldsEqual(a.fields, b.fields);
        case 'variety':
            return b.kind === 'variety' && calleeId(a.callee) === calleeId(b.callee) && fieldsEqual(a.bound, b.bound);
        case 'opaque':
            return b.kind === 'opaque' && b.value === a.value;
    }
}

function fieldsEqual(x: readonly Field[], y: readonly Field[]): boolean {
    const fx = x.filter(f => f.value.kind !== 'empty'), fy = y.filter(f => f.value.kind !== 'empty');
    if (fx.length !== fy.length) return false;
    const byName = new Map(fy.map(f => [f.name, f.value]));
    return fx.every(f => { const other = byName.get(f.name); return other !== undefined && valuesEqual(f.value, other); });
}

export function calleeId(c: Callee): string {
    return c.kind === 'ko' ? c.id : (c.id ?? c.display);
}

/** Go's strconv.Quote, close enough for printing: escapes quotes, backslashes and controls. */
export function goQuote(s: string): string {
    let out = '"';
    for (const ch of s) {
        const code = ch.codePointAt(0)!;
        switch (ch) {
            case '"': out += '\\"'; break;
            case '\\': out += '\\\\'; break;
            case '\n': out += '\\n'; break;
            case '\t': out += '\\t'; break;
            case '\r': out += '\\r'; break;
            case '\x07': out += '\\a'; break;
            case '\b': out += '\\b'; break;
            case '\f': out += '\\f'; break;
            case '\v': out += '\\v'; break;
            default:
                if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
                else out += ch;
        }
    }
    return out + '"';
}

/** Go's %v of a float64 ('g' with the shortest representation, exponent at >= 1e21 or < 1e-4). */
export function formatFloat(n: number): string {
    if (Number.isNaN(n)) return 'NaN';
    if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
    if (n === 0) return Object.is(n, -0) ? '-0' : '0';
    const abs = Math.abs(n);
    if (abs < 1e-4 || abs >= 1e21) {
        const [mant, exp] = n.toExponential().split('e');
        const e = Number(exp);
        return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    }
    return String(n);
}

/** The shortest decimal that reads back as the same float32 (Go prints float32 that way). */
function shortestFloat32(n: number): number {
    if (!Number.isFinite(n) || n === 0) return n;
    for (let p = 1; p <= 9; p++) {
        const candidate = Number(n.toPrecision(p));
        if (Math.fround(candidate) === n) return candidate;
    }
    return n;
}

/** The canonical one-line syntax of a value, as `ko run` prints it. */
export function printValue(v: Value): string {
    switch (v.kind) {
        case 'empty': return 'empty';
        case 'bool': return v.value ? 'true' : 'false';
        case 'string': return goQuote(v.value);
        case 'int': return v.value.toString();
        case 'float': return formatFloat(v.type === 'Float32' ? shortestFloat32(v.value) : v.value);
        case 'seq': return `(${v.items.map(printValue).join(', ')})`;
        case 'struct': return `(${v.fields.map(printField).join(', ')})`;
        case 'variety': return `${v.callee.display}[${v.bound.map(printField).join(', ')}]`;
        case 'opaque': return v.show ? v.show() : `<${v.typeName}>`;
    }
}

function printField(f: Field): string {
    return f.name === '' ? printValue(f.value) : `${f.name}: ${printValue(f.value)}`;
}

/** Show's multi-line form: the canonical syntax, indented when it does not fit on one line. */
export function printValueIndented(v: Value, width = 100, indent = ''): string {
    const flat = printValue(v);
    if (flat.length + indent.length <= width) return flat;
    const inner = indent + '\t';
    if (v.kind === 'seq') return `(\n${v.items.map(x => inner + printValueIndented(x, width, inner)).join('\n')}\n${indent})`;
    if (v.kind === 'struct' || v.kind === 'variety') {
        const fields = v.kind === 'struct' ? v.fields : v.bound;
        const [open, close] = v.kind === 'struct' ? ['(', ')'] : [`${v.callee.display}[`, ']'];
        const lines = fields.map(f => inner + (f.name === '' ? '' : `${f.name}: `) + printValueIndented(f.value, width, inner));
        return `${open}\n${lines.join('\n')}\n${indent}${close}`;
    }
    return flat;
}

/** The type of a value in Ko's notation (ShowType): `Int64`, `(String)`, `(a: Int64)`, `Variety`. */
export function typeOfValue(v: Value): string {
    switch (v.kind) {
        case 'empty': return 'Empty';
        case 'bool': return 'Bool';
        case 'string': return 'String';
        case 'int': case 'float': return v.type;
        case 'seq': return `(${typeOfValue(v.items[0])})`;
        case 'struct': return `(${v.fields.filter(f => f.value.kind !== 'empty').map(f => `${f.name}: ${typeOfValue(f.value)}`).join(', ')})`;
        case 'variety': return 'Variety';
        case 'opaque': return v.typeName;
    }
}

/**
 * A short one-line summary for events and logs (truncated canonical syntax). It stops walking
 * once `max` characters are produced, so summarising every step of a big-data run stays cheap.
 */
export function summarizeValue(v: Value, max = 120): string {
    let out = '';
    const full = () => out.length > max;
    const emit = (t: string) => { out += t; };
    const walk = (x: Value): void => {
        if (full()) return;
        switch (x.kind) {
            case 'seq':
                emit('(');
                x.items.forEach((item, i) => { if (!full()) { if (i > 0) emit(', '); walk(item); } });
                emit(')');
                return;
            case 'struct': case 'variety': {
                const fields = x.kind === 'struct' ? x.fields : x.bound;
                emit(x.kind === 'struct' ? '(' : `${x.callee.display}[`);
                fields.forEach((f, i) => { if (!full()) { if (i > 0) emit(', '); if (f.name !== '') emit(`${f.name}: `); walk(f.value); } });
                emit(x.kind === 'struct' ? ')' : ']');
                return;
            }
            case 'string':
                emit(goQuote(x.value.length > max ? x.value.slice(0, max) : x.value));
                return;
            default:
                emit(printValue(x));
        }
    };
    walk(v);
    return out.length > max ? out.slice(0, max - 1) + '…' : out;
}

/** Plain JSON of a value (`ko run --json`, encoding/json): empty fields are left out. */
export function toJSON(v: Value): unknown {
    switch (v.kind) {
        case 'empty': return null;
        case 'bool': case 'string': return v.value;
        case 'int': return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
        case 'float': return Number.isFinite(v.value) ? v.value : String(v.value);
        case 'seq': return v.items.map(toJSON);
        case 'struct': {
            const out: Record<string, unknown> = {};
            for (const f of v.fields) if (f.value.kind !== 'empty') out[f.name] = toJSON(f.value);
            return out;
        }
        case 'variety': return printValue(v);
        case 'opaque': return v.show ? v.show() : `<${v.typeName}>`;
    }
}

/** A JSON value as a Ko value: numbers become Int64 when integral, else Float64; null is empty. */
export function fromJSON(j: unknown): Value {
    if (j === null || j === undefined) return EMPTY;
    if (typeof j === 'boolean') return bool(j);
    if (typeof j === 'string') return str(j);
    if (typeof j === 'number') return Number.isInteger(j) && Math.abs(j) <= Number.MAX_SAFE_INTEGER ? int64(j) : float64(j);
    if (typeof j === 'bigint') return int64(j);
    if (Array.isArray(j)) return seq(j.map(fromJSON));
    if (typeof j === 'object') return struct(Object.entries(j as Record<string, unknown>).map(([name, x]) => ({ name, value: fromJSON(x) })));
    return str(String(j));
}
