// Argument decoding shared by the stdlib gates: Go gate fields are strings, string slices,
// optional integers; these helpers convert Ko values with the same lifting the reference uses.
import { KoRuntimeError } from '../errors.js';
import type { GateArgs } from '../gate-registry.js';
import { STDLIB_PREFIX } from '../../language/catalogue.js';
import { lift, printValue, type Value } from '../values.js';

export const lib = (dir: string) => STDLIB_PREFIX + dir;

const fail = (message: string): never => { throw new KoRuntimeError(message); };

export function asString(v: Value, what: string): string {
    if (v.kind === 'string') return v.value;
    if (v.kind === 'seq' && v.items.length === 1 && v.items[0].kind === 'string') return v.items[0].value;
    return fail(`${what} must be a String, got ${printValue(v)}`);
}

/** A String argument; `fallback` (Go's zero value "" by default) when absent. */
export function stringArg(args: GateArgs, name: string, fallback = ''): string {
    const v = args.get(name);
    return v.kind === 'empty' ? fallback : asString(v, name);
}

export function optStringArg(args: GateArgs, name: string): string | undefined {
    const v = args.get(name);
    return v.kind === 'empty' ? undefined : asString(v, name);
}

/** A []string argument: a single String counts as one element, empty as none. */
export function stringsArg(args: GateArgs, name: string): string[] {
    return lift(args.get(name)).map(v => asString(v, name));
}

export function optIntArg(args: GateArgs, name: string): bigint | undefined {
    const v = args.get(name);
    if (v.kind === 'empty') return undefined;
    if (v.kind === 'int') return v.value;
    return fail(`${name} must be an integer, got ${printValue(v)}`);
}
