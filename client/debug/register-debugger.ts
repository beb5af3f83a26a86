// Registers the `ko` debugger with VS Code: the adapter runs inline in the extension host
// (DebugAdapterInlineImplementation around KoDebugSession), and a configuration provider fills
// in what a launch.json, F5 without one, the Debug button or the CodeLens leave out (the file and
// function under the cursor, the ko.* executor and package-root settings, arguments).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KoLaunchConfig } from '../../src/debug/launch-config.js';
import { docModel } from '../documents.js';
import { functionAt, type OutlineFunction } from '../outline.js';
import { argsPlaceholder, splitArgs } from '../run/run-command.js';
import { runSettings } from '../settings.js';

const KO_DEBUG_TYPE = 'ko';

type KoDebugConfiguration = vscode.DebugConfiguration & KoLaunchConfig;

export function registerKoDebugger(context: vscode.ExtensionContext): void {
    context.subscriptions.push(
        vscode.debug.registerDebugConfigurationProvider(KO_DEBUG_TYPE, new KoConfigurationProvider()),
        vscode.debug.registerDebugAdapterDescriptorFactory(KO_DEBUG_TYPE, {
            // Loaded on the first debug session: the runtime it brings along is not needed to activate.
            createDebugAdapterDescriptor: async () => {
                const { KoDebugSession } = await import('./ko-debug-session.js');
                return new vscode.DebugAdapterInlineImplementation(new KoDebugSession());
            },
        }),
    );
}

class KoConfigurationProvider implements vscode.DebugConfigurationProvider {
    async resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
        const c = config as KoDebugConfiguration;
        const editor = vscode.window.activeTextEditor;
        // F5 with no launch.json: an empty configuration.
        if (!c.type && !c.request && !c.name) {
            if (editor?.document.languageId !== 'ko') {
                void vscode.window.showInformationMessage('Open a .ko file to debug one of its functions.');
                return undefined;
            }
            Object.assign(c, { type: KO_DEBUG_TYPE, request: 'launch', name: 'Debug Ko function' });
        }
        if (!c.target && !c.program) {
            if (editor?.document.languageId !== 'ko') {
                void vscode.window.showInformationMessage('The Ko launch configuration needs "target" (FILE.ko:Func) or "program" and "function".');
                return undefined;
            }
            c.program = editor.document.uri.fsPath;
        }
        if (c.program && !c.function) {
            const fn = await this.pickFunction(c.program, editor);
            if (!fn) return undefined;
            c.function = fn.name;
        }
        if (c.program && c.args === undefined) {
            const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(c.program));
            const fn = docModel(doc).functions.find(f => f.name === c.function);
            if (fn && fn.params.length > 0) {
                const typed = await vscode.window.showInputBox({
                    title: `Ko: arguments for ${fn.name}`, placeHolder: argsPlaceholder(fn.params), prompt: 'name=value pairs; a bare word goes to the monadic parameter; empty for none',
                });
                if (typed === undefined) return undefined;
                c.args = splitArgs(typed);
            }
        }
        const settings = runSettings();
        c.cwd ??= folder?.uri.fsPath ?? (c.program ? path.dirname(c.program) : undefined);
        c.executor ??= settings.executor;
        if (settings.kubeContext) c.kubeContext ??= settings.kubeContext;
        if (settings.kubeNamespace) c.kubeNamespace ??= settings.kubeNamespace;
        if (settings.packageRoots?.length) c.packageRoots ??= [...settings.packageRoots];
        c.name ||= `Debug ${c.function ?? c.target}`;
        return c;
    }

    /** The function under the cursor, else the only one, else Main, else a pick list. */
    private async pickFunction(program: string, editor: vscode.TextEditor | undefined): Promise<OutlineFunction | undefined> {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(program));
        const fns = docModel(doc).functions;
        const here = editor && editor.document.uri.fsPath === doc.uri.fsPath ? functionAt(fns, editor.selection.active) : undefined;
        const fn = here ?? (fns.length === 1 ? fns[0] : fns.find(f => f.name === 'Main'));
        if (fn) return fn;
        if (fns.length === 0) { void vscode.window.showInformationMessage('This file has no Ko function to debug.'); return undefined; }
        const pick = await vscode.window.showQuickPick(fns.map(f => ({ label: f.name, fn: f })), { title: 'Ko: function to debug' });
        return pick?.fn;
    }
}
