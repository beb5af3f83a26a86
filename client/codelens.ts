// CodeLens above each function ("Run", "Debug", "Graph") and on each step ("Run up to here"),
// from the client's outline so they appear immediately, even before the server has answered.
import * as vscode from 'vscode';
import { docModel, toRange } from './documents.js';

export class KoCodeLensProvider implements vscode.CodeLensProvider {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;

    refresh(): void { this.changed.fire(); }

    provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
        const lenses: vscode.CodeLens[] = [];
        for (const fn of docModel(doc).functions) {
            const at = toRange(fn.nameRange);
            const target = { uri: doc.uri.toString(), functionName: fn.name };
            lenses.push(
                new vscode.CodeLens(at, { title: '$(play) Run', command: 'ko.run', arguments: [target], tooltip: `Run ${fn.name}` }),
                new vscode.CodeLens(at, { title: '$(debug-alt) Debug', command: 'ko.debug', arguments: [target], tooltip: `Debug ${fn.name}` }),
                new vscode.CodeLens(at, { title: '$(type-hierarchy-sub) Graph', command: 'ko.showGraph', arguments: [target], tooltip: `Show the graph of ${fn.name}` }),
            );
            for (const step of fn.steps) {
                if (step.label === 'return') continue; // running up to `return` is running the function
                lenses.push(new vscode.CodeLens(toRange(step.labelRange), {
                    title: 'Run up to here', command: 'ko.runToStep', arguments: [{ ...target, step: step.label }],
                    tooltip: `Run ${fn.name} as far as ${step.label} (and the steps it needs)`,
                }));
            }
        }
        return lenses;
    }

    dispose(): void { this.changed.dispose(); }
}
