// The `pipeline` package for Ko programs: Container, Shell, File, Text and Read. Maps Ko values
// to engine requests and outcomes back to Ko structures, prints progress lines on stderr,
// reports gate events, and turns Ctrl-C into cancellation that kills every step's process group.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { registerGate, type GateArgs, type GateContext } from '../runtime/gate-registry.js';
import { EMPTY, bool, int64, lift, opaque, printValue, seq, str, struct, type Field, type Value } from '../runtime/values.js';
import { KoCancelled } from '../runtime/errors.js';
import { Store, locateStore } from '../store/store.js';
import { RunRecorder, newRunId } from '../store/run-records.js';
import { ingestWorkspaceFile } from '../store/file-index.js';
import { sha256 } from '../store/keys.js';
import { PipelineEngine, StepFailedError, type FileRef, type ProgressEvent, type SharedCache, type StepInput, type StepRequest } from './engine.js';
import { createExecutor } from './executors.js';
import { formulaAt, normaliseCallee } from './formula.js';
import type { Executor } from './executor.js';
import { liveProgress, liveProgressWanted, plainProgress, type ProgressSink } from './progress.js';

// ---------------------------------------------------------------------------------------------
// File values

/** Interned so Equal on two file values with the same name and content is true. */
const interned = new Map<string, Value>();

export function fileValue(ref: FileRef): Value {
    const id = `${ref.hash}\0${ref.name}\0${ref.producer ?? ''}\0${ref.path ?? ''}`;
    let v = interned.get(id);
    if (!v) {
        v = opaque('File', ref, () => `File(${ref.name} sha256:${ref.hash.slice(0, 12)})`);
        interned.set(id, v);
    }
    return v;
}

export function fileRefOf(v: Value): FileRef | undefined {
    return v.kind === 'opaque' && v.typeName === 'File' ? v.value as FileRef : undefined;
}

// ---------------------------------------------------------------------------------------------
// Stores and run sessions

const stores = new Map<string, Store>();

/**
 * What a run's steps share, worked out once per run and workspace rather than once per step:
 * the store (locating its root walks up the directories), the run salt and the progress
 * setting (reads of process.env), and each source file's absolute and workspace-relative path.
 */
interface RunInfo {
    readonly store: Store;
    readonly salt: string;
    readonly progress: boolean;
    readonly sources: Map<string, { abs: string; rel: string }>;
}

const runInfos = new Map<string, RunInfo>();

function runInfo(ctx: GateContext): RunInfo {
    const settings = ctx.settings ?? {};
    const id = `${ctx.runId ?? ''}\0${ctx.workspaceDir}\0${settings.store ?? ''}`;
    let info = ctx.runId === undefined ? undefined : runInfos.get(id);
    if (info === undefined) {
        if (runInfos.size > 64) runInfos.clear();
        const root = settings.store ? resolve(ctx.workspaceDir, settings.store) : locateStore(ctx.workspaceDir);
        let store = stores.get(root);
        if (!store) stores.set(root, store = new Store(root));
        info = { store, salt: settings.salt ?? process.env.KO_SALT ?? '', progress: progressEnabled(ctx), sources: new Map() };
        if (ctx.runId !== undefined) runInfos.set(id, info);
    }
    return info;
}

function storeFor(ctx: GateContext): Store {
    return runInfo(ctx).store;
}

/** A step's source file: absolute, and as recorded (relative to the workspace). */
function sourcePaths(run: RunInfo, ctx: GateContext, file: string): { abs: string; rel: string } {
    let paths = run.sources.get(file);
    if (!paths) {
        const abs = isAbsolute(file) ? file : resolve(ctx.workspaceDir, file);
        run.sources.set(file, paths = { abs, rel: relative(ctx.workspaceDir, abs) || file });
    }
    return paths;
}

interface Session {
    readonly engine: PipelineEngine;
    readonly recorder: RunRecorder;
    readonly executor: Executor;
    /** Aborted by Ctrl-C; combined with the run's own signal for every step. */
    readonly interrupt: AbortController;
    failed: boolean;
    cancelled: boolean;
    done: boolean;
    /** Container steps in flight; the run record is closed only once they have settled. */
    active: number;
    ending: boolean;
    /** The run's signal combined with `interrupt`, made once (AbortSignal.any per step is costly). */
    combined?: { from: AbortSignal; signal: AbortSignal };
    /** Progress on stderr: live lines on a terminal, plain lines elsewhere. */
    readonly progress: ProgressSink;
    /** False with --progress off / KO_PROGRESS=off. */
    readonly showProgress: boolean;
}

const sessions = new Map<string, Promise<Session>>();
/** The sessions of `sessions` that are open, for steps that need not wait a turn for theirs. */
const opened = new Map<string, Session>();
const live = new Set<Session>();

function runKey(ctx: GateContext): string {
    return ctx.runId ?? 'default';
}

function session(ctx: GateContext): Promise<Session> {
    const k = runKey(ctx);
    let s = sessions.get(k);
    if (!s) {
        s = openSession(ctx);
        sessions.set(k, s);
        s.then(open => { if (!open.done) opened.set(k, open); }, () => sessions.delete(k));
    }
    return s;
}

async function openSession(ctx: GateContext): Promise<Session> {
    const { store, progress: showProgress } = runInfo(ctx);
    const settings = ctx.settings ?? {};
    const executorName = settings.executor ?? process.env.KO_EXECUTOR ?? 'local';
    const executor = await createExecutor(executorName, { store, settings });
    const runId = newRunId();
    const recorder = new RunRecorder(store.runsDir, store.tmpDir, runId, process.argv.slice(2));
    // An executor with a cluster-wide cache (Kubernetes) shares outcomes between runners there.
    const withCache = executor as Executor & { cacheStore?: () => SharedCache };
    const sharedCache = typeof withCache.cacheStore === 'function' ? withCache.cacheStore() : undefined;
    const engine = new PipelineEngine({ store, executor, runId, recorder, limited: work => ctx.limited(work), ...(sharedCache ? { sharedCache } : {}) });
    const write = (t: string) => ctx.stderr.write(t);
    const progress = liveProgressWanted() && showProgress ? liveProgress(write) : plainProgress(write);
    const s: Session = { engine, recorder, executor, interrupt: new AbortController(), failed: false, cancelled: false, done: false, active: 0, ending: false, progress, showProgress };
    live.add(s);
    installInterruptHandler();
    // The interpreter aborts the run's signal when the run ends (normally or not): close the run
    // record once the steps still in flight have settled (and journaled how they ended).
    const finish = () => { s.ending = true; if (s.active === 0) finishSession(ctx, s); };
    if (ctx.signal.aborted) queueMicrotask(finish); else ctx.signal.addEventListener('abort', finish, { once: true });
    return s;
}

function stepSignal(s: Session, runSignal: AbortSignal): AbortSignal {
    if (s.combined?.from !== runSignal) s.combined = { from: runSignal, signal: AbortSignal.any([runSignal, s.interrupt.signal]) };
    return s.combined.signal;
}

function finishSession(ctx: GateContext, s: Session): void {
    if (s.done) return;
    s.done = true;
    live.delete(s);
    sessions.delete(runKey(ctx));
    opened.delete(runKey(ctx));
    const st = s.engine.stats;
    s.progress.close();
    try {
        s.recorder.finish(s.failed ? 'failed' : s.cancelled ? 'cancelled' : 'ok');
    } catch { /* the store vanished: nothing to record into */ }
    void s.executor.close();
    if (s.showProgress && st.executed + st.cached + st.adopted + st.failed > 0) {
        ctx.stderr.write(`ko: run ${s.engine.runId}: ${st.executed} executed, ${st.cached} cached${st.adopted ? `, ${st.adopted} adopted` : ''}${st.failed ? `, ${st.failed} failed` : ''}\n`);
    }
}

let handlerInstalled = false;
const MAX_EVENT_LOG_LINES = 2000;

/**
 * Ctrl-C: cancel every live step (the executor kills their process groups), let the run unwind
 * and record how it ended, and exit 130 if it has not after a few seconds; a second Ctrl-C
 * kills every group at once and exits. An exit handler kills any group still alive, so no step
 * outlives the runner and nothing is recorded half-written. This listener stays installed
 * beside the CLI's own (which aborts the run's signal), since a `once` listener would leave the
 * second Ctrl-C to Node's default, which skips exit handlers and orphans the process groups.
 */
function installInterruptHandler(): void {
    if (handlerInstalled) return;
    handlerInstalled = true;
    const killEverything = () => {
        for (const s of live) (s.executor as { killAll?: (sig?: NodeJS.Signals) => void }).killAll?.('SIGKILL');
    };
    process.on('exit', () => {
        for (const s of live) s.progress.close();
        killEverything();
        for (const s of live) { try { s.recorder.finish('cancelled'); } catch { /* best effort */ } }
    });
    let interrupted = 0;
    const onSignal = (sig: NodeJS.Signals) => {
        const othersListen = process.listenerCount(sig) > 1;
        if (live.size === 0) {
            // Nothing of ours is running: behave as if we were not listening.
            if (!othersListen) process.exit(130);
            return;
        }
        interrupted++;
        if (interrupted > 1) { killEverything(); process.exit(130); }
        process.stderr.write(`\nko: ${sig}: cancelling running steps (again to force)\n`);
        for (const s of live) { s.cancelled = true; s.interrupt.abort(); }
        process.exitCode = 130;
        setTimeout(() => process.exit(130), 5000).unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
}

function progressEnabled(ctx: GateContext): boolean {
    const setting = ctx.settings?.progress ?? process.env.KO_PROGRESS;
    return setting !== 'off' && setting !== '0' && setting !== 'false';
}

function progressLine(e: ProgressEvent): string | undefined {
    const k = 'key' in e ? e.key.slice(0, 12) : '';
    switch (e.kind) {
        case 'started': return e.attempt === 1 ? `ko: started  ${e.stepName} ${k}` : undefined;
        case 'cached': return `ko: cached   ${e.stepName} ${k} (from run ${e.fromRun})`;
        case 'finished': return `ko: ${e.adopted ? 'adopted' : 'finished'} ${e.stepName} ${k} in ${(e.durationMs / 1000).toFixed(2)} s${e.attempts > 1 ? ` (${e.attempts} attempts)` : ''}`;
        case 'retrying': return `ko: retrying ${e.stepName} ${k} (attempt ${e.attempt}, ${e.reason})`;
        case 'failed': return `ko: failed   ${e.stepName} ${k} exit ${e.exitCode} after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'} (ko log ${k})`;
        case 'nondeterminism': return `ko: warning: ${e.stepName} ${k} produced a different result than the recorded one (evidence: ${e.evidence})`;
        case 'queued': case 'log': return undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// Argument conversion

function text(v: Value, what: string, ctx: GateContext): string {
    switch (v.kind) {
        case 'string': return v.value;
        case 'int': case 'float': case 'bool': return printValue(v);
        default: return ctx.panic(`pipeline: ${what} must be a string, got ${printValue(v)}`);
    }
}

function textList(v: Value, what: string, ctx: GateContext): string[] {
    return lift(v).map((x, i) => text(x, `${what}[${i}]`, ctx));
}

function envOf(v: Value, ctx: GateContext): Record<string, string> {
    const env: Record<string, string> = {};
    if (v.kind === 'struct') {
        for (const f of v.fields) if (f.value.kind !== 'empty') env[f.name] = text(f.value, `env.${f.name}`, ctx);
    } else {
        // os.Task style: a sequence of "NAME=value".
        for (const item of lift(v)) {
            const kv = text(item, 'env', ctx);
            const eq = kv.indexOf('=');
            if (eq <= 0) ctx.panic(`pipeline: env entry "${kv}" is not NAME=value`);
            env[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
    }
    for (const name of Object.keys(env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) ctx.panic(`pipeline: bad env name "${name}"`);
    return env;
}

function inputsOf(v: Value, ctx: GateContext): StepInput[] {
    const out: StepInput[] = [];
    const add = (name: string, value: Value) => {
        if (value.kind === 'empty') return;
        if (name === '' || name.split('/').some(p => p === '' || p === '.' || p === '..')) ctx.panic(`pipeline: bad input name "${name}"`);
        const ref = fileRefOf(value);
        if (ref) { out.push({ name, file: ref }); return; }
        if (value.kind === 'string' || value.kind === 'int' || value.kind === 'float' || value.kind === 'bool') {
            // Only hashed here: the engine stores the bytes if the step executes (a cached step never reads them).
            const content = text(value, name, ctx);
            out.push({ name, file: { hash: sha256(content), size: Buffer.byteLength(content), name: basename(name) }, content });
            return;
        }
        if (value.kind === 'struct') { for (const f of value.fields) add(`${name}/${f.name}`, f.value); return; }
        if (value.kind === 'seq') {
            // A sequence becomes a directory: files keep their names when those are distinct.
            const refs = value.items.map(fileRefOf);
            const names = refs.map(r => r?.name);
            const distinct = refs.every(r => r) && new Set(names).size === names.length;
            value.items.forEach((item, i) => add(`${name}/${distinct ? names[i] : String(i)}`, item));
            return;
        }
        ctx.panic(`pipeline: input ${name} must be a file value, a string or a structure of them, got ${printValue(value)}`);
    };
    if (v.kind === 'struct') for (const f of v.fields) add(f.name, f.value);
    else if (v.kind !== 'empty') for (const item of lift(v)) {
        const ref = fileRefOf(item);
        if (!ref) ctx.panic(`pipeline: unnamed inputs must be file values; name strings with (name: "...")`);
        add(ref.name, item);
    }
    const seen = new Set<string>();
    for (const i of out) { if (seen.has(i.name)) ctx.panic(`pipeline: two inputs named ${i.name}`); seen.add(i.name); }
    return out;
}

/** Seconds: a number, or a string like 90s, 5m, 1h30m, 500ms. */
export function parseTimeout(v: Value): number | undefined {
    if (v.kind === 'int') return Number(v.value);
    if (v.kind === 'float') return v.value;
    if (v.kind !== 'string') return undefined;
    const s = v.value.trim();
    if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = re.exec(s))) { total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h']; consumed = re.lastIndex; }
    return consumed === s.length && consumed > 0 ? total : undefined;
}

// ---------------------------------------------------------------------------------------------
// Gates

async function runContainer(args: GateArgs, ctx: GateContext, callee: 'pipeline.Container' | 'pipeline.Shell', command: string[]): Promise<Value> {
    const run = runInfo(ctx);
    const info = ctx.stepInfo;
    const image = args.has('image') && args.get('image').kind !== 'empty' ? text(args.get('image'), 'image', ctx) : 'host';
    const timeoutValue = args.get('timeout');
    const timeoutSeconds = timeoutValue.kind === 'empty' ? undefined : parseTimeout(timeoutValue);
    if (timeoutValue.kind !== 'empty' && (timeoutSeconds === undefined || timeoutSeconds <= 0)) ctx.panic(`pipeline: bad timeout ${printValue(timeoutValue)}`);
    const retriesValue = args.get('retries');
    const retries = retriesValue.kind === 'int' ? Number(retriesValue.value) : 0;
    if (retriesValue.kind !== 'empty' && (retriesValue.kind !== 'int' || retries < 0)) ctx.panic(`pipeline: retries must be a non-negative integer`);
    const cacheValue = args.get('cache');
    if (cacheValue.kind !== 'empty' && cacheValue.kind !== 'bool') ctx.panic(`pipeline: cache must be true or false`);
    const position = info.position;
    const paths = position ? sourcePaths(run, ctx, position.file) : undefined;
    const range = position as { endLine?: number; endColumn?: number } | undefined;
    const written = position && paths && formulaAt(paths.abs, position.line, position.column, range?.endLine, range?.endColumn, ctx.runId);
    const formula = written && paths ? normaliseCallee(written, paths.abs, ctx.runId) : `${callee}@${info.stepId}`;
    const userSalt = args.get('salt');
    const salt = run.salt + '\0' + (userSalt.kind === 'empty' ? '' : text(userSalt, 'salt', ctx));
    const req: StepRequest = {
        stepName: `${info.func}.${info.step || '?'}`,
        stepId: info.stepId,
        stepPath: info.callPath.join(' > '),
        callee,
        formula,
        ...(position && paths ? { source: { file: paths.rel, line: position.line, column: position.column } } : {}),
        image,
        command,
        args: callee === 'pipeline.Container' ? textList(args.get('args'), 'args', ctx) : [],
        env: envOf(args.get('env'), ctx),
        inputs: inputsOf(args.get('inputs'), ctx),
        ...(args.get('workdir').kind !== 'empty' ? { workdir: text(args.get('workdir'), 'workdir', ctx) } : {}),
        ...(timeoutSeconds ? { timeoutSeconds } : {}),
        retries,
        cache: cacheValue.kind === 'bool' ? cacheValue.value : true,
        salt,
    };
    if (req.command.length === 0) ctx.panic(`pipeline: ${callee} needs a command`);
    const s = opened.get(runKey(ctx)) ?? await session(ctx);
    const showProgress = s.showProgress;
    let logLines = 0;
    let stepKey: string | undefined;
    const onProgress = (e: ProgressEvent) => {
        if (e.kind === 'log') {
            // Live step output for the editor (ko run --events); bounded, the full log is in the store.
            if (logLines < MAX_EVENT_LOG_LINES) ctx.emit({ kind: 'log', stream: e.stream, text: e.line + '\n', stepId: info.stepId, time: Date.now() });
            else if (logLines === MAX_EVENT_LOG_LINES) ctx.emit({ kind: 'log', stream: 'stderr', text: `ko: more output not streamed; see ko log ${e.key.slice(0, 12)}\n`, stepId: info.stepId, time: Date.now() });
            logLines++;
            return;
        }
        stepKey = e.key;
        ctx.emit({ kind: 'gate', stepId: info.stepId, name: `pipeline.${e.kind}`, data: { ...e, runId: s.engine.runId }, time: Date.now() });
        // A protocol event straight through the gate sink (`ko run --events ndjson` writes it as is).
        if (e.kind === 'queued') ctx.emit({ kind: 'gate', stepId: info.stepId, name: 'step-queued', data: { cacheKey: e.key }, time: Date.now() });
        if (!showProgress) return;
        const label = `${e.stepName} ${e.key.slice(0, 12)}`;
        if (e.kind === 'queued') { s.progress.queued(e.key, label); return; }
        if (e.kind === 'started') s.progress.running(e.key, label);
        else if (e.kind === 'finished' || e.kind === 'failed' || e.kind === 'cached') s.progress.done(e.key);
        const line = progressLine(e);
        if (line && !(e.kind === 'started' && s.progress.live)) s.progress.line(line);
    };
    const signal = stepSignal(s, ctx.signal);
    s.active++;
    try {
        // A cached step's outcome is there at once: no turn of the event loop per step.
        const stepped = s.engine.step(req, signal, onProgress);
        const outcome = stepped instanceof Promise ? await stepped : stepped;
        const outputs: Field[] = outcome.outputs.map(o => ({ name: o.name, value: fileValue(o) }));
        const log = outcome.record.logHash ? fileValue({ hash: outcome.record.logHash, size: 0, name: 'log' }) : EMPTY;
        return struct([
            { name: 'stdout', value: str(outcome.stdout.endsWith('\n') ? outcome.stdout.slice(0, -1) : outcome.stdout) },
            { name: 'exitCode', value: int64(outcome.exitCode) },
            { name: 'outputs', value: struct(outputs) },
            { name: 'files', value: seq(outputs.map(f => f.value)) },
            { name: 'key', value: str(outcome.key) },
            { name: 'cached', value: bool(outcome.status !== 'executed') },
            { name: 'log', value: log },
            { name: 'run', value: str(outcome.record.runId) },
        ]);
    } catch (e) {
        if (e instanceof StepFailedError) {
            s.failed = true;
            return ctx.panic(struct([
                { name: 'step', value: str(e.stepName) },
                { name: 'exitCode', value: int64(e.exitCode) },
                { name: 'attempts', value: int64(e.attempts) },
                { name: 'key', value: str(e.key) },
                { name: 'log', value: str(e.logTail) },
            ]));
        }
        if (signal.aborted || (e as Error).name === 'AbortError') {
            s.cancelled = true;
            throw new KoCancelled();
        }
        return ctx.fail(`pipeline: ${req.stepName}: ${(e as Error).message}`);
    } finally {
        if (stepKey) s.progress.done(stepKey);
        s.active--;
        if (s.ending && s.active === 0) finishSession(ctx, s);
    }
}

registerGate('pipeline', 'Container', (args, ctx) => {
    const command = textList(args.get('command'), 'command', ctx);
    return runContainer(args, ctx, 'pipeline.Container', command);
});

registerGate('pipeline', 'Shell', (args, ctx) => {
    const script = args.get('script');
    if (script.kind === 'empty') ctx.panic('pipeline.Shell needs a script');
    return runContainer(args, ctx, 'pipeline.Shell', ['/bin/sh', '-c', text(script, 'script', ctx)]);
});

registerGate('pipeline', 'File', async (args, ctx) => {
    const pathValue = args.get('path');
    if (pathValue.kind !== 'string') return ctx.panic(`pipeline.File needs a path string, got ${printValue(pathValue)}`);
    // Relative to the workspace (the CLI's directory); failing that, to the calling .ko file's
    // directory, so an example runs the same from the repository root or from its own folder.
    let abs = resolve(ctx.workspaceDir, pathValue.value);
    const position = ctx.stepInfo.position;
    if (!existsSync(abs) && position && !isAbsolute(pathValue.value)) {
        const besideSource = resolve(dirname(resolve(ctx.workspaceDir, position.file)), pathValue.value);
        if (existsSync(besideSource)) abs = besideSource;
    }
    const store = storeFor(ctx);
    try {
        const ref = await ingestWorkspaceFile(store, abs);
        return fileValue({ hash: ref.hash, size: ref.size, name: basename(abs), path: relative(ctx.workspaceDir, abs) });
    } catch (e) {
        return ctx.panic(`pipeline.File: cannot read ${pathValue.value}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
});

registerGate('pipeline', 'Text', (args, ctx) => {
    const name = args.get('name');
    const content = args.get('content');
    if (name.kind !== 'string' || name.value === '' || name.value.includes('/')) return ctx.panic('pipeline.Text needs a file name (no slashes)');
    const obj = storeFor(ctx).objects.putBytes(content.kind === 'empty' ? '' : text(content, 'content', ctx));
    return fileValue({ hash: obj.hash, size: obj.size, name: name.value });
});

registerGate('pipeline', 'Read', (args, ctx) => {
    // Lifting: a one-element sequence (e.g. a step's `files`) is that element.
    const arg = args.get('file');
    const ref = fileRefOf(arg.kind === 'seq' && arg.items.length === 1 ? arg.items[0] : arg);
    if (!ref) return ctx.panic(`pipeline.Read needs a file value, got ${printValue(args.get('file'))}`);
    try {
        return str(storeFor(ctx).objects.read(ref.hash).toString('utf8'));
    } catch {
        return ctx.panic(`pipeline.Read: object ${ref.hash.slice(0, 12)} of ${ref.name} is not in the store`);
    }
});
