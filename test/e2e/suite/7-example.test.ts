// E2E on the example pipeline (examples/pipeline with its data and scripts, copied to example/ of
// the e2e workspace by scripts/e2e/build-tests.mjs) and the real `ko run`: an error
// shows as a diagnostic, completion offers argument names and package members, a run shows
// every step done, a second run shows every stored step cached, and the graph panel shows one
// node per step with that status. What the user sees: decorations as painted, the webview's
// DOM as Chromium renders it (through the harness), and screenshots of both.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../client/run/run-controller.js';
import type { ToWebviewMessage } from '../../../src/protocol/ko-protocol.js';
import { api, open, screenshot, waitFor, webviewQuery, workspaceDir } from './helpers.js';

const FILE = 'example/logs.ko';
const STEPS = ['log', 'clean', 'requests', 'status', 'paths', 'report', 'return'];
/** Steps that run programs and are kept in the store; `log` (a file's hash) and `return` are evaluated every time. */
const STORED = ['clean', 'requests', 'status', 'paths', 'report'];
const id = (label: string) => `example.Main/${label}`;
type GraphMsg = Extract<ToWebviewMessage, { type: 'graph' }>;

const lineOf = (doc: vscode.TextDocument, text: string, after = 0) => {
    for (let i = after; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i;
    throw new Error(`no line with ${text}`);
};
async function revert(doc: vscode.TextDocument): Promise<void> {
    if (!doc.isDirty) return;
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
}
const latencyFigures = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { n: s.length, p50: s[Math.floor(s.length / 2)] ?? 0, max: s[s.length - 1] ?? 0 };
};

suite('ko example pipeline (real runtime)', () => {
    suiteSetup(async () => {
        await vscode.workspace.getConfiguration('ko').update('cliPath', undefined, vscode.ConfigurationTarget.Global);
        // A fresh store, so the first run executes and the second is served from the store.
        fs.rmSync(path.join(workspaceDir(), '.ko'), { recursive: true, force: true });
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        // Room for the editor and the graph in the screenshots (earlier suites opened views).
        for (const c of ['workbench.action.closeSidebar', 'workbench.action.closePanel', 'workbench.action.closeAuxiliaryBar']) {
            await vscode.commands.executeCommand(c).then(undefined, () => undefined);
        }
        await vscode.commands.executeCommand('ko.clearStatus');
    });

    test('an error in the example shows as a diagnostic, and goes away when fixed', async () => {
        const editor = await open(FILE);
        const doc = editor.document;
        const line = lineOf(doc, 'inputs: (log: clean.outputs.clean)', lineOf(doc, 'paths:'));
        const col = doc.lineAt(line).text.indexOf('clean.outputs');
        try {
            await editor.edit(b => b.replace(new vscode.Range(line, col, line, col + 'clean'.length), 'cleen'));
            const diags = await waitFor('a diagnostic on the misspelt step', () => {
                const d = vscode.languages.getDiagnostics(doc.uri).filter(x => x.range.start.line === line);
                return d.length > 0 && d;
            }, 90_000);
            assert.match(diags.map(d => d.message).join('\n'), /cleen/);
        } finally {
            await revert(doc);
        }
        await waitFor('no errors in the pristine example', () => vscode.languages.getDiagnostics(doc.uri).every(d => d.severity !== vscode.DiagnosticSeverity.Error));
    });

    test('completion offers the call\'s argument names and the package\'s members', async () => {
        const editor = await open(FILE);
        const doc = editor.document;
        // Package members after `pipeline.` (in `log: pipeline.File("data/access.log")`).
        const logLine = lineOf(doc, 'log: pipeline.File(');
        const afterDot = new vscode.Position(logLine, doc.lineAt(logLine).text.indexOf('pipeline.') + 'pipeline.'.length);
        const members = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, afterDot);
        const memberLabels = members.items.map(i => (typeof i.label === 'string' ? i.label : i.label.label));
        for (const m of ['File', 'Shell', 'Container', 'Read']) assert.ok(memberLabels.includes(m), `member ${m} in ${memberLabels.join(', ')}`);
        // Argument names inside `paths: pipeline.Shell(...)`, right after its `(`: those not given yet.
        const line = lineOf(doc, 'paths: pipeline.Shell(');
        const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, doc.lineAt(line).text.length));
        const args = list.items.filter(i => i.kind === vscode.CompletionItemKind.Property).map(i => (typeof i.label === 'string' ? i.label : i.label.label));
        console.log(`ko-e2e: Shell argument completions: ${args.join(', ')}`);
        for (const a of ['timeout', 'retries', 'workdir', 'image']) assert.ok(args.includes(a), `argument ${a} offered (got ${args.join(', ')})`);
        for (const a of ['script', 'inputs', 'env']) assert.ok(!args.includes(a), `argument ${a} is already given (got ${args.join(', ')})`);
        assert.strictEqual(doc.isDirty, false);
    });

    test('Run: events arrive and every step shows done, within 100 ms of its event', async () => {
        const koApi = await api();
        const editor = await open(FILE);
        const before = koApi.decorations.latencies.length;
        const summary = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri: editor.document.uri.toString(), functionName: 'Main' });
        assert.strictEqual(summary?.ok, true, `run failed: ${summary?.error}`);
        assert.ok(summary.events >= 2 * STEPS.length, `run events: ${summary.events}`);
        for (const s of STEPS) assert.strictEqual(koApi.store.state.steps.get(id(s))?.status, 'succeeded', `${s} ran`);
        const painted = await waitFor('every step decorated as done', () => {
            const p = koApi.decorations.painted.get(editor.document.uri.toString());
            return p && p.length === STEPS.length && p.every(x => x.look === 'succeeded') && p;
        });
        assert.deepStrictEqual(painted.map(p => p.text.split(':')[0]), STEPS);
        assert.match(painted[1]!.text, /^clean: ✓ done in \d/);
        const lat = latencyFigures(koApi.decorations.latencies.slice(before));
        console.log(`ko-e2e: run event -> decorations set: ${lat.n} repaints, p50 ${lat.p50.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms (target < 100 ms)`);
        assert.ok(lat.n > 0 && lat.max < 100, `event -> decoration latency max ${lat.max.toFixed(1)} ms`);
        editor.selection = new vscode.Selection(0, 0, 0, 0);
        editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
        await screenshot('example-live-status');
    });

    test('the graph panel shows one node per step, with its status', async () => {
        const koApi = await api();
        const editor = await open(FILE);
        await vscode.commands.executeCommand('ko.showGraph', { uri: editor.document.uri.toString() });
        const panel = await waitFor('graph panel', () => koApi.graphPanel());
        const graph = await waitFor('the example graph posted', () => panel.posted.filter((m): m is GraphMsg => m.type === 'graph').reverse()
            .find(m => m.uri === editor.document.uri.toString()));
        const main = graph.graph.functions.find(f => f.name === 'Main')!;
        const steps = main.nodes.filter(n => n.kind !== 'param');
        assert.deepStrictEqual(steps.map(n => n.label), STEPS);
        // What Chromium renders in the webview: one node element per step, each visible and done.
        const seen = await waitFor('the nodes drawn with status', async () => {
            const nodes = (await webviewQuery('.node')).filter(n => n.id?.startsWith('example.Main/'));
            return nodes.length === steps.length && nodes.every(n => /status-succeeded/.test(n.cls)) && nodes;
        }, 30_000);
        assert.deepStrictEqual(seen.map(n => n.id).sort(), steps.map(n => n.id).sort());
        for (const n of seen) assert.ok(n.width > 0 && n.height > 0, `${n.id} is visible`);
        assert.ok(seen.every(n => n.text.includes('done')), 'each node shows its status text');
    });

    test('a second run shows every stored step cached, in the editor and the graph, without a new layout', async () => {
        const koApi = await api();
        const editor = await open(FILE);
        const panel = koApi.graphPanel()!;
        const layouts = koApi.layout.computed;
        const summary = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri: editor.document.uri.toString(), functionName: 'Main' });
        assert.strictEqual(summary?.ok, true, `run failed: ${summary?.error}`);
        for (const s of STORED) assert.strictEqual(koApi.store.state.steps.get(id(s))?.status, 'cached', `${s} cached`);
        const painted = await waitFor('stored steps decorated as cached', () => {
            const p = koApi.decorations.painted.get(editor.document.uri.toString());
            return p && p.length === STEPS.length && STORED.every(s => p.find(x => x.text.startsWith(`${s}:`))?.look === 'cached') && p;
        });
        console.log(`ko-e2e: second run: ${painted.map(p => p.text).join(' | ')}`);
        const seen = await waitFor('the graph nodes cached', async () => {
            const nodes = (await webviewQuery('.node')).filter(n => n.id?.startsWith('example.Main/'));
            return nodes.length === STEPS.length && STORED.every(s => /status-cached/.test(nodes.find(n => n.id === id(s))?.cls ?? '')) && nodes;
        }, 30_000);
        assert.ok(seen.filter(n => /status-cached/.test(n.cls)).length >= STORED.length);
        // Status updates repaint the nodes; they never lay the graph out again.
        assert.strictEqual(koApi.layout.computed, layouts, 'no layout for status');
        assert.ok(panel.posted.some(m => m.type === 'status'), 'status went to the webview');
        await screenshot('example-graph');
    });
});
