// `ko run [--json] [--events ndjson] TARGET [name=value | word]...`: loads the target's package
// (FILE.ko:Func or an import path ending in the function name, resolved over the package roots),
// runs the function and prints its value in canonical syntax, as JSON, or as NDJSON run events.
import { isAbsolute, resolve } from 'node:path';
import { packageRoots, resolveImport } from '../workspace/package-roots.js';
import { RunEventsFormat, RunEventsVersion, type KoRange, type RunEvent as ProtocolEvent } from '../protocol/ko-protocol.js';
import { usageError } from './cli-util.js';
import type { RunEvent, SourceRange } from '../runtime/events.js';
import { describeKoError, KoCancelled, KoExit } from '../runtime/errors.js';
import { str, seq, printValue, summarizeValue, toJSON, type Field, type Value } from '../runtime/values.js';

export const HELP = `usage: ko run [options] TARGET [name=value | word]...

TARGET is FILE.ko:Func, or an import path ending in the function name (some/pkg/Func)
resolved against the package roots: the working directory, each KOPATH entry's src/,
and every --root DIR.

  name=value         pass the String value as argument \`name\`
  word               pass the String to the monadic parameter (several words: a sequence)

options:
  --json             print the returned value as JSON
  --events ndjson    print NDJSON run events on stdout (program output goes to stderr)
  --root DIR         add a package root (repeatable; --package-root is the same)
  --concurrency N    most processes/containers running at once (default: max(2, CPUs))
  --until LABEL      run the function only as far as step LABEL and print its value
  --sequential       run the function's steps one at a time
  --executor NAME, --context CTX, --namespace NS, --kubeconfig FILE, --pvc CLAIM[:LOCALPATH],
  --store DIR, --salt S, --progress off
                     passed to the pipeline gates as run settings (see docs/kubernetes.md)`;

interface RunArgs {
    json: boolean;
    events?: string;
    roots: string[];
    concurrency?: number;
    until?: string;
    sequential: boolean;
    settings: Record<string, string>;
    target?: string;
    rest: string[];
}

function parseArgs(argv: string[]): RunArgs | string {
    const out: RunArgs = { json: false, roots: [], sequential: false, settings: {}, rest: [] };
    const valued = new Set(['events', 'root', 'package-root', 'concurrency', 'until', 'executor', 'context', 'namespace', 'kubeconfig', 'pvc', 'store', 'salt', 'progress']);
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') { for (const a of argv.slice(i + 1)) (out.target === undefined ? (out.target = a) : out.rest.push(a)); break; }
        if (arg.startsWith('--')) {
            const eq = arg.indexOf('=');
            const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
            if (name === 'json' && eq < 0) { out.json = true; continue; }
            if (name === 'sequential' && eq < 0) { out.sequential = true; continue; }
            if (!valued.has(name)) return `unknown option --${name}`;
            const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
            if (value === undefined) return `option --${name} needs a value`;
            switch (name) {
                case 'events': out.events = value; break;
                case 'root': case 'package-root': out.roots.push(value); break;
                case 'concurrency': {
                    const n = Number(value);
                    if (!Number.isInteger(n) || n < 1) return '--concurrency needs a positive integer';
                    out.concurrency = n;
                    break;
                }
                case 'until': out.until = value; break;
                default: out.settings[name] = value;
            }
            continue;
        }
        if (out.target === undefined) out.target = arg; else out.rest.push(arg);
    }
    return out;
}

/** `k=v` arguments are named Strings; bare words go to the monadic parameter. */
export function commandLineArgs(words: readonly string[]): Field[] {
    const fields: Field[] = [];
    const monadic: Value[] = [];
    for (const w of words) {
        const eq = w.indexOf('=');
        if (eq > 0 && /^[_\p{L}][_\p{L}\p{Nd}]*$/u.test(w.slice(0, eq))) fields.push({ name: w.slice(0, eq), value: str(w.slice(eq + 1)) });
        else monadic.push(str(w));
    }
    if (monadic.length === 1) fields.push({ name: '', value: monadic[0] });
    else if (monadic.length > 1) fields.push({ name: '', value: seq(monadic) });
    return fields;
}

export type ParsedTarget = { file: string; func: string } | { pkgPath: string; func: string };

export function parseTarget(target: string): ParsedTarget | undefined {
    const m = /^(.*\.ko):([_\p{L}][_\p{L}\p{Nd}]*)$/u.exec(target);
    if (m) return { file: m[1], func: m[2] };
    const slash = target.lastIndexOf('/');
    const func = target.slice(slash + 1);
    if (!/^[_\p{L}][_\p{L}\p{Nd}]*$/u.test(func)) return undefined;
    return { pkgPath: slash < 0 ? '' : target.slice(0, slash), func };
}

export async function run(argv: string[]): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) { process.stdout.write(HELP + '\n'); return 0; }
    const args = parseArgs(argv);
    if (typeof args === 'string') return usageError(`run: ${args}`);
    if (!args.target) return usageError(`run: missing TARGET\n\n${HELP}`);
    if (args.events !== undefined && args.events !== RunEventsFormat) return usageError(`run: --events supports only ${RunEventsFormat}`);
    const target = parseTarget(args.target);
    if (!target) return usageError(`run: bad TARGET ${JSON.stringify(args.target)} (expected FILE.ko:Func or some/pkg/Func)`);

    const cwd = process.cwd();
    const roots = packageRoots({ workspaceFolders: [cwd], extraRoots: args.roots });
    const ndjson = args.events !== undefined;
    const runId = `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
    const started = Date.now();
    const writeEvent = (e: ProtocolEvent) => { process.stdout.write(JSON.stringify(e) + '\n'); };
    const finish = (ok: boolean, extra: { value?: string; error?: string }) => {
        if (ndjson) writeEvent({ type: 'run-finished', runId, time: new Date().toISOString(), ok, durationMs: Date.now() - started, ...extra });
    };

    const { loadProgram, runFunction, KoLoadError } = await import('../runtime/interpreter.js');
    let program;
    let pkgPath: string;
    try {
        if ('file' in target) {
            program = loadProgram({ roots, entry: { file: target.file }, cwd });
            pkgPath = program.entry.path;
        } else {
            const resolved = resolveImport(target.pkgPath, roots);
            if (!resolved.dir) {
                process.stderr.write(`ko: package ${target.pkgPath || '(root)'} not found on the package roots:\n${roots.map(r => '  ' + r).join('\n')}\n`);
                finish(false, { error: `package ${target.pkgPath} not found` });
                return 1;
            }
            program = loadProgram({ roots, entry: { dir: resolved.dir }, cwd });
            pkgPath = program.entry.path;
        }
    } catch (e) {
        if (e instanceof KoLoadError) {
            for (const d of e.diagnostics) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
            finish(false, { error: e.diagnostics[0] ? `${e.diagnostics[0].file}:${e.diagnostics[0].line}:${e.diagnostics[0].column}: ${e.diagnostics[0].message}` : 'load failed' });
            return 1;
        }
        const message = e instanceof Error ? e.message : String(e);
        process.stderr.write(`ko: cannot load ${args.target}: ${message}\n`);
        finish(false, { error: message });
        return 1;
    }
    const functionId = `${pkgPath === '' ? '' : pkgPath + '.'}${target.func}`;
    if (ndjson) {
        writeEvent({
            type: 'run-started', runId, time: new Date().toISOString(), version: RunEventsVersion, function: functionId,
            target: args.target, executor: args.settings.executor ?? 'local', ...(args.until ? { until: args.until } : {}),
        });
    }

    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const stderr = { write: (t: string) => { process.stderr.write(t); } };
    try {
        const value = await runFunction(program, { pkgPath }, target.func, commandLineArgs(args.rest), {
            signal: controller.signal,
            ...(args.concurrency ? { concurrency: args.concurrency } : {}),
            ...(args.until ? { until: args.until } : {}),
            sequential: args.sequential,
            settings: args.settings,
            runId,
            workspaceDir: cwd,
            stdout: ndjson ? stderr : { write: (t: string) => { process.stdout.write(t); } },
            stderr,
            ...(ndjson ? { onEvent: protocolWriter(runId, cwd, writeEvent) } : {}),
        });
        if (ndjson) finish(true, { value: summarizeValue(value, 200) });
        else if (args.json) process.stdout.write(JSON.stringify(toJSON(value), null, 2) + '\n');
        else process.stdout.write(printValue(value) + '\n');
        return 0;
    } catch (e) {
        if (e instanceof KoExit) { finish(e.code === 0, {}); return e.code; }
        if (e instanceof KoCancelled && controller.signal.aborted) {
            process.stderr.write('ko: run cancelled\n');
            finish(false, { error: 'run cancelled' });
            return 130;
        }
        const message = describeKoError(e);
        process.stderr.write(`ko: ${message}\n`);
        finish(false, { error: message.split('\n')[0] });
        return 1;
    } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    }
}

function koRange(r: SourceRange): KoRange {
    return { start: { line: r.line - 1, character: r.column - 1 }, end: { line: r.endLine - 1, character: r.endColumn - 1 } };
}

/**
 * Maps interpreter events to protocol events, folding in the pipeline gates' progress
 * (`pipeline.cached`, `pipeline.started`, `pipeline.finished`, `pipeline.failed`): cache keys,
 * attempts and exit codes are attached to the step's own events.
 */
export function protocolWriter(runId: string, cwd: string, write: (e: ProtocolEvent) => void): (e: RunEvent) => void {
    const container = new Map<string, { cacheKey?: string; exitCode?: number }>();
    return e => {
        if (e.kind === 'gate' && e.name.startsWith('pipeline.') && e.stepId) {
            const data = (e.data ?? {}) as { key?: string; exitCode?: number; attempt?: number; fromRun?: string };
            const time = new Date(e.time).toISOString();
            const info = container.get(e.stepId) ?? {};
            if (data.key) info.cacheKey = data.key;
            if (typeof data.exitCode === 'number') info.exitCode = data.exitCode;
            container.set(e.stepId, info);
            if (e.name === 'pipeline.cached' && data.key) write({ type: 'step-cached', runId, time, step: e.stepId, cacheKey: data.key });
            if (e.name === 'pipeline.started') write({ type: 'step-started', runId, time, step: e.stepId, ...(data.attempt ? { attempt: data.attempt } : {}), ...(data.key ? { cacheKey: data.key } : {}) });
            return;
        }
        for (const p of toProtocol(e, runId, cwd)) {
            if ((p.type === 'step-finished' || p.type === 'step-failed') && container.has(p.step)) {
                const info = container.get(p.step)!;
                container.delete(p.step);
                write({ ...p, ...(info.cacheKey ? { cacheKey: info.cacheKey } : {}), ...(info.exitCode !== undefined ? { exitCode: info.exitCode } : {}) });
            } else {
                write(p);
            }
        }
    };
}

/** Maps interpreter events to the NDJSON protocol (src/protocol/ko-protocol.ts). */
export function toProtocol(e: RunEvent, runId: string, cwd: string): ProtocolEvent[] {
    const time = new Date(e.time).toISOString();
    switch (e.kind) {
        case 'step-started': {
            const file = e.position ? (isAbsolute(e.position.file) ? e.position.file : resolve(cwd, e.position.file)) : undefined;
            return [{ type: 'step-started', runId, time, step: e.stepId, ...(file ? { file } : {}), ...(e.position ? { range: koRange(e.position) } : {}) }];
        }
        case 'step-finished':
            return [{ type: 'step-finished', runId, time, step: e.stepId, durationMs: Math.round(e.durationMs * 1000) / 1000, value: e.value }];
        case 'step-failed':
            return [{ type: 'step-failed', runId, time, step: e.stepId, durationMs: Math.round(e.durationMs * 1000) / 1000, error: e.error.split('\n')[0] }];
        case 'log':
            return e.text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)
                .map(line => ({ type: 'step-log' as const, runId, time, step: e.stepId ?? '', stream: e.stream, line }));
        case 'gate': {
            // Gate modules (the pipeline) may emit protocol step events directly: name is the type.
            if (typeof e.data !== 'object' || e.data === null || !e.name.startsWith('step-')) return [];
            return [{ ...(e.data as object), type: e.name, runId, time, step: e.stepId ?? '' } as ProtocolEvent];
        }
    }
}
