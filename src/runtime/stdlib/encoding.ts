// lib/encoding/json and lib/encoding/yaml gates: Marshal/MarshalIndent/Unmarshal with Go's
// output conventions (HTML-safe escapes, indent "\t" by default, numbers decode to Float64).
import { registerGate } from '../gate-registry.js';
import { KoRuntimeError } from '../errors.js';
import { EMPTY, bool, float64, formatFloat, seq, str, struct, type Value } from '../values.js';
import { lib, stringArg } from './args.js';

const JSON_PKG = lib('encoding/json');
const YAML_PKG = lib('encoding/yaml');

/** Go's json.Marshal string escaping (including the HTML-safe \u003c, \u003e, \u0026). */
function jsonString(s: string): string {
    return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, c => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Encodes like Go's json.MarshalIndent (indent '' means compact Marshal). */
export function marshalJSON(v: Value, indent = '', prefix = ''): string {
    const nl = (depth: number) => (indent === '' && prefix === '' ? '' : '\n' + prefix + indent.repeat(depth));
    const sep = indent === '' && prefix === '' ? ':' : ': ';
    const enc = (x: Value, depth: number): string => {
        switch (x.kind) {
            case 'empty': return 'null';
            case 'bool': return x.value ? 'true' : 'false';
            case 'string': return jsonString(x.value);
            case 'int': return x.value.toString();
            case 'float': {
                if (!Number.isFinite(x.value)) throw new KoRuntimeError(`json: unsupported value: ${formatFloat(x.value)}`);
                return String(x.value);
            }
            case 'seq':
                return `[${x.items.map(i => nl(depth + 1) + enc(i, depth + 1)).join(',')}${nl(depth)}]`;
            case 'struct': {
                const fields = x.fields.filter(f => f.value.kind !== 'empty');
                if (fields.length === 0) return '{}';
                return `{${fields.map(f => nl(depth + 1) + jsonString(f.name) + sep + enc(f.value, depth + 1)).join(',')}${nl(depth)}}`;
            }
            case 'variety': throw new KoRuntimeError('json: unsupported type: variety');
            case 'opaque': return jsonString(x.show ? x.show() : `<${x.typeName}>`);
        }
    };
    return enc(v, 0);
}

/** JSON text as Ko values: numbers are Float64 (Go decodes into float64), objects keep key order. */
export function unmarshalJSON(text: string): Value {
    const toKo = (j: unknown): Value => {
        if (j === null) return EMPTY;
        if (typeof j === 'boolean') return bool(j);
        if (typeof j === 'number') return float64(j);
        if (typeof j === 'string') return str(j);
        if (Array.isArray(j)) return seq(j.map(toKo));
        return struct(Object.entries(j as Record<string, unknown>).map(([name, x]) => ({ name, value: toKo(x) })));
    };
    try {
        return toKo(JSON.parse(text));
    } catch (e) {
        throw new KoRuntimeError(`json: ${(e as Error).message}`);
    }
}

registerGate(JSON_PKG, 'Marshal', args => str(marshalJSON(args.get('value'))));
registerGate(JSON_PKG, 'MarshalIndent', args => str(marshalJSON(args.get('value'), stringArg(args, 'indent', '\t'), stringArg(args, 'prefix'))));
registerGate(JSON_PKG, 'Unmarshal', args => unmarshalJSON(stringArg(args, 'value')));

function plain(v: Value): unknown {
    switch (v.kind) {
        case 'empty': return null;
        case 'bool': case 'string': return v.value;
        case 'int': return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.value) : v.value;
        case 'float': return v.value;
        case 'seq': return v.items.map(plain);
        case 'struct': return Object.fromEntries(v.fields.filter(f => f.value.kind !== 'empty').map(f => [f.name, plain(f.value)]));
        case 'variety': throw new KoRuntimeError('yaml: unsupported type: variety');
        case 'opaque': return v.show ? v.show() : `<${v.typeName}>`;
    }
}

// The yaml package is loaded on first use: most runs never marshal YAML.
registerGate(YAML_PKG, 'Marshal', async args => {
    const { stringify } = await import('yaml');
    return str(stringify(plain(args.get('value')), { lineWidth: 0 }));
});
