// E2E: the Debug button / CodeLens command starts a `ko` debug session for the function
// (the adapter lives in client/debug) and the session runs to its end without breakpoints.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { open, waitFor } from './helpers.js';

suite('ko debug button', () => {
    test('Debug starts a ko session that runs the function to the end', async () => {
        const editor = await open('pipes/hello.ko');
        const started: vscode.DebugSession[] = [], ended: vscode.DebugSession[] = [];
        const subs = [
            vscode.debug.onDidStartDebugSession(s => started.push(s)),
            vscode.debug.onDidTerminateDebugSession(s => ended.push(s)),
        ];
        try {
            const ok = await vscode.commands.executeCommand<boolean>('ko.debug', { uri: editor.document.uri.toString(), functionName: 'Main' });
            assert.strictEqual(ok, true, 'startDebugging succeeded');
            const session = await waitFor('a ko debug session', () => started.find(s => s.type === 'ko'));
            assert.strictEqual(session.configuration.function, 'Main');
            assert.strictEqual(session.configuration.program, editor.document.uri.fsPath);
            await waitFor('the session to end', () => ended.some(s => s.id === session.id), 90_000);
        } finally {
            for (const s of subs) s.dispose();
            if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
        }
    });
});
