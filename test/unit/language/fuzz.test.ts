// Fuzz-style robustness: random token soup and mutations of valid files never crash the parser
// or the validator, and no single input takes more than a second.
import { EmptyFileSystem } from 'langium';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeFile } from '../../../src/language/ko-analysis.js';
import { createKoCoreServices, createPackageIndex } from '../../../src/language/ko-module.js';
import type { KoFile } from '../../../src/language/generated/ast.js';

const { Ko } = createKoCoreServices(EmptyFileSystem);
const index = createPackageIndex(Ko, []);

/** A small deterministic PRNG so a failure can be reproduced from its seed. */
function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const TOKENS = ['F', 'G', 'x', 'return', 'import', 'use', 'as', 'true', '_', '(', ')', '[', ']', '{', '}', ':', '.', '-', '?', ',', ';', '\n', '\n',
    '1', '2.5', '.5', '1e3', '0x1', '"s"', '"a\\qb"', '"open', '`raw`', '`open', '// c\n', '/* c */', '/* open', '+', '@', '\'c\'', '日本', ' ', '\t', '\r\n'];

function check(text: string, seed: number): void {
    const started = performance.now();
    const parseResult = Ko.parser.LangiumParser.parse<KoFile>(text);
    const filePath = `/fuzz/f${seed % 7}.ko`;
    index.setFile(filePath, parseResult.value);
    const diagnostics = analyzeFile({ filePath, text, parseResult, index, lexer: Ko.parser.Lexer });
    const elapsed = performance.now() - started;
    for (const d of diagnostics) {
        expect(d.range.start.line, `seed ${seed}`).toBeGreaterThanOrEqual(0);
        expect(d.message.length, `seed ${seed}`).toBeGreaterThan(0);
    }
    expect(elapsed, `seed ${seed} took ${elapsed} ms`).toBeLessThan(1000);
}

const corpusFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ko')).map(e => join(e.parentPath, e.name));

describe('fuzz', () => {
    test('2,000 random token sequences', () => {
        for (let seed = 1; seed <= 2000; seed++) {
            const random = rng(seed);
            const n = 1 + Math.floor(random() * 60);
            let text = '';
            for (let i = 0; i < n; i++) text += TOKENS[Math.floor(random() * TOKENS.length)] + (random() < 0.5 ? ' ' : '');
            check(text, seed);
        }
    }, 120_000);

    test('2,000 mutations of valid corpus files', () => {
        const sources = corpusFiles(join(import.meta.dirname, '..', '..', 'fixtures', 'corpus')).map(f => readFileSync(f, 'utf8'));
        for (let seed = 1; seed <= 2000; seed++) {
            const random = rng(seed * 7919);
            let text = sources[seed % sources.length];
            const edits = 1 + Math.floor(random() * 4);
            for (let e = 0; e < edits; e++) {
                const at = Math.floor(random() * text.length);
                const kind = random();
                if (kind < 0.35) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
                else if (kind < 0.7) text = text.slice(0, at) + TOKENS[Math.floor(random() * TOKENS.length)] + text.slice(at);
                else { const len = Math.floor(random() * 40); text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at); }
            }
            check(text, seed);
        }
    }, 180_000);
});
