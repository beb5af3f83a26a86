// Fuzz-style robustness: random token soup and mutations of valid files never crash the parser
// or the validator, and no single input takes more than a second.
import { EmptyFileSystem } from 'langium';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeFile } from '../../../src/language/ko-analysis.js';
import { createKoCoreServices, createPackageIndex } from '../../../src/language/ko-module.js';
import type { KoFile } from '../../../src/language/generated/ast.js';
import { FUZZ_TOKENS, mutate, rng } from './fuzz-inputs.js';

const { Ko } = createKoCoreServices(EmptyFileSystem);
const index = createPackageIndex(Ko, []);

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
            for (let i = 0; i < n; i++) text += FUZZ_TOKENS[Math.floor(random() * FUZZ_TOKENS.length)] + (random() < 0.5 ? ' ' : '');
            check(text, seed);
        }
    }, 120_000);

    test('2,000 mutations of valid corpus files', () => {
        const sources = corpusFiles(join(import.meta.dirname, '..', '..', 'fixtures', 'corpus')).map(f => readFileSync(f, 'utf8'));
        for (let seed = 1; seed <= 2000; seed++) {
            const text = mutate(sources[seed % sources.length], rng(seed * 7919), 4);
            check(text, seed);
        }
    }, 180_000);
});
