// Lexing details that Langium's defaults got wrong for Ko: names that begin with a word keyword
// (`user`, `assert`, `imported`) are single names, and CRLF files keep every position on its line.
import { describe, expect, test } from 'vitest';
import { diagnose } from './language-test-kit.js';

describe('lexing', () => {
    test('names beginning with import, use or as are names', async () => {
        const diagnostics = await diagnose('Main(user?) {\n\tassert: user\n\timported: (useful: assert, asset: 1)\n\treturn: imported\n}\n');
        expect(diagnostics).toEqual([]);
    });

    test('the keywords themselves still work as keywords and as names', async () => {
        const diagnostics = await diagnose('Main() {\n\tuse: 1\n\tas: use\n\treturn: as\n}\n');
        expect(diagnostics).toEqual([]);
    });

    test('a CRLF file reports its diagnostics on the right lines', async () => {
        const text = 'Main() {\r\n\ta: 1\r\n\tb: missing\r\n\treturn: b\r\n}\r\n';
        const diagnostics = await diagnose(text);
        const unknown = diagnostics.find(d => d.code === 'unknown-name');
        expect(unknown?.range).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 11 } });
    });
});
