// The client's view of a .ko document: its outline (client/outline.ts) with step and function
// ids in the runtime's format, cached per document version.
import * as vscode from 'vscode';
import { scanOutline, type OutlineFunction, type OutlineStep } from './outline.js';
import { functionId, stepId } from './status/status-reducer.js';
import { packagePathOfDocument } from './settings.js';

export interface DocStep extends OutlineStep { id: string }
export interface DocFunction extends Omit<OutlineFunction, 'steps'> { id: string; steps: DocStep[] }
export interface DocModel { uri: string; version: number; packagePath: string; functions: DocFunction[] }

const cache = new Map<string, DocModel>();

export function docModel(doc: vscode.TextDocument): DocModel {
    const key = doc.uri.toString();
    const hit = cache.get(key);
    if (hit && hit.version === doc.version) return hit;
    const packagePath = packagePathOfDocument(doc.uri);
    const functions = scanOutline(doc.getText()).map(f => ({
        ...f, id: functionId(packagePath, f.name),
        steps: f.steps.map(s => ({ ...s, id: stepId(packagePath, f.name, s.label) })),
    }));
    const model = { uri: key, version: doc.version, packagePath, functions };
    cache.set(key, model);
    return model;
}

export function forgetDoc(uri: vscode.Uri): void { cache.delete(uri.toString()); }

export const toRange = (r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
    new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

/** Texts of a document's steps by id (what staleness compares). */
export function stepTexts(model: DocModel, fn?: DocFunction): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of fn ? [fn] : model.functions) for (const s of f.steps) out[s.id] = s.text;
    return out;
}
