// Ko's diagnostics: a stable code per kind (used by `ko check`, quick fixes and docs), the
// severity each code has, and positions as zero-based line/character ranges.
import type { KoRange } from '../protocol/ko-protocol.js';

export type KoSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface KoRelated { message: string; range: KoRange; filePath?: string }

export interface KoDiagnostic {
    severity: KoSeverity;
    code: KoDiagnosticCode;
    message: string;
    range: KoRange;
    /** Facts quick fixes need (a suggested name, a cycle path, an import candidate...). */
    data?: Record<string, unknown>;
    related?: KoRelated[];
    /** Rendered faded by editors (unused imports). */
    unnecessary?: boolean;
}

/** Every diagnostic code with its severity and what triggers it (docs/diagnostics.md mirrors this). */
export const DIAGNOSTIC_CODES = {
    // Syntax (the reference reports these as lexing/parsing failures).
    'syntax-error': ['error', 'The text does not follow Ko\'s grammar.'],
    'unrecognized-token': ['error', 'A character Ko does not know outside strings and comments (+, @, #, \', ...).'],
    'bracket-imbalance': ['error', 'A bracket that is never closed or closes nothing.'],
    'bad-escape': ['error', 'An escape in a "..." string that Go does not accept.'],
    'unterminated-string': ['error', 'A "..." string with no closing quote on its line, or a raw string with no closing backtick.'],
    'bad-number': ['error', 'A number that is not plain decimal (hex, 0o/0b, digit separators) or overflows int64.'],
    'comment-position': ['error', 'A comment where the reference parser accepts none (between tokens of one term).'],
    'newline-after-colon': ['error', 'A newline between a label\'s colon and its formula (allowed only before an inline definition).'],
    'unterminated-comment': ['warning', 'A /* comment with no */: the rest of the file is a comment.'],
    // Compile errors of the reference (grafting).
    'duplicate-function': ['error', 'Two functions of one package share a name (inline definitions count).'],
    'duplicate-parameter': ['error', 'A parameter name repeats.'],
    'multiple-monadic': ['error', 'More than one parameter is marked with ?.'],
    'missing-return': ['error', 'A function body has no return step.'],
    'duplicate-label': ['error', 'A step label repeats (including return and _).'],
    'unlabeled-step': ['error', 'A body term has no label.'],
    'empty-label': ['error', 'A term is written `: formula` with an empty label.'],
    'mixed-terms': ['error', 'One bracket mixes `label: x` terms and bare formulas.'],
    'step-cycle': ['error', 'Steps of one function depend on each other in a cycle.'],
    'curly-bracket': ['error', '{...} used as a value: braces only delimit a function body.'],
    'unknown-alias': ['error', '`a.b` where a is not a parameter, step or import alias.'],
    'duplicate-alias': ['error', 'Two imports of one file have the same alias.'],
    // Warnings for what the reference only finds at run time, or likely bugs.
    'unknown-name': ['warning', 'A name that is no parameter, step, package function, idiom or builtin.'],
    'unknown-member': ['warning', '`alias.Member` where the imported package defines no Member.'],
    'unresolvable-path': ['warning', 'A three-or-more segment name not rooted at a parameter or step.'],
    'outer-reference': ['warning', 'A name of the outer function used inside an inline definition (they capture nothing).'],
    'unknown-argument': ['warning', 'An argument name the Ko callee does not declare (names starting with _ are exempt).'],
    'positional-without-monadic': ['warning', 'A positional argument to a callee with no ? parameter: the value is dropped.'],
    'shadowed-step': ['warning', 'A step shares its name with a parameter, import alias or package function.'],
    'unused-import': ['warning', 'An import whose alias is never used in the file.'],
    'unknown-package': ['warning', 'An import path found under no package root and registered by nothing.'],
} as const satisfies Record<string, readonly [KoSeverity, string]>;

export type KoDiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function severityOf(code: KoDiagnosticCode): KoSeverity {
    return DIAGNOSTIC_CODES[code][0];
}

/** Maps offsets of a text to zero-based positions. */
export class LineIndex {
    private readonly starts: number[] = [0];
    constructor(readonly text: string) {
        for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
    position(offset: number): { line: number; character: number } {
        const clamped = Math.max(0, Math.min(offset, this.text.length));
        let lo = 0, hi = this.starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (this.starts[mid] <= clamped) lo = mid; else hi = mid - 1;
        }
        return { line: lo, character: clamped - this.starts[lo] };
    }
    /** The offset of a zero-based position (clamped to the text). */
    offset(position: { line: number; character: number }): number {
        const line = Math.max(0, Math.min(position.line, this.starts.length - 1));
        return Math.min(this.starts[line] + position.character, this.text.length);
    }
    range(offset: number, end: number): KoRange {
        return { start: this.position(offset), end: this.position(end) };
    }
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), capped. */
export function editDistance(a: string, b: string, cap = 3): number {
    if (Math.abs(a.length - b.length) > cap) return cap + 1;
    let before: number[] = [];
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2] + 1);
            cur.push(v);
            rowMin = Math.min(rowMin, v);
        }
        if (rowMin > cap) return cap + 1;
        before = prev;
        prev = cur;
    }
    return prev[b.length];
}

/** The closest candidate to `name`, if it is close enough to be a plausible typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
    const cap = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
    let best: string | undefined;
    let bestDistance = cap + 1;
    for (const candidate of candidates) {
        if (candidate === name) continue;
        const d = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate, cap);
        if (d < bestDistance) { best = candidate; bestDistance = d; }
    }
    return best;
}
