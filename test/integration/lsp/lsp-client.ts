// A minimal JSON-RPC client for the integration suite and the benchmark: spawns `./bin/ko lsp
// --stdio`, initializes it on a workspace folder and collects published diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const ROOT = join(import.meta.dirname, '../../..');

export interface KoLspClient {
    connection: ProtocolConnection;
    child: ChildProcess;
    diagnostics: Map<string, Diagnostic[]>;
    waitForDiagnostics(uri: string, timeoutMs?: number): Promise<Diagnostic[]>;
    /** Diagnostics of `uri` once the server has published any (at once if it already has). */
    published(uri: string, timeoutMs?: number): Promise<Diagnostic[]>;
    open(uri: string, text: string, version?: number): Promise<void>;
    stop(): Promise<void>;
}

/** `settings` answers workspace/configuration requests by section (e.g. `{ ko: { packageRoots: [...] } }`). */
export async function startKoLsp(workspaceFolder: string, settings: Record<string, unknown> = {}): Promise<KoLspClient> {
    if (!existsSync(join(ROOT, 'dist/cli/main.mjs'))) throw new Error('run `npm run build` before the LSP integration tests');
    const child = spawn(process.execPath, [join(ROOT, 'bin/ko'), 'lsp', '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KOPATH: '' } });
    let stderr = '';
    child.stderr!.on('data', d => { stderr += String(d); });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const diagnostics = new Map<string, Diagnostic[]>();
    const waiters = new Map<string, ((d: Diagnostic[]) => void)[]>();
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
        diagnostics.set(p.uri, p.diagnostics);
        for (const w of waiters.get(p.uri) ?? []) w(p.diagnostics);
        waiters.delete(p.uri);
    });
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(i => settings[i.section ?? ''] ?? null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/semanticTokens/refresh', () => null);
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.listen();
    const folderUri = pathToFileURL(workspaceFolder).toString();
    await connection.sendRequest('initialize', {
        processId: process.pid, rootUri: folderUri, workspaceFolders: [{ uri: folderUri, name: 'ws' }],
        capabilities: {
            textDocument: {
                completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
                hover: { contentFormat: ['markdown'] }, rename: { prepareSupport: true },
                codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor'] } } },
                publishDiagnostics: {},
            },
            workspace: { workspaceFolders: true, configuration: true },
        },
    });
    await connection.sendNotification('initialized', {});
    const waitForDiagnostics = (uri: string, timeoutMs = 20_000) => new Promise<Diagnostic[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri}; server stderr: ${stderr}`)), timeoutMs);
        const list = waiters.get(uri) ?? [];
        list.push(d => { clearTimeout(timer); resolve(d); });
        waiters.set(uri, list);
    });
    return {
        connection, child, diagnostics, waitForDiagnostics,
        published(uri: string, timeoutMs = 20_000) {
            const known = diagnostics.get(uri);
            return known ? Promise.resolve(known) : waitForDiagnostics(uri, timeoutMs);
        },
        async open(uri: string, text: string, version = 1) {
            await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ko', version, text } });
        },
        async stop() {
            try {
                await Promise.race([connection.sendRequest('shutdown'), new Promise(r => setTimeout(r, 2000))]);
                await connection.sendNotification('exit');
            } catch { /* already gone */ }
            await new Promise(r => setTimeout(r, 100));
            connection.dispose();
            if (child.exitCode === null) child.kill();
        },
    };
}
