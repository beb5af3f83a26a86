// Reads the `ko.*` settings and resolves package roots and package paths of documents, so run
// targets and step ids match what the runtime and the language server compute.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { packagePathOf, packageRoots } from '../src/workspace/package-roots.js';
import type { RunSettings } from './run/run-command.js';

export function runSettings(): RunSettings {
    const c = vscode.workspace.getConfiguration('ko');
    const executor = c.get<string>('executor', 'local') === 'kubernetes' ? 'kubernetes' : 'local';
    const kubeContext = c.get<string>('kubernetes.context', '');
    const kubeNamespace = c.get<string>('kubernetes.namespace', '');
    return {
        executor,
        ...(kubeContext ? { kubeContext } : {}),
        ...(kubeNamespace ? { kubeNamespace } : {}),
        packageRoots: extraRoots(),
    };
}

/** `ko.packageRoots` made absolute (relative entries are relative to the first workspace folder). */
export function extraRoots(): string[] {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    return vscode.workspace.getConfiguration('ko').get<string[]>('packageRoots', []).map(r => path.resolve(base, r));
}

export function roots(): string[] {
    return packageRoots({ workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath), extraRoots: extraRoots() });
}

/** The package path of the document's directory ('' at a root; the folder name when outside every root). */
export function packagePathOfDocument(uri: vscode.Uri): string {
    const dir = path.dirname(uri.fsPath);
    return packagePathOf(dir, roots()) ?? path.basename(dir);
}
