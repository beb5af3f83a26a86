// The canonical formatter: exact output on a deliberately messy file, and over every .ko file of
// the test corpus (test/fixtures/** and examples/**): same AST after formatting, no new
// diagnostics, idempotent. It must refuse files with syntax errors.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectFormatting } from 'langium/test';
import { formatKo } from '../../../server/ko-format.js';
import { formatEdits } from '../../../server/formatter.js';
import { Ko, astData, parse } from './lsp-test-kit.js';

const root = join(import.meta.dirname, '../../..');

function koFiles(dir: string): string[] {
    const out: string[] = [];
    let entries: string[] = [];
    try { entries = readdirSync(dir); } catch { return out; }
    for (const name of entries) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) out.push(...koFiles(path));
        else if (name.endsWith('.ko')) out.push(path);
    }
    return out;
}

describe('formatter', () => {
    it('formats a messy file to the canonical style', async () => {
        const before = readFileSync(join(root, 'test/fixtures/lsp/format/messy.ko'), 'utf8');
        const after = readFileSync(join(root, 'test/fixtures/lsp/format/messy.expected.ko'), 'utf8');
        expect(formatKo(before)).toBe(after);
        await expectFormatting(Ko)({ before, after });
    });

    it('keeps one-line bodies and breaks multi-step ones', () => {
        expect(formatKo('F() { return: x }')).toBe('F() { return: x }\n');
        expect(formatKo('F() { a: 1; return: a }')).toBe('F() {\n\ta: 1\n\treturn: a\n}\n');
    });

    it('opens multi-line calls on the label line and indents arguments with tabs', () => {
        const src = 'F(name) {\n    return: strings.Join(\n  string: ("Hello", name)\n        delimiter: " "\n    )\n}\n';
        expect(formatKo(src)).toBe('F(name) {\n\treturn: strings.Join(\n\t\tstring: ("Hello", name)\n\t\tdelimiter: " "\n\t)\n}\n');
    });

    it('never joins tokens that would lex differently', () => {
        // `1 .x` must not become `1.x` (a float followed by x).
        expect(formatKo('F() { return: G(1 .x) }')).toBe('F() { return: G(1 .x) }\n');
    });

    it('refuses a file with syntax errors', async () => {
        const doc = await parse('F() { return: (1, 2 }');
        expect(formatEdits(doc)).toEqual([]);
        const doc2 = await parse('F() { a: 1 b: 2, return: a }');
        expect(doc2.parseResult.parserErrors.length).toBeGreaterThan(0);
        expect(formatEdits(doc2)).toEqual([]);
    });

    const corpus = [...koFiles(join(root, 'test/fixtures')), ...koFiles(join(root, 'examples'))]
        .filter(f => !f.endsWith('.expected.ko'));
    it('has a corpus to check', () => expect(corpus.length).toBeGreaterThan(5));
    for (const file of corpus) {
        it(`keeps the meaning of ${relative(root, file)}`, async () => {
            const text = readFileSync(file, 'utf8');
            const original = await parse(text, { validation: true });
            if (original.parseResult.parserErrors.length > 0 || original.parseResult.lexerErrors.length > 0) {
                expect(formatEdits(original)).toEqual([]);
                return;
            }
            const once = formatKo(text)!;
            expect(once).toBeDefined();
            const formatted = await parse(once, { validation: true });
            expect(formatted.parseResult.parserErrors).toEqual([]);
            expect(astData(formatted.parseResult.value)).toEqual(astData(original.parseResult.value));
            const codes = (d: readonly { code?: string | number | null; message: unknown }[]) => d.map(x => `${String(x.code)}: ${String(x.message)}`).sort();
            expect(codes(formatted.diagnostics ?? [])).toEqual(codes(original.diagnostics ?? []));
            expect(formatKo(once)).toBe(once);
        });
    }
});
