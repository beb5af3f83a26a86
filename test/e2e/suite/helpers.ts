// Helpers shared by the e2e suites: the extension's API, fixture paths, polling.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KoExtensionApi } from '../../../client/extension.js';

export const EXTENSION_ID = 'ko-pipelines.ko-pipelines';

export async function api(): Promise<KoExtensionApi> {
    const ext = vscode.extensions.getExtension<KoExtensionApi>(EXTENSION_ID);
    if (!ext) throw new Error(`extension ${EXTENSION_ID} not loaded`);
    return ext.activate();
}

export const workspaceDir = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
export const fixture = (rel: string) => vscode.Uri.file(path.join(workspaceDir(), rel));
/** The repository root (the extension under development). */
export const extensionDir = () => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;

export async function open(rel: string): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument(fixture(rel));
    return vscode.window.showTextDocument(doc);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
    const start = Date.now();
    for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise(r => setTimeout(r, 100));
    }
}

/** Asks the harness for a screenshot (taken when SHOT_DIR is set) and gives it time to happen. */
export async function screenshot(name: string): Promise<void> {
    console.log(`E2E_SHOT ${name}`);
    await new Promise(r => setTimeout(r, 1500));
}
