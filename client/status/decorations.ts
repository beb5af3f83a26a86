// Live run status on the source: one decoration type per status (theme colours, gutter icon,
// overview ruler), the status text after each step label (elapsed time ticking while running),
// a hover with value / log tail / cache key, and staleness when a step's code changes.
import * as vscode from 'vscode';
import type { RunStepStatus } from '../../src/protocol/ko-protocol.js';
import { docModel, stepTexts, toRange, type DocModel } from '../documents.js';
import type { StatusStore } from './status-store.js';
import { anyRunning, formatStepHover, formatStepStatus, functionOfStep, statusFor, type StatusState } from './status-reducer.js';

export { statusFor };

type Look = RunStepStatus | 'stale';
const COLORS: Record<Look, string> = {
    queued: 'ko.stepQueued', running: 'ko.stepRunning', cached: 'ko.stepCached',
    succeeded: 'ko.stepSucceeded', failed: 'ko.stepFailed', stale: 'ko.stepStale',
};
const SYMBOL: Record<Look, string> = { queued: '◷', running: '▶', cached: '⟲', succeeded: '✓', failed: '✗', stale: '○' };

export class StatusDecorations implements vscode.Disposable {
    private readonly types = new Map<Look, vscode.TextEditorDecorationType>();
    private readonly disposables: vscode.Disposable[] = [];
    private ticker: NodeJS.Timeout | undefined;
    private pending: NodeJS.Timeout | undefined;

    constructor(context: vscode.ExtensionContext, private readonly store: StatusStore) {
        for (const look of Object.keys(COLORS) as Look[]) {
            const color = new vscode.ThemeColor(COLORS[look]);
            this.types.set(look, vscode.window.createTextEditorDecorationType({
                gutterIconPath: context.asAbsolutePath(`client/media/status-${look}.svg`),
                gutterIconSize: '70%',
                overviewRulerColor: look === 'stale' ? undefined : color,
                overviewRulerLane: vscode.OverviewRulerLane.Left,
                after: { color, margin: '0 0 0 1.5em', fontStyle: look === 'stale' ? 'italic' : 'normal' },
                rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
            }));
        }
        this.disposables.push(
            store.onDidChange(() => { this.changedAt ??= performance.now(); this.refreshSoon(); }),
            vscode.window.onDidChangeVisibleTextEditors(() => this.refreshSoon()),
            vscode.workspace.onDidChangeTextDocument(e => {
                if (e.document.languageId !== 'ko') return;
                // Staleness: compare the steps' texts with the snapshot taken when the run started.
                const model = docModel(e.document);
                store.sources(model.functions.map(f => f.id), stepTexts(model));
                this.refreshSoon();
            }),
            vscode.languages.registerHoverProvider({ language: 'ko' }, { provideHover: (d, p) => this.hover(d, p) }),
        );
    }

    /** When the oldest status change not yet painted arrived (performance.now()). */
    private changedAt: number | undefined;
    private lastPaint = -Infinity;
    /**
     * Run event -> decorations set, in ms, one figure per repaint that showed new status
     * (bounded); read by tests. Event handling is synchronous, so this is the whole latency.
     */
    readonly latencies: number[] = [];

    /**
     * Coalesces bursts of events (a run can emit hundreds per second) into at most one repaint
     * per 50 ms: the first change after a quiet period paints on the next turn of the event loop,
     * later ones wait for the rest of the 50 ms window.
     */
    refreshSoon(): void {
        if (this.pending) return;
        const wait = Math.max(0, 50 - (performance.now() - this.lastPaint));
        this.pending = setTimeout(() => { this.pending = undefined; this.refresh(); }, wait);
    }

    refresh(): void {
        const state = this.store.state;
        for (const editor of vscode.window.visibleTextEditors) {
            if (editor.document.languageId !== 'ko') continue;
            this.paint(editor, docModel(editor.document), state);
        }
        this.lastPaint = performance.now();
        if (this.changedAt !== undefined) {
            this.latencies.push(this.lastPaint - this.changedAt);
            if (this.latencies.length > 1000) this.latencies.shift();
            this.changedAt = undefined;
        }
        // Running steps show their elapsed time: repaint every second while any runs.
        if (anyRunning(state) && !this.ticker) this.ticker = setInterval(() => this.refresh(), 1000);
        if (!anyRunning(state) && this.ticker) { clearInterval(this.ticker); this.ticker = undefined; }
    }

    /** Exposed for tests: the decorations currently painted per look, by step label. */
    readonly painted = new Map<string, { look: Look; text: string }[]>();

    private paint(editor: vscode.TextEditor, model: DocModel, state: StatusState): void {
        const byLook = new Map<Look, vscode.DecorationOptions[]>();
        const record: { look: Look; text: string }[] = [];
        for (const fn of model.functions) for (const step of fn.steps) {
            const s = statusFor(state, step.id, editor.document.uri.fsPath);
            if (!s) continue;
            const look: Look = s.stale ? 'stale' : s.status;
            const text = `${SYMBOL[look]} ${formatStepStatus(s)}`;
            const line = editor.document.lineAt(step.labelRange.start.line).range;
            const list = byLook.get(look) ?? [];
            list.push({ range: new vscode.Range(line.end, line.end), renderOptions: { after: { contentText: text } } });
            byLook.set(look, list);
            record.push({ look, text: `${step.label}: ${text}` });
        }
        for (const [look, type] of this.types) editor.setDecorations(type, byLook.get(look) ?? []);
        this.painted.set(editor.document.uri.toString(), record);
    }

    private hover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
        const model = docModel(doc);
        for (const fn of model.functions) for (const step of fn.steps) {
            if (step.labelRange.start.line !== pos.line) continue;
            const s = statusFor(this.store.state, step.id, doc.uri.fsPath);
            if (!s) return undefined;
            const md = new vscode.MarkdownString(formatStepHover(s));
            md.isTrusted = false; // values and logs come from user programs
            return new vscode.Hover(md, toRange(step.labelRange));
        }
        return undefined;
    }

    /** Function ids that have status in this document (for the clear command). */
    functionsWithStatus(doc: vscode.TextDocument): string[] {
        const ids = new Set([...this.store.state.steps.keys()].map(functionOfStep));
        return docModel(doc).functions.map(f => f.id).filter(id => ids.has(id));
    }

    dispose(): void {
        if (this.ticker) clearInterval(this.ticker);
        if (this.pending) clearTimeout(this.pending);
        for (const t of this.types.values()) t.dispose();
        for (const d of this.disposables) d.dispose();
    }
}
