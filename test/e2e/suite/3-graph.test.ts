// E2E: the graph panel opens beside the editor, its webview loads under the strict CSP and
// reports ready, receives the laid-out graph and live status, follows the cursor, reveals a
// step on click and exports SVG.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ToWebviewMessage } from '../../../src/protocol/ko-protocol.js';
import { api, open, waitFor } from './helpers.js';

type GraphMsg = Extract<ToWebviewMessage, { type: 'graph' }>;

suite('ko graph', () => {
    test('Show Graph opens the panel with the laid-out graph', async () => {
        const koApi = await api();
        const editor = await open('pipes/hello.ko');
        await vscode.commands.executeCommand('ko.showGraph', { uri: editor.document.uri.toString() });
        const panel = await waitFor('graph panel', () => koApi.graphPanel());
        assert.strictEqual(panel.panel.viewType, 'ko.graph');
        await waitFor('webview ready (script ran under the CSP)', () => panel.received.some(m => m.type === 'ready'), 90_000);
        const graph = await waitFor('graph message', () => panel.posted.filter((m): m is GraphMsg => m.type === 'graph').pop());
        console.log(`ko-e2e: graph source ${panel.source}, ${graph.layout.nodes.length} nodes, ${graph.layout.edges.length} edges`);
        const names = graph.graph.functions.map(f => f.name);
        assert.deepStrictEqual(names, ['Greet', 'Main']);
        const main = graph.graph.functions.find(f => f.name === 'Main')!;
        assert.ok(main.nodes.some(n => n.label === 'second'), 'Main has the step second');
        assert.strictEqual(graph.layout.nodes.length, graph.graph.functions.reduce((n, f) => n + f.nodes.length, 0));
        assert.ok(graph.layout.nodes.every(n => n.width > 0 && Number.isFinite(n.x)), 'every node is placed');
    });

    test('live status, cursor highlight, reveal and SVG export', async () => {
        const koApi = await api();
        const panel = koApi.graphPanel()!;
        // Status from a run reaches the webview.
        await vscode.workspace.getConfiguration('ko').update('cliPath', path.join(vscode.extensions.getExtension('ko-pipelines.ko-pipelines')!.extensionPath, 'test/fixtures/e2e/fake-ko.mjs'), vscode.ConfigurationTarget.Global);
        const editor = await open('pipes/hello.ko');
        await vscode.commands.executeCommand('ko.run', { uri: editor.document.uri.toString(), functionName: 'Main' });
        const status = await waitFor('status message', () => panel.posted.filter(m => m.type === 'status').map(m => m as Extract<ToWebviewMessage, { type: 'status' }>)
            .find(m => Object.values(m.statuses).some(s => s.status === 'succeeded')));
        const ids = Object.keys(status.statuses);
        assert.ok(ids.some(id => id.endsWith('Main/second')), `statuses for ${ids.join(', ')}`);
        await vscode.workspace.getConfiguration('ko').update('cliPath', '', vscode.ConfigurationTarget.Global);

        // The cursor on a step highlights its node.
        editor.selection = new vscode.Selection(8, 6, 8, 6);
        const hl = await waitFor('highlight', () => panel.posted.filter(m => m.type === 'highlight').map(m => m as Extract<ToWebviewMessage, { type: 'highlight' }>).find(m => m.nodeId?.endsWith('Main/second')));
        assert.ok(hl.nodeId);

        // A click in the view (simulated through the panel) reveals the step.
        editor.selection = new vscode.Selection(0, 0, 0, 0);
        await panel.reveal(hl.nodeId!);
        const active = vscode.window.activeTextEditor!;
        assert.strictEqual(active.selection.start.line, 8);

        // Typing updates the graph live (same panel, a new graph message with the new step).
        const before = panel.posted.filter(m => m.type === 'graph').length;
        try {
            await active.edit(b => b.insert(new vscode.Position(9, 0), '    third: Len(second)\n'));
            const live = await waitFor('live graph update', () => panel.posted.filter((m): m is GraphMsg => m.type === 'graph').slice(before)
                .find(m => m.graph.functions.some(f => f.nodes.some(n => n.label === 'third'))));
            assert.ok(live.layout.nodes.some(n => n.id.endsWith('Main/third')), 'the new step is laid out');
        } finally {
            await vscode.commands.executeCommand('workbench.action.files.revert');
        }
        assert.strictEqual(active.document.isDirty, false);

        // Export asks the webview for its SVG.
        const target = path.join(os.tmpdir(), `ko-graph-${process.pid}.svg`);
        const written = await vscode.commands.executeCommand<vscode.Uri>('ko.exportGraphSvg', target);
        assert.ok(written);
        const svg = fs.readFileSync(target, 'utf8');
        assert.match(svg, /^<svg/);
        assert.match(svg, />second</);
        fs.rmSync(target, { force: true });
    });
});
