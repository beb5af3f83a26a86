// The fast parser must be indistinguishable from the Langium parser wherever it accepts a file:
// the same AST, the same position for every node and property token, the same diagnostics. And
// it must decline every file the Langium parser or the syntax checks find fault with. Inputs:
// the corpus, the examples, a generated workspace, tricky snippets, and fuzz (token soup and
// mutations of the corpus).
import { EmptyFileSystem, GrammarUtils, type AstNode } from 'langium';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeFile } from '../../../src/language/ko-analysis.js';
import { createKoCoreServices, createPackageIndex } from '../../../src/language/ko-module.js';
import { functionsOfCleanFile, parseCleanKo } from '../../../src/language/fast-parser.js';
import { allFunctions } from '../../../src/language/ast-utils.js';
import { keywordSpan, propertySpan } from '../../../src/language/source-spans.js';
import type { KoFile } from '../../../src/language/generated/ast.js';
import { FUZZ_TOKENS, mutate, rng } from './fuzz-inputs.js';

const { Ko } = createKoCoreServices(EmptyFileSystem);
const parser = Ko.parser.LangiumParser;
const index = createPackageIndex(Ko, []);
const repo = join(import.meta.dirname, '..', '..', '..');

/** Token-valued properties whose positions the checks, the runtime and the debugger ask for. */
const PROPERTIES: Record<string, string[]> = {
    Import: ['keyword', 'path', 'alias'], FuncDef: ['name'], Param: ['name', 'monadic'],
    Term: ['label', 'colon', 'newlineAfterColon'], Select: ['field'], Ref: ['name'],
    NumberLiteral: ['value'], StringLiteral: ['value', 'raw'], Construct: ['bracket'],
};
const KEYWORDS: Record<string, string> = { FuncDef: '{', CurlyConstruct: '{' };

/** What a consumer of either AST can observe: values, containment, every position we serve. */
function snapshot(file: KoFile, langium: boolean): unknown {
    const at = (span: { offset: number; end: number; range: unknown; text: string } | undefined) => span && [span.offset, span.end, span.range, span.text];
    const visit = (node: AstNode): unknown => {
        const out: Record<string, unknown> = {
            $type: node.$type, $containerProperty: node.$containerProperty, $containerIndex: node.$containerIndex,
            at: at(node.$cstNode),
        };
        for (const property of PROPERTIES[node.$type] ?? []) {
            out[`@${property}`] = at(langium ? GrammarUtils.findNodeForProperty(node.$cstNode, property) : propertySpan(node, property));
        }
        if (node.$type === 'FuncDef') out['@params'] = (node as unknown as { params: unknown[] }).params.map((_, i) => at(langium ? GrammarUtils.findNodeForProperty(node.$cstNode, 'params', i) : propertySpan(node, 'params', i)));
        const keyword = KEYWORDS[node.$type];
        if (keyword) out[`@${keyword}`] = at(langium ? GrammarUtils.findNodeForKeyword(node.$cstNode, keyword) : keywordSpan(node, keyword));
        for (const [key, value] of Object.entries(node)) {
            if (key.startsWith('$')) continue;
            out[key] = Array.isArray(value) ? value.map(v => visit(v)) : typeof value === 'object' && value ? visit(value as AstNode) : value;
            if (typeof value === 'object' && value) expect((value as AstNode).$container ?? (value as AstNode[])[0]?.$container ?? node).toBe(node);
        }
        return out;
    };
    return visit(file);
}

let accepted = 0, declined = 0;

/** Compares both parsers on one text; returns whether the fast parser accepted it. */
function compare(text: string, label: string): boolean {
    const full = parser.parse<KoFile>(text);
    const fast = parseCleanKo(text);
    const filePath = `/fast/${label.replace(/\W/g, '_')}.ko`;
    index.setFile(filePath, full.value);
    const expected = analyzeFile({ filePath, text, parseResult: full, index, lexer: Ko.parser.Lexer });
    if (!fast) {
        declined++;
        return false;
    }
    accepted++;
    expect(full.lexerErrors.length + full.parserErrors.length, `${label}: fast parser accepted a file Langium rejects: ${JSON.stringify(text)} ${full.parserErrors.map(e => e.message).join("; ")}`).toBe(0);
    expect(snapshot(fast, false), label).toEqual(snapshot(full.value, true));
    expect(functionsOfCleanFile(fast)!.map(f => [f.name, f.$cstNode!.offset]), label).toEqual(allFunctions(full.value).map(f => [f.name, f.$cstNode!.offset]));
    index.setFile(filePath, fast);
    const actual = analyzeFile({ filePath, text, parseResult: { value: fast, lexerErrors: [], parserErrors: [] }, index, lexer: Ko.parser.Lexer });
    expect(actual, label).toEqual(expected);
    expect(expected.filter(d => ['unrecognized-token', 'bracket-imbalance', 'bad-escape', 'unterminated-string', 'bad-number', 'comment-position', 'unterminated-comment'].includes(d.code)), label).toEqual([]);
    index.removeFile(filePath);
    return true;
}


const koFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && e.name.endsWith('.ko')).map(e => join(e.parentPath, e.name));

const corpus = koFiles(join(repo, 'test', 'fixtures', 'corpus')).map(f => ({ f, text: readFileSync(f, 'utf8') }));
const examples = koFiles(join(repo, 'examples')).map(f => ({ f, text: readFileSync(f, 'utf8') }));

describe('fast parser', () => {
    test('accepts every corpus and example file, with the same AST, positions and diagnostics', () => {
        for (const { f, text } of [...corpus, ...examples]) expect(compare(text, f), `${f} was declined`).toBe(true);
    });

    test('tricky snippets: same answer as Langium where accepted, declined where Langium errs', () => {
        const snippets = [
            'F() {\n\treturn: 1\n}', 'F(x?, y) { return: x }', 'F(\n\tx?\n\ty\n) {\n\treturn: (a: x, b: y)\n}',
            'import "a/b" as c\nuse `x`\nF() { return: c.G(x: 1)[y: 2].z }', 'import "x" as as\nas() { return: as }',
            'import(x){return: x}', 'F() { return: G(x) {return: x}(x: 1) }', 'F() { g:\n\tH(x?) {\n\t\treturn: x\n\t}\n\treturn: g(1) }',
            'F() { a:\n 1\n return: a }', 'F() { : 1 }', 'F() { a: 1, return: a; }', 'F() { return: (1, 2, -3, -4.5, .5, 1e3, 2.) }',
            'F() { return: {} }', 'F() { return: G{a: 1} }', 'F() { x: "a\\nb\\u00e9\\x41\\101", return: `r\naw` }',
            'F() {\r\n\treturn: 1\r\n}', 'F() {\r\treturn: 1 }', 'user: 1', 'F() { user: 1, assert: user, imported: F(as1: assert), return: useX }', '// top\nF() { // after brace\n\treturn: 1 // trailing\n}\n/* end */',
            'F() { return: 1 /* c */ }', 'F() { a /* c */ : 1 }', 'F /* c */ () { return: 1 }', 'F() { return: 1 } /* c */ G() { return: 2 }',
            'F() { g: /* c */ h(x) { return: x } }', 'F() { return: 0x1F }', 'F() { return: 1_000 }', 'F() { return: "a\\q" }',
            'F() { return: "open }', 'F() { return: `open }', 'F() { return: 1 } /* open', 'F() { return: 1 }}', 'F() { return: (1 }',
            'F() { return: a.5 }', 'F() { return: a. b }', 'F() { return: a\n.b }', 'F() { return: - 1 }', 'F() { return: -x }',
            'F() { return: 日本.語 }', 'F() {\u00a0return: 1 }', '\ufeffF() { return: 1 }', 'F() { return: \'c\' }', 'F() { return: 1 + 2 }',
            'F() { a: 1 b: 2 }', 'F() {}', 'F(){}G(){}', 'import "a" import "b"', 'F(x: 1) { return: x }', 'F(x)\n{ return: x }',
            'F() { return: G(x)\n{ a: 1 } }', 'F() { return: G(\n\tx: 1\n\t// c\n\ty: 2\n) }', '', '\n\n', '// only a comment', 'F() { return: import }',
            'F() { use: as, return: use }', 'F() { return: G(h(x?){return: x}) }', 'F() { return: G[x: 1](y: 2).z[w: 3] }', 'F(x??) { return: x }',
        ];
        let accepted = 0;
        for (const [i, text] of snippets.entries()) if (compare(text, `snippet ${i}: ${JSON.stringify(text)}`)) accepted++;
        // Most snippets are clean; a parser that declined everything would pass the comparisons.
        expect(accepted).toBeGreaterThan(25);
    });

    test('a generated workspace of 20 packages is accepted file by file', async () => {
        const generator = join(repo, 'bench', 'generate-workspace.mjs');
        const { generateWorkspace } = await import(generator) as { generateWorkspace: (dir: string, options: Record<string, number>) => unknown };
        const { mkdtempSync, rmSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        const dir = mkdtempSync(join(tmpdir(), 'ko-fast-'));
        try {
            generateWorkspace(dir, { packages: 20, files: 2, functions: 6 });
            const files = koFiles(dir);
            expect(files.length).toBeGreaterThan(20);
            for (const f of files) expect(compare(readFileSync(f, 'utf8'), f), f).toBe(true);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    test('2,000 token sequences built to be mostly valid, and token soup', () => {
        const before = accepted;
        for (let seed = 1; seed <= 2000; seed++) {
            const random = rng(seed);
            const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
            let text = '';
            if (seed % 3 === 0) {
                const n = 1 + Math.floor(random() * 60);
                for (let i = 0; i < n; i++) text += pick(FUZZ_TOKENS) + (random() < 0.5 ? ' ' : '');
            } else {
                // Grammar-shaped programs, with a small chance of a wrong token anywhere.
                const noise = () => (random() < 0.03 ? pick(FUZZ_TOKENS) : '');
                const value = (depth: number): string => {
                    const r = random();
                    if (depth > 2 || r < 0.3) return pick(['x', 'y', '1', '-2', '.5', '"s"', '`r`', 'import', 'G.H']) + noise();
                    if (r < 0.5) return `${pick(['F', 'G', 'a.b'])}(${args(depth + 1)})${random() < 0.2 ? `[${args(depth + 1)}]` : ''}${random() < 0.2 ? '.f' : ''}`;
                    if (r < 0.65) return `(${args(depth + 1)})`;
                    if (r < 0.75) return `g(p?${random() < 0.5 ? ', q' : ''}) {${pick(['\n', ' '])}return: ${value(depth + 1)}${pick(['\n', ' '])}}`;
                    if (r < 0.8) return `[${args(depth + 1)}]`;
                    if (r < 0.83) return `{${args(depth + 1)}}`;
                    return `${pick(['x', 'y'])}${noise()}`;
                };
                const sep = () => pick([', ', '\n', '; ', '\n\t', ' // c\n', '\n/* c */ ']);
                const args = (depth: number): string => {
                    const n = Math.floor(random() * 3);
                    const labeled = random() < 0.7;
                    return Array.from({ length: n }, () => (labeled ? `${pick(['a', 'b', 'x', 'as'])}: ` : '') + value(depth)).join(sep());
                };
                if (random() < 0.4) text += `import "${pick(['p', 'a/b'])}"${random() < 0.3 ? ' as q' : ''}\n`;
                const functions = 1 + Math.floor(random() * 3);
                for (let f = 0; f < functions; f++) {
                    const steps = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => `${i === 0 ? 'return' : `s${i}`}:${random() < 0.05 ? '\n' : ' '}${value(0)}`);
                    text += `${pick(['F', 'G', 'Main'])}${f}(${random() < 0.5 ? 'x?, y' : ''}) {\n\t${steps.join(sep())}${noise()}\n}\n`;
                }
            }
            compare(text, `seed ${seed}`);
        }
        // The generated programs are mostly clean, so most must take the fast path.
        expect(accepted - before).toBeGreaterThan(600);
    }, 120_000);

    test('1,000 mutations of corpus files', () => {
        for (let seed = 1; seed <= 1000; seed++) {
            compare(mutate(corpus[seed % corpus.length].text, rng(seed * 7919), 3), `mutation ${seed}`);
        }
        expect(declined).toBeGreaterThan(100);
    }, 180_000);
});
