// Unit tests of the client's tolerant outline scanner (functions, parameters, steps, ranges).
import { describe, expect, it } from 'vitest';
import { functionAt, scanOutline, stepAt } from '../../../client/outline.js';

const src = [
    'import "strings"',
    '',
    '// Greets someone.',
    'Greet(name?, punct) {',
    '    hello: strings.Join(string: ("Hello", name), delimiter: " ")',
    '    return: Show(hello) // a comment with a: colon',
    '}',
    '',
    'Main() {',
    '    g: Greet(name: "world, friend", punct: "!"), h: Len(g)',
    '    f: inner(x) { y: x, return: y }',
    '    multi: (',
    '        a: 1',
    '        b: 2',
    '    )',
    '    return: g',
    '}',
].join('\n');

describe('scanOutline', () => {
    const fns = scanOutline(src);
    it('finds top-level functions with their parameters', () => {
        expect(fns.map(f => f.name)).toEqual(['Greet', 'Main']);
        expect(fns[0]!.params).toEqual(['name', 'punct']);
        expect(fns[1]!.params).toEqual([]);
        expect(fns[0]!.nameRange.start).toEqual({ line: 3, character: 0 });
        expect(fns[0]!.range.end.line).toBe(6);
    });
    it('finds the labeled steps of a body, not those of nested constructs', () => {
        expect(fns[0]!.steps.map(s => s.label)).toEqual(['hello', 'return']);
        expect(fns[1]!.steps.map(s => s.label)).toEqual(['g', 'h', 'f', 'multi', 'return']);
        const g = fns[1]!.steps[0]!;
        expect(g.labelRange).toEqual({ start: { line: 9, character: 4 }, end: { line: 9, character: 5 } });
        expect(g.text).toBe('g: Greet(name: "world, friend", punct: "!")');
        expect(fns[1]!.steps[3]!.range.end.line).toBe(14);
        expect(fns[1]!.steps[3]!.text).toBe('multi: ( a: 1 b: 2 )');
    });
    it('locates the function and step under a position', () => {
        const main = functionAt(fns, { line: 10, character: 8 })!;
        expect(main.name).toBe('Main');
        expect(stepAt(main, { line: 10, character: 8 })!.label).toBe('f');
        expect(functionAt(fns, { line: 1, character: 0 })).toBeUndefined();
    });
    it('tolerates unfinished text', () => {
        const partial = scanOutline('A() {\n  x: F(\n');
        expect(partial.map(f => f.name)).toEqual(['A']);
        expect(scanOutline('')).toEqual([]);
        expect(scanOutline('}}} ((( "unterminated')).toEqual([]);
    });
});
