// E2E: the extension activates on a .ko file, the language server publishes diagnostics, and
// CodeLens offers Run / Debug / Graph on functions and "Run up to here" on steps.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, extensionDir, fixture, open, waitFor } from './helpers.js';

suite('ko editor', () => {
    test('activates on a .ko file and contributes the ko language', async () => {
        const editor = await open('pipes/hello.ko');
        assert.strictEqual(editor.document.languageId, 'ko');
        const koApi = await api();
        assert.ok(koApi.store, 'the extension returns its API');
        console.log(`ko-e2e env: vscode ${vscode.version}, node ${process.version}, appName ${vscode.env.appName}`);
    });

    test('the language server publishes a diagnostic for an unresolved name', async function () {
        if (!fs.existsSync(path.join(extensionDir(), 'dist/server/main.cjs'))) {
            console.log('ko-e2e: dist/server/main.cjs not built; skipping the diagnostic test');
            this.skip();
        }
        const editor = await open('pipes/broken.ko');
        const diags = await waitFor('a diagnostic on broken.ko', () => {
            const d = vscode.languages.getDiagnostics(editor.document.uri);
            return d.length > 0 && d;
        }, 90_000);
        const onMissing = diags.find(d => d.range.start.line === 2);
        assert.ok(onMissing, `a diagnostic on line 3, got: ${diags.map(d => `${d.range.start.line}: ${d.message}`).join('; ')}`);
        assert.match(onMissing.message, /missing/);
    });

    test('CodeLens: Run, Debug, Graph on each function and Run up to here on steps', async () => {
        const uri = fixture('pipes/hello.ko');
        await open('pipes/hello.ko');
        const lenses = await waitFor('code lenses', async () => {
            const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
            return l && l.length > 0 && l;
        });
        const titles = (cmd: string) => lenses.filter(l => l.command?.command === cmd).map(l => l.command!.arguments?.[0]);
        assert.deepStrictEqual(titles('ko.run').map(a => a.functionName), ['Greet', 'Main']);
        assert.deepStrictEqual(titles('ko.debug').map(a => a.functionName), ['Greet', 'Main']);
        assert.deepStrictEqual(titles('ko.showGraph').map(a => a.functionName), ['Greet', 'Main']);
        assert.deepStrictEqual(titles('ko.runToStep').map(a => `${a.functionName}/${a.step}`), ['Greet/hello', 'Main/first', 'Main/second']);
        const main = lenses.find(l => l.command?.command === 'ko.run' && l.command.arguments?.[0].functionName === 'Main')!;
        assert.strictEqual(main.range.start.line, 6);
    });

    test('run and debug commands are contributed to the editor title run menu', async () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir(), 'package.json'), 'utf8'));
        const runMenu = pkg.contributes.menus['editor/title/run'].map((m: { command: string }) => m.command);
        assert.deepStrictEqual(runMenu, ['ko.run', 'ko.debug']);
        const all = await vscode.commands.getCommands(true);
        for (const c of ['ko.run', 'ko.debug', 'ko.runToStep', 'ko.showGraph', 'ko.clearStatus', 'ko.selectExecutor', 'ko.cancelRun']) assert.ok(all.includes(c), c);
    });
});
