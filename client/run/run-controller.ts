// Runs a Ko function: spawns the bundled CLI (`ko run FILE.ko:Func ... --events ndjson`) as a
// child process (never through a shell), feeds its run events to the status store, writes a
// step-prefixed log to the "Ko Run" output channel, shows progress with Cancel (which kills the
// child's whole process group) and turns failures into notifications with "Show step".
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/protocol/ko-protocol.js';
import { docModel, toRange, type DocFunction } from '../documents.js';
import { runSettings } from '../settings.js';
import type { StatusStore } from '../status/status-store.js';
import { formatDuration } from '../status/status-reducer.js';
import type { RunLogs } from '../runs-view.js';
import { LineSplitter, parseRunEventLine } from './ndjson.js';
import { ArgumentMemory, joinArgs } from './argument-memory.js';
import { argsPlaceholder, runArgv } from './run-command.js';

export interface RunOptions {
    until?: string;
    /** Arguments given programmatically (graph view, tests): used and remembered, no prompt. */
    args?: readonly string[];
}
export interface RunSummary {
    runId?: string;
    exitCode: number | null;
    ok: boolean;
    cancelled: boolean;
    events: number;
    /** The CLI arguments the run was started with (after the script path). */
    argv?: string[];
    error?: string;
}

export class RunController implements vscode.Disposable {
    private child: ChildProcess | undefined;
    private cancelRequested = false;
    readonly output: vscode.OutputChannel;
    readonly memory: ArgumentMemory;

    constructor(private readonly context: vscode.ExtensionContext, private readonly store: StatusStore, private readonly logs: RunLogs) {
        this.output = vscode.window.createOutputChannel('Ko Run');
        this.memory = new ArgumentMemory(context.workspaceState);
    }

    get running(): boolean { return this.child !== undefined; }

    /** The CLI script to run with Node: the `ko.cliPath` setting, else the bundled bin/ko. */
    cliScript(): string {
        const configured = vscode.workspace.getConfiguration('ko').get<string>('cliPath', '');
        return configured || this.context.asAbsolutePath(path.join('bin', 'ko'));
    }

    /** Asks the arguments of a function with parameters once, then remembers them per function. */
    async argumentsFor(fn: DocFunction, forcePrompt = false): Promise<string[] | undefined> {
        if (fn.params.length === 0) return [];
        const saved = this.memory.text(fn.id);
        if (saved !== undefined && !forcePrompt) return this.memory.args(fn.id);
        const input = await vscode.window.showInputBox({
            title: `Arguments for ${fn.name}`,
            prompt: `k=v pairs (and one word for the monadic parameter); parameters: ${fn.params.join(', ')}. Remembered for this function.`,
            placeHolder: argsPlaceholder(fn.params),
            value: saved ?? '',
            ignoreFocusOut: true,
        });
        if (input === undefined) return undefined;
        await this.memory.remember(fn.id, input);
        return this.memory.args(fn.id);
    }

    async forgetArguments(): Promise<void> {
        const n = await this.memory.forget();
        void vscode.window.showInformationMessage(`Ko: forgot the arguments of ${n} function${n === 1 ? '' : 's'}.`);
    }

    async run(doc: vscode.TextDocument, fn: DocFunction, opts: RunOptions = {}): Promise<RunSummary> {
        if (!vscode.workspace.isTrusted) {
            const manage = 'Manage Workspace Trust';
            void vscode.window.showWarningMessage('Running Ko functions is disabled in Restricted Mode: a run executes programs and containers. Trust this workspace to run.', manage)
                .then(c => { if (c === manage) void vscode.commands.executeCommand('workbench.trust.manage'); });
            return { exitCode: null, ok: false, cancelled: true, events: 0, error: 'untrusted workspace' };
        }
        if (this.child) {
            void vscode.window.showWarningMessage('A Ko run is already in progress; cancel it first.');
            return { exitCode: null, ok: false, cancelled: true, events: 0, error: 'busy' };
        }
        let args: readonly string[] | undefined;
        if (opts.args) { args = opts.args; if (fn.params.length) await this.memory.remember(fn.id, joinArgs(opts.args)); }
        else args = await this.argumentsFor(fn);
        if (args === undefined) return { exitCode: null, ok: false, cancelled: true, events: 0, error: 'no arguments' };
        if (doc.isDirty) await doc.save();

        const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? path.dirname(doc.uri.fsPath);
        const file = path.relative(folder, doc.uri.fsPath) || doc.uri.fsPath;
        const argv = runArgv({ file, functionName: fn.name, args, ...(opts.until ? { until: opts.until } : {}) }, runSettings());
        const cli = this.cliScript();
        if (!fs.existsSync(cli)) {
            void vscode.window.showErrorMessage(`The ko CLI was not found at ${cli} (set ko.cliPath or build the extension).`);
            return { exitCode: null, ok: false, cancelled: false, events: 0, error: 'no cli' };
        }
        // Snapshot the steps' texts now: a later edit makes their status stale.
        const texts: Record<string, string> = {};
        for (const s of fn.steps) texts[s.id] = s.text;
        this.store.clear(fn.id);
        this.store.snapshot(texts);

        let runId: string | undefined;
        // Every line goes to the shared "Ko Run" channel and to the run's own log (Runs view).
        const early: string[] = [];
        const log = (line: string) => {
            this.output.appendLine(line);
            if (runId) this.logs.append(runId, line); else early.push(line);
        };
        log(`\n── ko ${argv.join(' ')}  (in ${folder})`);
        const labelOf = (step: string) => step.slice(step.lastIndexOf('/') + 1);
        let events = 0, finished: Extract<RunEvent, { type: 'run-finished' }> | undefined;
        let total = 0, done = 0;
        this.cancelRequested = false;
        const stderrTail: string[] = [];

        await vscode.commands.executeCommand('setContext', 'ko.running', true);
        const child = spawn(process.execPath, [cli, ...argv], {
            cwd: folder,
            // In desktop VS Code process.execPath is Electron: make it behave as plain Node.
            env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
            detached: process.platform !== 'win32', // own process group: Cancel kills the whole tree
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        this.child = child;
        const exited = new Promise<number | null>(resolve => {
            child.on('error', err => { log(`ko: ${err.message}`); resolve(null); });
            child.on('close', code => resolve(code));
        });

        const title = `Ko: ${fn.name}${opts.until ? ` up to ${opts.until}` : ''}`;
        const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true },
            async (progress, token) => {
                token.onCancellationRequested(() => this.cancel());
                const report = () => progress.report({ message: total ? `${done}/${total} steps` : 'starting…' });
                report();
                const onEvent = (ev: RunEvent) => {
                    events++;
                    if (ev.type === 'run-started') {
                        runId = ev.runId;
                        this.logs.docs.set(runId, doc.uri);
                        for (const line of early.splice(0)) this.logs.append(runId, line);
                    }
                    if (ev.type === 'run-finished') finished = ev;
                    this.store.apply(ev);
                    switch (ev.type) {
                        case 'step-queued': total++; report(); break;
                        case 'step-cached': done++; report(); log(`[${labelOf(ev.step)}] cached ${ev.cacheKey}`); break;
                        case 'step-started': log(`[${labelOf(ev.step)}] started${ev.placement ? ' on ' + ev.placement : ''}`); break;
                        case 'step-log': log(`[${labelOf(ev.step)}] ${ev.line}`); break;
                        case 'step-finished': done++; report(); log(`[${labelOf(ev.step)}] done in ${formatDuration(ev.durationMs)}${ev.value !== undefined ? ' = ' + ev.value : ''}`); break;
                        case 'step-failed':
                            done++; report();
                            log(`[${labelOf(ev.step)}] FAILED${ev.exitCode !== undefined ? ` (exit ${ev.exitCode})` : ''}: ${ev.error}`);
                            void this.notifyStepFailure(doc, ev.step, ev.error, ev.file, ev.range);
                            break;
                        case 'run-finished': log(`── ${ev.ok ? 'ok' : 'failed'} in ${formatDuration(ev.durationMs)}${ev.value !== undefined ? ': ' + ev.value : ''}${ev.error ? ': ' + ev.error : ''}`); break;
                    }
                };
                const out = new LineSplitter(), err = new LineSplitter();
                const onStdout = (lines: string[]) => {
                    for (const line of lines) {
                        const parsed = parseRunEventLine(line);
                        if (!parsed) continue;
                        if ('event' in parsed) onEvent(parsed.event); else log(parsed.text);
                    }
                };
                child.stdout?.setEncoding('utf8').on('data', (c: string) => onStdout(out.push(c)));
                child.stderr?.setEncoding('utf8').on('data', (c: string) => {
                    for (const line of err.push(c)) { log(line); stderrTail.push(line); if (stderrTail.length > 5) stderrTail.shift(); }
                });
                const code = await exited;
                onStdout(out.flush());
                for (const line of err.flush()) { log(line); stderrTail.push(line); }
                return code;
            });
        this.child = undefined;
        const cancelled = this.cancelRequested;
        await vscode.commands.executeCommand('setContext', 'ko.running', false);

        if (runId && (!finished || cancelled)) this.store.finish(runId, cancelled ? 'cancelled' : 'failed', cancelled ? 'cancelled' : `ko exited with ${summary}`);
        const ok = !cancelled && summary === 0 && (finished ? finished.ok : true);
        let error: string | undefined;
        if (cancelled) log('── cancelled');
        else if (!ok) {
            error = finished?.error ?? (stderrTail.filter(l => l.trim()).slice(-1)[0] || `ko exited with code ${summary}`);
            // Step failures were already notified; report run-level errors (compile errors, CLI problems).
            if (!finished || !finished.error?.includes('step')) {
                void vscode.window.showErrorMessage(`Ko run of ${fn.name} failed: ${error}`, 'Show Output')
                    .then(c => { if (c) this.output.show(true); });
            }
        }
        return { ...(runId ? { runId } : {}), exitCode: summary, ok, cancelled, events, argv, ...(error ? { error } : {}) };
    }

    private async notifyStepFailure(doc: vscode.TextDocument, step: string, error: string, file?: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }) {
        const label = step.slice(step.lastIndexOf('/') + 1);
        const choice = await vscode.window.showErrorMessage(`Ko step ${label} failed: ${error}`, 'Show Step', 'Show Output');
        if (choice === 'Show Output') this.output.show(true);
        if (choice !== 'Show Step') return;
        let target = doc, where: vscode.Range | undefined = range ? toRange(range) : undefined;
        if (file) target = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
        if (!where) {
            for (const f of docModel(target).functions) for (const s of f.steps) if (s.id === step || step.endsWith('.' + f.name + '/' + s.label)) where = toRange(s.labelRange);
        }
        const editor = await vscode.window.showTextDocument(target);
        if (where) { editor.selection = new vscode.Selection(where.start, where.end); editor.revealRange(where, vscode.TextEditorRevealType.InCenterIfOutsideViewport); }
    }

    /** Cancels the current run (the notification's Cancel and `Ko: Cancel Run`). */
    cancel(): void { if (this.child) { this.cancelRequested = true; this.kill(this.child); } }

    private kill(child: ChildProcess): void {
        const signal = (sig: NodeJS.Signals) => {
            try { if (child.pid && process.platform !== 'win32') process.kill(-child.pid, sig); else child.kill(sig); } catch { /* already gone */ }
        };
        signal('SIGTERM');
        // Give the runtime a moment to stop containers and write its journal, then force.
        setTimeout(() => { if (child.exitCode === null && child.signalCode === null) signal('SIGKILL'); }, 3000).unref();
    }

    dispose(): void { this.cancel(); this.output.dispose(); }
}
