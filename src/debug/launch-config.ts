// The `ko` launch configuration (what launch.json, the Debug button and CodeLens pass) and how it
// becomes a loaded program, a function and its arguments. Shared by the adapter and the
// extension's configuration provider; plain data, no vscode and no DAP types.
import { isAbsolute, resolve } from 'node:path';
import { commandLineArgs, parseTarget } from '../cli/run-command.js';
import { loadProgram, type Program } from '../runtime/interpreter.js';
import type { Field } from '../runtime/values.js';
import { packageRoots, resolveImport } from '../workspace/package-roots.js';

export const KO_DEBUG_TYPE = 'ko';

export interface KoLaunchConfig {
    /** `FILE.ko:Func` or `some/pkg/Func` (like `ko run`); or use program + function. */
    target?: string;
    /** The .ko file (the Debug button and CodeLens pass this with `function`). */
    program?: string;
    function?: string;
    /** Words as on the `ko run` command line: `name=value` or a word for the monadic parameter. */
    args?: string[] | Record<string, string>;
    executor?: 'local' | 'kubernetes';
    kubeContext?: string;
    kubeNamespace?: string;
    /** Extra package roots (after the working directory and KOPATH). */
    packageRoots?: string[];
    /** Working directory: package root, store location and base of relative paths. */
    cwd?: string;
    stopOnEntry?: boolean;
    /** Most processes/containers at once. */
    concurrency?: number;
}

export interface ResolvedLaunch {
    readonly program: Program;
    readonly pkgPath: string;
    readonly func: string;
    readonly args: Field[];
    readonly cwd: string;
    readonly settings: Record<string, string>;
}

/** The run target of a configuration, or a message saying what is missing. */
export function targetOf(config: KoLaunchConfig): { file: string; func: string } | { pkgPath: string; func: string } | string {
    if (config.target) {
        const t = parseTarget(config.target);
        return t ?? `bad target ${JSON.stringify(config.target)} (expected FILE.ko:Func or some/pkg/Func)`;
    }
    if (config.program) {
        if (!config.function) return 'the configuration names a program but no function';
        return { file: config.program, func: config.function };
    }
    return 'the configuration needs a target (FILE.ko:Func) or a program and a function';
}

/** `k=v` words as on the command line; an object gives named String arguments. */
export function launchArgs(args: KoLaunchConfig['args']): Field[] {
    if (!args) return [];
    if (Array.isArray(args)) return commandLineArgs(args.map(String));
    return commandLineArgs(Object.entries(args).map(([k, v]) => `${k}=${v}`));
}

/** Loads the program of a configuration; throws KoLoadError for source errors and Error for the rest. */
export function resolveLaunch(config: KoLaunchConfig): ResolvedLaunch {
    const target = targetOf(config);
    if (typeof target === 'string') throw new Error(target);
    const cwd = resolve(config.cwd ?? process.cwd());
    const roots = packageRoots({ workspaceFolders: [cwd], extraRoots: (config.packageRoots ?? []).map(r => resolve(cwd, r)) });
    let program: Program;
    if ('file' in target) {
        const file = isAbsolute(target.file) ? target.file : resolve(cwd, target.file);
        program = loadProgram({ roots, entry: { file }, cwd });
    } else {
        const dir = resolveImport(target.pkgPath, roots).dir;
        if (!dir) throw new Error(`package ${target.pkgPath || '(root)'} not found on the package roots: ${roots.join(', ')}`);
        program = loadProgram({ roots, entry: { dir }, cwd });
    }
    const pkgPath = program.entry.path;
    if (!program.funcs.get(pkgPath)?.has(target.func)) throw new Error(`no function ${target.func} in ${'file' in target ? target.file : target.pkgPath}`);
    const settings: Record<string, string> = { executor: config.executor ?? 'local' };
    if (config.kubeContext) settings.context = config.kubeContext;
    if (config.kubeNamespace) settings.namespace = config.kubeNamespace;
    return { program, pkgPath, func: target.func, args: launchArgs(config.args), cwd, settings };
}
