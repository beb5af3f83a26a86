// Reads the NDJSON run-event stream of `ko run --events ndjson`: splits chunks into lines
// (a JSON object may arrive in several chunks) and validates each line's shape loosely, so a
// newer runtime's extra fields or event types never break the client. Pure, no vscode.
import type { RunEvent } from '../../src/protocol/ko-protocol.js';

const KNOWN = new Set(['run-started', 'step-queued', 'step-started', 'step-log', 'step-cached', 'step-finished', 'step-failed', 'run-finished']);

export type ParsedLine = { event: RunEvent } | { text: string };

/** Parses one line: a known run event, or plain text (anything else the CLI printed). */
export function parseRunEventLine(line: string): ParsedLine | undefined {
    const trimmed = line.trim();
    if (trimmed === '') return undefined;
    if (trimmed.startsWith('{')) {
        try {
            const v = JSON.parse(trimmed) as { type?: unknown; step?: unknown; runId?: unknown };
            if (typeof v.type === 'string' && KNOWN.has(v.type)) {
                if (v.type.startsWith('step-') && typeof v.step !== 'string') return { text: line };
                return { event: v as RunEvent };
            }
            if (typeof v.type === 'string') return undefined; // a future event type: skip silently
        } catch { /* not JSON: plain text */ }
    }
    return { text: line };
}

/** Accumulates chunks and yields complete lines. */
export class LineSplitter {
    private rest = '';
    push(chunk: string): string[] {
        const data = this.rest + chunk;
        const lines = data.split('\n');
        this.rest = lines.pop() ?? '';
        return lines.map(l => (l.endsWith('\r') ? l.slice(0, -1) : l));
    }
    /** The last unterminated line, if any (call at end of stream). */
    flush(): string[] {
        const r = this.rest; this.rest = '';
        return r === '' ? [] : [r];
    }
}
