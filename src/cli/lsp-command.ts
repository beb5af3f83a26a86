// `ko lsp --stdio`: runs the Ko language server (the same code as dist/server/main.cjs) over stdio,
// so any LSP client can use the ko binary directly.
import type { CommandModule } from './cli-util.js';

export async function run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
        process.stdout.write('usage: ko lsp --stdio\n\nRuns the Ko language server over stdin/stdout (JSON-RPC).\n');
        return 0;
    }
    if (!argv.some(a => a === '--stdio' || a.startsWith('--node-ipc') || a.startsWith('--socket') || a.startsWith('--pipe'))) {
        process.stderr.write('ko lsp: choose a transport, e.g. `ko lsp --stdio`\n');
        return 2;
    }
    const { startKoLanguageServer } = await import('../../server/start-server.js');
    startKoLanguageServer();
    // The connection ends the process on the client's `exit` notification.
    return new Promise<number>(() => undefined);
}

export default { run } satisfies CommandModule;
