// Entry of the `ko` command line: dispatches to one module per subcommand, loaded lazily so
// that a quick `ko check` does not pay for the runtime or the language server.
import { usageError, type CommandModule } from './cli-util.js';

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
    check: { summary: 'check .ko files and packages for errors', load: () => import('./check-command.js') },
    run: { summary: 'run a Ko function and print its value', load: () => import('./run-command.js') },
    test: { summary: 'run the Test* functions of packages', load: () => import('./test-command.js') },
    lsp: { summary: 'run the Ko language server (--stdio)', load: () => import('./lsp-command.js') },
    history: { summary: 'pipeline runs and their steps (alias: runs)', load: async () => (await import('./provenance-commands.js')).history },
    runs: { summary: 'list recent pipeline runs', load: async () => (await import('./provenance-commands.js')).runs },
    why: { summary: 'show how a file or step result was produced', load: async () => (await import('./provenance-commands.js')).why },
    diff: { summary: 'compare two pipeline runs step by step', load: async () => (await import('./provenance-commands.js')).diff },
    log: { summary: 'print the log of a pipeline step', load: async () => (await import('./provenance-commands.js')).log },
    gc: { summary: 'remove unreferenced objects from the store', load: async () => (await import('./provenance-commands.js')).gc },
    kube: { summary: 'show the Kubernetes context, server, namespace and permissions', load: () => import('./kube-command.js') },
};

export const usage = () => [
    'usage: ko <command> [arguments]',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
    '',
    'Run `ko <command> --help` for the options of one command.',
].join('\n');

/** Runs the CLI and returns the process exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h' || name === 'help') {
        process.stdout.write(usage() + '\n');
        return name ? 0 : 2;
    }
    if (name === '--version') {
        process.stdout.write('ko 0.1.0\n');
        return 0;
    }
    const command = commands[name];
    if (!command) return usageError(`unknown command "${name}"\n\n${usage()}`);
    const module = await command.load();
    return module.run(rest);
}
