// Reads a step's formula out of its source file, for the step's code identity in the cache key.
// The interpreter reports where a step starts; the formula runs from after `label:` to the end
// of the step (a newline, comma or closing brace at nesting depth zero).
import { readFileSync, statSync } from 'node:fs';

const cache = new Map<string, { mtimeMs: number; size: number; epoch: string | undefined; lines: string[] }>();
/** The `pipeline` import alias of each file's lines (null: none), so a step does not rescan its file. */
const aliases = new WeakMap<string[], string | null>();

/**
 * A file is read once per `epoch` (the run): a long-lived process (language server, debugger)
 * sees each edit on its next run, and a run of 100 steps does not stat the file 100 times.
 */
function linesOf(path: string, epoch: string | undefined): string[] | undefined {
    try {
        const hit = cache.get(path);
        if (hit && epoch !== undefined && hit.epoch === epoch) return hit.lines;
        const st = statSync(path);
        if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) { hit.epoch = epoch; return hit.lines; }
        const lines = readFileSync(path, 'utf8').split('\n');
        cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, epoch, lines });
        return lines;
    } catch {
        return undefined;
    }
}

/**
 * The formula text of the step starting at (line, column), both 1-based, cut at (endLine,
 * endColumn) when the interpreter gives the step's range; undefined if unreadable.
 */
export function formulaAt(path: string, line: number, column: number, endLine?: number, endColumn?: number, epoch?: string): string | undefined {
    const lines = linesOf(path, epoch);
    if (!lines || line < 1 || line > lines.length) return undefined;
    let text: string;
    if (endLine !== undefined && endColumn !== undefined && endLine >= line && endLine <= lines.length) {
        const span = lines.slice(line - 1, endLine);
        // End columns are exclusive (one past the last character); cut the end before the start.
        span[span.length - 1] = span[span.length - 1].slice(0, endColumn - 1);
        span[0] = span[0].slice(column - 1);
        text = span.join('\n');
    } else {
        text = lines.slice(line - 1).join('\n').slice(column - 1);
    }
    return extractFormula(text);
}

export function extractFormula(text: string): string {
    let i = 0;
    const label = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text);
    if (label) i = label[0].length;
    const start = i;
    let depth = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === '"' || c === '`') {
            let j = i + 1;
            while (j < text.length && text[j] !== c) j += (c === '"' && text[j] === '\\') ? 2 : 1;
            i = j + 1;
            continue;
        }
        if (c === '/' && text[i + 1] === '/') {
            const nl = text.indexOf('\n', i);
            i = nl < 0 ? text.length : nl;
            continue;
        }
        if (c === '/' && text[i + 1] === '*') {
            const end = text.indexOf('*/', i + 2);
            i = end < 0 ? text.length : end + 2;
            continue;
        }
        if (c === '(' || c === '[' || c === '{') depth++;
        else if (c === ')' || c === ']' || c === '}') {
            if (depth === 0) break;
            depth--;
        } else if (depth === 0 && (c === '\n' || c === ',' || c === ';')) {
            // A formula may continue on the next line when that line starts a selection or call.
            if (c === '\n' && /^\s*[.([]/.test(text.slice(i + 1))) { i++; continue; }
            if (text.slice(start, i).trim().length > 0) break;
        }
        i++;
    }
    return text.slice(start, i).trim();
}

/**
 * The callee written in the formula, normalised: `import "pipeline" as p` then `p.Shell(...)`
 * becomes `pipeline.Shell(...)`, so renaming an import alias does not invalidate every step.
 */
export function normaliseCallee(formula: string, path: string, epoch?: string): string {
    const lines = linesOf(path, epoch);
    if (!lines) return formula;
    let alias = aliases.get(lines);
    if (alias === undefined) {
        alias = null;
        for (const line of lines) {
            const m = /^\s*import\s+"pipeline"\s+as\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(line);
            if (m && m[1] !== 'pipeline') { alias = m[1]; break; }
        }
        aliases.set(lines, alias);
    }
    return alias !== null && formula.startsWith(alias + '.') ? 'pipeline' + formula.slice(alias.length) : formula;
}
