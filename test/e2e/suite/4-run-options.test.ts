// E2E: arguments asked once and remembered per function, Cancel kills a running run, and the
// executor setting shows in the status bar and reaches the CLI.
import * as assert from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../client/run/run-controller.js';
import { api, extensionDir, open, waitFor } from './helpers.js';

const cfg = () => vscode.workspace.getConfiguration('ko');
const G = vscode.ConfigurationTarget.Global;

suite('ko run options', () => {
    suiteSetup(async () => { await cfg().update('cliPath', path.join(extensionDir(), 'test/fixtures/e2e/fake-ko.mjs'), G); });
    suiteTeardown(async () => {
        for (const k of ['cliPath', 'executor', 'kubernetes.context', 'kubernetes.namespace']) await cfg().update(k, undefined, G);
    });

    test('arguments are remembered per function', async () => {
        const editor = await open('pipes/hello.ko');
        const uri = editor.document.uri.toString();
        const first = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri, functionName: 'Greet', args: ['name=big world', 'punct=!'] });
        assert.deepStrictEqual(first?.argv?.slice(0, 4), ['run', 'pipes/hello.ko:Greet', 'name=big world', 'punct=!']);
        // No args given now: the remembered ones are used without a prompt (a prompt would hang here).
        const again = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri, functionName: 'Greet' });
        assert.deepStrictEqual(again?.argv?.slice(2, 4), ['name=big world', 'punct=!']);
        const koApi = await api();
        assert.strictEqual(koApi.runs.memory.text('pipes.Greet'), '"name=big world" punct=!');
        // A function without parameters is never asked.
        const main = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri, functionName: 'Main' });
        assert.strictEqual(main?.argv?.[2], '--events');
    });

    test('Cancel kills a running run and marks the running step', async () => {
        const koApi = await api();
        const editor = await open('pipes/slow.ko');
        const started = Date.now();
        const pending = vscode.commands.executeCommand<RunSummary>('ko.run', { uri: editor.document.uri.toString(), functionName: 'Slow' });
        await waitFor('the step running', () => koApi.store.state.steps.get('pipes.Slow/second')?.status === 'running');
        assert.strictEqual(koApi.runs.running, true);
        await vscode.commands.executeCommand('ko.cancelRun');
        const summary = await pending;
        assert.strictEqual(summary?.cancelled, true);
        assert.ok(Date.now() - started < 15_000, 'cancelled promptly');
        assert.strictEqual(koApi.runs.running, false);
        assert.deepStrictEqual(
            { status: koApi.store.state.steps.get('pipes.Slow/second')?.status, error: koApi.store.state.steps.get('pipes.Slow/second')?.error },
            { status: 'failed', error: 'cancelled' });
        assert.strictEqual(koApi.store.state.runs.get(summary.runId!)?.outcome, 'cancelled');
    });

    test('the executor shows in the status bar and reaches the CLI', async () => {
        const koApi = await api();
        assert.match(koApi.statusBar.item.text, /Ko: local/);
        await cfg().update('executor', 'kubernetes', G);
        await cfg().update('kubernetes.context', 'kind-ko', G);
        await cfg().update('kubernetes.namespace', 'ml', G);
        await waitFor('status bar text', () => koApi.statusBar.item.text.includes('Ko: k8s kind-ko/ml'));
        assert.strictEqual(koApi.statusBar.item.command, 'ko.selectExecutor');
        const editor = await open('pipes/hello.ko');
        const s = await vscode.commands.executeCommand<RunSummary>('ko.run', { uri: editor.document.uri.toString(), functionName: 'Main' });
        const argv = s!.argv!.join(' ');
        assert.match(argv, /--executor kubernetes --context kind-ko --namespace ml/);
    });
});
