// E2E: the Ko Runs view lists runs and their steps, a run's own log opens as a document, a
// step reveals its source, and the graph's node context action runs up to the node.
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../client/run/run-controller.js';
import { api, extensionDir, open, waitFor } from './helpers.js';

const cfg = () => vscode.workspace.getConfiguration('ko');

suite('ko views', () => {
    suiteSetup(async () => { await cfg().update('cliPath', path.join(extensionDir(), 'test/fixtures/e2e/fake-ko.mjs'), vscode.ConfigurationTarget.Global); });
    suiteTeardown(async () => { await cfg().update('cliPath', undefined, vscode.ConfigurationTarget.Global); });

    test('Runs view, run log and reveal step', async () => {
        const koApi = await api();
        const editor = await open('pipes/hello.ko');
        const summary = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri: editor.document.uri.toString(), functionName: 'Main' });
        const runs = koApi.runsView.getChildren();
        const top = runs[0]!;
        assert.ok(top.kind === 'run' && top.run.runId === summary?.runId, 'the newest run is first');
        const item = koApi.runsView.getTreeItem(top);
        assert.strictEqual(item.label, 'pipes.Main');
        assert.match(String(item.description), /^succeeded in /);
        const steps = koApi.runsView.getChildren(top).map(i => koApi.runsView.getTreeItem(i));
        assert.deepStrictEqual(steps.map(s => `${s.label}: ${s.description}`), ['first: cached', 'second: done in 300ms', 'return: done in 1ms']);

        await vscode.commands.executeCommand('ko.showRunLog', summary!.runId);
        const log = await waitFor('run log document', () => vscode.window.activeTextEditor?.document.uri.scheme === 'ko-run' && vscode.window.activeTextEditor.document);
        assert.match(log.getText(), /\[second\] counting…/);
        assert.match(log.getText(), /── ok in /);

        await vscode.commands.executeCommand('ko.revealStep', 'pipes.Main/second', summary!.runId);
        const active = vscode.window.activeTextEditor!;
        assert.strictEqual(path.basename(active.document.uri.fsPath), 'hello.ko');
        assert.strictEqual(active.selection.start.line, 8);
        assert.strictEqual(active.document.getText(active.selection), 'second');
    });

    test('the graph node action runs up to the node', async () => {
        const koApi = await api();
        const editor = await open('pipes/hello.ko');
        await vscode.commands.executeCommand('ko.showGraph', { uri: editor.document.uri.toString() });
        const panel = await waitFor('graph panel', () => koApi.graphPanel());
        await waitFor('graph', () => panel.posted.some(m => m.type === 'graph'));
        // What the webview/context menu item passes: the node's data-vscode-context.
        const summary = await vscode.commands.executeCommand<RunSummary>('ko.runToStep', { webview: 'ko.graph', webviewSection: 'node', nodeId: 'pipes.Main/first' });
        assert.ok(summary?.argv?.join(' ').includes('--until first'), `argv: ${summary?.argv?.join(' ')}`);
    });
});
