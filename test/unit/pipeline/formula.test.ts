// Step formulas read back from source for the code identity of a step's cache key.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFormula, formulaAt, normaliseCallee } from '../../../src/pipeline/formula.js';
import { parseTimeout } from '../../../src/pipeline/pipeline-gates.js';
import { str, int64, float64 } from '../../../src/runtime/values.js';

describe('extractFormula', () => {
    it('skips the label and stops at the end of the step', () => {
        expect(extractFormula('sorted: pipeline.Shell(script: "sort", inputs: (a: x))\n  next: 1')).toBe('pipeline.Shell(script: "sort", inputs: (a: x))');
        expect(extractFormula('a: F(x: "),\\"", y: 1), b: 2')).toBe('F(x: "),\\"", y: 1)');
        expect(extractFormula('a: F(\n  x: 1, // c)\n  y: 2\n)\nb: 3')).toBe('F(\n  x: 1, // c)\n  y: 2\n)');
        expect(extractFormula('return: x }')).toBe('x');
    });

    it('reads from a file by position and range', () => {
        const f = join(mkdtempSync(join(tmpdir(), 'ko-formula-')), 'a.ko');
        writeFileSync(f, 'Main() {\n\tsorted: pipeline.Shell(\n\t\tscript: "sort"\n\t)\n\treturn: sorted\n}\n');
        expect(formulaAt(f, 2, 2)).toBe('pipeline.Shell(\n\t\tscript: "sort"\n\t)');
        expect(formulaAt(f, 2, 2, 4, 3)).toBe('pipeline.Shell(\n\t\tscript: "sort"\n\t)');
        expect(formulaAt(f, 5, 2, 5, 16)).toBe('sorted');
        expect(formulaAt(join(f, 'missing'), 1, 1)).toBeUndefined();
    });
});

describe('normaliseCallee', () => {
    it('replaces an import alias of pipeline by the package name', () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-alias-'));
        writeFileSync(join(dir, 'a.ko'), 'import "pipeline" as p\n\nMain() { return: p.Shell("x") }\n');
        writeFileSync(join(dir, 'b.ko'), 'import "pipeline"\n\nMain() { return: pipeline.Shell("x") }\n');
        expect(normaliseCallee('p.Shell("x")', join(dir, 'a.ko'))).toBe('pipeline.Shell("x")');
        expect(normaliseCallee('pipeline.Shell("x")', join(dir, 'b.ko'))).toBe('pipeline.Shell("x")');
        expect(normaliseCallee('px.Shell("x")', join(dir, 'a.ko'))).toBe('px.Shell("x")');
    });
});

describe('parseTimeout', () => {
    it('accepts seconds and duration strings', () => {
        expect(parseTimeout(int64(5))).toBe(5);
        expect(parseTimeout(float64(0.5))).toBe(0.5);
        expect(parseTimeout(str('90s'))).toBe(90);
        expect(parseTimeout(str('1h30m'))).toBe(5400);
        expect(parseTimeout(str('250ms'))).toBe(0.25);
        expect(parseTimeout(str('12'))).toBe(12);
        expect(parseTimeout(str('5 minutes'))).toBeUndefined();
    });
});
