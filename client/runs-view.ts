// The "Ko Runs" view (Explorer): recent runs with their outcome and duration, and under each
// run its steps with live status; a step reveals its source, a run opens its own log
// (a read-only `ko-run:` document with the run's step-prefixed output lines).
import * as vscode from 'vscode';
import { docModel, toRange } from './documents.js';
import type { StatusStore } from './status/status-store.js';
import { formatDuration, formatStepStatus, type RunInfo, type StepState } from './status/status-reducer.js';

const MAX_RUNS = 20;
export const RUN_LOG_SCHEME = 'ko-run';

type Item = { kind: 'run'; run: RunInfo } | { kind: 'step'; step: StepState };

const STEP_ICON: Record<StepState['status'], [string, string]> = {
    queued: ['circle-outline', 'ko.stepQueued'], running: ['sync~spin', 'ko.stepRunning'], cached: ['history', 'ko.stepCached'],
    succeeded: ['pass', 'ko.stepSucceeded'], failed: ['error', 'ko.stepFailed'],
};
const RUN_ICON: Record<RunInfo['outcome'], [string, string]> = {
    running: ['sync~spin', 'ko.stepRunning'], succeeded: ['pass-filled', 'ko.stepSucceeded'],
    failed: ['error', 'ko.stepFailed'], cancelled: ['circle-slash', 'ko.stepStale'],
};

/** Per-run output lines, kept for the run log documents (bounded per run and in number of runs). */
export class RunLogs implements vscode.TextDocumentContentProvider {
    private readonly logs = new Map<string, string[]>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    /** The document a run was started from (to find steps the runtime gave no location for). */
    readonly docs = new Map<string, vscode.Uri>();

    append(runId: string, line: string): void {
        let lines = this.logs.get(runId);
        if (!lines) {
            lines = [];
            this.logs.set(runId, lines);
            if (this.logs.size > MAX_RUNS) { const oldest = this.logs.keys().next().value!; this.logs.delete(oldest); this.docs.delete(oldest); }
        }
        lines.push(line);
        if (lines.length > 5000) lines.splice(0, lines.length - 5000);
        this.changed.fire(RunLogs.uri(runId));
    }

    static uri(runId: string): vscode.Uri { return vscode.Uri.from({ scheme: RUN_LOG_SCHEME, path: `/${runId}.log` }); }

    provideTextDocumentContent(uri: vscode.Uri): string {
        const runId = uri.path.replace(/^\//, '').replace(/\.log$/, '');
        return (this.logs.get(runId) ?? [`No output kept for run ${runId}.`]).join('\n') + '\n';
    }

    dispose(): void { this.changed.dispose(); }
}

export class RunsView implements vscode.TreeDataProvider<Item>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<Item | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly sub: vscode.Disposable;
    private timer: NodeJS.Timeout | undefined;

    constructor(private readonly store: StatusStore) {
        // Coalesce: a run can produce many events per second.
        this.sub = store.onDidChange(() => {
            if (!this.timer) this.timer = setTimeout(() => { this.timer = undefined; this.changed.fire(undefined); }, 200);
        });
    }

    getChildren(item?: Item): Item[] {
        const state = this.store.state;
        if (!item) return [...state.runs.values()].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_RUNS).map(run => ({ kind: 'run', run }));
        if (item.kind === 'run') return [...state.steps.values()].filter(s => s.runId === item.run.runId).map(step => ({ kind: 'step', step }));
        return [];
    }

    getTreeItem(item: Item): vscode.TreeItem {
        if (item.kind === 'run') {
            const r = item.run;
            const t = new vscode.TreeItem(r.functionId, vscode.TreeItemCollapsibleState.Expanded);
            t.id = `run:${r.runId}`;
            t.description = `${r.outcome}${r.durationMs !== undefined ? ' in ' + formatDuration(r.durationMs) : ''} · ${new Date(r.startedAt).toLocaleTimeString()}`;
            t.tooltip = new vscode.MarkdownString().appendText(`${r.target} on ${r.executor}\n${r.error ?? r.value ?? ''}`);
            t.iconPath = new vscode.ThemeIcon(RUN_ICON[r.outcome][0], new vscode.ThemeColor(RUN_ICON[r.outcome][1]));
            t.contextValue = 'koRun';
            t.command = { command: 'ko.showRunLog', title: 'Show Run Log', arguments: [r.runId] };
            return t;
        }
        const s = item.step;
        const t = new vscode.TreeItem(s.id.slice(s.id.lastIndexOf('/') + 1), vscode.TreeItemCollapsibleState.None);
        t.id = `step:${s.runId}:${s.id}`;
        t.description = formatStepStatus(s);
        t.tooltip = s.id + (s.error ? `\n${s.error}` : '') + (s.value !== undefined ? `\n= ${s.value}` : '');
        const [icon, color] = s.stale ? ['circle-outline', 'ko.stepStale'] : STEP_ICON[s.status];
        t.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        t.contextValue = 'koStep';
        t.command = { command: 'ko.revealStep', title: 'Reveal Step', arguments: [s.id, s.runId] };
        return t;
    }

    dispose(): void { if (this.timer) clearTimeout(this.timer); this.sub.dispose(); this.changed.dispose(); }
}

/** Opens the step's source: the runtime's location when given, else by id in the run's document. */
export async function revealStep(store: StatusStore, logs: RunLogs, stepId: string, runId?: string): Promise<boolean> {
    const s = store.state.steps.get(stepId);
    let uri = s?.file ? vscode.Uri.file(s.file) : (runId ? logs.docs.get(runId) : undefined);
    let range = s?.range ? toRange(s.range) : undefined;
    uri ??= vscode.window.activeTextEditor?.document.uri;
    if (!uri) return false;
    const doc = await vscode.workspace.openTextDocument(uri);
    const label = stepId.slice(stepId.lastIndexOf('/') + 1);
    const fnName = stepId.slice(0, stepId.lastIndexOf('/')).split('.').pop();
    for (const f of docModel(doc).functions) for (const st of f.steps) {
        // Prefer the label's range (selection on the name) over the runtime's whole-term range.
        if (f.name === fnName && st.label === label) range = toRange(st.labelRange);
    }
    const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false });
    if (range) { editor.selection = new vscode.Selection(range.start, range.end); editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport); }
    return range !== undefined;
}
