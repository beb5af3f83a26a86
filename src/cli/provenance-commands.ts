// `ko why`, `ko diff`, `ko runs`, `ko log` and `ko gc`: query and maintain the pipeline store
// (the nearest `.ko/`, or --store / $KO_STORE). Every command has --json for the editor.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseOptions, usageError, UsageError, type CommandModule } from './cli-util.js';
import { Store, locateStore } from '../store/store.js';
import { listRunIds, readRun, type JournalEntry, type RunSummary } from '../store/run-records.js';
import { diffRuns, gc, resolveKey, resolveRun, why, ProvenanceError, type StepDiff, type WhyNode } from '../store/provenance.js';
import type { StepRecord } from '../store/step-records.js';

function openFrom(flags: Map<string, string | true>): Store {
    const dir = typeof flags.get('store') === 'string' ? resolve(flags.get('store') as string) : locateStore();
    if (!existsSync(dir)) throw new ProvenanceError(`no store at ${dir} (run a pipeline first, or pass --store)`);
    return new Store(dir);
}

function guard(fn: (argv: string[]) => Promise<number> | number): CommandModule {
    return {
        run: async argv => {
            try {
                return await fn(argv);
            } catch (e) {
                if (e instanceof UsageError) return usageError(e.message);
                if (e instanceof ProvenanceError) { process.stderr.write(`ko: ${e.message}\n`); return 1; }
                throw e;
            }
        },
    };
}

const out = (s: string) => process.stdout.write(s + '\n');
const short = (h: string) => h.slice(0, 12);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

// ---------------------------------------------------------------------------------------------

const HISTORY_HELP = `usage: ko history [TARGET] [--steps] [--limit N] [--json] [--store DIR]   (alias: ko runs)

Pipeline runs, newest first, with status and executed/cached/failed counts.
  TARGET = a run (id, prefix, last, last~N, -N): that run and its steps
  TARGET = Func.step: that step in every run (executed or reused, key, host, duration)
  TARGET = anything else (e.g. logs.ko:Main): the runs whose command line mentions it, with their steps
  --steps: list every run's steps`;

export const history = guard(argv => {
    const { flags, positionals } = parseOptions(argv, ['store', 'limit'], ['json', 'steps', 'help']);
    if (flags.has('help') || positionals.length > 1) { out(HISTORY_HELP); return flags.has('help') ? 0 : 2; }
    const store = openFrom(flags);
    const limit = Number(flags.get('limit') ?? 20);
    const json = flags.has('json');
    const target = positionals[0];
    if (target !== undefined && /^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(target)) return stepHistory(store, target, limit, json);
    let list: RunSummary[];
    let withSteps = flags.has('steps');
    if (target === undefined) {
        list = listRunIds(store.runsDir).slice(0, limit).map(id => readRun(store.runsDir, id)).filter((r): r is RunSummary => !!r);
    } else {
        let one: RunSummary | undefined;
        try { one = resolveRun(store, target); } catch (e) { if (!(e instanceof ProvenanceError)) throw e; }
        list = one ? [one] : listRunIds(store.runsDir).map(id => readRun(store.runsDir, id))
            .filter((r): r is RunSummary => !!r && r.argv.some(a => a.includes(target))).slice(0, limit);
        if (list.length === 0) throw new ProvenanceError(`no run ${target}, and no run whose command line mentions it`);
        withSteps = true;
    }
    if (json) { out(JSON.stringify(list.map(r => ({ ...r, counts: counts(r), steps: r.steps.map(stepJson) })), null, 1)); return 0; }
    if (list.length === 0) { out('no runs recorded'); return 0; }
    out(['RUN'.padEnd(24), 'STATUS'.padEnd(12), 'STARTED'.padEnd(20), 'DURATION'.padStart(9), 'EXEC'.padStart(5), 'CACHED'.padStart(7), 'FAILED'.padStart(7)].join(' '));
    for (const r of list) {
        const c = counts(r);
        const dur = r.finishedAt ? secs(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : '-';
        out([r.runId.padEnd(24), r.effectiveStatus.padEnd(12), r.startedAt.replace('T', ' ').slice(0, 19).padEnd(20), dur.padStart(9),
            String(c.executed).padStart(5), String(c.cached).padStart(7), String(c.failed).padStart(7)].join(' '));
        if (withSteps) for (const st of r.steps) out(`    ${stepLine(st)}`);
    }
    return 0;
});

export const runs = history;

const reusedStatus = (s: JournalEntry) => s.status === 'cached' || s.status === 'adopted';
const stepJson = (s: JournalEntry) => ({ ...s, reused: reusedStatus(s) });

function stepLine(s: JournalEntry): string {
    const what = s.status === 'cached' ? `reused from run ${s.fromRun ?? '?'}` : s.status === 'adopted' ? `executed, adopted run ${s.fromRun ?? '?'}'s outcome`
        : s.status === 'executed' ? 'executed' : s.status;
    const dur = s.durationMs !== undefined ? ` ${secs(s.durationMs)}` : '';
    const exit = s.status === 'failed' && s.exitCode !== undefined ? ` exit ${s.exitCode}` : '';
    return `${s.stepName.padEnd(20)} ${short(s.key)}  ${what}${exit}${dur}${s.host ? ` on ${s.host}` : ''}`;
}

function stepHistory(store: Store, step: string, limit: number, json: boolean): number {
    const rows: { run: string; startedAt: string; entry: JournalEntry }[] = [];
    for (const id of listRunIds(store.runsDir)) {
        const r = readRun(store.runsDir, id);
        for (const e of r?.steps ?? []) if (e.stepName === step || e.stepPath === step) rows.push({ run: id, startedAt: r!.startedAt, entry: e });
        if (rows.length >= limit) break;
    }
    if (json) { out(JSON.stringify(rows.slice(0, limit).map(r => ({ run: r.run, startedAt: r.startedAt, ...stepJson(r.entry) })), null, 1)); return 0; }
    if (rows.length === 0) throw new ProvenanceError(`no run has a step ${step}`);
    for (const r of rows.slice(0, limit)) out(`${r.run.padEnd(24)} ${stepLine(r.entry)}`);
    return 0;
}

function counts(r: RunSummary) {
    const c = { executed: 0, cached: 0, failed: 0, adopted: 0, cancelled: 0 };
    for (const s of r.steps) c[s.status]++;
    return c;
}

// ---------------------------------------------------------------------------------------------

export const log = guard(argv => {
    const { flags, positionals } = parseOptions(argv, ['store', 'run'], ['json', 'help']);
    if (flags.has('help') || positionals.length !== 1) {
        out('usage: ko log <key-prefix | Func.step> [--run RUN] [--json] [--store DIR]\n\nPrints the combined stdout/stderr log of a step (the latest run\'s, for a step name).');
        return flags.has('help') ? 0 : 2;
    }
    const store = openFrom(flags);
    const target = positionals[0];
    let logHash: string | undefined;
    if (/^[0-9a-f]{6,64}$/.test(target)) {
        const key = resolveKey(store, target);
        logHash = key ? store.steps.get(key)?.logHash : undefined;
        if (!logHash) {
            // A failed step has no record; its log is in the journal of the run that tried it.
            for (const id of listRunIds(store.runsDir)) {
                const e = [...readRun(store.runsDir, id)?.steps ?? []].reverse().find(s => s.key.startsWith(target) && s.logHash);
                if (e) { logHash = e.logHash; break; }
            }
        }
    } else {
        const run = resolveRun(store, typeof flags.get('run') === 'string' ? flags.get('run') as string : 'last');
        const entry = [...run.steps].reverse().find(s => s.stepName === target || s.stepPath === target);
        if (!entry) throw new ProvenanceError(`no step ${target} in run ${run.runId}`);
        logHash = entry.logHash ?? store.steps.get(entry.key)?.logHash;
    }
    if (!logHash) throw new ProvenanceError(`no log recorded for ${target}`);
    if (!store.objects.has(logHash)) throw new ProvenanceError(`the log of ${target} was garbage-collected`);
    if (flags.has('json')) { out(JSON.stringify({ target, logHash, log: store.objects.read(logHash).toString('utf8') })); return 0; }
    process.stdout.write(store.objects.read(logHash));
    return 0;
});

// ---------------------------------------------------------------------------------------------

export const whyCommand = guard(async argv => {
    const { flags, positionals } = parseOptions(argv, ['store', 'run', 'depth'], ['json', 'help']);
    if (flags.has('help') || positionals.length !== 1) {
        out('usage: ko why <file | object | key-prefix | Func.step> [--run RUN] [--depth N] [--json] [--store DIR]\n\n'
            + 'How a result was produced: the step, its image, argv, env names, exit code, timing and placement,\nthen the same for every step its inputs came from, recursively.');
        return flags.has('help') ? 0 : 2;
    }
    const store = openFrom(flags);
    const result = await why(store, positionals[0], {
        ...(typeof flags.get('run') === 'string' ? { run: flags.get('run') as string } : {}),
        ...(typeof flags.get('depth') === 'string' ? { depth: Number(flags.get('depth')) } : {}),
    });
    if (flags.has('json')) { out(JSON.stringify(result, null, 1)); return 0; }
    if (result.kind === 'object') {
        if (result.producers.length === 0) {
            out(`${positionals[0]}: object ${short(result.hash)} was not produced by any recorded step (a workspace file or a Text value?)`);
            return 1;
        }
        out(`${positionals[0]}: object sha256:${short(result.hash)} (${result.via})`);
        result.producers.forEach((node, i) => {
            if (result.producers.length > 1) out(`producer ${i + 1} of ${result.producers.length}:`);
            printNode(store, node, '', result.hash);
        });
        return 0;
    }
    printNode(store, result.node, '');
    if (result.reason) {
        const r = result.reason;
        out(`why it ${r.reused ? 'was reused' : 'ran'} in run ${r.run}: ${r.summary}`);
        for (const c of r.changes) out(`  ${c.part}: ${c.detail}`);
    }
    return 0;
});

function describe(store: Store, r: StepRecord): string[] {
    const c = r.components;
    const lines = [
        `step ${r.stepName}  key ${short(r.key)}${r.cache ? '' : '  (cache: false)'}`,
        `  ran in run ${r.runId} on ${r.placement} (${r.executor}${r.host && !r.placement.endsWith(r.host) ? `, host ${r.host}` : ''}), ${r.startedAt.replace('T', ' ').slice(0, 19)}, ${secs(r.durationMs)}, exit ${r.exitCode}${r.attempts > 1 ? `, ${r.attempts} attempts` : ''}`,
        `  image ${c.image}  argv ${JSON.stringify([...c.command, ...c.args])}`,
    ];
    if (r.source) lines.push(`  at ${r.source.file}:${r.source.line}:${r.source.column}`);
    const env = Object.entries(r.env);
    if (env.length) lines.push(`  env ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
    if (c.workdir) lines.push(`  workdir ${c.workdir}`);
    if (r.outputs.length) lines.push(`  outputs ${r.outputs.map(o => `${o.name}=${short(o.hash)}`).join(' ')}`);
    const evidence = store.steps.evidence(r.key).length;
    if (evidence) lines.push(`  NOT DETERMINISTIC: ${evidence} other outcome${evidence === 1 ? '' : 's'} recorded for this key (.ko/evidence/${short(r.key)}…/)`);
    return lines;
}

function printNode(store: Store, node: WhyNode, indent: string, highlight?: string): void {
    for (const line of describe(store, node.record)) out(indent + (highlight && line.startsWith('  outputs') ? line + '  <-' : line));
    for (const { input, from } of node.inputs) {
        const head = `${indent}  input ${input.name} = ${short(input.hash)}`;
        if ('record' in from) { out(`${head} from:`); printNode(store, from, indent + '    '); }
        else if (from.kind === 'workspace') out(`${head} (workspace file ${from.path})`);
        else if (from.kind === 'literal') out(`${head} (a string or Text value)`);
        else if (from.kind === 'seen') out(`${head} (see above)`);
        else out(`${head} (producer not recorded any more)`);
    }
}

// ---------------------------------------------------------------------------------------------

export const diff = guard(argv => {
    const { flags, positionals } = parseOptions(argv, ['store'], ['json', 'all', 'help']);
    if (flags.has('help') || positionals.length > 2) {
        out('usage: ko diff [runA] [runB] [--all] [--json] [--store DIR]\n\nWhich steps differ between two runs, whether their outputs differ, which part of the cache key\nchanged, and the first upstream cause (the earliest step whose own key changed, or a workspace file).\n'
            + 'Runs are ids, unique prefixes, `last`, `last~N` or `-N`; the default compares last~1 with last.');
        return flags.has('help') ? 0 : 2;
    }
    const store = openFrom(flags);
    const a = resolveRun(store, positionals[0] ?? 'last~1');
    const b = resolveRun(store, positionals[1] ?? 'last');
    const diffs = diffRuns(store, a, b);
    if (flags.has('json')) { out(JSON.stringify({ a: a.runId, b: b.runId, steps: diffs }, null, 1)); return 0; }
    out(`diff ${a.runId} (A) -> ${b.runId} (B)`);
    let shown = 0;
    for (const d of diffs) {
        if (d.status === 'same' && d.output !== 'differs' && !flags.has('all')) continue;
        shown++;
        if (d.status === 'same') out(d.output === 'differs' ? `  ! ${d.step}  ${short(d.a!.key)}  ${d.note}` : `  = ${d.step}  ${short(d.a!.key)}`);
        else if (d.status === 'only-a') out(`  - ${d.step}  only in A (${d.a!.status})`);
        else if (d.status === 'only-b') out(`  + ${d.step}  only in B (${d.b!.status})`);
        else {
            out(`  ~ ${d.step}  ${short(d.a!.key)} -> ${short(d.b!.key)}  (${d.a!.status} -> ${d.b!.status})`);
            const line = causeLine(d);
            if (line) out(`      ${line}`);
            for (const c of d.changes) out(`      ${c.part}: ${c.detail}`);
            if (d.note) out(`      ${d.note}`);
        }
    }
    const same = diffs.filter(d => d.status === 'same' && d.output !== 'differs').length;
    out(shown === 0 ? `  no differences (${same} steps identical)` : `  ${same} steps identical`);
    return 0;
});

/** `output differs; first cause: Main.clean (args changed: …)`; a step that is its own cause is `this step (args)`, its changes follow. */
function causeLine(d: StepDiff): string | undefined {
    const output = d.output === 'differs' ? 'output differs' : d.output === 'same' ? 'output unchanged' : undefined;
    const causes = (d.causes ?? []).map(c => c.key !== d.b!.key || c.kind === 'file' ? c.summary
        : c.kind === 'step' && !c.components.some(x => x.part === 'cache') ? `this step (${[...new Set(c.components.map(x => x.part))].join(', ')} changed)`
            : `this step${c.summary.slice(c.step.length)}`);
    const first = causes.length ? `first cause${causes.length > 1 ? 's' : ''}: ${causes.join('; ')}` : undefined;
    return [output, first].filter(Boolean).join('; ') || undefined;
}

// ---------------------------------------------------------------------------------------------

export const gcCommand = guard(argv => {
    const { flags } = parseOptions(argv, ['store', 'keep-runs', 'grace'], ['dry-run', 'json', 'help']);
    if (flags.has('help')) {
        out('usage: ko gc [--dry-run] [--keep-runs N] [--grace SECONDS] [--json] [--store DIR]\n\n'
            + 'Removes objects no step record references, and stale scratch files. With --keep-runs N, also drops\n'
            + 'runs older than the newest N and the step records only they used (so those steps will run again).\n'
            + 'Anything younger than --grace (default 3600 s) is kept, as a running pipeline may be using it.');
        return 0;
    }
    const store = openFrom(flags);
    const keep = flags.get('keep-runs');
    if (keep !== undefined && !/^\d+$/.test(String(keep))) throw new UsageError('--keep-runs needs a number');
    const grace = flags.get('grace');
    const report = gc(store, {
        dryRun: flags.has('dry-run'),
        ...(keep !== undefined ? { keepRuns: Number(keep) } : {}),
        graceSeconds: grace === undefined ? 3600 : Number(grace),
    });
    if (flags.has('json')) { out(JSON.stringify(report)); return 0; }
    const verb = flags.has('dry-run') ? 'would remove' : 'removed';
    out(`ko gc: ${verb} ${report.objects} objects (${(report.bytes / 1024).toFixed(1)} KiB), ${report.records} step records, ${report.runs} runs, ${report.scratch} scratch entries; kept ${report.keptObjects} objects`);
    return 0;
});

export { whyCommand as why, gcCommand as gc };
