// The contract between the pipeline runtime and the places a container step can run: the
// embedded local executor (host processes) and the Kubernetes executor (batch/v1 Jobs).
// Executors know nothing of Ko values, the store or the editor; they run one step and report.

/** One container step, fully resolved: argv (never a shell string unless the user wrote `Shell`). */
export interface StepSpec {
    /** Unique per run: `<runId>/<stepPath>`; executors use it for names, labels and logs. */
    readonly id: string;
    readonly runId: string;
    /** Human name of the step, e.g. `Main.train` (function and step label). */
    readonly stepName: string;
    /** The content-derived cache key of the step (hex). */
    readonly key: string;
    readonly image: string;
    /** argv[0] and the rest; no shell is involved. */
    readonly command: readonly string[];
    /**
     * Arguments; `$KO_IN` / `${KO_IN}` and `$KO_OUT` / `${KO_OUT}` in them are placeholders each
     * executor replaces with its own input/output directory (see `expandPlaceholders`), because
     * no shell is there to expand them and the directories differ per executor and attempt.
     */
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    /** Files to materialise under $KO_IN, by relative name, with their content-addressed object path. */
    readonly inputs: readonly { name: string; objectPath: string; hash: string }[];
    readonly workdir?: string;
    readonly timeoutSeconds?: number;
    readonly retries: number;
}

export interface StepOutputFile {
    /** Path relative to $KO_OUT, with '/' separators. */
    readonly name: string;
    /** Where the executor left the bytes on this machine (for the store to ingest). */
    readonly localPath: string;
}

export interface StepResult {
    readonly exitCode: number;
    readonly stdout: string;
    /** Path of the combined log file on this machine. */
    readonly logPath: string;
    readonly outputs: readonly StepOutputFile[];
    readonly attempts: number;
    readonly startedAt: string;
    readonly finishedAt: string;
    /** Where it ran: `local:<host>` or `kubernetes:<context>/<namespace>/<job>`. */
    readonly placement: string;
}

export type StepEvent =
    /** `waiting`: every slot is taken, so the step waits for one (the local executor's own limit). */
    | { kind: 'queued'; id: string; waiting?: boolean }
    | { kind: 'started'; id: string; attempt: number }
    | { kind: 'log'; id: string; stream: 'stdout' | 'stderr'; line: string }
    | { kind: 'retrying'; id: string; attempt: number; reason: string }
    | { kind: 'finished'; id: string; exitCode: number };

export interface Executor {
    readonly name: 'local' | 'kubernetes';
    /** Runs one step to completion (retries included); rejects only on cancellation or infrastructure errors. */
    run(step: StepSpec, signal: AbortSignal, onEvent: (event: StepEvent) => void): Promise<StepResult>;
    /** Releases resources (watches, processes); idempotent. */
    close(): Promise<void>;
}

/** Replaces the $KO_IN / $KO_OUT placeholders of StepSpec.args; other `$` text is left alone. */
export function expandPlaceholders(args: readonly string[], inDir: string, outDir: string): string[] {
    return args.map(a => a.replace(/\$(?:\{KO_(IN|OUT)\}|KO_(IN|OUT)(?![A-Za-z0-9_]))/g,
        (_m, braced: string | undefined, bare: string | undefined) => ((braced ?? bare) === 'IN' ? inDir : outDir)));
}
