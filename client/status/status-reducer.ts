// The live run status of steps, as a pure reducer over run events (src/protocol/ko-protocol.ts)
// plus the editor's own inputs (source snapshots for staleness, clear, cancel). Immutable
// updates so the decoration and graph layers can compare states cheaply. No vscode import.
import type { KoRange, RunEvent, RunStepStatus } from '../../src/protocol/ko-protocol.js';

export const LOG_TAIL_LINES = 20;

export interface StepState {
    id: string;
    runId: string;
    status: RunStepStatus;
    /** Epoch ms of the start of the current attempt (running steps show the elapsed time). */
    startedAt?: number;
    durationMs?: number;
    exitCode?: number;
    value?: string;
    cacheKey?: string;
    error?: string;
    placement?: string;
    attempt?: number;
    logTail: readonly string[];
    /** Source text of the step when the run started; a different text now makes it stale. */
    sourceText?: string;
    stale: boolean;
    file?: string;
    range?: KoRange;
}

export type RunOutcome = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunInfo {
    runId: string;
    functionId: string;
    target: string;
    executor: string;
    outcome: RunOutcome;
    startedAt: number;
    durationMs?: number;
    value?: string;
    error?: string;
}

export interface StatusState {
    readonly steps: ReadonlyMap<string, StepState>;
    readonly runs: ReadonlyMap<string, RunInfo>;
    /** Step source texts captured when the user started the latest run of their function. */
    readonly sources: ReadonlyMap<string, string>;
}

export const emptyStatus = (): StatusState => ({ steps: new Map(), runs: new Map(), sources: new Map() });

/** `<packagePath>.<Function>/<label>`; a package at the root of a package root has path ''. */
export const stepId = (packagePath: string, fn: string, label: string) => `${functionId(packagePath, fn)}/${label}`;
export const functionId = (packagePath: string, fn: string) => (packagePath ? `${packagePath}.${fn}` : fn);
/** The function part of a step id. */
export const functionOfStep = (id: string) => id.slice(0, id.lastIndexOf('/'));

const ms = (iso: string | undefined, fallback: number) => {
    const t = iso ? Date.parse(iso) : NaN;
    return Number.isFinite(t) ? t : fallback;
};

export function reduceRunEvent(state: StatusState, ev: RunEvent, now = Date.now()): StatusState {
    const at = ms(ev.time, now);
    if (ev.type === 'run-started') {
        const runs = new Map(state.runs);
        runs.set(ev.runId, { runId: ev.runId, functionId: ev.function, target: ev.target, executor: ev.executor, outcome: 'running', startedAt: at });
        return { ...state, runs };
    }
    if (ev.type === 'run-finished') {
        return finishRun(state, ev.runId, ev.ok ? 'succeeded' : 'failed', at, ev.durationMs, ev.value, ev.error);
    }
    const prev = state.steps.get(ev.step);
    const base: StepState = prev && prev.runId === ev.runId ? prev : {
        id: ev.step, runId: ev.runId, status: 'queued', logTail: [], stale: false,
        ...(state.sources.has(ev.step) ? { sourceText: state.sources.get(ev.step)! } : {}),
    };
    const loc = { ...(ev.file ? { file: ev.file } : {}), ...(ev.range ? { range: ev.range } : {}) };
    let next: StepState;
    switch (ev.type) {
        case 'step-queued': next = { ...base, ...loc, status: 'queued' }; break;
        case 'step-started': next = {
            ...base, ...loc, status: 'running', startedAt: at,
            ...(ev.attempt !== undefined ? { attempt: ev.attempt } : {}),
            ...(ev.placement ? { placement: ev.placement } : {}), ...(ev.cacheKey ? { cacheKey: ev.cacheKey } : {}),
        }; break;
        case 'step-log': next = { ...base, ...loc, logTail: [...base.logTail, `${ev.stream === 'stderr' ? '! ' : ''}${ev.line}`].slice(-LOG_TAIL_LINES) }; break;
        case 'step-cached': next = { ...base, ...loc, status: 'cached', cacheKey: ev.cacheKey, durationMs: 0, ...(ev.value !== undefined ? { value: ev.value } : {}) }; break;
        // The runtime reports a step served from the store as step-cached then step-finished:
        // it stays cached (it did not run), the finish only adds what it carries.
        case 'step-finished': next = {
            ...base, ...loc, status: base.status === 'cached' && prev === base ? 'cached' : 'succeeded',
            durationMs: base.status === 'cached' && prev === base ? 0 : ev.durationMs,
            ...(ev.exitCode !== undefined ? { exitCode: ev.exitCode } : {}), ...(ev.cacheKey ? { cacheKey: ev.cacheKey } : {}),
            ...(ev.value !== undefined ? { value: ev.value } : {}),
        }; break;
        case 'step-failed': next = {
            ...base, ...loc, status: 'failed', durationMs: ev.durationMs, error: ev.error,
            ...(ev.exitCode !== undefined ? { exitCode: ev.exitCode } : {}), ...(ev.cacheKey ? { cacheKey: ev.cacheKey } : {}),
        }; break;
        default: return state;
    }
    const steps = new Map(state.steps);
    steps.set(ev.step, next);
    return { ...state, steps };
}

/** Ends a run: steps still queued are forgotten (they never ran), running ones become failed. */
export function finishRun(state: StatusState, runId: string, outcome: Exclude<RunOutcome, 'running'>, at: number,
    durationMs?: number, value?: string, error?: string): StatusState {
    const runs = new Map(state.runs);
    const run = runs.get(runId);
    if (run) runs.set(runId, {
        ...run, outcome, durationMs: durationMs ?? at - run.startedAt,
        ...(value !== undefined ? { value } : {}), ...(error !== undefined ? { error } : {}),
    });
    const steps = new Map(state.steps);
    for (const [id, s] of state.steps) {
        if (s.runId !== runId) continue;
        if (s.status === 'queued') steps.delete(id);
        else if (s.status === 'running') steps.set(id, {
            ...s, status: 'failed', durationMs: at - (s.startedAt ?? at),
            error: outcome === 'cancelled' ? 'cancelled' : (error ?? 'interrupted'),
        });
    }
    return { ...state, runs, steps };
}

/** Remembers the steps' source texts at the moment a run of their function starts. */
export function snapshotSources(state: StatusState, texts: Readonly<Record<string, string>>): StatusState {
    const sources = new Map(state.sources);
    for (const [id, text] of Object.entries(texts)) sources.set(id, text);
    return { ...state, sources };
}

/**
 * Marks steps stale whose source text differs from the snapshot (or that disappeared) among
 * the functions of one document (`functionIds`); steps whose text is back to the snapshot
 * become fresh again (undo). Returns the same object when nothing changed.
 */
export function updateSources(state: StatusState, functionIds: readonly string[], texts: Readonly<Record<string, string>>): StatusState {
    const fns = new Set(functionIds);
    let steps: Map<string, StepState> | undefined;
    for (const [id, s] of state.steps) {
        if (!fns.has(functionOfStep(id)) || s.sourceText === undefined) continue;
        const stale = texts[id] !== s.sourceText;
        if (stale !== s.stale) (steps ??= new Map(state.steps)).set(id, { ...s, stale });
    }
    return steps ? { ...state, steps } : state;
}

/** Forgets the status of one function's steps, or of everything. */
export function clearStatus(state: StatusState, fnId?: string): StatusState {
    if (fnId === undefined) return { ...emptyStatus(), runs: state.runs };
    const steps = new Map([...state.steps].filter(([id]) => functionOfStep(id) !== fnId));
    return { ...state, steps };
}

export function formatDuration(msTotal: number): string {
    if (msTotal < 1000) return `${Math.max(0, Math.round(msTotal))}ms`;
    const s = msTotal / 1000;
    if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
    const m = Math.floor(s / 60), rs = Math.round(s % 60);
    if (m < 60) return `${m}m${rs ? String(rs).padStart(2, '0') + 's' : ''}`;
    return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The short text shown after a step in the editor and on its graph node. */
export function formatStepStatus(s: StepState, now = Date.now()): string {
    const stale = s.stale ? ' (stale)' : '';
    switch (s.status) {
        case 'queued': return `queued${stale}`;
        case 'running': return `running ${formatDuration(now - (s.startedAt ?? now))}${s.attempt && s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}${stale}`;
        case 'cached': return `cached${stale}`;
        case 'succeeded': return `done in ${formatDuration(s.durationMs ?? 0)}${stale}`;
        case 'failed': return `failed${s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}${s.error === 'cancelled' ? ' (cancelled)' : ''}${stale}`;
    }
}

const esc = (t: string) => t.replace(/[\\`*_{}[\]<>()#+!|]/g, m => '\\' + m);

/** Markdown for the hover on a step: status, value, error, cache key, log tail. */
export function formatStepHover(s: StepState, now = Date.now()): string {
    const parts = [`**${esc(s.id)}**: ${esc(formatStepStatus(s, now))}`];
    if (s.stale) parts.push('_The step changed since this run; the status is from the previous code._');
    if (s.value !== undefined) parts.push('Value: `' + s.value.replace(/`/g, "'") + '`');
    if (s.error) parts.push('Error: ' + esc(s.error));
    if (s.cacheKey) parts.push('Cache key: `' + s.cacheKey + '`');
    if (s.placement) parts.push('Ran on: ' + esc(s.placement));
    if (s.logTail.length) parts.push('Log (last lines):\n\n```text\n' + s.logTail.join('\n').replace(/```/g, "'''") + '\n```');
    return parts.join('\n\n');
}

/**
 * Finds the status of a document step: by exact id, else by `<Func>/<label>` suffix (the
 * runtime may name the package differently, e.g. for a file at a root), skipping statuses the
 * runtime located in another file.
 */
export function statusFor(state: StatusState, id: string, filePath?: string): StepState | undefined {
    const exact = state.steps.get(id);
    if (exact) return exact;
    const slash = id.lastIndexOf('/');
    const dot = id.lastIndexOf('.', slash);
    const suffix = id.slice(dot + 1);
    for (const s of state.steps.values()) {
        if (s.id !== suffix && !s.id.endsWith('.' + suffix)) continue;
        if (filePath && s.file && s.file !== filePath) continue;
        return s;
    }
    return undefined;
}

/** True while any step is running (the view then refreshes elapsed times every second). */
export const anyRunning = (state: StatusState) => [...state.steps.values()].some(s => s.status === 'running');
