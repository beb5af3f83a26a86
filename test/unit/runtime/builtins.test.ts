// Builtins and idioms (§4.1-§4.2), checked against the reference's documented outcomes.
import { describe, expect, it } from 'vitest';
import { evalKo, runKo } from './helpers.js';

const cases: [string, string, string?][] = [
    // [expression, printed result, extra functions]
    ['Equal(`abc`, "abc")', 'false'],
    ['`abc`', '"`abc`"'],
    ['Equal("abc", "abc")', 'true'],
    ['Equal()', 'true'],
    ['Equal(1, Int32(1))', 'false'],
    ['Equal((a: 1, b: 2), (b: 2, a: 1))', 'true'],
    ['Equal((1, 2), (1, 2), (1, 2))', 'true'],
    ['Len()', '0'],
    ['Len(5)', '1'],
    ['Len(())', '1'],
    ['Len(1, 2, 3)', '3'],
    ['Have(())', 'true'],
    ['Have(Empty())', 'false'],
    ['Have(Nothing())', 'false'],
    ['()', '()'],
    ['Empty()', 'empty'],
    ['(1, Empty(), 2)', '(1, 2)'],
    ['(a: 1, b: Empty())', '(a: 1)'],
    ['(x: 1, x: 2)', '(x: (1, 2))'],
    ['[1]()', '1'],
    ['[]()', '()'],
    ['Sum(1, 2, 3)', '6'],
    ['Sum(5)', '5'],
    ['Prod(2, 3, 4)', '24'],
    ['Ratio(7, 2)', '3'],
    ['Ratio(-7, 2)', '-3'],
    ['Moduli(7, 3)', '1'],
    ['Negative(5)', '-5'],
    ['Sum(Int8(127), Int8(1))', '-128'],
    ['Sum(Uint8(255), Uint8(1))', '0'],
    ['Less(1, 2, 3)', 'true'],
    ['Less(1, 1)', 'false'],
    ['Int8(300)', '44'],
    ['Int64(2.9)', '2'],
    ['Float64(3)', '3'],
    ['Float64(1)', '1'],
    ['Float32(0.1)', '0.1'],
    ['1e21', '1e+21'],
    ['0.00001', '1e-05'],
    ['1.5', '1.5'],
    ['- 1.5e3', '-1500'],
    ['0755', '755'],
    ['.5', '0.5'],
    ['"a\\x41\\u00e9\\101\\n"', '"aAéA\\n"'],
    ['String("x")', '"x"'],
    ['Bool(true)', 'true'],
    ['Not(false)', 'true'],
    ['And(true, true, false)', 'false'],
    ['And()', 'true'],
    ['Or()', 'false'],
    ['Or(false, true)', 'true'],
    ['Xor(true, true)', 'false'],
    ['Xor(true, false, false)', 'true'],
    ['Merge((1, 2), 3, (4, 5))', '(1, 2, 3, 4, 5)'],
    ['Merge()', 'empty'],
    ['Take((1, 2, 3))', '(first: 1, remainder: (2, 3))'],
    ['Take(from: (7))', '(first: 7, remainder: empty)'],
    ['Take()', 'empty'],
    ['Yield(if: true, then: 1, else: 2)', '1'],
    ['Yield(if: false, then: 1)', 'empty'],
    ['Pick(either: Empty(), or: 2)', '2'],
    ['Pick(either: 1, or: 2)', '1'],
    ['Return(7)', '7'],
    ['Return[7]()', '7'],
    ['Invoke(Return[3])', '3'],
    ['Inc(41)', '42'],
    ['Branch(if: false, then: Return[1], else: Return[2])', '2'],
    ['When(have: 3, then: Inc, else: Return[0])', '4'],
    ['When(have: Empty(), then: Inc, else: Return[0])', '0'],
    ['Switch(case: (Nothing, Return[2], Return[3]), otherwise: Return[9])', '2'],
    ['Switch(case: Nothing, otherwise: Return[9])', '9'],
    ['All(a: 1, b: 2)', '(a: 1, b: 2)'],
    ['All(a: 1, b: Empty())', 'empty'],
    ['All()', 'empty'],
    ['Loop(start: 0, step: Inc, stop: atFive)', '5', 'atFive(n?) { return: Equal(n, 5) }'],
    ['Range(over: (1, 2, 3), start: 0, with: acc)', '(image: (2, 4, 6), residue: 6)',
        'acc(carry, elem) { return: (emit: Prod(elem, 2), carry: Sum(carry, elem)) }'],
    ['Range(over: (1, 2, 3), start: 0, with: acc, stop: big)', '(image: (1, 2), residue: 3)',
        'acc(carry, elem) { return: (emit: elem, carry: Sum(carry, elem)) }\nbig(c?) { return: Less(2, c) }'],
    ['Range(over: Empty(), start: 7, with: acc)', '(image: empty, residue: 7)', 'acc(carry, elem) { return: () }'],
    ['Sort(over: (3, Empty(), 1, 2), less: lt)', '(1, 2, 3)', 'lt(left, right) { return: Less(left, right) }'],
    ['Recover(invoke: Panic[msg: "boom"], panic: Return)', '(msg: "boom")'],
    ['Recover(invoke: Return[5], panic: Return)', '5'],
    ['Spin(Return[42]).Wait()', '42'],
    ['Parallel(Return[1])', '1'],
    ['Sequential(Return[1])', '1'],
    ['Profile(Return[8]).returns', '8'],
    ['Format(format: "a%%b", args: 1, withString: Return, withArg: Return)', '("a", 1, "b")'],
    ['Template(template: "x={{a.b}}!", args: (a: (b: 5)), withString: Return, withArg: Return)', '("x=", 5, "!")'],
    ['Hash(1) == Hash(1)', ''],
];

describe('builtins: outcomes', () => {
    for (const [expr, expected, extra] of cases) {
        if (expected === '') continue;
        it(`${expr} => ${expected}`, async () => {
            expect(await evalKo(expr, extra ?? '')).toBe(expected);
        });
    }
});

describe('builtins: errors', () => {
    const errors: [string, RegExp][] = [
        ['Sum()', /series is empty/],
        ['Sum(1, 2.5)', /not an integer/],
        ['Sum(1, Uint8(2))', /signed and unsigned/],
        ['Less(1.5, 2.5)', /not an integer/],
        ['Negative(1, 2)', /integer negative expects a single integer/],
        ['Ratio(1, 0)', /divide by zero/],
        ['Yield(if: 1, then: 2)', /yield if must be boolean/],
        ['Loop(start: 1, step: 2)', /loop step is not a variety/],
        ['Range(over: 1, with: 2)', /range with is not a variety/],
        ['When(have: 1, then: 2)', /when then is not a variety/],
        ['Recover(invoke: 1)', /recover invoke is not a variety/],
        ['Panic(msg: "x")', /unrecovered panic: \(msg: "x"\)/],
        ['Expect(Empty())', /unrecovered panic: \(expect: /],
        ['nope(1)', /macro "".nope not known/],
        ['a.b.c', /macro "".a.b.c not known/],
        ['(1, 2)(3)', /sequence \(1, 2\) cannot be augmented/],
        ['(a: 1)()', /structure \(a: 1\) cannot be invoked/],
        ['"s".x', /basic value "s" cannot be selected into/],
        ['Bool(1)', /cannot convert 1 into Bool/],
        ['G[x: 1][x: 2]()', /augmenting duplicate field x/],
    ];
    for (const [expr, re] of errors) {
        it(`${expr} fails with ${re}`, async () => {
            await expect(evalKo(expr, 'G(x, y) { return: x }')).rejects.toThrow(re);
        });
    }
});

describe('builtins: effects', () => {
    it('Show prints the constructed value to stdout and returns it', async () => {
        const r = await runKo('Main() { s: Show(a: 1, b: "x"), return: s.b }');
        expect(r.stdout).toBe('(a: 1, b: "x")\n');
        expect(r.printed).toBe('"x"');
    });
    it('ShowType prints the type', async () => {
        const r = await runKo('Main() { return: ShowType((1, 2)) }');
        expect(r.stdout).toBe('(Int64)\n');
    });
    it('Peek logs to stderr with the source position and stack', async () => {
        const r = await runKo('Main() {\n\tp: Peek(7)\n\treturn: p\n}');
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/main\/main\.ko:2:2: 7\n/);
        expect(r.stderr).toMatch(/at main\.Main:p/);
    });
    it('Println concatenates; the returned String is "" for fewer than two parts', async () => {
        const r = await runKo('Main() { a: Println("x", "y"), b: Print("z"), return: (a: a, b: b) }');
        expect(r.stdout).toContain('xy\n');
        expect(r.stdout).toContain('z');
        expect(r.printed).toBe('(a: "xy", b: "")');
    });
    it('Hash is deterministic and content-based (field order does not matter)', async () => {
        const a = await evalKo('Hash(a: 1, b: 2)');
        const b = await evalKo('Hash(b: 2, a: 1)');
        const c = await evalKo('Hash(a: 1, b: 3)');
        expect(a).toMatch(/^"[0-9a-f]{16}"$/);
        expect(a).toBe(b);
        expect(a).not.toBe(c);
    });
    it('Memory remembers, recalls and flushes', async () => {
        const r = await runKo(`Main() {
	m: Memory()
	first: m.Remember(key: "k", value: 1)
	second: m.Remember(key: "k", value: 2, _after: first)
	got: m.Recall(key: "k", _after: second)
	missing: m.Recall(key: "nope", otherwise: 0)
	all: m.Flush(_after: got)
	return: (first: first, second: second, got: got, missing: missing, all: all)
}`);
        expect(r.printed).toBe('(second: 1, got: 2, missing: 0, all: ((key: "k", value: 2)))');
    });
    it('Profile returns a positive duration in nanoseconds', async () => {
        const r = await runKo('Main() { return: Profile(Return[1]).duration }');
        expect(r.value.kind).toBe('int');
        expect(Number((r.value as { value: bigint }).value)).toBeGreaterThan(0);
    });
});

describe('pseudo-packages', () => {
    it('integer.* are integer-only', async () => {
        expect(await evalKo('integer.Sum(1, 2)', '').catch(() => 'x')).toBe('x'); // needs the import
        const r = await runKo('import "integer"\nMain() { return: (s: integer.Sum(1, 2), e: integer.Equal(3, 3), l: integer.Less(3, 2)) }');
        expect(r.printed).toBe('(s: 3, e: true, l: false)');
        await expect(runKo('import "integer"\nMain() { return: integer.Equal("a", "a") }')).rejects.toThrow(/not an integer/);
    });
    it('circuit.PkgPath is the calling package', async () => {
        const r = await runKo('import "circuit"\nMain() { return: circuit.PkgPath() }');
        expect(r.printed).toBe('"main"');
    });
    it('ko.Eval compiles a return formula', async () => {
        const r = await runKo('import "ko"\nMain() { return: ko.Eval("Sum(2, 3)") }');
        expect(r.printed).toBe('(eval: "Sum(2, 3)", returned: 5)');
        const bad = await runKo('import "ko"\nMain() { return: ko.Eval("Sum(2,").error }');
        expect(bad.printed).toMatch(/^"parsing/);
    });
    it('an unknown member of an imported package fails at runtime', async () => {
        await expect(runKo('import "integer"\nMain() { return: integer.Nope(1) }')).rejects.toThrow('no function or macro "integer".Nope');
    });
});

describe('value summaries', () => {
    it('summarizeValue matches printValue when short and truncates long values cheaply', async () => {
        const { summarizeValue, printValue, seq, str, int64, struct } = await import('../../../src/runtime/values.js');
        const small = struct({ a: int64(1), b: seq([str('x'), str('y')]) });
        expect(summarizeValue(small)).toBe(printValue(small));
        const big = seq(Array.from({ length: 200_000 }, (_, i) => int64(i)));
        const started = performance.now();
        const s = summarizeValue(big, 50);
        expect(performance.now() - started).toBeLessThan(50);
        expect(s).toHaveLength(50);
        expect(s.endsWith('…')).toBe(true);
        expect(printValue(big).startsWith(s.slice(0, -1))).toBe(true);
    });
});
