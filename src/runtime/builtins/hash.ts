// Content hashes of Ko values (Hash, Memory keys): FNV-1a 64 over a canonical encoding in which
// structures are order-independent and empty fields are ignored, matching Equal.
import type { Field, Value } from '../values.js';
import { calleeId } from '../values.js';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv1a64(text: string): string {
    let h = OFFSET;
    for (const byte of Buffer.from(text, 'utf8')) {
        h ^= BigInt(byte);
        h = (h * PRIME) & MASK;
    }
    return h.toString(16).padStart(16, '0');
}

export function canonicalEncoding(v: Value): string {
    switch (v.kind) {
        case 'empty': return '#empty';
        case 'bool': return v.value ? '#t' : '#f';
        case 'string': return 's' + JSON.stringify(v.value);
        case 'int': return `i${v.type}:${v.value}`;
        case 'float': return `f${v.type}:${v.value}`;
        case 'seq': return `[${v.items.map(canonicalEncoding).join(',')}]`;
        case 'struct': return `{${encodeFields(v.fields)}}`;
        case 'variety': return `v${JSON.stringify(calleeId(v.callee))}{${encodeFields(v.bound)}}`;
        case 'opaque': return `o${v.typeName}:${v.show ? v.show() : ''}`;
    }
}

function encodeFields(fields: readonly Field[]): string {
    return fields.filter(f => f.value.kind !== 'empty')
        .map(f => `${JSON.stringify(f.name)}:${canonicalEncoding(f.value)}`)
        .sort().join(',');
}

export function hashValue(v: Value): string {
    return fnv1a64(canonicalEncoding(v));
}
