// The Ko debug adapter: translates the Debug Adapter Protocol into calls on the runtime's
// DebugController (src/debug/debug-controller.ts) and its events into DAP events. Imports no
// `vscode`: the extension runs it inline (DebugAdapterInlineImplementation), the tests run it as
// a process over stdio (debug-adapter-main.ts).
import {
    Breakpoint, Handles, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source,
    StackFrame, StoppedEvent, TerminatedEvent, ExitedEvent, Thread, ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import { KoLoadError } from '../../src/runtime/loader.js';
import { describeKoError } from '../../src/runtime/errors.js';
import { formatKoStack } from '../../src/runtime/events.js';
import { printValue } from '../../src/runtime/values.js';
import { DebugController, type Activity, type StepKind } from '../../src/debug/debug-controller.js';
import { scopesOf, valueEntry, type InspectContext, type InspectEntry } from '../../src/debug/inspect.js';
import { storeRootFor } from '../../src/debug/container-info.js';
import { resolveLaunch, type KoLaunchConfig } from '../../src/debug/launch-config.js';

export type KoLaunchArguments = DebugProtocol.LaunchRequestArguments & KoLaunchConfig;

/** The exception filter of "stop on a panicking step". */
export const PANICS_FILTER = 'panics';

type VarRef = { children: () => InspectEntry[] };

export class KoDebugSession extends LoggingDebugSession {
    private controller: DebugController | undefined;
    private inspect: InspectContext = {};
    private configured: { promise: Promise<void>; resolve: () => void };
    private readonly frames = new Map<number, Activity>();
    private nextFrameId = 1;
    private readonly refs = new Handles<VarRef>();
    private breakOnPanics = true;
    private ended = false;

    constructor() {
        super();
        let resolve!: () => void;
        this.configured = { promise: new Promise<void>(r => { resolve = r; }), resolve };
        this.setDebuggerLinesStartAt1(true);
        this.setDebuggerColumnsStartAt1(true);
    }

    protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
        response.body = {
            ...response.body,
            supportsConfigurationDoneRequest: true,
            supportsConditionalBreakpoints: true,
            supportsHitConditionalBreakpoints: true,
            supportsLogPoints: true,
            supportsFunctionBreakpoints: true,
            supportsEvaluateForHovers: true,
            supportsExceptionInfoRequest: true,
            supportsTerminateRequest: true,
            supportsDelayedStackTraceLoading: false,
            exceptionBreakpointFilters: [{
                filter: PANICS_FILTER, label: 'Panics', default: true,
                description: 'Stop at the step where a panic or runtime error happens (also when Recover catches it)',
            }],
        };
        this.sendResponse(response);
        // Breakpoints are verified against the loaded program: InitializedEvent comes after launch has loaded it.
    }

    protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: KoLaunchArguments): Promise<void> {
        let resolved;
        try {
            resolved = resolveLaunch(args);
        } catch (e) {
            const message = e instanceof KoLoadError ? e.message : e instanceof Error ? e.message : String(e);
            this.sendErrorResponse(response, { id: 1001, format: `Ko: cannot debug: ${message}`, showUser: true });
            return;
        }
        const controller = new DebugController(resolved.program, {
            stopped: e => {
                const ev: DebugProtocol.StoppedEvent = new StoppedEvent(e.reason, e.threadId, e.text);
                ev.body.description = e.description;
                ev.body.allThreadsStopped = true;
                if (e.breakpointIds) ev.body.hitBreakpointIds = e.breakpointIds;
                this.sendEvent(ev);
            },
            output: e => {
                const ev: DebugProtocol.OutputEvent = new OutputEvent(e.text, e.category);
                if (e.location) { ev.body.source = this.source(e.location.file); ev.body.line = this.convertDebuggerLineToClient(e.location.line); }
                this.sendEvent(ev);
            },
            threadStarted: id => this.sendEvent(new ThreadEvent('started', id)),
            ended: e => this.onEnded(e, resolved.func),
        });
        controller.breakOnPanics = this.breakOnPanics;
        this.controller = controller;
        this.inspect = { storeRoot: storeRootFor(resolved.cwd, resolved.settings) };
        this.sendEvent(new InitializedEvent());
        await this.configured.promise;
        this.sendResponse(response);
        void controller.run({
            pkgPath: resolved.pkgPath, func: resolved.func, args: resolved.args, workspaceDir: resolved.cwd,
            settings: resolved.settings, stopOnEntry: args.stopOnEntry ?? false, noDebug: args.noDebug ?? false,
            ...(args.concurrency ? { concurrency: args.concurrency } : {}),
        });
    }

    private onEnded(e: { value?: unknown; error?: unknown; cancelled: boolean }, func: string): void {
        if (this.ended) return;
        this.ended = true;
        let code = 0;
        if (e.cancelled) {
            this.sendEvent(new OutputEvent('Ko: run cancelled\n', 'console'));
            code = 1;
        } else if (e.error !== undefined) {
            this.sendEvent(new OutputEvent(`ko: ${describeKoError(e.error)}\n`, 'stderr'));
            code = 1;
        } else if (e.value !== undefined) {
            this.sendEvent(new OutputEvent(`${func} returned ${printValue(e.value as never)}\n`, 'console'));
        }
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
    }

    protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
        this.configured.resolve();
        this.sendResponse(response);
    }

    protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
        const path = args.source.path;
        const specs = (args.breakpoints ?? []).map(b => ({
            line: this.convertClientLineToDebugger(b.line),
            ...(b.condition ? { condition: b.condition } : {}),
            ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
            ...(b.logMessage !== undefined ? { logMessage: b.logMessage } : {}),
        }));
        if (!this.controller || !path) {
            response.body = { breakpoints: specs.map(() => ({ verified: false, message: 'no Ko program is loaded' })) };
            this.sendResponse(response);
            return;
        }
        const results = this.controller.setBreakpoints(path, specs);
        response.body = {
            breakpoints: results.map(r => {
                const bp: DebugProtocol.Breakpoint = new Breakpoint(r.verified, r.line !== undefined ? this.convertDebuggerLineToClient(r.line) : undefined,
                    r.column !== undefined ? this.convertDebuggerColumnToClient(r.column) : undefined, this.source(path));
                bp.id = r.id;
                if (r.endLine !== undefined) bp.endLine = this.convertDebuggerLineToClient(r.endLine);
                if (r.message) bp.message = r.message;
                return bp;
            }),
        };
        this.sendResponse(response);
    }

    protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
        const results = this.controller?.setFunctionBreakpoints(args.breakpoints.map(b => ({ name: b.name, ...(b.condition ? { condition: b.condition } : {}) }))) ?? [];
        response.body = { breakpoints: results.map(r => ({ id: r.id, verified: r.verified, ...(r.message ? { message: r.message } : {}) })) };
        this.sendResponse(response);
    }

    protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
        this.breakOnPanics = args.filters.includes(PANICS_FILTER);
        if (this.controller) this.controller.breakOnPanics = this.breakOnPanics;
        this.sendResponse(response);
    }

    protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
        response.body = { threads: (this.controller?.threads() ?? [{ id: 1, name: 'Ko run' }]).map(t => new Thread(t.id, t.name)) };
        this.sendResponse(response);
    }

    protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
        const stack = this.controller?.stack(args.threadId) ?? [];
        const start = args.startFrame ?? 0;
        const count = args.levels ? args.levels : stack.length;
        const frames = stack.slice(start, start + count).map(a => {
            const id = this.nextFrameId++;
            this.frames.set(id, a);
            const file = this.controller!.fileOf(a);
            const loc = a.location;
            const frame: DebugProtocol.StackFrame = new StackFrame(id, `${a.funcName}: ${a.hook.step}`, file ? this.source(file) : undefined,
                this.convertDebuggerLineToClient(loc?.line ?? a.hook.range.line), this.convertDebuggerColumnToClient(loc?.column ?? a.hook.range.column));
            frame.endLine = this.convertDebuggerLineToClient(loc?.endLine ?? a.hook.range.endLine);
            frame.endColumn = this.convertDebuggerColumnToClient(loc?.endColumn ?? a.hook.range.endColumn);
            return frame;
        });
        response.body = { stackFrames: frames, totalFrames: stack.length };
        this.sendResponse(response);
    }

    protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
        const a = this.frames.get(args.frameId);
        if (!a) { response.body = { scopes: [] }; this.sendResponse(response); return; }
        const top = this.controller?.stack(a.lane)[0] === a;
        response.body = {
            scopes: scopesOf(a, this.inspect, top).map(s => {
                const scope: DebugProtocol.Scope = new Scope(s.name, this.refs.create({ children: s.entries }), s.expensive ?? false);
                if (s.hint) scope.presentationHint = s.hint;
                return scope;
            }),
        };
        this.sendResponse(response);
    }

    protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
        const ref = this.refs.get(args.variablesReference);
        let entries: InspectEntry[] = [];
        try { entries = ref ? ref.children() : []; } catch (e) { entries = [{ name: 'error', value: e instanceof Error ? e.message : String(e) }]; }
        response.body = { variables: entries.map(e => this.variable(e)) };
        this.sendResponse(response);
    }

    private variable(e: InspectEntry): DebugProtocol.Variable {
        const v: DebugProtocol.Variable = { name: e.name, value: e.value, variablesReference: e.children ? this.refs.create({ children: e.children }) : 0 };
        if (e.type) v.type = e.type;
        if (e.evaluateName) v.evaluateName = e.evaluateName;
        return v;
    }

    protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
        const a = args.frameId !== undefined ? this.frames.get(args.frameId) : this.controller?.stoppedAt;
        if (!a || !this.controller) {
            this.sendErrorResponse(response, { id: 1002, format: 'Ko formulas are evaluated in a stopped step: pause or stop at a breakpoint first', showUser: false });
            return;
        }
        try {
            const value = await this.controller.evaluate(a, args.expression);
            const entry = valueEntry(args.expression, value, this.inspect);
            response.body = { result: entry.value, ...(entry.type ? { type: entry.type } : {}), variablesReference: entry.children ? this.refs.create({ children: entry.children }) : 0 };
            this.sendResponse(response);
        } catch (e) {
            const message = e instanceof KoLoadError ? e.diagnostics.map(d => d.message).join('; ') : describeKoError(e);
            this.sendErrorResponse(response, { id: 1003, format: message.replace(/[{}]/g, c => (c === '{' ? '(' : ')')), showUser: false });
        }
    }

    protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
        const a = this.controller?.stack(args.threadId)[0];
        const error = a?.error;
        const message = error instanceof Error ? error.message : String(error ?? 'no panic');
        const stack = (error as { koStack?: Parameters<typeof formatKoStack>[0] } | undefined)?.koStack ?? [];
        response.body = {
            exceptionId: error instanceof Error ? error.name : 'KoPanic',
            description: message,
            breakMode: 'always',
            details: { message, typeName: error instanceof Error ? error.name : 'KoPanic', stackTrace: formatKoStack(stack) },
        };
        this.sendResponse(response);
    }

    private resume(response: DebugProtocol.Response, threadId: number, kind?: StepKind): void {
        this.frames.clear();
        this.refs.reset();
        this.sendResponse(response);
        this.controller?.resume(threadId, kind);
    }

    protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
        response.body = { allThreadsContinued: true };
        this.resume(response, args.threadId);
    }
    protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void { this.resume(response, args.threadId, 'next'); }
    protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void { this.resume(response, args.threadId, 'in'); }
    protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void { this.resume(response, args.threadId, 'out'); }

    protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
        this.sendResponse(response);
        this.controller?.pause();
    }

    protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
        this.controller?.terminate();
        this.sendResponse(response);
    }

    protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
        this.controller?.terminate();
        this.sendResponse(response);
    }

    private source(file: string): Source {
        return new Source(basename(file), this.convertDebuggerPathToClient(file));
    }
}
