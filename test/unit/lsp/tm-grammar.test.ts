// The TextMate grammar (syntaxes/ko.tmLanguage.json) must agree with the Langium grammar: no
// keywords that Ko does not reserve (if/then/else/return are ordinary names), import/use/as only at
// the start of a top-level item, builtins exactly those of the catalogue. Checked with a small
// TextMate interpreter (match, begin/end, captures, includes) over JS regexes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/language/catalogue.js';

const root = join(import.meta.dirname, '../../..');
const grammar = JSON.parse(readFileSync(join(root, 'syntaxes/ko.tmLanguage.json'), 'utf8'));

interface Rule {
    name?: string; match?: string; begin?: string; end?: string; include?: string; patterns?: Rule[];
    captures?: Record<string, { name: string }>; beginCaptures?: Record<string, { name: string }>; endCaptures?: Record<string, { name: string }>;
}

const re = (source: string) => new RegExp(source, 'dgmu');

function expand(rules: Rule[]): Rule[] {
    const out: Rule[] = [];
    for (const r of rules) {
        if (r.include) {
            const target = grammar.repository[r.include.slice(1)] as Rule;
            out.push(...(target.match || target.begin ? [target] : expand(target.patterns ?? [])));
        } else out.push(r);
    }
    return out;
}

/** Tokenizes `text` into [text, innermost scope] pairs (whitespace dropped). */
function tokenize(text: string): [string, string][] {
    const out: [string, string][] = [];
    const stack: Rule[] = [];
    for (const line of text.split('\n')) {
        let pos = 0;
        while (pos <= line.length) {
            const top = stack[stack.length - 1];
            const candidates: { rule: Rule; isEnd: boolean; regex: RegExp }[] = [];
            if (top) candidates.push({ rule: top, isEnd: true, regex: re(top.end!) });
            for (const r of expand(top ? top.patterns ?? [] : grammar.patterns)) candidates.push({ rule: r, isEnd: false, regex: re((r.match ?? r.begin)!) });
            let best: { rule: Rule; isEnd: boolean; m: RegExpExecArray } | undefined;
            for (const c of candidates) {
                c.regex.lastIndex = pos;
                const m = c.regex.exec(line);
                if (m && (!best || m.index < best.m.index)) best = { rule: c.rule, isEnd: c.isEnd, m };
            }
            const scope = () => stack.map(s => s.name).filter(Boolean).pop() ?? 'source.ko';
            const emitPlain = (s: string) => { for (const w of s.split(/\s+/).filter(Boolean)) out.push([w, scope()]); };
            if (!best || (best.m[0].length === 0 && best.m.index >= line.length)) { emitPlain(line.slice(pos)); break; }
            emitPlain(line.slice(pos, best.m.index));
            const caps = best.isEnd ? best.rule.endCaptures : best.rule.begin ? best.rule.beginCaptures : best.rule.captures;
            const base = best.rule.match ? best.rule.name : undefined;
            const m = best.m;
            if (best.rule.match && best.rule.name) out.push([m[0].trim(), best.rule.name]);
            else if (caps && Object.keys(caps).some(k => k !== '0')) {
                for (let g = 1; g < m.length; g++) if (m[g] !== undefined && caps[g]) out.push([m[g], caps[g].name]);
            } else if (m[0].trim()) out.push([m[0].trim(), caps?.['0']?.name ?? base ?? (best.rule.begin ? best.rule.name! : scope())]);
            if (best.isEnd) stack.pop();
            else if (best.rule.begin) stack.push(best.rule);
            pos = m.index + Math.max(m[0].length, 1);
            if (m[0].length === 0 && best.isEnd) pos = m.index;
        }
    }
    return out;
}


const scopeOf = (tokens: [string, string][], word: string, nth = 0) => tokens.filter(t => t[0] === word)[nth]?.[1];

describe('TextMate grammar', () => {
    it('highlights import/use/as only at the start of a top-level item', () => {
        const t = tokenize('import "a/b" as c\nuse "x/y"\nF(import, as) {\n\timport: use(as)\n\treturn: import\n}');
        expect(scopeOf(t, 'import')).toBe('keyword.control.import.ko');
        expect(scopeOf(t, 'as')).toBe('keyword.control.as.ko');
        expect(scopeOf(t, 'c')).toBe('entity.name.namespace.ko');
        expect(scopeOf(t, 'use')).toBe('keyword.control.import.ko');
        expect(scopeOf(t, 'import', 1)).toBe('variable.parameter.ko');
        expect(scopeOf(t, 'import', 2)).toBe('variable.other.label.ko');
        expect(scopeOf(t, 'use', 1)).toBe('entity.name.function.call.ko');
        expect(scopeOf(t, 'import', 3)).toBe('variable.other.ko');
    });

    it('treats if/then/else/return as ordinary names and marks builtins, booleans and literals', () => {
        const t = tokenize('Branchy(if, then?, else) {\n\treturn: Yield(if: if, then: then, else: Sum(-5, 1.5e3))\n\tflag: Show(true)\n}');
        expect(scopeOf(t, 'Branchy')).toBe('entity.name.function.ko');
        expect(scopeOf(t, 'if')).toBe('variable.parameter.ko');
        expect(scopeOf(t, '?')).toBe('keyword.operator.monadic.ko');
        expect(scopeOf(t, 'return')).toBe('variable.other.label.ko');
        expect(scopeOf(t, 'Yield')).toBe('support.function.builtin.ko');
        expect(scopeOf(t, 'if', 1)).toBe('variable.other.label.ko');
        expect(scopeOf(t, 'if', 2)).toBe('variable.other.ko');
        expect(scopeOf(t, '-5')).toBe('constant.numeric.integer.ko');
        expect(scopeOf(t, '1.5e3')).toBe('constant.numeric.float.ko');
        expect(scopeOf(t, 'true')).toBe('constant.language.boolean.ko');
        for (const [, scope] of t) expect(scope.startsWith('keyword.control')).toBe(false);
    });

    it('handles strings, raw strings over several lines, comments and illegal characters', () => {
        const t = tokenize('F() {\n\ts: "a\\n\\q"\n\tr: `one\ntwo if`\n\t// if then\n\tx: Sum(1 + 2)\n\treturn: s\n}');
        expect(scopeOf(t, '\\n')).toBe('constant.character.escape.ko');
        expect(scopeOf(t, '\\q')).toBe('invalid.illegal.escape.ko');
        expect(scopeOf(t, 'two')).toBe('string.quoted.raw.ko');
        expect(scopeOf(t, 'if')).toBe('string.quoted.raw.ko');
        expect(t.find(x => x[0].startsWith('// if'))?.[1]).toBe('comment.line.double-slash.ko');
        expect(scopeOf(t, '+')).toBe('invalid.illegal.character.ko');
        expect(scopeOf(t, 'return')).toBe('variable.other.label.ko');
    });

    it('knows exactly the catalogue builtins', () => {
        const call = grammar.repository.call.patterns[0].match as string;
        const names = /\(\?<!\[[^\]]*\]\)\(([^)]*)\)/.exec(call)![1].split('|').sort();
        expect(names).toEqual([...new Set(CATALOGUE.filter(e => e.pkg === '').map(e => e.name))].sort());
    });
});

describe('language configuration', () => {
    const config = JSON.parse(readFileSync(join(root, 'language-configuration.json'), 'utf8'));
    it('declares comments, brackets, auto-closing backticks and indentation inside brackets', () => {
        expect(config.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
        expect(config.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
        expect(config.autoClosingPairs.map((p: { open: string }) => p.open)).toEqual(['{', '[', '(', '"', '`', '/*']);
        const rule = config.onEnterRules[0];
        expect(new RegExp(rule.beforeText).test('\treturn: strings.Join(')).toBe(true);
        expect(new RegExp(rule.afterText).test(')')).toBe(true);
        expect(rule.action.indent).toBe('indentOutdent');
        expect(new RegExp(config.indentationRules.increaseIndentPattern).test('F(x) {')).toBe(true);
        expect(new RegExp(config.indentationRules.decreaseIndentPattern).test('\t}')).toBe(true);
    });
});
