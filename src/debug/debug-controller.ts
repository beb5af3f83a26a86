// The runtime's debugging interface: runs a Ko function with the interpreter's step hooks and
// pauses before steps (breakpoints, function breakpoints, stepping, pause, stop on entry) and at
// failing steps (panics). It knows nothing of DAP: an adapter translates requests into these
// calls and these events into protocol events (client/debug/ko-debug-session.ts).
//
// Model. Every step of a Ko function call is an *activity*: it becomes ready (the hook runs),
// may be held there, then runs until afterStep. Activities are grouped into *lanes* (what a
// debugger shows as threads): a step that a call makes runs on its caller's lane, and a step
// that is ready while that lane is busy gets a lane of its own, so parallel branches of the DAG
// appear as parallel threads. Stopping is all-stop: while stopped, every step that becomes
// ready waits; steps already running (a container, a request) go on.
import { isAbsolute, resolve } from 'node:path';
import { KoCancelled, KoExit, isKoError } from '../runtime/errors.js';
import { runFunction, type Program, type StepHookFrame } from '../runtime/interpreter.js';
import type { RunEvent } from '../runtime/events.js';
import { printValue, type Field, type Value } from '../runtime/values.js';
import { StepLocations, canonicalPath, stepKey, type StepLocation } from './step-locations.js';

export type StopReason = 'entry' | 'breakpoint' | 'function breakpoint' | 'step' | 'pause' | 'exception';
export type StepKind = 'next' | 'in' | 'out';

export interface LineBreakpointSpec {
    readonly line: number;
    /** A Ko formula over the step's inputs, parameters and finished steps; stops when it is true. */
    readonly condition?: string;
    /** `N`, `>= N`, `> N`, `== N` or `% N` over the number of times the step was reached. */
    readonly hitCondition?: string;
    /** A logpoint: prints the message (with `{formula}` interpolated) instead of stopping. */
    readonly logMessage?: string;
}

export interface BreakpointResult {
    readonly id: number;
    readonly verified: boolean;
    readonly line?: number;
    readonly column?: number;
    readonly endLine?: number;
    readonly message?: string;
}

export interface DebugListener {
    stopped(e: { reason: StopReason; threadId: number; description: string; text?: string; breakpointIds?: number[] }): void;
    output(e: { category: 'stdout' | 'stderr' | 'console'; text: string; location?: StepLocation }): void;
    threadStarted(threadId: number): void;
    /** The run is over (value, error, or cancelled by terminate()). */
    ended(e: { value?: Value; error?: unknown; cancelled: boolean }): void;
}

export interface DebugRunOptions {
    readonly pkgPath: string;
    readonly func: string;
    readonly args: readonly Field[];
    readonly workspaceDir: string;
    readonly settings?: Readonly<Record<string, string>>;
    readonly concurrency?: number;
    readonly stopOnEntry?: boolean;
    /** Run Without Debugging: no hooks at all, so the run goes at full speed. */
    readonly noDebug?: boolean;
}

/** One step of one function call, from the moment it is ready until it has finished. */
export class Activity {
    /** Identities of the calls this step is nested in, innermost (its own call) first. */
    readonly chain: readonly object[];
    lane = 0;
    /** True when the step took its caller's lane (it gives it back when it finishes). */
    inherited = false;
    state: 'ready' | 'running' | 'done' = 'ready';
    /** Set while stopped at this step because it failed. */
    error?: unknown;
    /** Latest pipeline progress of a container step (cache key, status). */
    container?: { key?: string; status: string };

    constructor(readonly id: number, readonly hook: StepHookFrame, readonly parent: Activity | undefined, readonly location: StepLocation | undefined) {
        const chain: object[] = [];
        for (let f: StepHookFrame | undefined = hook; f; f = f.caller()) chain.push(f.key);
        this.chain = chain;
    }

    /** `pkg.Func` */
    get funcName(): string { return this.hook.pkgPath === '' ? this.hook.func : `${this.hook.pkgPath}.${this.hook.func}`; }

    isWithin(ancestor: Activity): boolean {
        for (let a: Activity | undefined = this.parent; a; a = a.parent) if (a === ancestor) return true;
        return false;
    }
}

interface LineBreakpoint extends LineBreakpointSpec {
    readonly id: number;
    readonly loc: StepLocation;
    hits: number;
}

export interface DebugThread { readonly id: number; readonly name: string }

function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>(r => { resolve = r; });
    return { promise, resolve };
}

export class DebugController {
    readonly locations: StepLocations;
    private nextId = 1;
    private readonly lineBps = new Map<string, LineBreakpoint[]>(); // by canonical file
    private readonly bpsByStep = new Map<string, LineBreakpoint[]>();
    private functionBps: { id: number; name: string; condition?: string }[] = [];
    breakOnPanics = true;

    private readonly activities = new WeakMap<object, Map<string, Activity>>();
    private readonly lanes: (Activity | undefined)[] = [undefined]; // index = thread id; 0 unused
    private readonly seenCalls = new WeakSet<object>();
    private readonly reported = new WeakSet<object>();
    private paused = false;
    private pauseRequested = false;
    private resumed = deferred();
    private stepping: { kind: StepKind; from: Activity } | undefined;
    private decisions: Promise<void> = Promise.resolve();
    private stopOnEntry = false;
    private started = false;
    private terminated = false;
    private readonly abort = new AbortController();
    /** Where the last stop happened (the thread VS Code focuses). */
    stoppedAt: Activity | undefined;
    /** Latest container progress by step id, from the pipeline's gate events. */
    private readonly containerProgress = new Map<string, { key?: string; status: string }>();

    constructor(readonly program: Program, private readonly listener: DebugListener) {
        this.locations = new StepLocations(program);
    }

    // -----------------------------------------------------------------------------------------
    // Breakpoints

    /** Replaces the breakpoints of a file; each moves to the step it stops at, or is unverified. */
    setBreakpoints(file: string, specs: readonly LineBreakpointSpec[]): BreakpointResult[] {
        const canonical = canonicalPath(file);
        for (const bp of this.lineBps.get(canonical) ?? []) {
            const key = stepKey(bp.loc.pkgPath, bp.loc.func, bp.loc.step);
            const list = (this.bpsByStep.get(key) ?? []).filter(b => b !== bp);
            if (list.length) this.bpsByStep.set(key, list); else this.bpsByStep.delete(key);
        }
        const placed: LineBreakpoint[] = [];
        const results = specs.map((spec): BreakpointResult => {
            const id = this.nextId++;
            const loc = this.locations.resolveLine(canonical, spec.line);
            if (!loc) {
                return {
                    id, verified: false,
                    message: this.locations.hasFile(canonical) ? 'no step in this file' : 'this file is not part of the program being debugged',
                };
            }
            const bp: LineBreakpoint = { ...spec, id, loc, hits: 0 };
            placed.push(bp);
            const key = stepKey(loc.pkgPath, loc.func, loc.step);
            this.bpsByStep.set(key, [...(this.bpsByStep.get(key) ?? []), bp]);
            return { id, verified: true, line: loc.line, column: loc.column, endLine: loc.endLine };
        });
        this.lineBps.set(canonical, placed);
        return results;
    }

    /** Function breakpoints stop before the first step of every call of the function (`F` or `pkg.F`). */
    setFunctionBreakpoints(specs: readonly { name: string; condition?: string }[]): BreakpointResult[] {
        this.functionBps = [];
        return specs.map(spec => {
            const id = this.nextId++;
            const name = spec.name.trim();
            if (!this.locations.functions.has(name)) return { id, verified: false, message: `no function ${name} in the program` };
            this.functionBps.push({ id, name, ...(spec.condition ? { condition: spec.condition } : {}) });
            return { id, verified: true };
        });
    }

    // -----------------------------------------------------------------------------------------
    // Running and execution control

    /** Runs the function under the debugger; resolves when it has ended (listener.ended is called first). */
    async run(options: DebugRunOptions): Promise<void> {
        this.stopOnEntry = options.stopOnEntry ?? false;
        const stdout = { write: (text: string) => this.listener.output({ category: 'stdout', text }) };
        const stderr = { write: (text: string) => this.listener.output({ category: 'stderr', text }) };
        try {
            const value = await runFunction(this.program, { pkgPath: options.pkgPath }, options.func, options.args, {
                signal: this.abort.signal,
                ...(options.noDebug ? {} : {
                    beforeStep: (hf: StepHookFrame) => this.beforeStep(hf),
                    afterStep: (hf: StepHookFrame, outcome: { value?: Value; error?: unknown }) => this.afterStep(hf, outcome),
                    onEvent: (e: RunEvent) => this.onEvent(e),
                }),
                stdout, stderr,
                workspaceDir: options.workspaceDir,
                settings: { ...options.settings },
                ...(options.concurrency ? { concurrency: options.concurrency } : {}),
            });
            this.listener.ended({ value, cancelled: false });
        } catch (error) {
            const cancelled = this.terminated || error instanceof KoCancelled;
            this.listener.ended({ ...(cancelled ? {} : { error }), cancelled });
        } finally {
            this.terminated = true;
        }
    }

    /** Resumes everything; with a step kind, stops again at the next step of that kind from `threadId`. */
    resume(threadId?: number, kind?: StepKind): void {
        if (!this.paused) return;
        const from = (threadId !== undefined ? this.lanes[threadId] : undefined) ?? this.stoppedAt;
        this.stepping = kind && from ? { kind, from } : undefined;
        this.paused = false;
        this.stoppedAt = undefined;
        this.resumed.resolve();
    }

    /** Stops as soon as possible: at once on a running step's thread, else before the next step. */
    pause(): void {
        if (this.paused || this.terminated) return;
        const busy = this.lanes.find(a => a !== undefined);
        if (busy) this.stopNow(busy, 'pause', 'Paused');
        else this.pauseRequested = true;
    }

    /** Cancels the run: held steps are released and see the cancelled signal. */
    terminate(): void {
        if (this.terminated && !this.paused) return;
        this.terminated = true;
        this.abort.abort();
        this.paused = false;
        this.resumed.resolve();
    }

    get isPaused(): boolean { return this.paused; }

    // -----------------------------------------------------------------------------------------
    // Inspection

    /** One thread per lane with a step on it (at least one, so a client can always pause). */
    threads(): DebugThread[] {
        const out: DebugThread[] = [];
        this.lanes.forEach((a, id) => {
            if (a) out.push({ id, name: `${a.hook.stepId} (${a.state === 'ready' ? 'ready' : 'running'})` });
        });
        if (out.length === 0) out.push({ id: 1, name: 'Ko run' });
        return out;
    }

    /** The Ko call chain of a thread, innermost first: the step on the lane and the steps that called it. */
    stack(threadId: number): Activity[] {
        const out: Activity[] = [];
        for (let a = this.lanes[threadId]; a; a = a.parent) out.push(a);
        return out;
    }

    /** Absolute source path of an activity's step. */
    fileOf(a: Activity): string | undefined {
        if (a.location) return a.location.file;
        const f = a.hook.range.file;
        return isAbsolute(f) ? f : resolve(f);
    }

    /** Evaluates a Ko formula in the frame of an activity (its function's parameters and finished steps). */
    evaluate(a: Activity, source: string): Promise<Value> {
        return a.hook.evaluate(source);
    }

    // -----------------------------------------------------------------------------------------
    // Hooks

    private async beforeStep(hf: StepHookFrame): Promise<void> {
        const act = this.track(hf);
        const stop = await this.decide(async () => {
            await this.holdWhilePaused();
            if (this.terminated) return false;
            const reason = await this.stopReason(act);
            if (!reason || this.terminated) return false;
            this.stopNow(act, reason.reason, reason.description, reason.breakpointIds);
            return true;
        });
        if (stop) await this.holdWhilePaused();
        act.state = 'running';
        const progress = this.containerProgress.get(hf.stepId);
        if (progress) act.container = progress;
    }

    private async afterStep(hf: StepHookFrame, outcome: { value?: Value; error?: unknown }): Promise<void> {
        const act = this.activities.get(hf.key)?.get(hf.step);
        if (!act) return;
        const error = outcome.error;
        if (error !== undefined && this.isReportable(error)) {
            this.reported.add(error as object);
            const stop = await this.decide(async () => {
                await this.holdWhilePaused();
                if (this.terminated || !this.breakOnPanics) return false;
                act.error = error;
                const message = error instanceof Error ? error.message : String(error);
                this.stopNow(act, 'exception', `Paused on panic: ${message}`, undefined, message);
                return true;
            });
            if (stop) await this.holdWhilePaused();
        }
        this.finish(act);
    }

    /**
     * Stop decisions are taken one at a time, in the order steps became ready: deciding may
     * evaluate a condition (asynchronous), and a step that is ready at the same time must not
     * slip past while another one is about to stop.
     */
    private decide(decision: () => Promise<boolean>): Promise<boolean> {
        const result = this.decisions.then(decision);
        this.decisions = result.then(() => undefined, () => undefined);
        return result;
    }

    private isReportable(error: unknown): boolean {
        // The same error crosses every calling step on its way out: report it once, where it happened.
        return isKoError(error) && !(error instanceof KoCancelled) && !(error instanceof KoExit) && !this.reported.has(error);
    }

    private onEvent(e: RunEvent): void {
        if (e.kind !== 'gate' || !e.stepId || !e.name.startsWith('pipeline.')) return;
        const data = e.data as { key?: string } | undefined;
        const status = e.name.slice('pipeline.'.length);
        const progress = { ...(data?.key ? { key: data.key } : {}), status };
        this.containerProgress.set(e.stepId, progress);
        for (const a of this.lanes) if (a && a.hook.stepId === e.stepId) a.container = progress;
    }

    private track(hf: StepHookFrame): Activity {
        const caller = hf.caller();
        const parent = caller ? this.activities.get(caller.key)?.get(caller.step) : undefined;
        const act = new Activity(this.nextId++, hf, parent, this.locations.step(hf.pkgPath, hf.func, hf.step));
        let steps = this.activities.get(hf.key);
        if (!steps) this.activities.set(hf.key, steps = new Map());
        steps.set(hf.step, act);
        if (parent && parent.lane && this.lanes[parent.lane] === parent) {
            act.lane = parent.lane;
            act.inherited = true;
        } else {
            let lane = this.lanes.findIndex((a, i) => i > 0 && a === undefined);
            if (lane < 0) {
                lane = this.lanes.length;
                this.lanes.push(undefined);
                this.listener.threadStarted(lane);
            }
            act.lane = lane;
        }
        this.lanes[act.lane] = act;
        return act;
    }

    private finish(act: Activity): void {
        act.state = 'done';
        if (this.lanes[act.lane] !== act) return;
        const parent = act.parent;
        this.lanes[act.lane] = act.inherited && parent && parent.state !== 'done' ? parent : undefined;
    }

    private async holdWhilePaused(): Promise<void> {
        while (this.paused && !this.terminated) await this.resumed.promise;
    }

    private async stopReason(act: Activity): Promise<{ reason: StopReason; description: string; breakpointIds?: number[] } | undefined> {
        const first = !this.started;
        this.started = true;
        // Marked before any early return, so a call entered by stepping does not hit its function breakpoint later.
        const newCall = !this.seenCalls.has(act.hook.key);
        if (newCall) this.seenCalls.add(act.hook.key);
        if (this.pauseRequested) { this.pauseRequested = false; return { reason: 'pause', description: 'Paused' }; }
        if (first && this.stopOnEntry) return { reason: 'entry', description: `Paused on entry to ${act.funcName}` };
        const s = this.stepping;
        if (s && this.steppingStopsAt(s, act)) return { reason: 'step', description: `Paused before ${act.hook.step}` };
        const hf = act.hook;
        if (newCall) {
            const fbps = this.functionBps.filter(b => b.name === hf.func || b.name === act.funcName);
            const hit: number[] = [];
            for (const b of fbps) if (!b.condition || await this.conditionHolds(act, b.condition)) hit.push(b.id);
            if (hit.length) return { reason: 'function breakpoint', description: `Paused on entry to ${act.funcName}`, breakpointIds: hit };
        }
        const bps = this.bpsByStep.get(stepKey(hf.pkgPath, hf.func, hf.step));
        if (!bps) return undefined;
        const hit: number[] = [];
        for (const bp of bps) {
            if (bp.condition && !await this.conditionHolds(act, bp.condition)) continue;
            bp.hits++;
            if (bp.hitCondition && !hitConditionHolds(bp.hitCondition, bp.hits)) continue;
            if (bp.logMessage !== undefined) {
                this.listener.output({ category: 'console', text: await this.interpolate(act, bp.logMessage) + '\n', location: bp.loc });
                continue;
            }
            hit.push(bp.id);
        }
        return hit.length ? { reason: 'breakpoint', description: `Paused on breakpoint before ${hf.step}`, breakpointIds: hit } : undefined;
    }

    /** Step over: the next ready step of this call or a caller; step in: also inside this step's calls; step out: callers only. */
    private steppingStopsAt(s: { kind: StepKind; from: Activity }, act: Activity): boolean {
        const key = act.hook.key;
        switch (s.kind) {
            case 'next': return s.from.chain.includes(key);
            case 'in': return s.from.chain.includes(key) || act.isWithin(s.from);
            case 'out': return s.from.chain.indexOf(key) > 0;
        }
    }

    /** A condition that is not a Bool, or fails, stops (and says why) rather than being ignored. */
    private async conditionHolds(act: Activity, condition: string): Promise<boolean> {
        try {
            const v = await act.hook.evaluate(condition);
            if (v.kind === 'bool') return v.value;
            this.listener.output({ category: 'stderr', text: `ko debug: condition ${condition} is ${printValue(v)}, not a Bool: stopping\n` });
            return true;
        } catch (e) {
            this.listener.output({ category: 'stderr', text: `ko debug: condition ${condition} failed: ${e instanceof Error ? e.message : String(e)}\n` });
            return true;
        }
    }

    /** `{formula}` parts of a log message, evaluated in the step's frame; strings print without quotes. */
    private async interpolate(act: Activity, message: string): Promise<string> {
        let out = '';
        let i = 0;
        for (const m of message.matchAll(/\{([^{}]+)\}/g)) {
            out += message.slice(i, m.index);
            try {
                const v = await act.hook.evaluate(m[1]);
                out += v.kind === 'string' ? v.value : printValue(v);
            } catch (e) {
                out += `<${e instanceof Error ? e.message : String(e)}>`;
            }
            i = m.index! + m[0].length;
        }
        return out + message.slice(i);
    }

    private stopNow(act: Activity, reason: StopReason, description: string, breakpointIds?: number[], text?: string): void {
        this.paused = true;
        this.pauseRequested = false;
        this.stepping = undefined;
        this.stoppedAt = act;
        this.resumed = deferred();
        this.listener.stopped({ reason, threadId: act.lane, description, ...(text ? { text } : {}), ...(breakpointIds ? { breakpointIds } : {}) });
    }

}

/** DAP hit conditions as VS Code users write them: `5`, `>= 5`, `> 5`, `== 5`, `% 5`. */
export function hitConditionHolds(condition: string, hits: number): boolean {
    const m = /^\s*(>=|>|==|=|%)?\s*(\d+)\s*$/.exec(condition);
    if (!m) return true;
    const n = Number(m[2]);
    switch (m[1]) {
        case '>=': return hits >= n;
        case '>': return hits > n;
        case '%': return n > 0 && hits % n === 0;
        default: return hits === n;
    }
}

