// Run records: runs/<runId>/run.json (rewritten atomically at start and finish) and an
// append-only journal runs/<runId>/steps.jsonl with one line per step outcome. The journal is
// for people (ko runs/diff/log); correctness never depends on it, so it is not fsynced per line
// and a torn last line (kill -9) is simply skipped when read.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from './atomic.js';
import type { SourcePosition } from './step-records.js';

export type RunStatus = 'running' | 'ok' | 'failed' | 'cancelled';

export interface RunMeta {
    readonly runId: string;
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly status: RunStatus;
    readonly host: string;
    readonly pid: number;
    readonly cwd: string;
    readonly argv: readonly string[];
    readonly error?: string;
}

export type StepStatus = 'cached' | 'executed' | 'adopted' | 'failed' | 'cancelled';

export interface JournalEntry {
    readonly stepName: string;
    /** The call path of the step (outermost first), to match the same step across runs. */
    readonly stepPath?: string;
    readonly key: string;
    readonly status: StepStatus;
    readonly at: string;
    readonly durationMs?: number;
    readonly exitCode?: number;
    readonly logHash?: string;
    readonly source?: SourcePosition;
    /** The machine of the runner that journaled the entry. */
    readonly host?: string;
    /** For `cached` and `adopted`: the run whose execution was reused. */
    readonly fromRun?: string;
}

export interface RunSummary extends RunMeta {
    /** `interrupted` when the record says running but its process is gone. */
    readonly effectiveStatus: RunStatus | 'interrupted';
    readonly steps: JournalEntry[];
}

export function newRunId(now = new Date()): string {
    // Milliseconds lead the suffix so ids of runs started in the same second still sort by time.
    const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    return `${iso}-${String(now.getUTCMilliseconds()).padStart(3, '0')}${randomBytes(2).toString('hex')}`;
}

export class RunRecorder {
    private fd: number | undefined;
    private meta: RunMeta;
    readonly dir: string;

    constructor(runsDir: string, private readonly tmpDir: string, runId: string, argv: readonly string[]) {
        this.dir = join(runsDir, runId);
        this.meta = { runId, startedAt: new Date().toISOString(), status: 'running', host: hostname(), pid: process.pid, cwd: process.cwd(), argv };
        mkdirSync(this.dir, { recursive: true });
        writeFileAtomic(join(this.dir, 'run.json'), JSON.stringify(this.meta, null, 1), this.tmpDir, false);
        this.fd = openSync(join(this.dir, 'steps.jsonl'), 'a');
    }

    get runId(): string { return this.meta.runId; }

    private pending = '';
    private flushScheduled = false;

    /**
     * The first line of a turn of the event loop is written at once; further lines of the same
     * turn are batched and written together at its end (a cached 1,000-step run decides hundreds
     * of steps per turn, and would otherwise make one write() each). Each write() on the O_APPEND
     * fd holds whole lines, so lines from two runs never interleave; finish() (also called by the
     * exit handler) flushes what is pending.
     */
    step(entry: JournalEntry): void {
        if (this.fd === undefined) return;
        const line = JSON.stringify(entry) + '\n';
        if (this.flushScheduled) { this.pending += line; return; }
        this.flushScheduled = true;
        setImmediate(() => this.flush());
        writeSync(this.fd, line);
    }

    flush(): void {
        this.flushScheduled = false;
        if (this.fd === undefined || this.pending === '') return;
        const data = this.pending;
        this.pending = '';
        writeSync(this.fd, data);
    }

    /** Synchronous so it also works from an exit handler. */
    finish(status: RunStatus, error?: string): void {
        if (this.fd === undefined) return;
        this.flush();
        closeSync(this.fd);
        this.fd = undefined;
        this.meta = { ...this.meta, status, finishedAt: new Date().toISOString(), ...(error ? { error } : {}) };
        writeFileAtomic(join(this.dir, 'run.json'), JSON.stringify(this.meta, null, 1), this.tmpDir, false);
    }
}

export function readJournal(runDir: string): JournalEntry[] {
    let text: string;
    try { text = readFileSync(join(runDir, 'steps.jsonl'), 'utf8'); } catch { return []; }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
        if (!line) continue;
        try { out.push(JSON.parse(line) as JournalEntry); } catch { /* torn line */ }
    }
    return out;
}

function alive(pid: number, host: string): boolean {
    if (host !== hostname()) return true;
    try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export function readRun(runsDir: string, runId: string): RunSummary | undefined {
    const dir = join(runsDir, runId);
    let meta: RunMeta;
    try { meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunMeta; } catch { return undefined; }
    const effectiveStatus = meta.status === 'running' && !alive(meta.pid, meta.host) ? 'interrupted' : meta.status;
    return { ...meta, effectiveStatus, steps: readJournal(dir) };
}

/** Run ids newest first (ids sort by start time). */
export function listRunIds(runsDir: string): string[] {
    if (!existsSync(runsDir)) return [];
    return readdirSync(runsDir).filter(n => /^\d{8}-\d{6}-[0-9a-f]+$/.test(n)).sort().reverse();
}
