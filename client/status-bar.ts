// Status bar item showing where container steps run (local, or Kubernetes context/namespace);
// a click offers to switch executor and Kubernetes context/namespace.
import * as vscode from 'vscode';
import { executorLabel } from './run/run-command.js';
import { runSettings } from './settings.js';

export class ExecutorStatusBar implements vscode.Disposable {
    readonly item = vscode.window.createStatusBarItem('ko.executor', vscode.StatusBarAlignment.Left, 10);
    private readonly sub: vscode.Disposable;

    constructor() {
        this.item.name = 'Ko Executor';
        this.item.command = 'ko.selectExecutor';
        this.update();
        this.sub = vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('ko')) this.update(); });
        this.item.show();
    }

    update(): void {
        const s = runSettings();
        this.item.text = `$(${s.executor === 'kubernetes' ? 'cloud' : 'vm'}) ${executorLabel(s)}`;
        this.item.tooltip = s.executor === 'kubernetes'
            ? `Ko container steps run as Kubernetes Jobs (context ${s.kubeContext || 'from kubeconfig'}, namespace ${s.kubeNamespace || 'default'}). Click to change.`
            : 'Ko container steps run as local processes. Click to change.';
    }

    static async select(): Promise<void> {
        const c = vscode.workspace.getConfiguration('ko');
        const picked = await vscode.window.showQuickPick([
            { label: '$(vm) local', description: 'container steps run as local processes', value: 'local' },
            { label: '$(cloud) kubernetes', description: 'container steps run as Kubernetes Jobs', value: 'kubernetes' },
        ], { title: 'Ko: where do container steps run?' });
        if (!picked) return;
        const scope = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
        await c.update('executor', picked.value, scope);
        if (picked.value !== 'kubernetes') return;
        const ctx = await vscode.window.showInputBox({ title: 'Kubernetes context (empty: kubeconfig current context)', value: c.get<string>('kubernetes.context', '') });
        if (ctx === undefined) return;
        await c.update('kubernetes.context', ctx, scope);
        const ns = await vscode.window.showInputBox({ title: 'Kubernetes namespace (empty: default)', value: c.get<string>('kubernetes.namespace', '') });
        if (ns !== undefined) await c.update('kubernetes.namespace', ns, scope);
    }

    dispose(): void { this.sub.dispose(); this.item.dispose(); }
}
