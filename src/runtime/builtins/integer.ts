// Integer-only arithmetic shared by the global macros (Sum, Prod, ...) and the `integer`
// pseudo-package: one signedness per series, Go wrap-around, the first element's type wins.
import type { GateArgs } from '../gate-registry.js';
import { KoRuntimeError } from '../errors.js';
import { FALSE, TRUE, intOf, lift, printValue, valuesEqual, type IntType, type IntValue, type Value } from '../values.js';

const fail = (message: string): never => { throw new KoRuntimeError(message); };

const SIGNED: Record<IntType, boolean> = {
    Int8: true, Int16: true, Int32: true, Int64: true, Uint8: false, Uint16: false, Uint32: false, Uint64: false,
};

/** The integers of a series (no copy: checked in place; these macros run in every hot loop). */
export function integerSeries(v: Value, what: string): readonly IntValue[] {
    const items = lift(v);
    if (items.length === 0) return fail(`${what}: series is empty`);
    for (const x of items) if (x.kind !== 'int') fail(`${what}: ${printValue(x)} is not an integer`);
    const ints = items as readonly IntValue[];
    const signed = SIGNED[ints[0].type];
    for (const x of ints) if (SIGNED[x.type] !== signed) fail(`${what}: cannot unify signed and unsigned integers`);
    return ints;
}

function fold(what: string, op: (a: bigint, b: bigint) => bigint) {
    return (args: GateArgs): Value => {
        const ints = integerSeries(args.get('value'), what);
        let acc = ints[0].value;
        for (let i = 1; i < ints.length; i++) acc = op(acc, ints[i].value);
        return intOf(ints[0].type, acc);
    };
}
const divide = (a: bigint, b: bigint) => { if (b === 0n) fail('integer divide by zero'); return a / b; };
const modulo = (a: bigint, b: bigint) => { if (b === 0n) fail('integer divide by zero'); return a % b; };

export const INTEGER_MACROS: Record<string, (args: GateArgs) => Value> = {
    Sum: fold('integer sum', (a, b) => a + b),
    Prod: fold('integer product', (a, b) => a * b),
    Ratio: fold('integer ratio', divide),
    Moduli: fold('integer moduli', modulo),
    Less: args => {
        const ints = integerSeries(args.get('value'), 'integer less');
        for (let i = 1; i < ints.length; i++) if (ints[i - 1].value >= ints[i].value) return FALSE;
        return TRUE;
    },
    Negative: args => {
        const ints = integerSeries(args.get('value'), 'integer negative');
        if (ints.length !== 1) fail('integer negative expects a single integer');
        return intOf(ints[0].type, -ints[0].value);
    },
    Equal: args => {
        const ints = integerSeries(args.get('value'), 'integer equal');
        for (let i = 1; i < ints.length; i++) if (!valuesEqual(ints[i - 1], ints[i])) return FALSE;
        return TRUE;
    },
};
