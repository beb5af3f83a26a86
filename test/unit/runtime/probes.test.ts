// Appendix A of the language reference: which probes load (parse and graft) and which fail.
// Runtime-only failures (unknown names) must load and fail only when run.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeTree } from './helpers.js';
import { KoLoadError, loadProgram } from '../../../src/runtime/interpreter.js';

const ok: string[] = [
    'F() { return: 1 }',
    'F() { return: 1 } G() { return: 2 }',
    'import "a/b" F() { return: b.X }',
    'use "a/b" as c\nF() { return: c.X }',
    'import "a/b" /* c */\nF() { return: 1 }',
    'F (x) { return: x }',
    'F(x, y,) { return: x }',
    'F(\n x // doc for y\n y\n) { return: x }',
    'F(x?, y) { return: x }',
    'F(x ?) { return: x }',
    'F() { a: 1; b: 2; return: a }',
    'F() { a: 1 // c\n return: a }',
    'F() { return: b, b: 1 }',
    'F() { return: G(x: 1, y: 2) }',
    'F() { return: G(1, 2, 3) }',
    'F() { return: G(x: 1, x: 2) }',
    'F() { return: G[x: 1](y: 2) }',
    'F() { return: G(x: 1).y.z }',
    'F() { return: G(x: 1) .y }',
    'F() { return: (1, 2)(3) }',
    'F() { return: "s".x }',
    'F() { return: () }',
    'F() { return: [] }',
    'F() { return: [1]() }',
    'F() { return: -1 }',
    'F() { return: - 1.5e3 }',
    'F() { return: 0755 }',
    'F() { return: .5 }',
    'F() { return: 1. }',
    'F() { return: 1e3 }',
    'F() { return: "a\\x41\\u00e9\\101\\n" }',
    'F() { return: `a\nb` }',
    'F(a) { return: a.b.c }',
    'F() { return: a.b.c }',
    'import "p/a"\nF() { return: a.b.c }',
    'F() { return: g() { return: 1 } }',
    'F() { return:\n g() { return: 1 } }',
    'F() { return: g(x?) { return: x } [1] }',
    'F() { return: g() { return: 1 }() }',
    'F() { return: (a: 1, b: (c: 2)).b.c }',
    'F() { _: 1, return: 2 }',
    'F() { true: 1, return: true }',
    'F(日本) { return: 日本 }',
];

const bad: [string, RegExp][] = [
    ['F(x)\n{ return: x }', /syntax error/],
    ['F(x y) { return: x }', /syntax error/],
    ['F(x?, y?) { return: x }', /syntax error|monadic/],
    ['F(x, x) { return: x }', /duplicate field name x/],
    ['F(x.y) { return: 1 }', /syntax error/],
    ['F() { }', /missing return/],
    ['F() { a: 1 }', /missing return/],
    ['F() { a: 1 b: 2, return: a }', /syntax error/],
    ['F() { return:\n 1 }', /syntax error|.+/],
    ['F() { 1 }', /step label cannot be empty/],
    ['F() { a: 1, a: 2, return: a }', /duplicate step label a/],
    ['F() { return: 1, return: 2 }', /duplicate step label return/],
    ['F() { a: b, b: a, return: a }', /label (a|b) involved in cyclical reference/],
    ['F() { a: a, return: 1 }', /label a involved in cyclical reference/],
    ['F() { return: G(1, x: 2) }', /mixes labeled and positional/],
    ['F() { return: G(x: 1 y: 2) }', /syntax error/],
    ['F() { return: {x: 1} }', /unknown bracket \{\}/],
    ['F() { return: G{x: 1} }', /unknown bracket \{\}/],
    ['F() { return: -"s" }', /syntax error/],
    ['F() { return: \'a\' }', /.+/],
    ['F() { return: x + 1 }', /.+/],
    ['F() { return: a.b }', /a not known at/],
    ['F() { return: g() { return: 1 } }\ng() { return: 2 }', /already grafted in the same package/],
    ['import "a/b"\nimport "c/b"\nF() { return: 1 }', /alias b already used for package a\/b/],
    ['F() { _: 1, _: 2, return: 3 }', /duplicate step label _/],
    ['F() { return: (1, 2 }', /.+/],
    ['F() { return: 0x1F }', /malformed number/],
];

function load(src: string) {
    const root = writeTree({ 'snip/snip.ko': src });
    return loadProgram({ roots: [root], entry: { dir: join(root, 'snip') } });
}

describe('Appendix A probes', () => {
    for (const src of ok) {
        it(`loads: ${JSON.stringify(src)}`, () => { expect(() => load(src)).not.toThrow(); });
    }
    for (const [src, re] of bad) {
        it(`fails: ${JSON.stringify(src)}`, () => {
            let caught: unknown;
            try { load(src); } catch (e) { caught = e; }
            expect(caught).toBeInstanceOf(KoLoadError);
            expect((caught as Error).message).toMatch(re);
        });
    }
});
