// Builds the `ko run` command line the extension spawns, and parses the argument string the
// user types for a function with parameters. Pure (no vscode): the argv shape is the contract
// with the runtime (see RunCliFlags in src/protocol/ko-protocol.ts) and is unit-tested.
import { RunCliFlags, RunEventsFlag, RunEventsFormat } from '../../src/protocol/ko-protocol.js';

export interface RunSettings {
    executor: 'local' | 'kubernetes';
    kubeContext?: string;
    kubeNamespace?: string;
    packageRoots?: readonly string[];
}

export interface RunRequest {
    /** Path of the .ko file, relative to the working directory when possible. */
    file: string;
    functionName: string;
    /** Already tokenised `k=v` / positional words. */
    args: readonly string[];
    /** Stop after this step (Run up to here). */
    until?: string;
}

/** argv after the CLI script: `run FILE.ko:Func [args] --events ndjson [flags]`. */
export function runArgv(req: RunRequest, settings: RunSettings): string[] {
    const argv = ['run', `${req.file}:${req.functionName}`, ...req.args, RunEventsFlag, RunEventsFormat];
    if (req.until) argv.push(RunCliFlags.until, req.until);
    argv.push(RunCliFlags.executor, settings.executor);
    if (settings.executor === 'kubernetes') {
        if (settings.kubeContext) argv.push(RunCliFlags.kubeContext, settings.kubeContext);
        if (settings.kubeNamespace) argv.push(RunCliFlags.kubeNamespace, settings.kubeNamespace);
    }
    for (const root of settings.packageRoots ?? []) argv.push(RunCliFlags.packageRoot, root);
    return argv;
}

/**
 * Splits what the user typed into words like a shell would for simple cases: whitespace
 * separates, single or double quotes group (`msg="hello world"` -> `msg=hello world`),
 * backslash escapes the next character. No expansion of any kind: the words go to argv
 * directly, never through a shell.
 */
export function splitArgs(input: string): string[] {
    const out: string[] = [];
    let cur = '', inWord = false, quote: '"' | "'" | null = null;
    for (let i = 0; i < input.length; i++) {
        const c = input[i]!;
        if (quote) {
            if (c === quote) quote = null;
            else if (c === '\\' && quote === '"' && i + 1 < input.length) cur += input[++i];
            else cur += c;
            continue;
        }
        if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
        if (c === '\\' && i + 1 < input.length) { cur += input[++i]; inWord = true; continue; }
        if (/\s/.test(c)) { if (inWord) { out.push(cur); cur = ''; inWord = false; } continue; }
        cur += c; inWord = true;
    }
    if (inWord) out.push(cur);
    return out;
}

/** The placeholder shown in the argument prompt: `name=… punct=…` for the parameters. */
export function argsPlaceholder(params: readonly string[]): string {
    return params.map(p => `${p}=…`).join(' ');
}

/** The status bar text for the executor. */
export function executorLabel(s: RunSettings): string {
    if (s.executor !== 'kubernetes') return 'Ko: local';
    const ctx = s.kubeContext || 'current context';
    return `Ko: k8s ${ctx}${s.kubeNamespace ? '/' + s.kubeNamespace : ''}`;
}
