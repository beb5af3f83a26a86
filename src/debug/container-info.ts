// What the debugger shows for a container step (pipeline.Container / pipeline.Shell): the
// command, image, cache key, provenance and log tail. A finished step's value carries its cache
// key; the store's step record (written by the pipeline engine) holds everything else.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { locateStore, Store } from '../store/store.js';
import type { Value } from '../runtime/values.js';

export interface ContainerInfo {
    readonly key: string;
    readonly stepName: string;
    readonly image: string;
    readonly command: readonly string[];
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly executor: string;
    readonly placement: string;
    readonly exitCode: number;
    readonly attempts: number;
    readonly durationMs: number;
    /** Provenance: the run that executed the step, when, and where each input came from. */
    readonly executedBy: string;
    readonly startedAt: string;
    readonly inputs: readonly { name: string; hash: string; from: string }[];
    readonly outputs: readonly { name: string; hash: string }[];
    readonly logTail: readonly string[];
}

const LOG_TAIL_LINES = 20;

/** The cache key of a container step's value (`(stdout: …, exitCode: …, key: "…", …)`) or of its panic value. */
export function containerKeyOf(v: Value): string | undefined {
    if (v.kind !== 'struct') return undefined;
    const key = v.fields.find(f => f.name === 'key')?.value;
    const marker = v.fields.some(f => f.name === 'exitCode');
    return marker && key?.kind === 'string' && /^[0-9a-f]{16,}$/.test(key.value) ? key.value : undefined;
}

/** The store the pipeline gates use for a run (the `store` setting, else the nearest `.ko`). */
export function storeRootFor(workspaceDir: string, settings: Readonly<Record<string, string>>): string {
    return settings.store ? resolve(workspaceDir, settings.store) : locateStore(workspaceDir);
}

const stores = new Map<string, Store>();

/** Reads the step record of `key`; undefined when the store has none (e.g. the step is still running). */
export function readContainerInfo(storeRoot: string, key: string): ContainerInfo | undefined {
    if (!existsSync(join(storeRoot, 'steps'))) return undefined;
    let store = stores.get(storeRoot);
    if (!store) stores.set(storeRoot, store = new Store(storeRoot));
    const rec = store.steps.get(key);
    if (!rec) return undefined;
    let logTail: string[] = [];
    if (rec.logHash) {
        try {
            const lines = store.objects.read(rec.logHash).toString('utf8').split('\n');
            if (lines[lines.length - 1] === '') lines.pop();
            logTail = lines.slice(-LOG_TAIL_LINES);
        } catch { /* the log object was collected: show no tail */ }
    }
    return {
        key, stepName: rec.stepName, image: rec.components.image, command: rec.components.command, args: rec.components.args,
        env: rec.env, executor: rec.executor, placement: rec.placement, exitCode: rec.exitCode, attempts: rec.attempts,
        durationMs: rec.durationMs, executedBy: rec.runId, startedAt: rec.startedAt,
        inputs: rec.inputs.map(i => {
            const producer = i.producer ? store!.steps.get(i.producer) : undefined;
            const from = producer ? `step ${producer.stepName} (${i.producer!.slice(0, 12)})` : i.producer ? `step ${i.producer.slice(0, 12)}` : i.path ? `file ${i.path}` : 'value';
            return { name: i.name, hash: i.hash, from };
        }),
        outputs: rec.outputs.map(o => ({ name: o.name, hash: o.hash })),
        logTail,
    };
}
