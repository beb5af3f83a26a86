// Starts the Ko language server (dist/server/main.cjs) as a Node child over IPC. The client
// stays thin: every language feature lives in the server; the client only forwards settings.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
    const module = context.asAbsolutePath(path.join('dist', 'server', 'main.cjs'));
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        // F5 debugging of the server: attach to 6009 (DEBUG_BREAK=1 stops on the first line).
        debug: {
            module, transport: TransportKind.ipc,
            options: { execArgv: ['--nolazy', `--inspect${process.env.DEBUG_BREAK ? '-brk' : ''}=${process.env.DEBUG_SOCKET ?? '6009'}`] },
        },
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ language: 'ko' }],
        outputChannel: output,
        synchronize: {
            configurationSection: 'ko',
            fileEvents: vscode.workspace.createFileSystemWatcher('**/*.ko'),
        },
        initializationOptions: {
            packageRoots: vscode.workspace.getConfiguration('ko').get<string[]>('packageRoots', []),
        },
    };
    return new LanguageClient('ko', 'Ko Language Server', serverOptions, clientOptions);
}
