// Global macros (§4.1) and idioms (§4.2): everything reachable by a bare name. Registered under
// package '' with the catalogue's argument names; idioms are implemented natively for speed.
import { registerGate, type GateArgs, type GateContext } from '../gate-registry.js';
import type { Internal, MaybeP } from '../interpreter.js';
import { KoPanic, KoRuntimeError, KoCancelled } from '../errors.js';
import {
    EMPTY, FALSE, TRUE, bool, floatOf, int64, intOf, isFloatType, isIntType, lift, nativeVariety, printValue,
    printValueIndented, seq, str, struct, typeOfValue, valuesEqual, FLOAT_TYPES, INT_TYPES,
    type Field, type Value,
} from '../values.js';
import { formatKoStack } from '../events.js';
import { hashValue } from './hash.js';
import { INTEGER_MACROS } from './integer.js';

const fail = (message: string): never => { throw new KoRuntimeError(message); };
const internalOf = (ctx: GateContext) => ctx.internal as Internal;

function invokeM(ctx: GateContext, callee: Value, fields: Field[] = []): MaybeP<Value> {
    return internalOf(ctx).invokeMaybe(callee, fields);
}

function requireVariety(v: Value, message: string): Value {
    if (v.kind !== 'variety') fail(message);
    return v;
}

function asBool(v: Value, message: string): boolean {
    if (v.kind !== 'bool') return fail(message);
    return v.value;
}

// ---------------------------------------------------------------------------------------------
// Structure and logic

registerGate('', 'All', args => {
    const fields = args.fields.filter(f => f.name !== '');
    if (fields.length === 0 || fields.some(f => f.value.kind === 'empty')) return EMPTY;
    return struct(fields);
});

function bools(args: GateArgs, name: string, what: string): boolean[] {
    return lift(args.get(name)).map(v => asBool(v, `${what} expects Bool values, got ${printValue(v)}`));
}
registerGate('', 'And', args => bool(bools(args, 'series', 'And').every(b => b)));
registerGate('', 'Or', args => bool(bools(args, 'series', 'Or').some(b => b)));
registerGate('', 'Xor', args => bool(bools(args, 'series', 'Xor').reduce((a, b) => a !== b, false)));
registerGate('', 'Not', args => {
    const v = args.get('bool');
    return bool(!asBool(v, `Not expects a Bool, got ${printValue(v)}`));
});

// ---------------------------------------------------------------------------------------------
// Conversions (Go semantics)

function convert(v: Value, to: string): Value {
    if (v.kind === 'empty') return fail(`${to} needs an argument`);
    if (v.kind !== 'bool' && v.kind !== 'string' && v.kind !== 'int' && v.kind !== 'float') {
        return fail(`non-basic type ${printValue(v)} is not convertible to ${to}`);
    }
    const bad = () => fail(`cannot convert ${printValue(v)} into ${to}`);
    if (to === 'Bool') return v.kind === 'bool' ? v : bad();
    if (to === 'String') {
        if (v.kind === 'string') return v;
        // Go's string(int) yields the character with that code point.
        if (v.kind === 'int') return str(v.value >= 0n && v.value <= 0x10ffffn && !(v.value >= 0xd800n && v.value < 0xe000n) ? String.fromCodePoint(Number(v.value)) : '\ufffd');
        return bad();
    }
    if (isIntType(to)) {
        if (v.kind === 'int') return intOf(to, v.value);
        if (v.kind === 'float') return Number.isFinite(v.value) ? intOf(to, BigInt(Math.trunc(v.value))) : bad();
        return bad();
    }
    if (isFloatType(to)) {
        if (v.kind === 'int') return floatOf(to, Number(v.value));
        if (v.kind === 'float') return floatOf(to, v.value);
        return bad();
    }
    return bad();
}
for (const to of ['Bool', 'String', ...INT_TYPES, ...FLOAT_TYPES]) {
    registerGate('', to, args => {
        const v = args.get('value');
        // A sequence converts element-wise (lifting), as the reference's sequences of basics do.
        if (v.kind === 'seq') return seq(v.items.map(x => convert(x, to)));
        return convert(v, to);
    });
}

// ---------------------------------------------------------------------------------------------
// Generic

registerGate('', 'Equal', args => {
    const items = lift(args.get('value'));
    for (let i = 1; i < items.length; i++) if (!valuesEqual(items[0], items[i])) return FALSE;
    return TRUE;
});
registerGate('', 'Hash', args => str(hashValue(args.constructed())));
registerGate('', 'Len', args => int64(lift(args.get('value')).length));
registerGate('', 'Merge', args => seq(lift(args.get('value')).flatMap(v => lift(v))));
registerGate('', 'Take', args => {
    const from = args.has('value') && args.get('value').kind !== 'empty' ? args.get('value') : args.get('from');
    const items = lift(from);
    if (items.length === 0) return EMPTY;
    return struct([{ name: 'first', value: items[0] }, { name: 'remainder', value: seq(items.slice(1)) }]);
});

registerGate('', 'Yield', args => {
    const cond = args.get('if');
    if (cond.kind !== 'bool') return fail('yield if must be boolean');
    return cond.value ? args.get('then') : args.get('else');
});

registerGate('', 'When', (args, ctx) => {
    const have = args.get('have');
    if (have.kind !== 'empty') return invokeM(ctx, requireVariety(args.get('then'), 'when then is not a variety'), [{ name: '', value: have }]);
    const otherwise = args.get('else');
    if (otherwise.kind === 'empty') return EMPTY;
    return invokeM(ctx, requireVariety(otherwise, 'when else is not a variety'));
});

registerGate('', 'Loop', async (args, ctx) => {
    const step = requireVariety(args.get('step'), 'loop step is not a variety');
    const stopArg = args.get('stop');
    if (stopArg.kind !== 'empty' && stopArg.kind !== 'variety') fail(`loop stop is not a variety, it is ${printValue(stopArg)}`);
    let carry = args.get('start');
    for (let i = 0; ; i++) {
        if (ctx.signal.aborted) throw new KoCancelled();
        carry = await invokeM(ctx, step, [{ name: '', value: carry }]);
        if (stopArg.kind === 'variety') {
            const stop = await invokeM(ctx, stopArg, [{ name: '', value: carry }]);
            if (asBool(stop, `loop stop must return boolean, got ${printValue(stop)}`)) return carry;
        }
        // Without a stop the loop runs for ever (§4.1); let other work and cancellation through.
        if (i % 1000 === 999) await new Promise(r => setImmediate(r));
    }
});

registerGate('', 'Range', async (args, ctx) => {
    const withV = requireVariety(args.get('with'), 'range with is not a variety');
    const stopArg = args.get('stop');
    if (stopArg.kind !== 'empty' && stopArg.kind !== 'variety') fail('range stop is not a variety');
    let carry = args.get('start');
    const image: Value[] = [];
    for (const elem of lift(args.get('over'))) {
        const r = await invokeM(ctx, withV, [{ name: 'carry', value: carry }, { name: 'elem', value: elem }]);
        if (r.kind === 'empty') carry = EMPTY;
        else if (r.kind === 'struct') {
            const emit = r.fields.find(f => f.name === 'emit')?.value ?? EMPTY;
            carry = r.fields.find(f => f.name === 'carry')?.value ?? EMPTY;
            if (emit.kind !== 'empty') image.push(emit);
        } else fail('range iterator must return a structure or nothing');
        if (stopArg.kind === 'variety') {
            const stop = await invokeM(ctx, stopArg, [{ name: '', value: carry }]);
            if (asBool(stop, `range stop must return boolean, got ${printValue(stop)}`)) break;
        }
    }
    return struct([{ name: 'image', value: seq(image) }, { name: 'residue', value: carry }]);
});

registerGate('', 'Sort', async (args, ctx) => {
    const lessArg = args.get('less');
    const less = requireVariety(lessArg, `sort less argument must be a variety, got ${printValue(lessArg)}`);
    const items = [...lift(args.get('over'))];
    // Merge sort with an asynchronous comparator (the comparator is a Ko variety).
    const isLess = async (a: Value, b: Value) => {
        const r = await invokeM(ctx, less, [{ name: 'left', value: a }, { name: 'right', value: b }]);
        return asBool(r, `less variety must return boolean, got ${printValue(r)}`);
    };
    const sort = async (xs: Value[]): Promise<Value[]> => {
        if (xs.length <= 1) return xs;
        const mid = xs.length >> 1;
        const [l, r] = [await sort(xs.slice(0, mid)), await sort(xs.slice(mid))];
        const out: Value[] = [];
        let i = 0, j = 0;
        while (i < l.length && j < r.length) out.push(await isLess(r[j], l[i]) ? r[j++] : l[i++]);
        return out.concat(l.slice(i), r.slice(j));
    };
    return seq(await sort(items));
});

// ---------------------------------------------------------------------------------------------
// Control: panics, co-routines, parallelism

registerGate('', 'Panic', args => { throw new KoPanic(args.constructed()); });

registerGate('', 'Recover', async (args, ctx) => {
    const invoke = requireVariety(args.get('invoke'), 'recover invoke is not a variety');
    try {
        return await invokeM(ctx, invoke);
    } catch (e) {
        if (!(e instanceof KoPanic)) throw e;
        const handler = args.get('panic');
        if (handler.kind === 'empty') return EMPTY;
        return invokeM(ctx, requireVariety(handler, 'recover panic is not a variety'), [{ name: '', value: e.value }]);
    }
});

registerGate('', 'Spin', (args, ctx) => {
    const v = requireVariety(args.get('value'), 'spin expects a variety');
    // Start on a later tick so the caller's other steps proceed: a co-routine.
    const running = new Promise<void>(r => setImmediate(r)).then(() => invokeM(ctx, v));
    running.catch(() => undefined);
    return struct([{ name: 'Wait', value: nativeVariety('Wait', () => running) }]);
});

registerGate('', 'Parallel', (args, ctx) => invokeM(ctx, requireVariety(args.get('value'), 'parallel expects a variety')));
registerGate('', 'Sequential', (args, ctx) => internalOf(ctx).invokeMaybe(requireVariety(args.get('value'), 'sequential expects a variety'), [], { sequential: true }));

registerGate('', 'Hang', (_args, ctx) => new Promise<Value>((_resolve, reject) => {
    ctx.signal.addEventListener('abort', () => reject(new KoCancelled()), { once: true });
}));

registerGate('', 'Placeholder', () => fail('placeholder invoked'));

// ---------------------------------------------------------------------------------------------
// Debugging and output

registerGate('', 'Show', (args, ctx) => {
    const v = args.constructed();
    ctx.stdout.write(printValueIndented(v) + '\n');
    return v;
});
registerGate('', 'ShowType', (args, ctx) => {
    const v = args.constructed();
    ctx.stdout.write(typeOfValue(v) + '\n');
    return v;
});
function peek(ctx: GateContext, text: string): void {
    const p = ctx.stepInfo.position;
    const where = p ? `${p.file}:${p.line}:${p.column}: ` : '';
    ctx.stderr.write(`${where}${text}\n${formatKoStack(ctx.stack())}\n`);
}
registerGate('', 'Peek', (args, ctx) => { const v = args.constructed(); peek(ctx, printValueIndented(v)); return v; });
registerGate('', 'PeekType', (args, ctx) => { const v = args.constructed(); peek(ctx, typeOfValue(v)); return v; });

function strings(v: Value, what: string): string[] {
    return lift(v).map(x => x.kind === 'string' ? x.value : fail(`${what} expects strings, got ${printValue(x)}`));
}
// Quirk kept from the reference: the returned String is "" for fewer than two parts.
registerGate('', 'Print', (args, ctx) => {
    const parts = strings(args.get('string'), 'Print');
    ctx.stdout.write(parts.join(''));
    return str(parts.length < 2 ? '' : parts.join(''));
});
registerGate('', 'Println', (args, ctx) => {
    const parts = strings(args.get('string'), 'Println');
    ctx.stdout.write(parts.join('') + '\n');
    return str(parts.length < 2 ? '' : parts.join(''));
});

registerGate('', 'Profile', async (args, ctx) => {
    const v = requireVariety(args.get('value'), 'profile expects a variety');
    const started = process.hrtime.bigint();
    const returns = await invokeM(ctx, v);
    return struct([{ name: 'returns', value: returns }, { name: 'duration', value: int64(process.hrtime.bigint() - started) }]);
});

let memoryCount = 0;
registerGate('', 'Memory', () => {
    const name = `memory#${++memoryCount}`;
    const seen = new Map<string, { key: Value; value: Value }>();
    const remember = nativeVariety(`${name}_Remember`, a => {
        const key = a.get('key'), value = a.get('value');
        const h = hashValue(key);
        const old = seen.get(h);
        if (value.kind === 'empty') seen.delete(h); else seen.set(h, { key, value });
        return old?.value ?? EMPTY;
    });
    const recall = nativeVariety(`${name}_Recall`, a => seen.get(hashValue(a.get('key')))?.value ?? a.get('otherwise'));
    const flush = nativeVariety(`${name}_Flush`, () => seq([...seen.values()].map(kv => struct([{ name: 'key', value: kv.key }, { name: 'value', value: kv.value }]))));
    return struct([
        { name: 'name', value: str(name) }, { name: 'Remember', value: remember },
        { name: 'Recall', value: recall }, { name: 'Flush', value: flush },
    ]);
});

// Integer arithmetic: the global macros share the `integer` package's implementations.
for (const name of ['Sum', 'Prod', 'Ratio', 'Moduli', 'Less', 'Negative']) registerGate('', name, INTEGER_MACROS[name]);

// ---------------------------------------------------------------------------------------------
// Format and Template: map varieties over text parts and arguments; the result is a sequence.

registerGate('', 'Format', async (args, ctx) => {
    const format = args.get('format');
    if (format.kind !== 'string') return fail('format format argument must be string');
    const fmtArgs = lift(args.get('args'));
    const withString = requireVariety(args.get('withString'), 'format withString is not a variety');
    const withArg = requireVariety(args.get('withArg'), 'format withArg is not a variety');
    const parts = format.value.split('%%');
    if (parts.length !== fmtArgs.length + 1) fail(`format expects ${parts.length - 1} arguments, got ${fmtArgs.length}`);
    const out: Value[] = [];
    for (let i = 0; i < parts.length; i++) {
        out.push(await invokeM(ctx, withString, [{ name: '', value: str(parts[i]) }]));
        if (i + 1 < parts.length) out.push(await invokeM(ctx, withArg, [{ name: '', value: fmtArgs[i] }]));
    }
    return seq(out);
});

registerGate('', 'Template', async (args, ctx) => {
    const template = args.get('template');
    if (template.kind !== 'string') return fail('template template argument must be string');
    const data = args.get('args');
    const withString = requireVariety(args.get('withString'), 'template withString is not a variety');
    const withArg = requireVariety(args.get('withArg'), 'template withArg is not a variety');
    const src = template.value;
    const opens = indicesOf(src, '{{'), closes = indicesOf(src, '}}');
    if (opens.length !== closes.length) fail(`unbalanced brackets in ${JSON.stringify(src)}, ${opens.length} open vs ${closes.length} close`);
    const out: Value[] = [];
    let base = 0;
    for (let i = 0; i < opens.length; i++) {
        if (opens[i] >= closes[i]) fail('runaway brackets');
        if (base < opens[i]) out.push(await invokeM(ctx, withString, [{ name: '', value: str(src.slice(base, opens[i])) }]));
        const path = src.slice(opens[i] + 2, closes[i]).split('.');
        if (path.some(p => !/^[A-Za-z_0-9]+$/.test(p))) fail(`selector ${JSON.stringify(src.slice(opens[i] + 2, closes[i]))} not an identifier`);
        let selected = data;
        for (const p of path) {
            if (selected.kind === 'empty') break;
            if (selected.kind !== 'struct') fail(`template selecting ${path.join('.')}`);
            selected = selected.kind === 'struct' ? (selected.fields.find(f => f.name === p)?.value ?? EMPTY) : EMPTY;
        }
        out.push(await invokeM(ctx, withArg, [{ name: '', value: selected }]));
        base = closes[i] + 2;
    }
    if (base < src.length) out.push(await invokeM(ctx, withString, [{ name: '', value: str(src.slice(base)) }]));
    return seq(out);
});

function indicesOf(s: string, needle: string): number[] {
    const out: number[] = [];
    for (let i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length)) out.push(i);
    return out;
}

// Weaver hooks: the weaver back-end is not part of this runtime; the constructors build structures.
registerGate('', 'Weave', () => fail('Weave: no weaver back-end in this runtime'));
registerGate('', 'WeaveFigure', args => struct(args.fields.filter(f => f.name !== '' && f.value.kind !== 'empty')));
registerGate('', 'WeaveFunc', args => struct([{ name: 'pkg', value: args.get('pkg') }, { name: 'name', value: args.get('name') }]));
registerGate('', 'WeaveOperator', args => struct([{ name: 'pkg', value: args.get('pkg') }, { name: 'name', value: args.get('name') }]));
registerGate('', 'WeaveTransform', args => struct([{ name: 'operator', value: args.get('operator') }, { name: 'func', value: args.get('func') }]));

// ---------------------------------------------------------------------------------------------
// Idioms

registerGate('', 'Return', args => args.get('pass'));
registerGate('', 'Nothing', () => EMPTY);
registerGate('', 'Empty', () => EMPTY);
registerGate('', 'Expect', args => {
    const v = args.get('value');
    if (v.kind === 'empty') throw new KoPanic(struct([{ name: 'expect', value: str('value expected') }]));
    return v;
});
registerGate('', 'Have', args => bool(args.get('value').kind !== 'empty'));
registerGate('', 'Pick', args => { const e = args.get('either'); return e.kind !== 'empty' ? e : args.get('or'); });
registerGate('', 'Invoke', (args, ctx) => invokeM(ctx, args.get('variety')));
registerGate('', 'Branch', (args, ctx) => {
    const cond = args.get('if');
    if (cond.kind !== 'bool') return fail('yield if must be boolean');
    const chosen = cond.value ? args.get('then') : args.get('else');
    if (chosen.kind === 'empty') return fail('empty value cannot be invoked');
    return invokeM(ctx, chosen);
});
registerGate('', 'Switch', async (args, ctx) => {
    for (const c of lift(args.get('case'))) {
        const r = await invokeM(ctx, c);
        if (r.kind !== 'empty') return r;
    }
    const otherwise = args.get('otherwise');
    return otherwise.kind === 'empty' ? EMPTY : invokeM(ctx, otherwise);
});
registerGate('', 'Inc', args => {
    const n = args.get('number');
    if (n.kind !== 'int') return fail(`integer sum: ${printValue(n)} is not an integer`);
    return intOf(n.type, n.value + 1n);
});
