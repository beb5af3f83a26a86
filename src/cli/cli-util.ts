// Small helpers shared by the CLI subcommands: usage errors and option parsing.
export interface CommandModule {
    run(argv: string[]): Promise<number>;
}

export function usageError(message: string): number {
    process.stderr.write(`ko: ${message}\n`);
    return 2;
}

export interface ParsedOptions {
    flags: Map<string, string | true>;
    positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` options; `valued` lists the
 * options that take a value. Throws a UsageError for an unknown option.
 */
export function parseOptions(argv: string[], valued: string[], booleans: string[]): ParsedOptions {
    const flags = new Map<string, string | true>();
    const positionals: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
        if (arg.startsWith('--')) {
            const eq = arg.indexOf('=');
            const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
            if (valued.includes(name)) {
                const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
                if (value === undefined) throw new UsageError(`option --${name} needs a value`);
                flags.set(name, value);
            } else if (booleans.includes(name) && eq < 0) {
                flags.set(name, true);
            } else {
                throw new UsageError(`unknown option --${name}`);
            }
        } else {
            positionals.push(arg);
        }
    }
    return { flags, positionals };
}

export class UsageError extends Error {}
