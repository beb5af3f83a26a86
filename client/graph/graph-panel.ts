// The graph preview panel (one, beside the editor, following the active .ko editor): asks the
// server for `ko/graph` (falling back to the client outline), lays it out in the worker,
// posts it to the webview, keeps node status live, highlights the node under the cursor,
// reveals a step on click, restores itself after a reload (serializer) and exports SVG.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
    GraphRequestMethod, type FromWebviewMessage, type GraphParams, type GraphResult, type GraphWebviewState,
    type ToWebviewMessage, type WebviewNodeStatus,
} from '../../src/protocol/ko-protocol.js';
import { contains } from '../outline.js';
import { packagePathOfDocument } from '../settings.js';
import { anyRunning, formatStepStatus } from '../status/status-reducer.js';
import type { StatusStore } from '../status/status-store.js';
import { statusFor } from '../status/decorations.js';
import { toRange } from '../documents.js';
import type { LayoutClient } from './layout-client.js';
import { outlineGraph } from './outline-graph.js';
import { graphWebviewHtml, makeNonce } from './webview-html.js';

export interface GraphDeps {
    context: vscode.ExtensionContext;
    client: () => LanguageClient | undefined;
    store: StatusStore;
    layout: LayoutClient;
}

export class GraphPanel implements vscode.Disposable {
    static readonly viewType = 'ko.graph';
    static current: GraphPanel | undefined;

    private readonly disposables: vscode.Disposable[] = [];
    private graph: GraphResult | undefined;
    private updating: Promise<void> = Promise.resolve();
    private debounce: NodeJS.Timeout | undefined;
    private svgWaiters: ((svg: string) => void)[] = [];
    /** Where the graph came from last time ('server' | 'outline'); read by tests. */
    source: 'server' | 'outline' | undefined;
    /** Messages posted to the webview, newest last (bounded); read by tests. */
    readonly posted: ToWebviewMessage[] = [];
    readonly received: FromWebviewMessage[] = [];

    static show(deps: GraphDeps, uri: vscode.Uri): GraphPanel {
        if (GraphPanel.current) {
            GraphPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
            void GraphPanel.current.setDocument(uri);
            return GraphPanel.current;
        }
        const panel = vscode.window.createWebviewPanel(GraphPanel.viewType, 'Ko Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, GraphPanel.options(deps.context));
        return (GraphPanel.current = new GraphPanel(panel, deps, uri));
    }

    static options(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
        return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'client')] };
    }

    static register(deps: GraphDeps): vscode.Disposable {
        return vscode.window.registerWebviewPanelSerializer(GraphPanel.viewType, {
            async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: GraphWebviewState | undefined) {
                panel.webview.options = GraphPanel.options(deps.context);
                const uri = state?.uri ? vscode.Uri.parse(state.uri) : vscode.window.activeTextEditor?.document.uri;
                if (!uri) { panel.dispose(); return; }
                GraphPanel.current?.dispose();
                GraphPanel.current = new GraphPanel(panel, deps, uri);
            },
        });
    }

    private constructor(readonly panel: vscode.WebviewPanel, private readonly deps: GraphDeps, private uri: vscode.Uri) {
        const webview = panel.webview;
        const nonce = makeNonce();
        const script = webview.asWebviewUri(vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'client', 'webview.js'));
        webview.html = fs.existsSync(vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'client', 'webview.js').fsPath)
            ? graphWebviewHtml({ cspSource: webview.cspSource, nonce, scriptUri: script.toString() })
            : `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>The graph view is not built: run <code>node client/build.mjs</code> (or <code>npm run package</code>).</p></body></html>`;
        this.setTitle();
        this.disposables.push(
            panel.onDidDispose(() => this.dispose()),
            webview.onDidReceiveMessage((m: FromWebviewMessage) => this.onMessage(m)),
            // Messages to a hidden webview are lost: resend the state when it shows again.
            panel.onDidChangeViewState(e => { if (e.webviewPanel.visible) void this.update(); }),
            vscode.workspace.onDidChangeTextDocument(e => { if (e.document.uri.toString() === this.uri.toString()) this.updateSoon(); }),
            vscode.window.onDidChangeActiveTextEditor(e => { if (e?.document.languageId === 'ko' && e.document.uri.toString() !== this.uri.toString()) void this.setDocument(e.document.uri); }),
            vscode.window.onDidChangeTextEditorSelection(e => { if (e.textEditor.document.uri.toString() === this.uri.toString()) this.highlightAt(e.selections[0]!.active); }),
            deps.store.onDidChange(() => this.postStatus()),
        );
        void vscode.commands.executeCommand('setContext', 'ko.graphVisible', true);
        void this.update();
    }

    private setTitle(): void { this.panel.title = `Graph: ${this.uri.path.split('/').pop()}`; }

    async setDocument(uri: vscode.Uri): Promise<void> {
        this.uri = uri;
        this.graph = undefined;
        this.setTitle();
        await this.update();
    }

    private updateSoon(): void {
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.update(), 250);
    }

    /** Serialised: a slow layout must not let an older graph overwrite a newer one. */
    update(): Promise<void> {
        this.updating = this.updating.then(() => this.doUpdate()).catch(e => this.post({ type: 'error', message: String(e instanceof Error ? e.message : e) }));
        return this.updating;
    }

    private async doUpdate(): Promise<void> {
        const doc = await vscode.workspace.openTextDocument(this.uri);
        let graph: GraphResult | undefined;
        let error: string | undefined;
        const client = this.deps.client();
        if (client?.isRunning()) {
            try {
                graph = await client.sendRequest<GraphResult>(GraphRequestMethod, { uri: doc.uri.toString() } satisfies GraphParams);
                this.source = 'server';
            } catch (e) { error = `Language server graph unavailable (${e instanceof Error ? e.message : String(e)}); showing the outline.`; }
        }
        if (!graph || !Array.isArray(graph.functions)) {
            graph = outlineGraph(doc.uri.toString(), doc.version, doc.getText(), packagePathOfDocument(doc.uri));
            this.source = 'outline';
        }
        this.graph = graph;
        const layout = await this.deps.layout.layout(graph);
        this.post({ type: 'graph', uri: doc.uri.toString(), version: graph.version, graph, layout, ...(error ? { error } : {}) });
        this.postStatus();
        const editor = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === this.uri.toString());
        if (editor) this.highlightAt(editor.selection.active);
    }

    private ticking: NodeJS.Timeout | undefined;
    private postStatus(): void {
        if (!this.graph) return;
        // Running nodes show their elapsed time: repost once a second while something runs.
        if (anyRunning(this.deps.store.state) && !this.ticking) this.ticking = setTimeout(() => { this.ticking = undefined; this.postStatus(); }, 1000);
        const statuses: Record<string, WebviewNodeStatus> = {};
        const now = Date.now();
        for (const fn of this.graph.functions) for (const n of fn.nodes) {
            const s = statusFor(this.deps.store.state, n.id, vscode.Uri.parse(fn.uri).fsPath);
            if (s) statuses[n.id] = { status: s.status, text: formatStepStatus(s, now), ...(s.stale ? { stale: true } : {}) };
        }
        this.post({ type: 'status', statuses });
    }

    /** The node whose step contains the cursor (the innermost, so a step wins over its function). */
    nodeAt(pos: vscode.Position): string | null {
        for (const fn of this.graph?.functions ?? []) for (const n of fn.nodes) {
            if (n.kind !== 'param' && contains(n.range, { line: pos.line, character: pos.character })) return n.id;
        }
        return null;
    }

    private lastHighlight: string | null | undefined;
    private highlightAt(pos: vscode.Position): void {
        const id = this.nodeAt(pos);
        if (id === this.lastHighlight) return;
        this.lastHighlight = id;
        this.post({ type: 'highlight', nodeId: id });
    }

    private post(m: ToWebviewMessage): void {
        this.posted.push(m);
        if (this.posted.length > 50) this.posted.shift();
        void this.panel.webview.postMessage(m);
    }

    private async onMessage(m: FromWebviewMessage): Promise<void> {
        this.received.push(m);
        if (this.received.length > 50) this.received.shift();
        switch (m.type) {
            case 'ready': this.lastHighlight = undefined; await this.update(); break;
            case 'reveal': await this.reveal(m.nodeId); break;
            case 'run-to': await this.runTo(m.nodeId); break;
            case 'svg': {
                const waiters = this.svgWaiters; this.svgWaiters = [];
                if (waiters.length) { for (const w of waiters) w(m.svg); break; }
                await GraphPanel.saveSvg(m.svg, this.uri);
                break;
            }
            case 'viewport': break; // persisted by the webview's own state
        }
    }

    /** Runs the node's function up to the node (a `return` node runs the whole function). */
    async runTo(nodeId: string): Promise<unknown> {
        const hit = this.graph?.functions.flatMap(f => f.nodes.map(n => ({ f, n }))).find(x => x.n.id === nodeId);
        if (!hit || hit.n.kind === 'param') return undefined;
        const target = { uri: this.uri.toString(), functionName: hit.f.name };
        return hit.n.kind === 'return'
            ? vscode.commands.executeCommand('ko.run', target)
            : vscode.commands.executeCommand('ko.runToStep', { ...target, step: hit.n.label });
    }

    async reveal(nodeId: string): Promise<void> {
        const node = this.graph?.functions.flatMap(f => f.nodes).find(n => n.id === nodeId);
        if (!node) return;
        const doc = await vscode.workspace.openTextDocument(this.uri);
        const shown = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === this.uri.toString());
        const editor = await vscode.window.showTextDocument(doc, { viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
        const r = toRange(node.labelRange);
        editor.selection = new vscode.Selection(r.start, r.end);
        editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }

    /** Asks the webview for its SVG (with theme colours resolved) and writes it. */
    async exportSvg(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const svg = await new Promise<string>((resolve, reject) => {
            this.svgWaiters.push(resolve);
            this.post({ type: 'request-svg' });
            setTimeout(() => reject(new Error('the graph view did not answer (is it visible?)')), 10_000).unref();
        });
        return GraphPanel.saveSvg(svg, this.uri, target);
    }

    private static async saveSvg(svg: string, source: vscode.Uri, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
        const uri = target ?? await vscode.window.showSaveDialog({
            defaultUri: source.with({ path: source.path.replace(/\.ko$/, '') + '.graph.svg' }),
            filters: { SVG: ['svg'] },
        });
        if (!uri) return undefined;
        if (uri.scheme === 'file') fs.writeFileSync(uri.fsPath, svg); else await vscode.workspace.fs.writeFile(uri, Buffer.from(svg));
        return uri;
    }

    get documentUri(): vscode.Uri { return this.uri; }

    dispose(): void {
        if (GraphPanel.current === this) { GraphPanel.current = undefined; void vscode.commands.executeCommand('setContext', 'ko.graphVisible', false); }
        if (this.debounce) clearTimeout(this.debounce);
        if (this.ticking) clearTimeout(this.ticking);
        for (const d of this.disposables) d.dispose();
        this.disposables.length = 0;
        this.panel.dispose();
    }
}
