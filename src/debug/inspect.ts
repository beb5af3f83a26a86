// What a debugger shows for a stopped step, as a tree of named entries independent of any
// protocol: scopes (the current step, the function's arguments, the steps computed so far) and
// values (structures and sequences expand; container steps expand into their store record).
import { isKoError } from '../runtime/errors.js';
import { printValue, typeOfValue, type Value } from '../runtime/values.js';
import { containerKeyOf, readContainerInfo, type ContainerInfo } from './container-info.js';
import type { Activity } from './debug-controller.js';

export interface InspectEntry {
    readonly name: string;
    /** One line, as the Variables view shows it. */
    readonly value: string;
    readonly type?: string;
    /** A Ko formula that evaluates to this entry in its frame (watch, copy as expression). */
    readonly evaluateName?: string;
    /** Present when the entry expands. */
    readonly children?: () => InspectEntry[];
}

export interface InspectScope {
    readonly name: string;
    readonly entries: () => InspectEntry[];
    readonly expensive?: boolean;
    /** DAP presentation hints: arguments / locals / registers. */
    readonly hint?: 'arguments' | 'locals';
}

export interface InspectContext {
    /** Where the pipeline store is, to read container step records (undefined: no container details). */
    readonly storeRoot?: string;
}

const MAX_ONE_LINE = 300;
const IDENT = /^[_\p{L}][_\p{L}\p{Nd}]*$/u;

function oneLine(v: Value): string {
    const s = printValue(v);
    return s.length > MAX_ONE_LINE ? s.slice(0, MAX_ONE_LINE - 1) + '…' : s;
}

/** A value as an entry; structures, sequences and varieties expand, container steps gain a `container` child. */
export function valueEntry(name: string, v: Value, ctx: InspectContext, evaluateName?: string): InspectEntry {
    const base = { name, value: oneLine(v), type: typeOfValue(v), ...(evaluateName ? { evaluateName } : {}) };
    const children = childrenOf(v, ctx, evaluateName);
    return children ? { ...base, children } : base;
}

function childrenOf(v: Value, ctx: InspectContext, path?: string): (() => InspectEntry[]) | undefined {
    switch (v.kind) {
        case 'struct': {
            if (v.fields.length === 0) return undefined;
            return () => {
                const out = v.fields.map(f => valueEntry(f.name, f.value, ctx, path && IDENT.test(f.name) ? `${path}.${f.name}` : undefined));
                const key = containerKeyOf(v);
                if (key && ctx.storeRoot) {
                    const info = readContainerInfo(ctx.storeRoot, key);
                    if (info) out.unshift(containerEntry(info));
                }
                return out;
            };
        }
        case 'seq':
            return () => v.items.map((item, i) => valueEntry(`[${i}]`, item, ctx));
        case 'variety':
            return () => [
                { name: 'callee', value: v.callee.display, type: v.callee.kind === 'ko' ? 'Ko function' : 'builtin' },
                ...v.bound.map(f => valueEntry(f.name === '' ? '(unnamed)' : f.name, f.value, ctx)),
            ];
        default:
            return undefined;
    }
}

function text(name: string, value: string, children?: () => InspectEntry[]): InspectEntry {
    return children ? { name, value, children } : { name, value };
}

function list(name: string, items: readonly string[]): InspectEntry {
    return text(name, items.length === 0 ? '(none)' : items.length === 1 ? items[0] : `${items.length} lines`,
        items.length > 1 ? () => items.map((l, i) => text(`[${i}]`, l)) : undefined);
}

/** command, image, cache key, provenance and log tail of a container step. */
export function containerEntry(info: ContainerInfo): InspectEntry {
    const cmd = [...info.command, ...info.args].map(a => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
    return text('container', `${info.image}: ${cmd}`, () => [
        text('command', cmd),
        text('image', info.image),
        text('cache key', info.key),
        text('exit code', String(info.exitCode)),
        text('executor', `${info.executor} (${info.placement})`),
        text('provenance', `executed by run ${info.executedBy} at ${info.startedAt}`, () => [
            text('run', info.executedBy),
            text('started', info.startedAt),
            text('duration', `${(info.durationMs / 1000).toFixed(2)} s, ${info.attempts} attempt${info.attempts === 1 ? '' : 's'}`),
            ...info.inputs.map(i => text(`input ${i.name}`, `${i.from}, sha256:${i.hash.slice(0, 12)}`)),
            ...info.outputs.map(o => text(`output ${o.name}`, `sha256:${o.hash.slice(0, 12)}`)),
        ]),
        ...(Object.keys(info.env).length ? [text('env', Object.keys(info.env).join(', '), () => Object.entries(info.env).map(([k, v]) => text(k, v)))] : []),
        list('log tail', info.logTail),
    ]);
}

/** Scopes of a frame: the step (its formula, inputs, container progress, panic), arguments, computed steps. */
export function scopesOf(a: Activity, ctx: InspectContext, isTop: boolean): InspectScope[] {
    const hf = a.hook;
    const stepEntries = (): InspectEntry[] => {
        const out: InspectEntry[] = [text('step', hf.stepId), text('formula', (a.location?.text ?? hf.step).replace(/\s+/g, ' '))];
        out.push(text('state', a.error !== undefined ? 'failed' : a.state === 'ready' ? 'ready (not started)' : isTop ? 'running' : 'running (calling)'));
        for (const i of hf.inputs()) out.push(valueEntry(`input ${i.label}`, i.value, ctx, i.label));
        if (a.container) out.push(text('container', `${a.container.status}${a.container.key ? ` ${a.container.key}` : ''}`));
        if (a.error !== undefined) out.push(...errorEntries(a.error, ctx));
        return out;
    };
    return [
        { name: `Step ${hf.step}`, entries: stepEntries },
        { name: 'Arguments', hint: 'arguments', entries: () => hf.params().map(p => valueEntry(p.name, p.value, ctx, p.name)) },
        { name: 'Steps', hint: 'locals', entries: () => hf.finished().map(s => valueEntry(s.label, s.value, ctx, IDENT.test(s.label) && s.label !== 'return' ? s.label : undefined)) },
    ];
}

function errorEntries(error: unknown, ctx: InspectContext): InspectEntry[] {
    const message = error instanceof Error ? error.message : String(error);
    const out: InspectEntry[] = [text('error', message)];
    const panic = (error as { value?: Value }).value;
    if (isKoError(error) && panic && typeof panic === 'object' && 'kind' in panic) out.push(valueEntry('panic value', panic, ctx));
    return out;
}
