// The pipeline engine: turns one container step request into a cache key, answers it from the
// store when the key is recorded, and otherwise runs it on an executor, ingests its log and
// outputs into the object store and records the outcome (first writer wins). It knows nothing
// of Ko values; pipeline-gates.ts maps values to requests and outcomes back to values.
import { rmSync } from 'node:fs';
import { dirname, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Executor, StepEvent, StepSpec } from './executor.js';
import type { Store } from '../store/store.js';
import type { RunRecorder, StepStatus } from '../store/run-records.js';
import { sameOutcome, type RecordedFile, type SourcePosition, type StepRecord } from '../store/step-records.js';
import { deriveKey, keyEnv, normaliseFormula, redactEnv, redactFormula, sortInputs, KEY_VERSION, type KeyComponents } from '../store/keys.js';

/** A file value: content hash plus the name it is known by and, when a step made it, its producer. */
export interface FileRef {
    readonly hash: string;
    readonly size: number;
    readonly name: string;
    readonly producer?: string;
    /** The workspace path of a `pipeline.File` value. */
    readonly path?: string;
}

/** A step input under $KO_IN: a file value, or literal text (`content`) whose object is stored only if the step executes. */
export interface StepInput {
    readonly name: string;
    readonly file: FileRef;
    /** The bytes of `file` (a String input); a cached step needs only their hash. */
    readonly content?: string;
}

export interface StepRequest {
    /** `Func.label`, for people. */
    readonly stepName: string;
    /** Stable id of the step in the program (`pkg.Func/label`), plus call path for uniqueness. */
    readonly stepId: string;
    readonly stepPath?: string;
    readonly callee: string;
    /** The step's formula as written; normalised before it enters the key. */
    readonly formula: string;
    readonly source?: SourcePosition;
    readonly image: string;
    readonly command: readonly string[];
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly inputs: readonly StepInput[];
    readonly workdir?: string;
    readonly timeoutSeconds?: number;
    readonly retries: number;
    readonly cache: boolean;
    readonly salt: string;
}

export interface StepOutcome {
    readonly key: string;
    readonly exitCode: number;
    /** Raw stdout; the gate removes one trailing newline. */
    readonly stdout: string;
    readonly outputs: readonly FileRef[];
    readonly status: 'cached' | 'executed' | 'adopted';
    readonly record: StepRecord;
}

export type ProgressEvent =
    /** The step waits for a free executor slot (the run's --concurrency, or the executor's own limit). */
    | { kind: 'queued'; stepName: string; key: string }
    | { kind: 'started'; stepName: string; key: string; attempt: number }
    | { kind: 'cached'; stepName: string; key: string; fromRun: string }
    | { kind: 'finished'; stepName: string; key: string; exitCode: number; durationMs: number; attempts: number; adopted: boolean }
    | { kind: 'retrying'; stepName: string; key: string; attempt: number; reason: string }
    | { kind: 'failed'; stepName: string; key: string; exitCode: number; attempts: number }
    | { kind: 'nondeterminism'; stepName: string; key: string; evidence: string }
    | { kind: 'log'; stepName: string; key: string; stream: 'stdout' | 'stderr'; line: string };

export class StepFailedError extends Error {
    constructor(readonly stepName: string, readonly key: string, readonly exitCode: number, readonly attempts: number,
        readonly logTail: string, readonly logHash: string | undefined) {
        super(`step ${stepName} failed with exit code ${exitCode} after ${attempts} attempt${attempts === 1 ? '' : 's'} (key ${key.slice(0, 12)})\n${logTail}`);
        this.name = 'StepFailedError';
    }
}

/**
 * A cache shared between machines (the Kubernetes executor's cluster cache): create-if-absent
 * records by key, so exactly one outcome per key wins across all runners.
 */
export interface SharedCache {
    lookup(key: string): Promise<Record<string, unknown> | undefined>;
    record(key: string, record: Record<string, unknown>): Promise<{ won: boolean; record: Record<string, unknown> }>;
    /** Brings the objects a shared record names into `store` when they are elsewhere (the cluster's volume). */
    fetch?(record: Record<string, unknown>, store: Store): Promise<unknown>;
}

function asRecord(value: Record<string, unknown> | undefined, key: string): StepRecord | undefined {
    // A shared record is foreign input: accept it only if it has the shape we rely on.
    if (!value || value.key !== key || !Array.isArray(value.outputs) || typeof value.runId !== 'string' || typeof value.exitCode !== 'number') return undefined;
    return value as unknown as StepRecord;
}

export interface EngineOptions {
    /** Consulted after the local store misses, and offered every new outcome. */
    readonly sharedCache?: SharedCache;
    readonly store: Store;
    readonly executor: Executor;
    readonly runId: string;
    readonly recorder?: RunRecorder;
    readonly onProgress?: (event: ProgressEvent) => void;
    /** Runs work under an outer concurrency limit (the interpreter's); identity by default. */
    readonly limited?: <T>(work: () => Promise<T>) => Promise<T>;
}

const INLINE_STDOUT = 64 * 1024;

export class PipelineEngine {
    private readonly inflight = new Map<string, Promise<StepOutcome>>();
    /** Counters for tests, benches and the run summary. */
    readonly stats = { cached: 0, executed: 0, adopted: 0, failed: 0 };

    constructor(private readonly options: EngineOptions) {}

    get runId(): string { return this.options.runId; }

    components(req: StepRequest): KeyComponents {
        // Fields in sorted order: canonical JSON is then the native JSON.stringify (see canonicalJson).
        const nonce = req.cache ? undefined : `${this.options.runId}/${randomBytes(8).toString('hex')}`;
        return {
            args: [...req.args],
            callee: req.callee,
            command: [...req.command],
            env: keyEnv(req.env, this.options.store.secretSalt()),
            formula: redactFormula(normaliseFormula(req.formula)),
            image: req.image,
            inputs: sortInputs(req.inputs.map(i => ({ name: i.name, hash: i.file.hash }))),
            // cache: false gets a fresh key per execution, so it still has a record and provenance.
            ...(nonce === undefined ? {} : { nonce }),
            salt: req.salt,
            v: KEY_VERSION,
            workdir: req.workdir ?? '',
        };
    }

    /** `onProgress` overrides the engine's sink for this request (per-step event routing). */
    async runStep(req: StepRequest, signal: AbortSignal, onProgress?: (event: ProgressEvent) => void): Promise<StepOutcome> {
        return this.step(req, signal, onProgress);
    }

    /**
     * runStep, except that the outcome of a step whose key is recorded comes back at once rather
     * than as a promise: a cached rerun decides thousands of steps in one turn of the event loop,
     * and each step's garbage (record, key text) then dies before the next step starts.
     */
    step(req: StepRequest, signal: AbortSignal, onProgress?: (event: ProgressEvent) => void): StepOutcome | Promise<StepOutcome> {
        const components = this.components(req);
        const key = deriveKey(components);
        // The same key twice in one run (a step in a loop with equal inputs) executes once.
        const pending = this.inflight.get(key);
        if (pending) return pending;
        if (req.cache) {
            const hit = this.lookup(key);
            if (hit) return this.reuse(req, key, hit, onProgress);
        }
        const work = this.resolve(req, key, components, signal, onProgress);
        this.inflight.set(key, work);
        return work.finally(() => { this.inflight.delete(key); });
    }

    /** A recorded outcome reused: counted, reported and journaled (`cached`, with the run it came from). */
    private reuse(req: StepRequest, key: string, hit: StepRecord, onProgress?: (event: ProgressEvent) => void): StepOutcome {
        this.stats.cached++;
        (onProgress ?? this.options.onProgress)?.({ kind: 'cached', stepName: req.stepName, key, fromRun: hit.runId });
        this.journal(req, key, 'cached', { exitCode: hit.exitCode, logHash: hit.logHash, fromRun: hit.runId });
        return this.outcome(hit, 'cached');
    }

    /** Every object the record names is in this store (a record is only usable then). */
    private complete(record: StepRecord): boolean {
        const { store } = this.options;
        return record.outputs.every(o => store.objects.has(o.hash, o.size))
            && (record.stdoutHash === undefined || store.objects.has(record.stdoutHash));
    }

    /**
     * A record from the shared cache, adopted into the local store when its objects are here
     * (a store shared with the cluster's volume); otherwise the step must run on this machine.
     * The shared cache is an optimisation: when it cannot be reached, the run goes on without it.
     */
    private async sharedLookup(key: string): Promise<StepRecord | undefined> {
        const shared = this.options.sharedCache;
        if (!shared) return undefined;
        let remote: StepRecord | undefined;
        try {
            remote = asRecord(await shared.lookup(key), key);
        } catch {
            return undefined;
        }
        if (remote && !this.complete(remote)) await this.fetchShared(remote);
        if (!remote || !this.complete(remote)) return undefined;
        return this.options.store.steps.commit(remote).record;
    }

    /** Offers our record to the shared cache; returns the winner's (ours or an earlier runner's). */
    private async sharedRecord(record: StepRecord): Promise<StepRecord | undefined> {
        const shared = this.options.sharedCache;
        if (!shared) return undefined;
        try {
            const r = await shared.record(record.key, record as unknown as Record<string, unknown>);
            const winner = r.won ? record : asRecord(r.record, record.key);
            if (winner && winner !== record && !this.complete(winner)) await this.fetchShared(winner);
            return winner;
        } catch {
            return undefined;
        }
    }

    /** The shared record's objects into the local store, where the cache can fetch them (best effort). */
    private async fetchShared(record: StepRecord): Promise<void> {
        try {
            await this.options.sharedCache?.fetch?.(record as unknown as Record<string, unknown>, this.options.store);
        } catch { /* incomplete: the step runs on this machine */ }
    }

    /** The recorded outcome for a key, if complete: every object it names must be present. */
    lookup(key: string): StepRecord | undefined {
        const { store } = this.options;
        const record = store.steps.get(key);
        if (!record) return undefined;
        if (this.complete(record)) return record;
        // Objects were removed behind our back (manual deletion): recompute rather than fail.
        store.steps.quarantine(store.steps.path(key));
        return undefined;
    }

    private async resolve(req: StepRequest, key: string, components: KeyComponents, signal: AbortSignal,
        onProgress?: (event: ProgressEvent) => void): Promise<StepOutcome> {
        const { store } = this.options;
        const progress = onProgress ?? this.options.onProgress ?? (() => {});
        if (req.cache) {
            // The local store missed (step() looked): the shared cache, if any, may have it.
            const hit = await this.sharedLookup(key);
            if (hit) return this.reuse(req, key, hit, onProgress);
        }
        for (const input of req.inputs) {
            if (input.content !== undefined && store.objects.putBytes(input.content).hash === input.file.hash) continue;
            if (!store.objects.has(input.file.hash)) throw new Error(`input ${input.name} of ${req.stepName}: object ${input.file.hash} is not in the store`);
        }
        const spec: StepSpec = {
            id: `${this.options.runId}/${req.stepId}#${key.slice(0, 12)}`,
            runId: this.options.runId,
            stepName: req.stepName,
            key,
            image: req.image,
            command: req.command,
            args: req.args,
            env: req.env,
            inputs: req.inputs.map(i => ({ name: i.name, objectPath: store.objects.path(i.file.hash), hash: i.file.hash })),
            ...(req.workdir ? { workdir: req.workdir } : {}),
            ...(req.timeoutSeconds ? { timeoutSeconds: req.timeoutSeconds } : {}),
            retries: req.retries,
        };
        const onEvent = (e: StepEvent) => {
            if (e.kind === 'queued') { if (e.waiting) progress({ kind: 'queued', stepName: req.stepName, key }); }
            else if (e.kind === 'started') progress({ kind: 'started', stepName: req.stepName, key, attempt: e.attempt });
            else if (e.kind === 'retrying') progress({ kind: 'retrying', stepName: req.stepName, key, attempt: e.attempt, reason: e.reason });
            else if (e.kind === 'log') progress({ kind: 'log', stepName: req.stepName, key, stream: e.stream, line: e.line });
        };
        const limited = this.options.limited ?? (<T>(w: () => Promise<T>) => w());
        let result;
        try {
            // The limiter starts work synchronously when a slot is free; otherwise the step waits: say so.
            let began = false;
            const running = limited(() => { began = true; return this.options.executor.run(spec, signal, onEvent); });
            if (!began) progress({ kind: 'queued', stepName: req.stepName, key });
            result = await running;
        } catch (e) {
            this.journal(req, key, 'cancelled', {});
            throw e;
        }
        const workDir = dirname(result.logPath);
        try {
            const log = await store.objects.putFile(result.logPath, { move: true });
            const durationMs = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
            if (result.exitCode !== 0) {
                this.stats.failed++;
                // Failures are journaled (for ko log) but never recorded as the key's outcome: a rerun retries them.
                this.journal(req, key, 'failed', { exitCode: result.exitCode, logHash: log.hash, durationMs });
                progress({ kind: 'failed', stepName: req.stepName, key, exitCode: result.exitCode, attempts: result.attempts });
                throw new StepFailedError(req.stepName, key, result.exitCode, result.attempts, tail(store.objects.read(log.hash).toString('utf8'), 20), log.hash);
            }
            const outputs: RecordedFile[] = [];
            for (const o of result.outputs) {
                const ref = await store.objects.putFile(o.localPath, { move: true });
                outputs.push({ name: o.name, hash: ref.hash, size: ref.size });
            }
            const bigStdout = Buffer.byteLength(result.stdout) > INLINE_STDOUT;
            const record: StepRecord = {
                key,
                components,
                stepName: req.stepName,
                ...(req.source ? { source: req.source } : {}),
                runId: this.options.runId,
                exitCode: result.exitCode,
                ...(bigStdout ? { stdoutHash: store.objects.putBytes(result.stdout).hash } : { stdout: result.stdout }),
                outputs,
                inputs: req.inputs.map(i => ({ name: i.name, hash: i.file.hash, size: i.file.size,
                    ...(i.file.producer ? { producer: i.file.producer } : {}), ...(i.file.path ? { path: i.file.path } : {}) })),
                logHash: log.hash,
                attempts: result.attempts,
                startedAt: result.startedAt,
                finishedAt: result.finishedAt,
                durationMs,
                placement: result.placement,
                executor: this.options.executor.name,
                host: hostName,
                status: 'executed',
                env: redactEnv(req.env),
                cache: req.cache,
            };
            // With a shared cache (the cluster's), its first writer decides for every runner.
            const shared = req.cache ? await this.sharedRecord(record) : undefined;
            if (shared && !sameOutcome(shared, record)) {
                const evidence = store.steps.recordEvidence(key, shared, record);
                progress({ kind: 'nondeterminism', stepName: req.stepName, key, evidence });
            }
            const committed = store.steps.commit(shared && this.complete(shared) ? shared : record);
            if (!committed.won || (shared && committed.record !== record)) {
                // Another runner recorded this key first: adopt its outcome, keep ours as evidence if it differs.
                this.stats.adopted++;
                if (!sameOutcome(committed.record, record) && !(shared && sameOutcome(committed.record, shared))) {
                    const evidence = store.steps.recordEvidence(key, committed.record, record);
                    progress({ kind: 'nondeterminism', stepName: req.stepName, key, evidence });
                }
                this.journal(req, key, 'adopted', { exitCode: committed.record.exitCode, logHash: committed.record.logHash, durationMs, fromRun: committed.record.runId });
                progress({ kind: 'finished', stepName: req.stepName, key, exitCode: 0, durationMs, attempts: result.attempts, adopted: true });
                return this.outcome(committed.record, 'adopted');
            }
            this.stats.executed++;
            this.journal(req, key, 'executed', { exitCode: 0, logHash: log.hash, durationMs });
            progress({ kind: 'finished', stepName: req.stepName, key, exitCode: 0, durationMs, attempts: result.attempts, adopted: false });
            return this.outcome(record, 'executed');
        } finally {
            if (isInside(store.workDir, workDir)) rmSync(workDir, { recursive: true, force: true });
        }
    }

    private outcome(record: StepRecord, status: StepOutcome['status']): StepOutcome {
        const stdout = record.stdout ?? this.options.store.objects.read(record.stdoutHash!).toString('utf8');
        return {
            key: record.key,
            exitCode: record.exitCode,
            stdout,
            outputs: record.outputs.map(o => ({ hash: o.hash, size: o.size, name: o.name, producer: record.key })),
            status,
            record,
        };
    }

    private journal(req: StepRequest, key: string, status: StepStatus, extra: { exitCode?: number; logHash?: string; durationMs?: number; fromRun?: string }): void {
        this.options.recorder?.step({
            stepName: req.stepName,
            ...(req.stepPath ? { stepPath: req.stepPath } : {}),
            key,
            status,
            host: hostName,
            at: new Date().toISOString(),
            ...extra,
            ...(req.source ? { source: req.source } : {}),
        });
    }
}

const hostName = hostname();

function tail(text: string, lines: number): string {
    const all = text.replace(/\n$/, '').split('\n');
    return all.slice(-lines).join('\n');
}

function isInside(dir: string, path: string): boolean {
    const rel = relative(dir, path);
    return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel);
}
