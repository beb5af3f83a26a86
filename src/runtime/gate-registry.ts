// The registry of native callees ("gates"): builtin macros, idioms, pseudo-packages, stdlib Go
// gates and the pipeline package all register here by (import path, name). The interpreter
// resolves `alias.Name` and bare names against it (§3.5); gate modules register at import time.
import { catalogueEntry, catalogueMembers } from '../language/catalogue.js';
import { KoRuntimeError } from './errors.js';
import type { RunEvent, StepInfo, KoFrame } from './events.js';
import { EMPTY, struct, type Field, type Value } from './values.js';

/** The arguments a gate receives, after `_`-prefixed ones were dropped. */
export interface GateArgs {
    /** The argument by name; the monadic one is also reachable under its catalogue name. EMPTY when absent. */
    get(name: string): Value;
    has(name: string): boolean;
    /** Every argument in call order; the unnamed one has name ''. */
    readonly fields: readonly Field[];
    /**
     * The "constructed value" open macros (Show, Panic, Hash) work on: the unnamed argument if
     * there is one, otherwise a structure of the non-empty named arguments.
     */
    constructed(): Value;
}

export interface GateOutput {
    write(text: string): void;
}

export interface InvokeOptions {
    /** Evaluate the callee's steps one at a time (Sequential) instead of as soon as inputs are ready. */
    sequential?: boolean;
}

export interface GateContext {
    /** Aborted when the run is cancelled; long-running gates must stop and reject. */
    readonly signal: AbortSignal;
    /** The directory relative paths are resolved against (the CLI's cwd). */
    readonly workspaceDir: string;
    /** The step that called the gate (function, label, source position, stable id). */
    readonly stepInfo: StepInfo;
    /** The Ko stack at the call, innermost first. */
    stack(): KoFrame[];
    /** Raises a Ko panic (recoverable with Recover); a string becomes a String value. */
    panic(value: Value | string): never;
    /** Raises a runtime error with the Ko stack attached. */
    fail(message: string): never;
    /** Reports a run event (adds nothing to stdout). */
    emit(event: RunEvent): void;
    readonly stdout: GateOutput;
    readonly stderr: GateOutput;
    /** Invokes a variety (or any invocable value) with extra arguments. */
    invoke(callee: Value, args?: readonly Field[] | Record<string, Value>, options?: InvokeOptions): Promise<Value>;
    /**
     * Runs asynchronous work (a process, a container, a request) under the run's concurrency
     * limit: at most `concurrency` such jobs run at once, the rest wait for a slot.
     */
    limited<T>(work: () => Promise<T>): Promise<T>;
    /** The run's id (unique per `runFunction`), for naming processes, jobs and logs. */
    readonly runId: string;
    /** Free-form run settings from the caller (e.g. the CLI's --executor, --context, --namespace). */
    readonly settings: Readonly<Record<string, string>>;
    /** Interpreter services for the few builtins that need them (ko.Eval); opaque to gates. */
    readonly internal: unknown;
}

export type GateImpl = (args: GateArgs, ctx: GateContext) => Value | Promise<Value>;

export interface GateOptions {
    /** The argument that receives an unnamed argument; defaults to the catalogue's monadic argument. */
    monadic?: string;
    /** Run the whole gate under the concurrency limit (processes, containers, HTTP). */
    limited?: boolean;
}

export interface GateRegistration {
    readonly pkg: string;
    readonly name: string;
    readonly impl: GateImpl;
    readonly monadic?: string;
    readonly limited: boolean;
}

const registry = new Map<string, Map<string, GateRegistration>>();

/** Registers (or replaces) the gate `name` under import path `pkg` ('' for bare builtins). */
export function registerGate(pkg: string, name: string, impl: GateImpl, options: GateOptions = {}): void {
    const monadic = options.monadic ?? catalogueEntry(pkg, name)?.monadic;
    let names = registry.get(pkg);
    if (!names) registry.set(pkg, names = new Map());
    names.set(name, { pkg, name, impl, ...(monadic ? { monadic } : {}), limited: options.limited ?? false });
}

export function lookupGate(pkg: string, name: string): GateRegistration | undefined {
    return registry.get(pkg)?.get(name);
}

/** True when something is registered under the import path (a pseudo-package or stdlib gates). */
export function registryHasPackage(pkg: string): boolean {
    return registry.has(pkg);
}

export function registeredGates(): GateRegistration[] {
    return [...registry.values()].flatMap(m => [...m.values()]);
}

const lazyPackages = new Map<string, () => Promise<void>>();

/**
 * Registers a gate module that is imported only when needed, so start-up does not pay for it:
 * `runFunction` loads it before a run whose program imports `pkg` (loadLazyGates), and until
 * then each catalogue member of `pkg` is a stub that loads the module on its first call.
 */
export function registerLazyGates(pkg: string, load: () => Promise<unknown>): void {
    let loading: Promise<void> | undefined;
    const once = () => (loading ??= load().then(() => { lazyPackages.delete(pkg); }));
    lazyPackages.set(pkg, once);
    for (const entry of catalogueMembers(pkg)) {
        const stub: GateImpl = async (args, ctx) => {
            await once();
            const real = lookupGate(pkg, entry.name);
            if (!real || real.impl === stub) throw new KoRuntimeError(`no function or macro "${pkg}".${entry.name}`);
            return real.limited ? ctx.limited(async () => real.impl(args, ctx)) : real.impl(args, ctx);
        };
        registerGate(pkg, entry.name, stub);
    }
}

/** Imports the lazy gate modules of these packages (those not loaded yet); undefined when none. */
export function loadLazyGates(pkgs: Iterable<string>): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const pkg of pkgs) {
        const load = lazyPackages.get(pkg);
        if (load) (pending ??= []).push(load());
    }
    return pending && Promise.all(pending).then(() => undefined);
}

/** Builds GateArgs over a field list; `monadic` names the argument the unnamed one stands for. */
export function makeGateArgs(fields: readonly Field[], monadic?: string): GateArgs {
    return new FieldArgs(fields, monadic);
}

class FieldArgs implements GateArgs {
    constructor(readonly fields: readonly Field[], private readonly monadic?: string) {}
    private find(name: string): Value | undefined {
        for (const f of this.fields) if (f.name === name) return f.value;
        if (name === this.monadic) for (const f of this.fields) if (f.name === '') return f.value;
        return undefined;
    }
    get(name: string): Value { return this.find(name) ?? EMPTY; }
    has(name: string): boolean { return this.find(name) !== undefined; }
    constructed(): Value {
        const unnamed = this.fields.find(f => f.name === '');
        if (unnamed) return unnamed.value;
        return struct(this.fields.filter(f => f.value.kind !== 'empty'));
    }
}
