// Entry of the Ko VS Code extension: starts the language server client and wires the client
// features (run/debug commands and CodeLens, live step status, executor status bar, graph
// preview). Each feature lives in its own module; logic without vscode lives in pure modules.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { KoCodeLensProvider } from './codelens.js';
import { registerKoDebugger } from './debug/register-debugger.js';
import { docModel, forgetDoc, type DocFunction } from './documents.js';
import { GraphPanel, type GraphDeps } from './graph/graph-panel.js';
import { LayoutClient } from './graph/layout-client.js';
import { createLanguageClient } from './language-client.js';
import { functionAt, stepAt } from './outline.js';
import { RunController, type RunSummary } from './run/run-controller.js';
import { RUN_LOG_SCHEME, RunLogs, RunsView, revealStep } from './runs-view.js';
import { ExecutorStatusBar } from './status-bar.js';
import { StatusDecorations } from './status/decorations.js';
import { StatusStore } from './status/status-store.js';

/** A run target as passed by CodeLens and the graph view (JSON-friendly). */
interface Target { uri?: string; functionName?: string; step?: string; args?: string[] }

/** What activate() returns: used by the e2e tests (and possibly other extensions). */
export interface KoExtensionApi {
    store: StatusStore;
    decorations: StatusDecorations;
    runs: RunController;
    graphPanel(): GraphPanel | undefined;
    client(): LanguageClient | undefined;
    layout: LayoutClient;
    statusBar: ExecutorStatusBar;
    runsView: RunsView;
    logs: RunLogs;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KoExtensionApi> {
    const serverLog = vscode.window.createOutputChannel('Ko Language Server', { log: true });
    context.subscriptions.push(serverLog);
    const startClient = async () => {
        if (!fs.existsSync(context.asAbsolutePath('dist/server/main.cjs'))) {
            serverLog.warn('dist/server/main.cjs is missing: run `npm run build`. Language features are off; run and graph still work.');
            return;
        }
        client = createLanguageClient(context, serverLog);
        try { await client.start(); } catch (e) { serverLog.error(`The language server failed to start: ${e instanceof Error ? e.message : String(e)}`); }
    };
    // Do not block activation on the server: CodeLens, status and runs work without it.
    void startClient();

    const store = new StatusStore();
    const decorations = new StatusDecorations(context, store);
    const logs = new RunLogs();
    const runs = new RunController(context, store, logs);
    const runsView = new RunsView(store);
    const codeLens = new KoCodeLensProvider();
    const statusBar = new ExecutorStatusBar();
    const layout = new LayoutClient(context.asAbsolutePath('dist/client/layout-worker.cjs'));
    const graphDeps: GraphDeps = { context, client: () => client, store, layout };
    context.subscriptions.push(store, decorations, runs, codeLens, statusBar, logs, runsView, { dispose: () => layout.dispose() },
        vscode.window.registerTreeDataProvider('ko.runs', runsView),
        vscode.workspace.registerTextDocumentContentProvider(RUN_LOG_SCHEME, logs),
        vscode.languages.registerCodeLensProvider({ language: 'ko' }, codeLens),
        GraphPanel.register(graphDeps),
        vscode.workspace.onDidCloseTextDocument(d => forgetDoc(d.uri)),
        vscode.workspace.onDidGrantWorkspaceTrust(() => codeLens.refresh()),
    );

    registerKoDebugger(context);

    /** Resolves the document and function a command applies to. */
    const resolve = async (t?: Target): Promise<{ doc: vscode.TextDocument; fn: DocFunction; step?: string } | undefined> => {
        const editor = vscode.window.activeTextEditor;
        const uri = t?.uri ? vscode.Uri.parse(t.uri) : editor?.document.uri;
        if (!uri) { void vscode.window.showInformationMessage('Open a .ko file to run one of its functions.'); return undefined; }
        const doc = await vscode.workspace.openTextDocument(uri);
        const model = docModel(doc);
        const fns = model.functions;
        let fn = t?.functionName ? fns.find(f => f.name === t.functionName) : undefined;
        let step = t?.step;
        const pos = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active : undefined;
        if (!fn && pos) {
            fn = functionAt(fns, pos) as DocFunction | undefined;
            if (fn && t?.step === undefined) step = stepAt(fn, pos)?.label;
        }
        fn ??= fns.length === 1 ? fns[0] : fns.find(f => f.name === 'Main');
        if (!fn && fns.length) {
            const pick = await vscode.window.showQuickPick(fns.map(f => ({ label: f.name, description: f.params.length ? `(${f.params.join(', ')})` : '', fn: f })), { title: 'Ko: function to run' });
            fn = pick?.fn;
        }
        if (!fn) { if (!fns.length) void vscode.window.showInformationMessage('This file has no Ko function to run.'); return undefined; }
        return { doc, fn, ...(step ? { step } : {}) };
    };

    const runCmd = async (t?: Target, until = false): Promise<RunSummary | undefined> => {
        const r = await resolve(t);
        if (!r) return undefined;
        if (until && !r.step) { void vscode.window.showInformationMessage('Put the cursor on a step of the function to run up to it.'); return undefined; }
        return runs.run(r.doc, r.fn, { ...(until && r.step ? { until: r.step } : {}), ...(t?.args ? { args: t.args } : {}) });
    };

    context.subscriptions.push(
        vscode.commands.registerCommand('ko.run', (t?: Target) => runCmd(t && { ...t, step: undefined } as Target)),
        vscode.commands.registerCommand('ko.runToStep', (t?: Target | { webviewSection?: string; nodeId?: string }) => {
            // From the graph's node context menu (webview/context), the argument is the node's data-vscode-context.
            if (t && 'nodeId' in t && t.nodeId) return GraphPanel.current?.runTo(t.nodeId);
            return runCmd(t as Target | undefined, true);
        }),
        vscode.commands.registerCommand('ko.revealStep', (stepId: string, runId?: string) => revealStep(store, logs, stepId, runId)),
        vscode.commands.registerCommand('ko.showRunLog', async (runId?: string | { run?: { runId: string } }) => {
            const id = typeof runId === 'string' ? runId : runId?.run?.runId;
            if (!id) { runs.output.show(true); return; }
            const doc = await vscode.workspace.openTextDocument(RunLogs.uri(id));
            await vscode.window.showTextDocument(doc, { preview: true });
        }),
        vscode.commands.registerCommand('ko.debug', async (t?: Target) => {
            const r = await resolve(t);
            if (!r) return undefined;
            // Debugging goes through a `ko` debug adapter when one is installed; until then, say so.
            const hasAdapter = vscode.extensions.all.some(e => (e.packageJSON?.contributes?.debuggers ?? []).some((d: { type?: string }) => d.type === 'ko'));
            if (hasAdapter) {
                // Same arguments as Run: asked once per function and remembered.
                const args = t?.args ?? await runs.argumentsFor(r.fn);
                if (args === undefined) return undefined;
                return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(r.doc.uri), {
                    type: 'ko', request: 'launch', name: `Debug ${r.fn.name}`, program: r.doc.uri.fsPath, function: r.fn.name, args,
                });
            }
            const choice = await vscode.window.showInformationMessage('Step-by-step debugging of Ko functions is not available yet (no Ko debug adapter). Run the function instead?', 'Run');
            return choice ? runs.run(r.doc, r.fn) : undefined;
        }),
        vscode.commands.registerCommand('ko.cancelRun', () => runs.cancel()),
        vscode.commands.registerCommand('ko.showGraph', async (t?: Target) => {
            const uri = t?.uri ? vscode.Uri.parse(t.uri) : vscode.window.activeTextEditor?.document.uri;
            if (!uri) { void vscode.window.showInformationMessage('Open a .ko file to see its graph.'); return undefined; }
            const panel = GraphPanel.show(graphDeps, uri);
            return panel.update();
        }),
        vscode.commands.registerCommand('ko.exportGraphSvg', async (target?: string) => {
            const panel = GraphPanel.current;
            if (!panel) { void vscode.window.showInformationMessage('Open the Ko graph first (Ko: Show Graph).'); return undefined; }
            return panel.exportSvg(target ? vscode.Uri.file(target) : undefined);
        }),
        vscode.commands.registerCommand('ko.clearStatus', () => {
            const doc = vscode.window.activeTextEditor?.document;
            const fns = doc?.languageId === 'ko' ? decorations.functionsWithStatus(doc) : [];
            if (fns.length) for (const f of fns) store.clear(f); else store.clear();
        }),
        vscode.commands.registerCommand('ko.selectExecutor', () => ExecutorStatusBar.select()),
        vscode.commands.registerCommand('ko.showRunOutput', () => runs.output.show(true)),
        vscode.commands.registerCommand('ko.forgetArguments', () => runs.forgetArguments()),
        vscode.commands.registerCommand('ko.restartServer', async () => {
            if (client) { await client.stop().catch(() => undefined); client = undefined; }
            await startClient();
        }),
    );
    void vscode.commands.executeCommand('setContext', 'ko.running', false);
    void vscode.commands.executeCommand('setContext', 'ko.active', true);

    return { store, decorations, runs, graphPanel: () => GraphPanel.current, client: () => client, layout, statusBar, runsView, logs };
}

export async function deactivate(): Promise<void> {
    const c = client;
    client = undefined;
    await c?.stop().catch(() => undefined);
}
