// Holds the run status (a pure StatusState, see status-reducer.ts) and tells the views when it
// changes. The only mutable place of run status in the extension.
import * as vscode from 'vscode';
import type { RunEvent } from '../../src/protocol/ko-protocol.js';
import {
    clearStatus, emptyStatus, finishRun, reduceRunEvent, snapshotSources, updateSources, type RunOutcome, type StatusState,
} from './status-reducer.js';

export class StatusStore implements vscode.Disposable {
    private current: StatusState = emptyStatus();
    private readonly emitter = new vscode.EventEmitter<StatusState>();
    readonly onDidChange = this.emitter.event;

    get state(): StatusState { return this.current; }

    apply(event: RunEvent): void { this.set(reduceRunEvent(this.current, event)); }
    snapshot(texts: Record<string, string>): void { this.set(snapshotSources(this.current, texts)); }
    sources(functionIds: string[], texts: Record<string, string>): void { this.set(updateSources(this.current, functionIds, texts)); }
    finish(runId: string, outcome: Exclude<RunOutcome, 'running'>, error?: string): void {
        this.set(finishRun(this.current, runId, outcome, Date.now(), undefined, undefined, error));
    }
    clear(fnId?: string): void { this.set(clearStatus(this.current, fnId)); }

    private set(next: StatusState): void {
        if (next === this.current) return;
        this.current = next;
        this.emitter.fire(next);
    }
    dispose(): void { this.emitter.dispose(); }
}
