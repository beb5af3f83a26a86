// E2E: the Debug command starts a `ko` debug session (no launch.json: the configuration provider
// fills it in), the inline adapter runs the real interpreter and stops at a breakpoint on a step;
// the stack, the variables and the debug console work through VS Code's debug API.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { open, waitFor } from './helpers.js';

suite('ko debug', () => {
    const stops: { threadId: number; reason: string }[] = [];
    const disposables: vscode.Disposable[] = [];

    suiteSetup(() => {
        // Sees the DAP messages VS Code receives from the adapter.
        disposables.push(vscode.debug.registerDebugAdapterTrackerFactory('ko', {
            createDebugAdapterTracker: () => ({
                onDidSendMessage: (m: { type?: string; event?: string; body?: { threadId?: number; reason?: string } }) => {
                    if (m.type === 'event' && m.event === 'stopped') stops.push({ threadId: m.body!.threadId!, reason: m.body!.reason! });
                },
            }),
        }));
    });
    suiteTeardown(() => {
        vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
        for (const d of disposables) d.dispose();
    });

    test('Debug Function stops at a breakpoint on a step; stack, variables and evaluation work', async () => {
        const editor = await open('pipes/hello.ko');
        const uri = editor.document.uri;
        // Line 9 (0-based 8) is `    second: Len(first) // changed` in Main.
        vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(8, 4)))]);
        const terminated = new Promise<void>(resolve => disposables.push(vscode.debug.onDidTerminateDebugSession(s => { if (s.type === 'ko') resolve(); })));
        const started = await vscode.commands.executeCommand('ko.debug', { uri: uri.toString(), functionName: 'Main' });
        assert.strictEqual(started, true, 'ko.debug started a debug session');
        const session = await waitFor('a ko debug session', () => vscode.debug.activeDebugSession?.type === 'ko' && vscode.debug.activeDebugSession);
        const stop = await waitFor('the breakpoint to be hit', () => stops[0], 60_000);
        assert.strictEqual(stop.reason, 'breakpoint');

        const trace = await session.customRequest('stackTrace', { threadId: stop.threadId }) as { stackFrames: { id: number; name: string; line: number; source?: { path?: string } }[] };
        const top = trace.stackFrames[0]!;
        assert.strictEqual(top.name, 'pipes.Main: second');
        assert.strictEqual(top.line, 9);
        // Under a remote extension host (code-server) VS Code hands paths over as vscode-remote URIs.
        assert.ok(top.source?.path?.endsWith('/pipes/hello.ko'), `source ${top.source?.path}`);

        const scopes = await session.customRequest('scopes', { frameId: top.id }) as { scopes: { name: string; variablesReference: number }[] };
        const steps = scopes.scopes.find(s => s.name === 'Steps')!;
        const vars = await session.customRequest('variables', { variablesReference: steps.variablesReference }) as { variables: { name: string; value: string }[] };
        assert.deepStrictEqual(vars.variables.map(v => `${v.name}=${v.value}`), ['first=("Hello", "world")']);

        const evaluated = await session.customRequest('evaluate', { expression: 'Len(first)', frameId: top.id, context: 'repl' }) as { result: string };
        assert.strictEqual(evaluated.result, '2');

        await session.customRequest('continue', { threadId: stop.threadId });
        await terminated;
    });
});
