// Evaluation semantics (§3.3-§3.7): dataflow order, unused steps, `_` arguments, name
// resolution, recursion, load errors with positions, the Ko stack, events and the step hook.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { evalKo, runKo, writeTree } from './helpers.js';
import { KoLoadError, loadProgram, runFunction, type StepHookFrame } from '../../../src/runtime/interpreter.js';
import { KoRuntimeError, describeKoError } from '../../../src/runtime/errors.js';
import type { RunEvent } from '../../../src/runtime/events.js';
import { printValue } from '../../../src/runtime/values.js';

const FIB = `
Fib(n?) {
	return: Yield(if: Less(n, 2), then: Return[n], else: fibSum[n: n])()
}
fibSum(n) {
	a: Fib(Sum(n, -1))
	b: Fib(Sum(n, -2))
	return: Sum(a, b)
}`;

describe('evaluation order', () => {
    it('an unused step still runs before the function returns', async () => {
        const r = await runKo('Main() {\n\t_: Show("side effect")\n\treturn: 1\n}');
        expect(r.stdout).toBe('"side effect"\n');
        expect(r.printed).toBe('1');
    });
    it('_after orders steps and is dropped before the callee sees it', async () => {
        const r = await runKo(`Main() {
	a: Show("first")
	b: Show(s: "second", _after: a)
	c: Show(s: "third", _after: b)
	return: args(x: 1, _after: c)
}
args(x, _after) { return: (x: x, after: _after) }`);
        expect(r.stdout).toBe('"first"\n(s: "second")\n(s: "third")\n');
        expect(r.printed).toBe('(x: 1)');
    });
    it('textual order does not matter (forward references)', async () => {
        expect(await evalKo('b', '').catch(e => String(e))).toMatch(/not known/);
        const r = await runKo('Main() { return: b, b: Sum(a, 1), a: 1 }');
        expect(r.printed).toBe('2');
    });
    it('Yield evaluates every input, so both branches run', async () => {
        const r = await runKo('Main() { return: Yield(if: true, then: Show("then"), else: Show("else")) }');
        expect(r.stdout).toContain('"then"');
        expect(r.stdout).toContain('"else"');
        expect(r.printed).toBe('"then"');
    });
    it('recursion through Yield(...)() computes fib(20) in well under a second', async () => {
        const root = writeTree({ 'fib/fib.ko': FIB });
        const program = loadProgram({ roots: [root], entry: { dir: join(root, 'fib') } });
        // CPU time, not wall time: the shared test machine may be busy.
        const before = process.cpuUsage();
        const v = await runFunction(program, 'fib', 'Fib', [{ name: '', value: { kind: 'int', type: 'Int64', value: 20n } }]);
        const cpu = process.cpuUsage(before);
        expect(printValue(v)).toBe('6765');
        expect((cpu.user + cpu.system) / 1000).toBeLessThan(1000);
    });
    it('deep recursion does not overflow the JavaScript stack', async () => {
        const r = await runKo(`Main() { return: count(20000) }
count(n?) { return: Yield(if: Equal(n, 0), then: Return[0], else: more[n: n])() }
more(n) { return: Sum(count(Sum(n, -1)), 1) }`);
        expect(r.printed).toBe('20000');
    });
});

describe('names and arguments', () => {
    it('`true` wins over a step named true', async () => {
        expect((await runKo('Main() { true: 1, return: true }')).printed).toBe('true');
    });
    it('a parameter shadows a step of the same name, but the step still runs', async () => {
        const r = await runKo('Main() { return: F(x: 1) }\nF(x) { x: Show("step x"), return: x }');
        expect(r.printed).toBe('1');
        expect(r.stdout).toBe('"step x"\n');
    });
    it('a missing argument is empty; extra arguments are ignored', async () => {
        expect((await runKo('Main() { return: F(y: 2, z: 3) }\nF(x, y) { return: (x: x, y: y) }')).printed).toBe('(y: 2)');
    });
    it('positional arguments go to the monadic parameter, several as a sequence', async () => {
        expect((await runKo('Main() { return: F(1, 2, 3) }\nF(x?) { return: x }')).printed).toBe('(1, 2, 3)');
        expect((await runKo('Main() { return: F(7) }\nF(y, x?) { return: x }')).printed).toBe('7');
        expect((await runKo('Main() { return: F(7) }\nF(x) { return: x }')).printed).toBe('empty');
    });
    it('repeated labels build a sequence', async () => {
        expect((await runKo('Main() { return: F(s: 1, s: 2) }\nF(s) { return: s }')).printed).toBe('(1, 2)');
    });
    it('augmenting a bound field again fails', async () => {
        await expect(runKo('Main() { return: G[x: 1][x: 2]() }\nG(x) { return: x }')).rejects.toThrow('augmenting duplicate field x');
    });
    it('closures bind arguments; inline definitions capture nothing', async () => {
        const r = await runKo(`Main() {
	k: 10
	add: adder(n?, k) { return: Sum(n, k) } [k: k]
	return: add(5)
}`);
        expect(r.printed).toBe('15');
        await expect(runKo('Main(x) { return: g() { return: x }() }')).rejects.toThrow(/macro "".x not known/);
    });
    it('selection into structures, missing fields are empty', async () => {
        expect(await evalKo('(a: 1, b: (c: 2)).b.c')).toBe('2');
        expect(await evalKo('(a: 1).zzz')).toBe('empty');
    });
    it('a package function wins over a builtin of the same name', async () => {
        expect((await runKo('Main() { return: Return(1) }\nReturn(pass?) { return: "mine" }')).printed).toBe('"mine"');
    });
    it('functions are package-wide across files; imports per file', async () => {
        const root = writeTree({
            'p/a.ko': 'import "q"\nMain() { return: (h: helper(), q: q.Q()) }',
            'p/b.ko': 'helper() { return: "from b" }',
            'q/q.ko': 'Q() { return: "from q" }',
        });
        const program = loadProgram({ roots: [root], entry: { dir: join(root, 'p') } });
        expect(printValue(await runFunction(program, 'p', 'Main'))).toBe('(h: "from b", q: "from q")');
    });
});

describe('errors', () => {
    const loadErrors: [string, RegExp][] = [
        ['F() { return: 1 }} ', /:1:18: '\}' closes no open '\{'/],
        ['F() { a: 1 b: 2, return: a }', /syntax error/],
        ['F() { a: 1 }', /missing return/],
        ['F() { a: 1, a: 2, return: a }', /duplicate step label a/],
        ['F() { a: b, b: a, return: a }', /involved in cyclical reference/],
        ['F(x, x) { return: x }', /duplicate field name x/],
        ['F() { return: {x: 1} }', /unknown bracket \{\}/],
        ['F() { return: a.b }', /a not known at/],
        ['F() { return: 1 }\nF() { return: 2 }', /already grafted in the same package/],
        ['import "a/b"\nimport "c/b"\nF() { return: 1 }', /alias b already used for package a\/b/],
        ['F() { return: 0x1F }', /malformed number/],
        ['F() { return: "a\\qb" }', /invalid/],
        ['F() { return: x + 1 }', /:1:17: /],
    ];
    for (const [src, re] of loadErrors) {
        it(`load error: ${src.replace(/\n/g, '\\n')}`, async () => {
            let caught: unknown;
            try { await runKo(src, 'F'); } catch (e) { caught = e; }
            expect(caught).toBeInstanceOf(KoLoadError);
            expect((caught as KoLoadError).message).toMatch(re);
            expect((caught as KoLoadError).diagnostics[0].file).toMatch(/main\/main\.ko$/);
        });
    }
    it('runtime errors carry the Ko stack with file:line:col, innermost first', async () => {
        let caught: unknown;
        try {
            await runKo('Main() {\n\tx: Helper(1)\n\treturn: x\n}\nHelper(n?) {\n\tbad: Sum(n, "s")\n\treturn: bad\n}');
        } catch (e) { caught = e; }
        expect(caught).toBeInstanceOf(KoRuntimeError);
        const text = describeKoError(caught);
        expect(text).toMatch(/^integer sum: "s" is not an integer\n/);
        expect(text).toMatch(/at main\.Helper:bad \(.*main\/main\.ko:6:2\)\n\s+at main\.Main:x \(.*main\/main\.ko:2:2\)/);
        expect(text).not.toMatch(/\.ts:|node_modules/);
    });
});

describe('events, until and the step hook', () => {
    it('reports started/finished events with stable step ids and call paths', async () => {
        const events: RunEvent[] = [];
        await runKo('Main() { a: F(1), return: a }\nF(x?) { y: Sum(x, 1), return: y }', 'Main', { onEvent: e => events.push(e) });
        const finished = events.filter(e => e.kind === 'step-finished');
        expect(finished.map(e => e.kind === 'step-finished' && e.stepId)).toEqual(['main.F/y', 'main.F/return', 'main.Main/a', 'main.Main/return']);
        const y = finished[0];
        expect(y.kind === 'step-finished' && y.callPath).toEqual(['main.Main/a', 'main.F/y']);
        expect(y.kind === 'step-finished' && y.value).toBe('2');
        const started = events.find(e => e.kind === 'step-started');
        expect(started?.kind === 'step-started' && started.position?.line).toBe(1);
    });
    it('reports step-failed with the error', async () => {
        const events: RunEvent[] = [];
        await expect(runKo('Main() { a: Panic("x"), return: a }', 'Main', { onEvent: e => events.push(e) })).rejects.toThrow();
        const failed = events.find(e => e.kind === 'step-failed');
        expect(failed?.kind === 'step-failed' && failed.stepId).toBe('main.Main/a');
        expect(failed?.kind === 'step-failed' && failed.error).toMatch(/unrecovered panic/);
    });
    it('until runs only the step and what it reads', async () => {
        const r = await runKo('Main() { a: 1, b: Sum(a, 1), c: Show("not run"), return: b }', 'Main', { until: 'b' });
        expect(r.printed).toBe('2');
        expect(r.stdout).toBe('');
    });
    it('beforeStep sees each step with its inputs before it runs', async () => {
        const seen: string[] = [];
        const r = await runKo('Main() { a: 1, b: Sum(a, 2), return: b }', 'Main', {
            beforeStep: async (f: StepHookFrame) => { seen.push(`${f.func}/${f.step}:${f.inputs().map(i => `${i.label}=${printValue(i.value)}`).join(',')}`); },
        });
        expect(r.printed).toBe('3');
        expect(seen).toEqual(['Main/a:', 'Main/b:a=1', 'Main/return:b=3']);
    });
});
