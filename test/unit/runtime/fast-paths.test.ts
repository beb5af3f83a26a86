// Behaviour the interpreter's fast paths must keep (no timing: the test machine is shared):
// the red-black tree of the runtime bench, `_`-arguments left out of compiled argument lists,
// augmentation rules, and gate modules that are registered lazily (the pipeline).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalKo, runKo } from './helpers.js';
import { loadProgram, runFunction } from '../../../src/runtime/interpreter.js';
import { lookupGate } from '../../../src/runtime/gate-registry.js';
import { int64, printValue, type Value } from '../../../src/runtime/values.js';

const benchRoot = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/runtime/bench');

function field(v: Value, name: string): Value {
    return v.kind === 'struct' ? (v.fields.find(f => f.name === name)?.value ?? { kind: 'empty' }) : { kind: 'empty' };
}

/** In-order values, checking the left-leaning red-black invariants on the way. */
function checkRedBlack(tree: Value): number[] {
    const values: number[] = [];
    const walk = (node: Value, parentRed: boolean): number => {
        if (node.kind === 'empty') return 1;
        const red = field(node, 'red').kind === 'bool' && (field(node, 'red') as { value: boolean }).value;
        expect(red && parentRed).toBe(false);
        const right = field(node, 'right');
        expect(right.kind === 'struct' && printValue(field(right, 'red')) === 'true').toBe(false);
        const l = walk(field(node, 'left'), red);
        values.push(Number((field(node, 'value') as { value: bigint }).value));
        const r = walk(right, red);
        expect(l).toBe(r);
        return l + (red ? 0 : 1);
    };
    walk(tree, false);
    return values;
}

describe('the red-black tree of the runtime bench', () => {
    it('inserting 200 permuted integers gives a balanced tree holding 0..199 in order', async () => {
        const program = loadProgram({ roots: [benchRoot], entry: { dir: join(benchRoot, 'redblack') } });
        const tree = await runFunction(program, 'redblack', 'BenchmarkInsert', { n: int64(200), seed: int64(11) });
        expect(checkRedBlack(tree)).toEqual(Array.from({ length: 200 }, (_, i) => i));
        const size = await runFunction(program, 'redblack', 'Size', [{ name: '', value: tree }]);
        expect(printValue(size)).toBe('200');
        const again = await runFunction(program, 'redblack', 'Insert', { node: tree, value: int64(42) });
        expect(printValue(again)).toBe(printValue(tree));
    });
});

describe('compiled argument lists', () => {
    it('leave out _-prefixed arguments of constructors, closures and calls, but still evaluate them', async () => {
        expect(await evalKo('(a: 1, _b: 2)')).toBe('(a: 1)');
        expect(await evalKo('(_b: 2)')).toBe('()');
        expect(await evalKo('g[_x: 1, y: 2]', 'g(y) { return: y }')).toBe('main.g[y: 2]');
        const r = await runKo('Main() { return: g(y: 2, _after: Show("side")) }\ng(y, _after) { return: (y: y, after: _after) }');
        expect(r.stdout).toBe('"side"\n');
        expect(r.printed).toBe('(y: 2)');
    });
    it('repeated labels still build sequences and drop empties', async () => {
        expect(await evalKo('(x: 1, x: Empty(), x: 3)')).toBe('(x: (1, 3))');
        expect(await evalKo('(x: Empty(), y: 1)')).toBe('(y: 1)');
    });
    it('keep the augmentation errors', async () => {
        await expect(evalKo('g[x: 1](x: 2)', 'g(x) { return: x }')).rejects.toThrow(/augmenting duplicate field x/);
        await expect(evalKo('g[x: 1][x: 2]()', 'g(x) { return: x }')).rejects.toThrow(/augmenting duplicate field x/);
        await expect(evalKo('(a: 1)(b: 2)')).rejects.toThrow(/cannot be augmented/);
        await expect(evalKo('(a: 1)()')).rejects.toThrow(/cannot be invoked/);
        expect(await evalKo('g[x: 1](y: 2)', 'g(x, y) { return: (x: x, y: y) }')).toBe('(x: 1, y: 2)');
    });
});

describe('lazily registered gate modules', () => {
    it('pipeline gates are known before any run and are loaded for a program that imports pipeline', async () => {
        expect(lookupGate('pipeline', 'Text')).toBeDefined();
        const r = await runKo('import "pipeline"\n\nMain() { return: pipeline.Text }');
        expect(r.printed).toBe('pipeline.Text[]');
    });
});
