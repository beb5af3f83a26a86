// Helpers shared by the e2e suites: the extension's API, fixture paths, polling.
import * as fs from 'node:fs';
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

export interface SeenElement { id: string | null; cls: string; text: string; width: number; height: number }
let queries = 0;
/**
 * What the user sees in the webviews: the harness (Playwright) collects the elements matching
 * `selector` in every frame of the workbench page and answers in $KO_E2E_PROBE_DIR/<n>.json.
 */
export async function webviewQuery(selector: string, timeoutMs = 20_000): Promise<SeenElement[]> {
    const dir = process.env.KO_E2E_PROBE_DIR;
    if (!dir) throw new Error('KO_E2E_PROBE_DIR is not set: run the suites through scripts/e2e/run.sh');
    const n = ++queries;
    const file = path.join(dir, `${process.pid}-${n}.json`);
    console.log(`E2E_QUERY ${process.pid}-${n} ${selector}`);
    const text = await waitFor(`the harness's answer to ${selector}`, () => fs.existsSync(file) && fs.readFileSync(file, 'utf8'), timeoutMs);
    return (JSON.parse(text) as { items: SeenElement[] }).items;
}
