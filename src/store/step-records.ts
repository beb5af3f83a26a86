// One record per executed step, at steps/<aa>/<key>.rec, published with link() so the first
// writer wins and the record is never overwritten. Each record carries a SHA-256 of its body:
// a torn or corrupt record fails the check and is moved aside, so it is never used.
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { createExclusive, tempName, writeFileAtomic } from './atomic.js';
import { sha256, type KeyComponents } from './keys.js';

export interface SourcePosition {
    readonly file: string;
    readonly line: number;
    readonly column: number;
}

export interface RecordedFile {
    readonly name: string;
    readonly hash: string;
    readonly size: number;
}

export interface RecordedInput extends RecordedFile {
    /** Key of the step that produced this file value, when a step did. */
    readonly producer?: string;
    /** Workspace path, for `pipeline.File` values. */
    readonly path?: string;
}

export interface StepRecord {
    readonly key: string;
    readonly components: KeyComponents;
    readonly stepName: string;
    readonly source?: SourcePosition;
    /** The run that executed the step (its parent run). */
    readonly runId: string;
    readonly exitCode: number;
    /** Inline when small; otherwise in the object `stdoutHash`. */
    readonly stdout?: string;
    readonly stdoutHash?: string;
    readonly outputs: readonly RecordedFile[];
    readonly inputs: readonly RecordedInput[];
    readonly logHash?: string;
    readonly attempts: number;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly durationMs: number;
    readonly placement: string;
    readonly executor: string;
    /** The machine that ran the step (absent in records written before it was recorded). */
    readonly host?: string;
    /** A record is always the outcome of an execution; reuses are journal entries (`cached`, `adopted`) naming it. */
    readonly status?: 'executed';
    /** Env as shown to people: secret-looking values are `<redacted>`. */
    readonly env: Readonly<Record<string, string>>;
    readonly cache: boolean;
}

/** Two executions with the same result: exit code, stdout and output files (in path order). */
export function sameOutcome(a: StepRecord, b: StepRecord): boolean {
    if (a.exitCode !== b.exitCode || (a.stdout ?? a.stdoutHash) !== (b.stdout ?? b.stdoutHash)) return false;
    if (a.outputs.length !== b.outputs.length) return false;
    return a.outputs.every((o, i) => o.name === b.outputs[i].name && o.hash === b.outputs[i].hash);
}

const MAGIC = 'ko-record 1 ';

export function encodeRecord(body: unknown): string {
    const json = JSON.stringify(body);
    return `${MAGIC}${sha256(json)}\n${json}\n`;
}

/** Returns the body, or undefined for anything torn, truncated or tampered with. */
export function decodeRecord<T>(text: string): T | undefined {
    if (!text.startsWith(MAGIC)) return undefined;
    const nl = text.indexOf('\n');
    if (nl < 0 || !text.endsWith('\n')) return undefined;
    const digest = text.slice(MAGIC.length, nl);
    const json = text.slice(nl + 1, -1);
    if (sha256(json) !== digest) return undefined;
    try {
        return JSON.parse(json) as T;
    } catch {
        return undefined;
    }
}

export type CommitOutcome = { won: true; record: StepRecord } | { won: false; record: StepRecord };

export class StepRecords {
    constructor(readonly dir: string, private readonly tmpDir: string, private readonly evidenceDir: string) {}

    path(key: string): string {
        // Concatenated, not join()ed: a cached rerun looks up every step (dir comes from join()).
        return this.dir + sep + key.slice(0, 2) + sep + key + '.rec';
    }

    /** O(1): one open+read of a file named by the key. Corrupt records are quarantined. */
    get(key: string): StepRecord | undefined {
        const path = this.path(key);
        let text: string;
        try {
            text = readFileSync(path, 'utf8');
        } catch {
            return undefined;
        }
        const record = decodeRecord<StepRecord>(text);
        if (record && record.key === key) return record;
        this.quarantine(path, text);
        return undefined;
    }

    /** Moves a bad record aside (kept for inspection) so a fresh outcome can be recorded. */
    quarantine(path: string, seenText?: string): void {
        try {
            // Only move what we judged: a concurrent runner may have replaced it meanwhile.
            if (seenText !== undefined && readFileSync(path, 'utf8') !== seenText) return;
            renameSync(path, tempName(this.tmpDir, 'corrupt'));
        } catch {
            /* already moved by someone else */
        }
    }

    /** First writer wins; a loser gets the winner's record back to adopt. */
    commit(record: StepRecord): CommitOutcome {
        for (let attempt = 0; attempt < 3; attempt++) {
            if (createExclusive(this.path(record.key), encodeRecord(record), this.tmpDir)) return { won: true, record };
            const existing = this.get(record.key);
            if (existing) return { won: false, record: existing };
            // The existing file was corrupt and has been quarantined: try again.
        }
        throw new Error(`could not record step ${record.key}`);
    }

    /** Non-determinism evidence: a second outcome for a key, kept next to (never over) the winner. */
    recordEvidence(key: string, winner: StepRecord, loser: StepRecord): string {
        const path = join(this.evidenceDir, key, `${loser.runId}-${process.pid}-${Date.now()}.json`);
        writeFileAtomic(path, JSON.stringify({ key, winnerRun: winner.runId, winner: summary(winner), loser: summary(loser), loserRecord: loser }, null, 1), this.tmpDir);
        return path;
    }

    evidence(key: string): unknown[] {
        const dir = join(this.evidenceDir, key);
        if (!existsSync(dir)) return [];
        return readdirSync(dir).sort().map(f => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
    }

    *list(): Generator<StepRecord> {
        if (!existsSync(this.dir)) return;
        for (const shard of readdirSync(this.dir)) {
            const sdir = join(this.dir, shard);
            if (!statSync(sdir).isDirectory()) continue;
            for (const name of readdirSync(sdir)) {
                if (!name.endsWith('.rec')) continue;
                const record = this.get(name.slice(0, -4));
                if (record) yield record;
            }
        }
    }

    /** Finds keys by prefix (for CLI arguments); scans one shard. */
    findByPrefix(prefix: string): string[] {
        if (prefix.length < 2) return [];
        const sdir = join(this.dir, prefix.slice(0, 2));
        if (!existsSync(sdir)) return [];
        return readdirSync(sdir).filter(n => n.endsWith('.rec') && n.startsWith(prefix)).map(n => n.slice(0, -4));
    }
}

function summary(r: StepRecord) {
    return { exitCode: r.exitCode, stdout: r.stdout ?? r.stdoutHash, outputs: r.outputs.map(o => `${o.name}=${o.hash}`), placement: r.placement, finishedAt: r.finishedAt };
}
