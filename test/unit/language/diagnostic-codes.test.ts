// Every diagnostic code: a source that triggers it (with the exact range where it matters) and
// a close variant that does not. Keeps codes stable for `ko check --format json` and quick fixes.
import { describe, expect, test } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../../src/language/diagnostics.js';
import { codes, diagnose, diagnosePackage } from './language-test-kit.js';

// [code, triggering source, clean variant]
const CASES: [string, string, string][] = [
    ['syntax-error', 'F() { return: G(x: 1 y: 2) }', 'F() { return: G(x: 1, y: 2) }\nG(x, y) { return: x }'],
    ['unrecognized-token', 'F() { return: 1 + 2 }', 'F() { return: Sum(1, 2) }'],
    ['bracket-imbalance', 'F() { return: (1, 2 }', 'F() { return: (1, 2) }'],
    ['bad-escape', 'F() { return: "\\q" }', 'F() { return: "\\t" }'],
    ['unterminated-string', 'F() { return: "abc }', 'F() { return: "abc" }'],
    ['bad-number', 'F() { return: 0x1F }', 'F() { return: 0031 }'],
    ['comment-position', 'F() { a /* c */ : 1, return: a }', 'F() { a: 1 /* c */, return: a }'],
    ['newline-after-colon', 'F() { return:\n 1 }', 'F() { return:\n g() { return: 1 } }'],
    ['unterminated-comment', 'F() { return: 1 }\n/* never closed', 'F() { return: 1 }\n/* closed */'],
    ['duplicate-function', 'F() { return: 1 }\nF() { return: 2 }', 'F() { return: 1 }\nG() { return: 2 }'],
    ['duplicate-parameter', 'F(x, x) { return: x }', 'F(x, y) { return: x }'],
    ['multiple-monadic', 'F(x?, y?) { return: x }', 'F(x?, y) { return: x }'],
    ['missing-return', 'F() { a: 1 }', 'F() { a: 1, return: a }'],
    ['duplicate-label', 'F() { a: 1, a: 2, return: a }', 'F() { a: 1, b: 2, return: a }'],
    ['unlabeled-step', 'F() { 1 }', 'F() { return: 1 }'],
    ['empty-label', 'F() { return: G(: 1) }\nG(x?) { return: x }', 'F() { return: G(1) }\nG(x?) { return: x }'],
    ['mixed-terms', 'F() { return: G(1, x: 2) }\nG(x?) { return: x }', 'F() { return: G(x: 1) }\nG(x?) { return: x }'],
    ['step-cycle', 'F() { a: b, b: c, c: a, return: a }', 'F() { a: b, b: c, c: 1, return: a }'],
    ['curly-bracket', 'F() { return: {x: 1} }', 'F() { return: (x: 1) }'],
    ['unknown-alias', 'F() { return: strings.Join("a") }', 'import "github.com/kocircuit/kocircuit/lib/strings"\nF() { return: strings.Join("a") }'],
    ['duplicate-alias', 'import "a/b"\nimport "c/b"\nF() { return: b.X }', 'import "a/b"\nimport "c/b" as d\nF() { return: (b.X, d.Y) }'],
    ['unknown-name', 'F() { return: Summ(1, 2) }', 'F() { return: Sum(1, 2) }'],
    ['unknown-member', 'import "github.com/kocircuit/kocircuit/lib/strings"\nF() { return: strings.Jion("a") }', 'import "github.com/kocircuit/kocircuit/lib/strings"\nF() { return: strings.Join("a") }'],
    ['unresolvable-path', 'F() { return: a.b.c }', 'F(a) { return: a.b.c }'],
    ['outer-reference', 'F(x) { return: g() { return: x } }', 'F(x) { return: g(x) { return: x } [x: x] }'],
    ['unknown-argument', 'F() { return: G(y: 1) }\nG(x) { return: x }', 'F() { return: G(x: 1, _after: 2) }\nG(x) { return: x }'],
    ['positional-without-monadic', 'F() { return: G(1) }\nG(x) { return: x }', 'F() { return: G(1) }\nG(x?) { return: x }'],
    ['shadowed-step', 'F(x) { x: 1, return: x }', 'F(x) { y: 1, return: Sum(x, y) }'],
    ['unused-import', 'import "pipeline"\nF() { return: 1 }', 'import "pipeline"\nF() { return: pipeline.Text(name: "a", content: "b") }'],
    ['unknown-package', 'import "no/such/pkg"\nF() { return: pkg.X }', 'import "integer"\nF() { return: integer.Sum(1, 2) }'],
];

describe('diagnostic codes', () => {
    test('every code has a case', () => {
        expect(CASES.map(c => c[0]).sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
    });
    test.each(CASES)('%s: reported, and not for the clean variant', async (code, bad, good) => {
        expect(codes(await diagnose(bad))).toContain(code);
        expect(codes(await diagnose(good))).not.toContain(code);
    });
});

describe('ranges and messages', () => {
    test('unknown name: exact range and did-you-mean', async () => {
        const [d] = (await diagnose('F(count) {\n\treturn: Sum(cuont, 1)\n}')).filter(x => x.code === 'unknown-name');
        expect(d.range).toEqual({ start: { line: 1, character: 13 }, end: { line: 1, character: 18 } });
        expect(d.message).toContain('did you mean count?');
        expect(d.data).toMatchObject({ name: 'cuont', suggestion: 'count' });
    });
    test('step cycle: the whole path in the message, on each step label', async () => {
        const ds = (await diagnose('F() {\n\ta: b\n\tb: c\n\tc: a\n\treturn: a\n}')).filter(x => x.code === 'step-cycle');
        expect(ds).toHaveLength(3);
        expect(ds[0].message).toContain('a -> b -> c -> a');
        expect(ds.map(d => d.range.start.line).sort()).toEqual([1, 2, 3]);
        expect(ds[0].relatedInformation?.length).toBe(1);
    });
    test('bad escape points at the escape itself', async () => {
        const [d] = (await diagnose('F() { return: "ab\\qc" }')).filter(x => x.code === 'bad-escape');
        expect(d.range).toEqual({ start: { line: 0, character: 17 }, end: { line: 0, character: 19 } });
    });
    test('missing return points at the function name', async () => {
        const [d] = (await diagnose('\nHelper(x) {\n\ta: x\n}')).filter(x => x.code === 'missing-return');
        expect(d.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 1, character: 6 } });
    });
    test('the body brace on its own line is named as the cause', async () => {
        const ds = await diagnose('F(x)\n{ return: x }');
        expect(ds[0].message).toContain("'{' must be on the same line as ')'");
        expect(ds[0].range.start).toEqual({ line: 0, character: 4 });
    });
    test('several syntax errors in one file are all reported', async () => {
        const ds = await diagnose('A() { return: 1 2 }\nB() { return: x + 1 }\nC() { return: "\\z" }\nD() { return: 1_0 }');
        expect(codes(ds)).toEqual(expect.arrayContaining(['syntax-error', 'unrecognized-token', 'bad-escape', 'bad-number']));
        expect(new Set(ds.map(d => d.range.start.line))).toEqual(new Set([0, 1, 2, 3]));
    });
    test('true and false are Bool literals, even over a step of that name', async () => {
        expect(codes(await diagnose('F() { return: (true, false) }'))).toEqual([]);
    });
    test('underscore arguments are exempt from unknown-argument', async () => {
        expect(codes(await diagnose('F() { a: G(x: 1), return: G(x: 2, _after: a) }\nG(x) { return: x }'))).toEqual([]);
    });
});

describe('packages span files', () => {
    test('functions are package-wide; a duplicate across files is reported in the later file', async () => {
        const result = await diagnosePackage({
            'a.ko': 'Main() { return: Helper(x: 1) }\nDup() { return: 1 }',
            'b.ko': 'Helper(x) { return: x }\nDup() { return: 2 }',
        });
        expect(codes(result['a.ko'])).toEqual([]);
        expect(codes(result['b.ko'])).toEqual(['duplicate-function']);
        expect(result['b.ko'][0].message).toContain('a.ko:2');
    });
    test('an inline definition counts as a package function', async () => {
        const result = await diagnosePackage({
            'a.ko': 'Main() { return: g() { return: 1 } }',
            'b.ko': 'g() { return: 2 }\nUse() { return: g() }',
        });
        expect(codes(result['b.ko'])).toEqual(['duplicate-function']);
    });
    test('imports are per file', async () => {
        const result = await diagnosePackage({
            'a.ko': 'import "integer"\nA() { return: integer.Sum(1, 2) }',
            'b.ko': 'B() { return: integer.Sum(1, 2) }',
        });
        expect(codes(result['a.ko'])).toEqual([]);
        expect(codes(result['b.ko'])).toEqual(['unknown-alias']);
    });
});
