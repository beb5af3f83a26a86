// Provenance queries over the store, shared by the `ko why/diff/runs/log/gc` commands and the
// editor: resolve run and key references, trace a result back through the steps that produced
// its inputs, explain which key components differ between two runs, and collect garbage.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.js';
import { sameOutcome, type StepRecord, type RecordedInput } from './step-records.js';
import { listRunIds, readRun, type JournalEntry, type RunSummary, type StepStatus } from './run-records.js';
import { sha256, type KeyComponents } from './keys.js';
import { hashFile } from './object-store.js';

export class ProvenanceError extends Error {}

/** `last` (or `latest`), `last~N` / `-N` (N runs before the last), or a unique run id prefix. */
export function resolveRun(store: Store, ref: string): RunSummary {
    const ids = listRunIds(store.runsDir);
    if (ids.length === 0) throw new ProvenanceError('no runs recorded in this store');
    let id: string | undefined;
    const back = /^(?:last|latest)(?:~(\d+))?$/.exec(ref) ?? /^-(\d+)$/.exec(ref);
    if (back) {
        id = ids[Number(back[1] ?? 0)];
        if (!id) throw new ProvenanceError(`only ${ids.length} runs recorded`);
    } else {
        const matches = ids.filter(i => i.startsWith(ref));
        if (matches.length === 0) throw new ProvenanceError(`no run ${ref}`);
        if (matches.length > 1 && !matches.includes(ref)) throw new ProvenanceError(`run ${ref} is ambiguous: ${matches.slice(0, 5).join(', ')}`);
        id = matches.includes(ref) ? ref : matches[0];
    }
    const run = readRun(store.runsDir, id);
    if (!run) throw new ProvenanceError(`run ${id} has no readable record`);
    return run;
}

/** A full key or a unique prefix (at least 6 hex digits). */
export function resolveKey(store: Store, ref: string): string | undefined {
    if (!/^[0-9a-f]{6,64}$/.test(ref)) return undefined;
    const keys = store.steps.findByPrefix(ref);
    if (keys.length > 1) throw new ProvenanceError(`key ${ref} is ambiguous: ${keys.slice(0, 5).map(k => k.slice(0, 16)).join(', ')}`);
    return keys[0];
}

/** Records whose outputs include the object, oldest first. Scans all records (a query, not a hot path). */
export function producersOf(store: Store, hash: string): StepRecord[] {
    const out: StepRecord[] = [];
    for (const r of store.steps.list()) if (r.outputs.some(o => o.hash === hash)) out.push(r);
    return out.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
}

export interface WhyNode {
    readonly record: StepRecord;
    /** For each input: the node of the step that produced it, or how it entered the pipeline. */
    readonly inputs: readonly { input: RecordedInput; from: WhyNode | { kind: 'workspace'; path: string } | { kind: 'literal' } | { kind: 'unknown' } | { kind: 'seen' } }[];
}

export type WhyTarget =
    | { kind: 'step'; node: WhyNode; via: string; reason?: WhyReason }
    | { kind: 'object'; hash: string; via: string; producers: WhyNode[] };

/**
 * Resolves what the user pointed at: a key (prefix), a step name (latest run), `sha256:<hash>`
 * or a bare object hash, an object path under the store, or a file whose content we hash.
 */
export async function why(store: Store, target: string, options: { run?: string; depth?: number } = {}): Promise<WhyTarget> {
    const depth = options.depth ?? 50;
    const build = (key: string, seen: Set<string>, level: number): WhyNode | undefined => {
        const record = store.steps.get(key);
        if (!record) return undefined;
        seen.add(key);
        return {
            record,
            inputs: record.inputs.map(input => {
                if (input.producer) {
                    if (seen.has(input.producer) || level >= depth) return { input, from: { kind: 'seen' as const } };
                    const node = build(input.producer, seen, level + 1);
                    return { input, from: node ?? { kind: 'unknown' as const } };
                }
                if (input.path) return { input, from: { kind: 'workspace' as const, path: input.path } };
                return { input, from: { kind: 'literal' as const } };
            }),
        };
    };
    const key = resolveKey(store, target);
    if (key) return { kind: 'step', node: build(key, new Set(), 0)!, via: `key ${key.slice(0, 12)}` };
    if (/^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/.test(target)) {
        // The step's latest finished occurrence: in --run if given, else in the newest run that has it.
        const found = latestEntry(store, target, options.run, s => s.status !== 'failed' && s.status !== 'cancelled');
        if (!found) throw new ProvenanceError(options.run ? `no finished step ${target} in run ${resolveRun(store, options.run).runId}` : `no finished step ${target} in any recorded run`);
        const { run, entry } = found;
        const node = build(entry.key, new Set(), 0);
        if (!node) throw new ProvenanceError(`step ${target} of run ${run.runId} has no record (key ${entry.key.slice(0, 12)})`);
        return { kind: 'step', node, via: `step ${target} in run ${run.runId}`, reason: whyRanOrReused(store, run, entry) };
    }
    let hash: string | undefined;
    let via = '';
    const objectPath = /objects\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(target);
    const bare = /^(?:sha256:)?([0-9a-f]{64})$/.exec(target);
    if (objectPath) { hash = objectPath[1]; via = 'object'; }
    else if (bare) { hash = bare[1]; via = 'object'; }
    else if (existsSync(target) && statSync(target).isFile()) { hash = (await hashFile(target)).hash; via = `content of ${target}`; }
    if (!hash) throw new ProvenanceError(`${target} is not a key, step name, object or file`);
    const producers = producersOf(store, hash).map(r => build(r.key, new Set(), 0)!);
    return { kind: 'object', hash, via, producers };
}

/** Newest first: the latest journal entry of a step (by name or call path) passing `accept`. */
function latestEntry(store: Store, step: string, runRef: string | undefined, accept: (e: JournalEntry) => boolean, before?: string)
    : { run: RunSummary; entry: JournalEntry } | undefined {
    const ids = runRef !== undefined ? [resolveRun(store, runRef).runId] : listRunIds(store.runsDir).filter(id => before === undefined || id < before);
    for (const id of ids) {
        const run = readRun(store.runsDir, id);
        const entry = run && [...run.steps].reverse().find(s => (s.stepName === step || s.stepPath === step) && accept(s));
        if (run && entry) return { run, entry };
    }
    return undefined;
}

/** Why a step's execution in a run ran or was reused. */
export interface WhyReason {
    readonly step: string;
    readonly run: string;
    readonly status: StepStatus;
    readonly key: string;
    readonly reused: boolean;
    /** For a reuse: the run whose execution was reused. */
    readonly fromRun?: string;
    /** The previous run of this step (before `run`) it is compared with. */
    readonly previous?: { readonly run: string; readonly key: string; readonly status: StepStatus };
    /** Key components that changed since the previous run (empty for a reuse). */
    readonly changes: ComponentChange[];
    readonly summary: string;
}

export function whyRanOrReused(store: Store, run: RunSummary, entry: JournalEntry): WhyReason {
    const base = { step: entry.stepName, run: run.runId, status: entry.status, key: entry.key };
    const record = store.steps.get(entry.key);
    if (entry.status === 'cached') {
        const from = entry.fromRun ?? record?.runId ?? '?';
        return { ...base, reused: true, fromRun: from, changes: [], summary: `reused from run ${from} (key ${short(entry.key)} unchanged)` };
    }
    const prev = latestEntry(store, entry.stepPath ?? entry.stepName, undefined, s => s.status !== 'cancelled', run.runId);
    const previous = prev ? { run: prev.run.runId, key: prev.entry.key, status: prev.entry.status } : undefined;
    const verb = entry.status === 'failed' ? 'ran and failed' : entry.status === 'adopted' ? `ran (another runner recorded the key first; adopted run ${entry.fromRun ?? record?.runId ?? '?'}'s outcome)` : 'ran';
    if (!prev) return { ...base, reused: entry.status === 'adopted', changes: [], summary: `${verb}: no earlier run of this step is recorded` };
    const prevRecord = store.steps.get(prev.entry.key);
    if (prev.entry.key === entry.key) {
        const cause = record && !record.cache ? 'cache: false (runs every time)'
            : prev.entry.status === 'failed' ? `the previous run ${prev.run.runId} failed with the same key, and failures are not recorded`
                : `the key is unchanged since run ${prev.run.runId}, but its record was missing (garbage-collected or corrupt)`;
        return { ...base, reused: entry.status === 'adopted', previous, changes: [], summary: `${verb}: ${cause}` };
    }
    const changes = record && prevRecord ? diffComponents(prevRecord.components, record.components, prevRecord.inputs, record.inputs) : [];
    const summary = changes.length
        ? `${verb}: ${changes.length} key component${changes.length === 1 ? '' : 's'} changed since run ${prev.run.runId} (${[...new Set(changes.map(c => c.part))].join(', ')})`
        : `${verb}: key ${short(prev.entry.key)} -> ${short(entry.key)} since run ${prev.run.runId} (${!prevRecord ? 'the previous record is gone' : 'no record for this key'}, components not comparable)`;
    return { ...base, reused: entry.status === 'adopted', previous, changes, summary };
}

// ---------------------------------------------------------------------------------------------
// Diff

export interface ComponentChange {
    readonly part: 'callee' | 'formula' | 'image' | 'command' | 'args' | 'env' | 'input' | 'workdir' | 'salt' | 'cache';
    readonly detail: string;
}

const short = (h: string) => h.slice(0, 12);
const show = (v: readonly string[]) => JSON.stringify(v);

/** `a -> b` with the common prefix and suffix elided, so a one-word edit in a long script reads well. */
export function changed(a: string, b: string, context = 24, limit = 120): string {
    if (a.length + b.length <= limit) return `${a} -> ${b}`;
    let p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p++;
    let q = 0;
    while (q < a.length - p && q < b.length - p && a[a.length - 1 - q] === b[b.length - 1 - q]) q++;
    const from = Math.max(0, p - context);
    const cut = (x: string) => (from > 0 ? '…' : '') + x.slice(from, Math.min(x.length, x.length - q + context)) + (q > context ? '…' : '');
    return `${cut(a)} -> ${cut(b)}`;
}

export function diffComponents(a: KeyComponents, b: KeyComponents, inputsA: readonly RecordedInput[] = [], inputsB: readonly RecordedInput[] = [],
    elide: (a: string, b: string) => string = changed): ComponentChange[] {
    const out: ComponentChange[] = [];
    if (a.callee !== b.callee) out.push({ part: 'callee', detail: `${a.callee} -> ${b.callee}` });
    if (a.formula !== b.formula) out.push({ part: 'formula', detail: elide(a.formula, b.formula) });
    if (a.image !== b.image) out.push({ part: 'image', detail: `${a.image} -> ${b.image}` });
    if (show(a.command) !== show(b.command)) out.push({ part: 'command', detail: elide(show(a.command), show(b.command)) });
    if (show(a.args) !== show(b.args)) out.push({ part: 'args', detail: elide(show(a.args), show(b.args)) });
    for (const name of new Set([...Object.keys(a.env), ...Object.keys(b.env)])) {
        const va = a.env[name], vb = b.env[name];
        if (va === vb) continue;
        const secret = (va ?? vb ?? '').startsWith('hmac:');
        if (va === undefined) out.push({ part: 'env', detail: `${name} added` });
        else if (vb === undefined) out.push({ part: 'env', detail: `${name} removed` });
        else out.push({ part: 'env', detail: secret ? `${name} changed (secret, value not shown)` : `${name}: ${JSON.stringify(va)} -> ${JSON.stringify(vb)}` });
    }
    const ia = new Map(a.inputs.map(i => [i.name, i.hash]));
    const ib = new Map(b.inputs.map(i => [i.name, i.hash]));
    const producer = (list: readonly RecordedInput[], name: string) => list.find(i => i.name === name);
    for (const name of [...new Set([...ia.keys(), ...ib.keys()])].sort()) {
        const ha = ia.get(name), hb = ib.get(name);
        if (ha === hb) continue;
        if (ha === undefined) { out.push({ part: 'input', detail: `${name} added` }); continue; }
        if (hb === undefined) { out.push({ part: 'input', detail: `${name} removed` }); continue; }
        const pa = producer(inputsA, name), pb = producer(inputsB, name);
        const origin = pb?.producer ? ` (produced by step ${short(pb.producer)}${pa?.producer && pa.producer !== pb.producer ? `, was ${short(pa.producer)}` : ''})`
            : pb?.path ? ` (workspace file ${pb.path})` : '';
        out.push({ part: 'input', detail: `${name}: content ${short(ha)} -> ${short(hb)}${origin}` });
    }
    if (a.workdir !== b.workdir) out.push({ part: 'workdir', detail: `${JSON.stringify(a.workdir)} -> ${JSON.stringify(b.workdir)}` });
    if (a.salt !== b.salt) out.push({ part: 'salt', detail: 'salt changed' });
    if (a.nonce !== b.nonce) out.push({ part: 'cache', detail: 'cache: false (runs every time)' });
    return out;
}

export interface StepDiff {
    readonly step: string;
    readonly status: 'same' | 'changed' | 'only-a' | 'only-b';
    readonly a?: JournalEntry;
    readonly b?: JournalEntry;
    readonly changes: ComponentChange[];
    /** Same key, but outputs differ between the records (non-determinism, or a recomputed record). */
    readonly note?: string;
    /** Whether the step's outputs and stdout differ between A and B (`unknown` without both records). */
    readonly output?: 'differs' | 'same' | 'unknown';
    /** For a changed step: the earliest upstream changes its key change comes from (see `firstCauses`). */
    readonly causes?: DiffCause[];
}

/**
 * Where a difference between two runs starts. `step`: a step whose own key components changed
 * (not merely an input); `file`: a workspace file whose content changed; `nondeterministic`: a
 * step whose key is unchanged (or differs only by its `cache: false` nonce) but whose output
 * differs; `unknown`: the walk stopped at a step whose records are gone.
 */
export interface DiffCause {
    readonly kind: 'step' | 'file' | 'nondeterministic' | 'unknown';
    /** The step that changed, or for a file the step that reads it. */
    readonly step: string;
    /** The step's key in B. */
    readonly key: string;
    readonly path?: string;
    readonly components: CauseComponent[];
    /** One line for people: `Main.clean (args changed: …)`, `file data/access.log (content changed)`. */
    readonly summary: string;
}

export interface CauseComponent {
    readonly part: ComponentChange['part'] | 'file' | 'output' | 'record';
    readonly detail: string;
}

/** Cause details are short: a one-word edit shows with a few characters of context. */
const compact = (a: string, b: string) => changed(a, b, 12, 60);

function cause(kind: DiffCause['kind'], step: string, key: string, components: CauseComponent[], path?: string): DiffCause {
    const what = kind === 'file' ? `file ${path}` : step;
    // The formula contains the literal args, command, ...: its detail would repeat theirs.
    const others = components.some(c => c.part !== 'formula');
    const detail = kind === 'file' ? components.map(c => c.detail).join('; ')
        : kind === 'nondeterministic' || kind === 'unknown' ? `${components.map(c => c.detail).join('; ')}: ${kind === 'unknown' ? 'cause unknown' : 'not deterministic'}`
            : [...components.filter(c => c.part !== 'formula'), ...components.filter(c => c.part === 'formula')]
                .map(c => c.part === 'cache' ? c.detail : `${c.part} changed${c.detail && !(others && c.part === 'formula') ? `: ${c.detail}` : ''}`).join('; ');
    return { kind, step, key, ...(path !== undefined ? { path } : {}), components, summary: `${what} (${detail})` };
}

/** State shared by the cause walks of one diff. */
export interface CauseWalk {
    readonly memo: Map<string, DiffCause[]>;
    /** The records of run A's and B's steps by the hash of their stdout as a Ko string (one trailing newline removed). */
    readonly stdoutOf?: () => readonly [Map<string, StepRecord>, Map<string, StepRecord>];
}

/** By the hash a step's `stdout`, passed as a string input, has in the store. */
function recordsByStdout(store: Store, run: RunSummary): Map<string, StepRecord> {
    const out = new Map<string, StepRecord>();
    for (const s of run.steps) {
        const r = store.steps.get(s.key);
        if (!r || out.has(s.key)) continue;
        let text = r.stdout;
        if (text === undefined && r.stdoutHash && store.objects.has(r.stdoutHash)) text = store.objects.read(r.stdoutHash).toString('utf8');
        if (text !== undefined) out.set(sha256(text.endsWith('\n') ? text.slice(0, -1) : text), r);
    }
    return out;
}

/**
 * The first causes of the difference between two records of the same step (A's and B's): the
 * step itself when its own key components (formula, image, command, args, env, workdir, salt, a
 * literal input) changed and no changed input leads further up; otherwise, for each input whose
 * content changed, the first causes of its producer's change (recursively), a workspace file
 * whose content changed, or a producer whose key is the same but whose output is not. A string
 * input has no recorded producer: when its old and new values are the stdout of the same step
 * in A and in B, that step is followed as its producer. A step with own changes whose inputs also
 * changed upstream yields only the upstream causes (its own changes are listed with it).
 */
export function firstCauses(store: Store, ra: StepRecord, rb: StepRecord, walk: CauseWalk = { memo: new Map() }): DiffCause[] {
    const { memo } = walk;
    const id = `${ra.key}>${rb.key}`;
    const known = memo.get(id);
    if (known) return known;
    memo.set(id, []); // a cycle cannot happen in a DAG; this only guards against a corrupt store
    const own: CauseComponent[] = diffComponents(ra.components, rb.components, [], [], compact).filter(c => c.part !== 'input');
    const upstream: DiffCause[] = [];
    const inputsA = new Map(ra.inputs.map(i => [i.name, i]));
    for (const ib of rb.inputs) {
        const ia = inputsA.get(ib.name);
        if (!ia) { own.push({ part: 'input', detail: `${ib.name} added` }); continue; }
        if (ia.hash === ib.hash) continue;
        const content = `${short(ia.hash)} -> ${short(ib.hash)}`;
        if (ia.producer && ib.producer) {
            if (ia.producer === ib.producer) {
                const name = store.steps.get(ib.producer)?.stepName ?? `step ${short(ib.producer)}`;
                upstream.push(cause('nondeterministic', name, ib.producer, [{ part: 'output', detail: `key unchanged, output ${content}` }]));
                continue;
            }
            const pa = store.steps.get(ia.producer), pb = store.steps.get(ib.producer);
            if (pa && pb) upstream.push(...firstCauses(store, pa, pb, walk));
            else upstream.push(cause('unknown', (pb ?? pa)?.stepName ?? `step ${short(ib.producer)}`, ib.producer,
                [{ part: 'record', detail: `record of ${!pa ? `A's ${short(ia.producer)}` : `B's ${short(ib.producer)}`} is gone` }]));
        } else if (ia.path !== undefined && ib.path !== undefined) {
            upstream.push(cause('file', rb.stepName, rb.key, [{ part: 'file', detail: ia.path === ib.path ? 'content changed' : `content changed, was ${ia.path}` }], ib.path));
        } else if (!ia.producer && !ib.producer && ia.path === undefined && ib.path === undefined) {
            const [byA, byB] = walk.stdoutOf?.() ?? [new Map<string, StepRecord>(), new Map<string, StepRecord>()];
            const pa = byA.get(ia.hash), pb = byB.get(ib.hash);
            const via = pa && pb && pa.stepName === pb.stepName && pa.key !== pb.key && pa.key !== ra.key && pb.key !== rb.key ? firstCauses(store, pa, pb, walk) : [];
            if (via.length) upstream.push(...via);
            else own.push({ part: 'input', detail: `${ib.name}: string or Text value ${content}` });
        } else {
            own.push({ part: 'input', detail: `${ib.name}: now ${ib.producer ? `from step ${short(ib.producer)}` : ib.path !== undefined ? `workspace file ${ib.path}` : 'a string or Text value'}` });
        }
    }
    for (const ia of ra.inputs) if (!rb.inputs.some(i => i.name === ia.name)) own.push({ part: 'input', detail: `${ia.name} removed` });
    let result: DiffCause[];
    if (upstream.length) {
        const seen = new Set<string>();
        result = upstream.filter(c => { const k = `${c.kind}\0${c.key}\0${c.path ?? ''}`; return !seen.has(k) && !!seen.add(k); });
    } else if (own.length === 1 && own[0].part === 'cache') {
        // Only the cache: false nonce differs: the step ran again on the same inputs.
        result = [sameOutcome(ra, rb) ? cause('step', rb.stepName, rb.key, [{ part: 'cache', detail: 'cache: false, ran again on the same inputs' }])
            : cause('nondeterministic', rb.stepName, rb.key, [{ part: 'output', detail: 'cache: false, ran again on the same inputs, output differs' }])];
    } else if (own.length) {
        result = [cause('step', rb.stepName, rb.key, own)];
    } else {
        result = [cause('unknown', rb.stepName, rb.key, [{ part: 'record', detail: `key ${short(ra.key)} -> ${short(rb.key)}, components not comparable` }])];
    }
    memo.set(id, result);
    return result;
}

export function diffRuns(store: Store, runA: RunSummary, runB: RunSummary): StepDiff[] {
    // Match steps by call path (or name) and occurrence, so a step called in a loop pairs up in order.
    const index = (run: RunSummary) => {
        const m = new Map<string, JournalEntry>();
        const count = new Map<string, number>();
        for (const s of run.steps) {
            if (s.status === 'cancelled') continue;
            const base = s.stepPath ?? s.stepName;
            const n = count.get(base) ?? 0;
            count.set(base, n + 1);
            m.set(n === 0 ? base : `${base}#${n + 1}`, s);
        }
        return m;
    };
    const ma = index(runA), mb = index(runB);
    const out: StepDiff[] = [];
    const memo = new Map<string, DiffCause[]>();
    let stdoutMaps: readonly [Map<string, StepRecord>, Map<string, StepRecord>] | undefined;
    const walk: CauseWalk = { memo, stdoutOf: () => (stdoutMaps ??= [recordsByStdout(store, runA), recordsByStdout(store, runB)]) };
    for (const id of new Set([...ma.keys(), ...mb.keys()])) {
        const a = ma.get(id), b = mb.get(id);
        const step = (b ?? a)!.stepName + (id.includes('#') ? id.slice(id.lastIndexOf('#')) : '');
        if (!a) { out.push({ step, status: 'only-b', b: b!, changes: [] }); continue; }
        if (!b) { out.push({ step, status: 'only-a', a, changes: [] }); continue; }
        if (a.key === b.key && a.status !== 'failed' && b.status !== 'failed') { out.push({ step, status: 'same', a, b, changes: [] }); continue; }
        const ra = store.steps.get(a.key), rb = store.steps.get(b.key);
        const changes = ra && rb ? diffComponents(ra.components, rb.components, ra.inputs, rb.inputs) : [];
        const note = a.key === b.key ? `${a.status} in A, ${b.status} in B`
            : !ra || !rb ? `no record for ${!ra ? 'A' : 'B'} (${!ra ? a.status : b.status}); keys ${short(a.key)} / ${short(b.key)}` : undefined;
        const output = !ra || !rb || a.key === b.key ? 'unknown' : sameOutcome(ra, rb) ? 'same' : 'differs';
        const causes = ra && rb && a.key !== b.key ? firstCauses(store, ra, rb, walk) : [];
        out.push({ step, status: 'changed', a, b, changes, ...(note ? { note } : {}), output, causes });
    }
    // A producer whose key is unchanged but whose output differs (its record was lost and it ran
    // again): the step itself is listed as the same, but its output is not.
    const unstable = new Set([...memo.values()].flat().filter(c => c.kind === 'nondeterministic').map(c => c.key));
    return out.map(d => d.status === 'same' && unstable.has(d.b!.key)
        ? { ...d, output: 'differs' as const, note: 'key unchanged, but its output differs: not deterministic (it ran again with the same key)' } : d);
}

// ---------------------------------------------------------------------------------------------
// Garbage collection

export interface GcOptions {
    readonly dryRun: boolean;
    /** Keep only the step records used by the newest N runs (and drop older runs); default: keep all records. */
    readonly keepRuns?: number;
    /** Objects, temp files and scratch dirs younger than this are kept (a runner may be using them). */
    readonly graceSeconds: number;
}

export interface GcReport {
    objects: number;
    bytes: number;
    records: number;
    runs: number;
    scratch: number;
    keptObjects: number;
}

export function gc(store: Store, options: GcOptions): GcReport {
    const report: GcReport = { objects: 0, bytes: 0, records: 0, runs: 0, scratch: 0, keptObjects: 0 };
    const cutoff = Date.now() - options.graceSeconds * 1000;
    const live = new Set<string>();
    const runIds = listRunIds(store.runsDir);
    const keptRuns = options.keepRuns === undefined ? runIds : runIds.slice(0, options.keepRuns);
    const keptKeys = new Set<string>();
    for (const id of keptRuns) {
        for (const s of readRun(store.runsDir, id)?.steps ?? []) {
            keptKeys.add(s.key);
            if (s.logHash) live.add(s.logHash);
        }
    }
    for (const record of store.steps.list()) {
        const keep = options.keepRuns === undefined || keptKeys.has(record.key) || Date.parse(record.finishedAt) > cutoff;
        if (!keep) {
            report.records++;
            if (!options.dryRun) rmSync(store.steps.path(record.key), { force: true });
            continue;
        }
        for (const o of record.outputs) live.add(o.hash);
        for (const i of record.inputs) live.add(i.hash);
        if (record.logHash) live.add(record.logHash);
        if (record.stdoutHash) live.add(record.stdoutHash);
    }
    if (options.keepRuns !== undefined) {
        for (const id of runIds.slice(options.keepRuns)) {
            const run = readRun(store.runsDir, id);
            if (run?.effectiveStatus === 'running') continue;
            report.runs++;
            if (!options.dryRun) rmSync(join(store.runsDir, id), { recursive: true, force: true });
        }
    }
    for (const { hash, path } of store.objects.list()) {
        if (live.has(hash)) { report.keptObjects++; continue; }
        const st = statSync(path);
        if (st.mtimeMs > cutoff) { report.keptObjects++; continue; }
        report.objects++;
        report.bytes += st.size;
        if (!options.dryRun) store.objects.remove(hash);
    }
    // A long step's scratch dir can be older than the grace period: leave scratch alone while any run is live.
    const anyLive = runIds.some(id => readRun(store.runsDir, id)?.effectiveStatus === 'running');
    for (const dir of anyLive ? [store.tmpDir] : [store.tmpDir, store.workDir]) {
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir)) {
            const p = join(dir, name);
            try {
                if (statSync(p).mtimeMs > cutoff) continue;
            } catch { continue; }
            report.scratch++;
            if (!options.dryRun) rmSync(p, { recursive: true, force: true });
        }
    }
    return report;
}
