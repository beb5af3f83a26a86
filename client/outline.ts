// A small, tolerant scanner of a .ko document's shape: top-level functions (name, parameters,
// ranges) and the labeled steps of each body. The client needs this before (and besides) the
// language server: CodeLens positions, run targets under the cursor, step ranges for status
// decorations and the source text that makes a step's status stale. Pure, no vscode import.
// It never fails: unbalanced text simply yields fewer entries.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface OutlineStep {
    label: string;
    /** Range of the label. */
    labelRange: Range;
    /** Range of the whole term (label through the end of its formula). */
    range: Range;
    /** The term's source text with whitespace collapsed (what staleness compares). */
    text: string;
}

export interface OutlineFunction {
    name: string;
    params: string[];
    nameRange: Range;
    /** From the name through the closing brace. */
    range: Range;
    steps: OutlineStep[];
}

const isIdStart = (c: string) => /[_\p{L}]/u.test(c);
const isIdPart = (c: string) => /[_\p{L}\p{Nd}]/u.test(c);

/** Scans `text` and returns its top-level functions in source order. */
export function scanOutline(text: string): OutlineFunction[] {
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const pos = (offset: number): Position => {
        let lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1; }
        return { line: lo, character: offset - lineStarts[lo]! };
    };
    const range = (a: number, b: number): Range => ({ start: pos(a), end: pos(b) });

    // Tokens that matter: identifiers, single punctuation, separators. Strings and comments are skipped.
    type Tok = { kind: 'id' | 'punct' | 'sep'; value: string; start: number; end: number };
    const toks: Tok[] = [];
    for (let i = 0; i < text.length;) {
        const c = text[i]!;
        if (c === '/' && text[i + 1] === '/') { while (i < text.length && text[i] !== '\n') i++; continue; }
        if (c === '/' && text[i + 1] === '*') { const e = text.indexOf('*/', i + 2); i = e < 0 ? text.length : e + 2; continue; }
        if (c === '"') {
            let j = i + 1;
            while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
            toks.push({ kind: 'id', value: '"', start: i, end: Math.min(j + 1, text.length) }); i = j + 1; continue;
        }
        if (c === '`') { const e = text.indexOf('`', i + 1); const j = e < 0 ? text.length : e + 1; toks.push({ kind: 'id', value: '`', start: i, end: j }); i = j; continue; }
        if (c === '\n' || c === ',' || c === ';') { toks.push({ kind: 'sep', value: c, start: i, end: i + 1 }); i++; continue; }
        if (isIdStart(c)) { let j = i + 1; while (j < text.length && isIdPart(text[j]!)) j++; toks.push({ kind: 'id', value: text.slice(i, j), start: i, end: j }); i = j; continue; }
        if (/\s/.test(c)) { i++; continue; }
        if (/[0-9.\-]/.test(c)) { let j = i + 1; while (j < text.length && /[0-9a-zA-Z_.]/.test(text[j]!)) j++; toks.push({ kind: 'id', value: '#', start: i, end: j }); i = j; continue; }
        toks.push({ kind: 'punct', value: c, start: i, end: i + 1 }); i++;
    }

    const closer: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    /** Index of the token closing the bracket opened at `k`, or toks.length. */
    const matching = (k: number): number => {
        const stack: string[] = [];
        for (let m = k; m < toks.length; m++) {
            const t = toks[m]!;
            if (t.kind !== 'punct') continue;
            if (closer[t.value]) stack.push(closer[t.value]!);
            else if (t.value === stack[stack.length - 1]) { stack.pop(); if (stack.length === 0) return m; }
        }
        return toks.length;
    };

    const out: OutlineFunction[] = [];
    for (let k = 0; k < toks.length; k++) {
        const t = toks[k]!;
        if (t.kind === 'punct' && closer[t.value]) { k = matching(k); continue; } // stray bracket at top level
        if (t.kind !== 'id' || !isIdStart(t.value[0] ?? '') || toks[k + 1]?.value !== '(') continue;
        const close = matching(k + 1);
        if (toks[close + 1]?.value !== '{') { k = close; continue; }
        const params: string[] = [];
        for (let m = k + 2; m < close; m++) {
            const p = toks[m]!;
            if (p.kind === 'id' && isIdStart(p.value[0] ?? '') && (m === k + 2 || toks[m - 1]!.kind === 'sep')) params.push(p.value);
        }
        const open = close + 1, end = matching(open);
        const endOffset = end < toks.length ? toks[end]!.end : text.length;
        const steps: OutlineStep[] = [];
        // Terms of the body: split at separators on the body's own nesting level.
        let termStart = open + 1;
        for (let m = open + 1; m <= end && m <= toks.length; m++) {
            const cur = toks[m];
            if (m === end || m === toks.length || cur!.kind === 'sep') {
                const first = toks[termStart], colon = toks[termStart + 1];
                if (termStart < m && first && first.kind === 'id' && isIdStart(first.value[0] ?? '') && colon?.value === ':') {
                    const last = toks[m - 1]!;
                    steps.push({
                        label: first.value, labelRange: range(first.start, first.end), range: range(first.start, last.end),
                        text: text.slice(first.start, last.end).replace(/\s+/g, ' ').trim(),
                    });
                }
                termStart = m + 1;
                continue;
            }
            if (cur!.kind === 'punct' && closer[cur!.value]) { m = matching(m); continue; }
        }
        out.push({ name: t.value, params, nameRange: range(t.start, t.end), range: range(t.start, endOffset), steps });
        k = end;
    }
    return out;
}

/** The function whose range contains the position (or the first one after it on the same line). */
export function functionAt(fns: readonly OutlineFunction[], p: Position): OutlineFunction | undefined {
    return fns.find(f => contains(f.range, p));
}

export function stepAt(fn: OutlineFunction, p: Position): OutlineStep | undefined {
    return fn.steps.find(s => contains(s.range, p) || (s.labelRange.start.line === p.line));
}

export function contains(r: Range, p: Position): boolean {
    const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
    const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
    return after && before;
}
