// The Ko interpreter: compiles loaded packages into step closures and evaluates functions as
// dataflow (§3.7). A step runs once its inputs are ready; every step runs even when unused;
// pure steps evaluate synchronously (fast recursion), asynchronous gates overlap under a
// concurrency limit. Errors carry the Ko stack; events feed the CLI, the editor and a debugger.
import { availableParallelism } from 'node:os';
import {
    isFuncDef, isInlineFunc,
    type Expr, type FuncDef, type Term,
} from '../language/generated/ast.js';
import { asRefPath, decodeGoString, parseKoInteger } from '../language/ast-utils.js';
import './gate-modules.js';
import {
    loadLazyGates, lookupGate, makeGateArgs, type GateContext, type GateOutput, type InvokeOptions,
} from './gate-registry.js';
import { stepIdOf, type KoFrame, type RunEvent, type SourceRange, type StepInfo } from './events.js';
import { KoCancelled, KoPanic, KoRuntimeError, isKoError } from './errors.js';
import {
    KoLoadError, loadSources, parseKo, positionOf,
    type LoadDiagnostic, type LoadEntry, type LoadedSources, type Package, type SourceUnit,
} from './loader.js';
import {
    EMPTY, bool, float64, int64, printValue, selectField, seqOwned, str, summarizeValue,
    type Field, type KoCallee, type NativeCallee, type Value, type VarietyValue,
} from './values.js';

export { KoLoadError, type LoadDiagnostic, type LoadEntry };

type MaybeP<T> = T | Promise<T>;

// ---------------------------------------------------------------------------------------------
// Compiled program

export interface CompiledStep {
    readonly index: number;
    readonly label: string;
    /** Indices of the steps this step reads. */
    readonly deps: readonly number[];
    readonly range: SourceRange;
    readonly term: Term;
    eval: (sc: StepCtx) => MaybeP<Value>;
}

export interface CompiledFunc {
    readonly pkg: Package;
    readonly unit: SourceUnit;
    readonly name: string;
    readonly def: FuncDef;
    readonly params: readonly string[];
    readonly monadic?: string;
    readonly steps: CompiledStep[];
    readonly stepIndex: Map<string, number>;
    /** Topological order of the steps (inputs first). */
    order: number[];
    readonly returnIndex: number;
    readonly callee: KoCallee;
    readonly range: SourceRange;
}

export interface Program {
    readonly roots: readonly string[];
    readonly sources: LoadedSources;
    /** Compiled functions by package path, then name. */
    readonly funcs: Map<string, Map<string, CompiledFunc>>;
    readonly entry: Package;
}

export interface LoadProgramOptions {
    roots: readonly string[];
    entry: LoadEntry;
    overrides?: ReadonlyMap<string, string>;
    cwd?: string;
}

/** Loads and compiles the entry package and everything it imports; throws KoLoadError. */
export function loadProgram(options: LoadProgramOptions): Program {
    const sources = loadSources(options);
    const diagnostics: LoadDiagnostic[] = [];
    const funcs = new Map<string, Map<string, CompiledFunc>>();
    const program: Program = { roots: sources.roots, sources, funcs, entry: sources.entry };
    for (const pkg of sources.packages.values()) {
        const table = new Map<string, CompiledFunc>();
        funcs.set(pkg.path, table);
        for (const [name, { def, unit }] of pkg.funcs) {
            table.set(name, compileFunction(program, pkg, unit, def, diagnostics));
        }
    }
    if (diagnostics.length > 0) throw new KoLoadError(diagnostics);
    return program;
}

/** The compiled function `name` of a package, if any. */
export function findFunction(program: Program, pkgPath: string, name: string): CompiledFunc | undefined {
    return program.funcs.get(pkgPath)?.get(name);
}

function compileFunction(program: Program, pkg: Package, unit: SourceUnit, def: FuncDef, diagnostics: LoadDiagnostic[]): CompiledFunc {
    const range = positionOf(def, unit);
    const err = (node: { $cstNode?: unknown } | undefined, message: string) => {
        const pos = positionOf(node as never, unit);
        diagnostics.push({ file: pos.file, line: pos.line, column: pos.column, message });
    };
    const params: string[] = [];
    let monadic: string | undefined;
    for (const p of def.params) {
        if (params.includes(p.name)) err(p, `grafting fields of ${pkg.path}.${def.name} (duplicate field name ${p.name})`);
        params.push(p.name);
        if (p.monadic) {
            if (monadic !== undefined) err(p, 'syntax error: multiple monadic parameters');
            monadic = p.name;
        }
    }
    const steps: CompiledStep[] = [];
    const stepIndex = new Map<string, number>();
    for (const term of def.terms) {
        if (!term.colon) { err(term, `step label cannot be empty (near ${positionText(term, unit)})`); continue; }
        if (term.label === undefined) { err(term, 'step label cannot be empty'); continue; }
        if (term.newlineAfterColon && !isInlineFunc(term.value)) err(term, 'syntax error: a newline after ":" is only allowed before an inline function definition');
        if (stepIndex.has(term.label)) { err(term, `duplicate step label ${term.label} in ${pkg.path}.${def.name}`); continue; }
        stepIndex.set(term.label, steps.length);
        steps.push({ index: steps.length, label: term.label, deps: [], range: positionOf(term, unit), term, eval: () => EMPTY });
    }
    const returnIndex = stepIndex.get('return') ?? -1;
    if (returnIndex < 0) err(def, `missing return in ${pkg.path}.${def.name}`);
    const callee: KoCallee = {
        kind: 'ko', display: pkg.path === '' ? def.name : `${pkg.path}.${def.name}`,
        id: `${pkg.path}\u0000${def.name}`, func: undefined,
        ...(monadic ? { monadic } : {}),
    };
    const func: CompiledFunc = {
        pkg, unit, name: def.name, def, params, ...(monadic ? { monadic } : {}), steps, stepIndex, order: [],
        returnIndex, callee, range,
    };
    (callee as { func: unknown }).func = func;
    const compiler = new ExprCompiler(program, func, diagnostics);
    for (const step of steps) {
        const deps = new Set<number>();
        step.eval = compiler.compile(step.term.value, deps);
        (step as { deps: readonly number[] }).deps = [...deps];
    }
    func.order = topoOrder(func, err);
    return func;
}

function positionText(node: { $cstNode?: unknown }, unit: SourceUnit): string {
    const p = positionOf(node as never, unit);
    return `${p.file}:${p.line}:${p.column}`;
}

function topoOrder(func: CompiledFunc, err: (node: Term, message: string) => void): number[] {
    const state = new Array<number>(func.steps.length).fill(0); // 0 new, 1 visiting, 2 done
    const order: number[] = [];
    const reported = new Set<number>();
    const visit = (i: number): void => {
        if (state[i] === 2) return;
        if (state[i] === 1) {
            if (!reported.has(i)) { reported.add(i); err(func.steps[i].term, `label ${func.steps[i].label} involved in cyclical reference`); }
            return;
        }
        state[i] = 1;
        for (const d of func.steps[i].deps) visit(d);
        state[i] = 2;
        order.push(i);
    };
    for (let i = 0; i < func.steps.length; i++) visit(i);
    return order;
}

// ---------------------------------------------------------------------------------------------
// Expression compilation: each formula becomes a closure over the step context.

type Compiled = (sc: StepCtx) => MaybeP<Value>;
type CompiledTerms = (sc: StepCtx) => MaybeP<Field[]>;

class ExprCompiler {
    constructor(readonly program: Program, readonly func: CompiledFunc, readonly diagnostics: LoadDiagnostic[]) {}

    private error(node: { $cstNode?: unknown }, message: string): void {
        const pos = positionOf(node as never, this.func.unit);
        this.diagnostics.push({ file: pos.file, line: pos.line, column: pos.column, message });
    }

    compile(expr: Expr, deps: Set<number>): Compiled {
        const path = asRefPath(expr);
        if (path) return this.compilePath(expr, path.segments, deps);
        // A switch on $type: the generated isX guards go through Langium's reflection, which
        // showed in the load time of large programs.
        switch (expr.$type) {
            case 'NumberLiteral': return constant(this.number(expr));
            case 'StringLiteral': {
                // Literal values are their source text (KoValueConverter): raw strings keep their backticks.
                if (expr.raw !== undefined) return constant(str(expr.raw));
                const text = expr.value ?? '""';
                const decoded = decodeGoString(text);
                if (decoded.error) this.error(expr, `invalid syntax: ${decoded.error.message}`);
                return constant(str(decoded.value));
            }
            case 'InlineFunc':
                return lazyGlobal(resolveInlineFunc, this.program, this.func.pkg.path, expr.func.name);
            case 'CurlyConstruct':
                this.error(expr, 'unknown bracket {}');
                return constant(EMPTY);
            // Argument lists are compiled with `_`-prefixed arguments already left out (they are
            // still evaluated, so they order the steps), so nothing filters or copies them per call.
            case 'Construct':
                return construct(this.compileTerms(expr.terms, deps), expr.bracket === '[' ? varietyOfFields : joinValue);
            case 'Invoke':
                return invoke(this.compile(expr.target, deps), this.compileTerms(expr.terms, deps));
            case 'Augment':
                return augment(this.compile(expr.target, deps), this.compileTerms(expr.terms, deps));
            case 'Select':
                return select(this.compile(expr.target, deps), [expr.field]);
        }
        this.error(expr, 'unrecognized term');
        return constant(EMPTY);
    }

    private number(expr: Expr & { negative: boolean }): Value {
        const text = String((expr as { value: unknown }).value).trim();
        if (/^\d+$/.test(text)) {
            const n = parseKoInteger(text);
            if (n === undefined) { this.error(expr, `integer literal ${text} overflows Int64`); return EMPTY; }
            return int64(expr.negative ? -n : n);
        }
        if (/^(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$|^\d+[eE][+-]?\d+$/.test(text)) {
            const n = Number(text);
            return float64(expr.negative ? -n : n);
        }
        this.error(expr, `malformed number literal ${text} (only plain decimal integers and floats)`);
        return EMPTY;
    }

    private compilePath(expr: Expr, segments: readonly string[], deps: Set<number>): Compiled {
        const head = segments[0];
        if (segments.length === 1 && (head === 'true' || head === 'false')) return constant(bool(head === 'true'));
        const rest = segments.length === 1 ? NO_NAMES : segments.slice(1);
        const paramIndex = this.func.params.indexOf(head);
        if (paramIndex >= 0) return argument(paramIndex, rest);
        const stepIndex = this.func.stepIndex.get(head);
        if (stepIndex !== undefined) {
            deps.add(stepIndex);
            return stepResult(stepIndex, rest);
        }
        if (segments.length === 2) {
            const importPath = this.func.unit.aliases.get(head);
            if (importPath === undefined) {
                const pos = positionOf(expr, this.func.unit);
                this.error(expr, `${head} not known at ${pos.file}:${pos.line}:${pos.column}`);
                return constant(EMPTY);
            }
            return lazyGlobal(resolvePackageMember, this.program, importPath, rest[0]);
        }
        if (segments.length > 2) {
            const name = segments.join('.');
            return () => { throw new KoRuntimeError(`macro "".${name} not known`); };
        }
        return lazyGlobal(resolveBareName, this.program, this.func.pkg.path, head);
    }

    /** The fields of an argument list or constructor, `_`-prefixed ones evaluated but left out (§3.3). */
    compileTerms(terms: readonly Term[], deps: Set<number>): CompiledTerms {
        if (terms.length === 0) return () => [];
        const labeled = terms.filter(t => t.colon);
        if (labeled.length !== 0 && labeled.length !== terms.length) {
            this.error(terms[0], 'syntax error: a bracket mixes labeled and positional terms');
            return () => [];
        }
        if (labeled.length === 0) {
            if (terms.length === 1) return positionalOne(this.compile(terms[0].value, deps));
            return positionalMany(terms.map(t => this.compile(t.value, deps)));
        }
        const groups: { name: string; values: Compiled[] }[] = [];
        for (const t of terms) {
            if (t.newlineAfterColon && !isInlineFunc(t.value)) this.error(t, 'syntax error: a newline after ":" is only allowed before an inline function definition');
            if (t.label === undefined) { this.error(t, 'empty label: name the argument or drop the colon'); continue; }
            const compiled = this.compile(t.value, deps);
            const group = groups.find(g => g.name === t.label);
            if (group) group.values = [...group.values, compiled]; else groups.push({ name: t.label, values: [compiled] });
        }
        const flat = groups.flatMap(g => g.values);
        // Dropped (`_`-prefixed) arguments have no name here: they are evaluated, not passed.
        const names = groups.map(g => (g.name.startsWith('_') ? undefined : g.name));
        return labeledTerms(flat, groups.every(g => g.values.length === 1)
            ? uniqueFields(names)
            : groupedFields(names, groups.map(g => g.values.length)));
    }
}

// Closures of compiled formulas are made by the module-level functions below rather than inline:
// a closure keeps its whole scope chain alive, and inline ones kept the compiler's locals (term
// lists, groups, the AST) for as long as the program, a large share of a big program's heap.

const NO_NAMES: readonly string[] = [];

function varietyOfFields(fields: Field[]): Value {
    return { kind: 'variety', callee: JOIN, bound: fields };
}

function construct(terms: CompiledTerms, make: (fields: Field[]) => Value): Compiled {
    return sc => { const fs = terms(sc); return fs instanceof Promise ? fs.then(make) : make(fs); };
}

function invoke(target: Compiled, terms: CompiledTerms): Compiled {
    return sc => {
        const t = target(sc), fs = terms(sc);
        if (t instanceof Promise || fs instanceof Promise) return then2(t, fs, (v, fields) => invokeWith(v, fields, sc));
        return invokeWith(t, fs, sc);
    };
}

function augment(target: Compiled, terms: CompiledTerms): Compiled {
    return sc => {
        const t = target(sc), fs = terms(sc);
        if (t instanceof Promise || fs instanceof Promise) return then2(t, fs, augmentFiltered);
        return augmentFiltered(t, fs);
    };
}

function select(target: Compiled, path: readonly string[]): Compiled {
    return sc => { const v = target(sc); return v instanceof Promise ? v.then(x => selectOrFail(x, path)) : selectOrFail(v, path); };
}

function argument(index: number, path: readonly string[]): Compiled {
    return path.length === 0 ? sc => sc.frame.args[index] : sc => selectOrFail(sc.frame.args[index], path);
}

function stepResult(index: number, path: readonly string[]): Compiled {
    return path.length === 0
        ? sc => sc.frame.results[index] as Value
        : sc => selectOrFail(sc.frame.results[index] as Value, path);
}

/** Resolves a global name at first use (names may be unknown until runtime, §3.5), then caches. */
function lazyGlobal(resolve: (program: Program, pkgPath: string, name: string) => VarietyValue, program: Program, pkgPath: string, name: string): Compiled {
    let cached: VarietyValue | undefined;
    return () => (cached ??= resolve(program, pkgPath, name));
}

function resolveInlineFunc(program: Program, pkgPath: string, name: string): VarietyValue {
    const target = findFunction(program, pkgPath, name);
    if (!target) throw new KoRuntimeError(`function ${name} not found`);
    return { kind: 'variety', callee: target.callee, bound: [] };
}

function oneField(v: Value): Field[] { return [{ name: '', value: v }]; }

function seqField(vs: Value[]): Field[] { return [{ name: '', value: seqOwned(vs) }]; }

function positionalOne(only: Compiled): CompiledTerms {
    return sc => { const v = only(sc); return v instanceof Promise ? v.then(oneField) : oneField(v); };
}

function positionalMany(values: readonly Compiled[]): CompiledTerms {
    return sc => { const vs = evalAll(values, sc); return vs instanceof Promise ? vs.then(seqField) : seqField(vs); };
}

function labeledTerms(values: readonly Compiled[], build: (vs: Value[]) => Field[]): CompiledTerms {
    return sc => { const vs = evalAll(values, sc); return vs instanceof Promise ? vs.then(build) : build(vs); };
}

/** No repeated labels: one field per value (names[i] undefined: dropped). */
function uniqueFields(names: readonly (string | undefined)[]): (vs: Value[]) => Field[] {
    let count = 0;
    for (const n of names) if (n !== undefined) count++;
    return vs => {
        const fields = new Array<Field>(count);
        for (let i = 0, k = 0; i < vs.length; i++) if (names[i] !== undefined) fields[k++] = { name: names[i]!, value: vs[i] };
        return fields;
    };
}

/** A label given several times: its values become one field (a sequence of the non-empty ones). */
function groupedFields(names: readonly (string | undefined)[], sizes: readonly number[]): (vs: Value[]) => Field[] {
    return vs => {
        const fields: Field[] = [];
        let k = 0;
        for (let gi = 0; gi < names.length; gi++) {
            const group = vs.slice(k, k + sizes[gi]);
            k += sizes[gi];
            const name = names[gi];
            if (name === undefined) continue;
            const nonEmpty = group.filter(v => v.kind !== 'empty');
            fields.push({ name, value: nonEmpty.length === 0 ? EMPTY : nonEmpty.length === 1 ? nonEmpty[0] : seqOwned(nonEmpty) });
        }
        return fields;
    };
}

/** Evaluates compiled formulas in order; a promise only when one of them is asynchronous. */
function evalAll(fns: readonly Compiled[], sc: StepCtx): MaybeP<Value[]> {
    const out = new Array<MaybeP<Value>>(fns.length);
    let async = false;
    for (let i = 0; i < fns.length; i++) {
        const v = fns[i](sc);
        if (v instanceof Promise) async = true;
        out[i] = v;
    }
    return async ? Promise.all(out) : out as Value[];
}

function constant(v: Value): Compiled { return () => v; }

// ---------------------------------------------------------------------------------------------
// Name resolution at runtime

function resolveBareName(program: Program, pkgPath: string, name: string): VarietyValue {
    const f = findFunction(program, pkgPath, name);
    if (f) return { kind: 'variety', callee: f.callee, bound: [] };
    const gate = nativeCallee('', name);
    if (gate) return { kind: 'variety', callee: gate, bound: [] };
    throw new KoRuntimeError(`macro "".${name} not known`);
}

function resolvePackageMember(program: Program, importPath: string, name: string): VarietyValue {
    const f = findFunction(program, importPath, name);
    if (f) return { kind: 'variety', callee: f.callee, bound: [] };
    const gate = nativeCallee(importPath, name);
    if (gate) return { kind: 'variety', callee: gate, bound: [] };
    throw new KoRuntimeError(`no function or macro "${importPath}".${name}`);
}

/** A native callee for a registered gate; looked up per resolution so re-registration takes effect. */
function nativeCallee(pkg: string, name: string): NativeCallee | undefined {
    const reg = lookupGate(pkg, name);
    if (!reg) return undefined;
    return {
        kind: 'native', display: pkg === '' ? name : `${pkg}.${name}`, impl: reg.impl,
        ...(reg.monadic ? { monadic: reg.monadic } : {}), ...(reg.limited ? { limited: true } : {}),
    };
}

/** The constructor behind `( ... )` and `[ ... ]`: the unnamed argument, or a structure of the named ones. */
export function joinValue(fields: readonly Field[]): Value {
    let empties = false;
    for (const f of fields) {
        if (f.name === '') return f.value;
        if (f.value.kind === 'empty') empties = true;
    }
    return { kind: 'struct', fields: empties ? fields.filter(f => f.value.kind !== 'empty') : fields };
}

const JOIN: NativeCallee = { kind: 'native', display: 'Join', impl: args => joinValue(args.fields) };

// ---------------------------------------------------------------------------------------------
// Values in motion: selection, augmentation, invocation

function selectOrFail(v: Value, path: readonly string[]): Value {
    let cur = v;
    for (const name of path) {
        const next = selectField(cur, name);
        if (next === undefined) {
            const what = cur.kind === 'seq' ? `cannot select ${name} into sequence ${printValue(cur)}`
                : cur.kind === 'variety' ? `variety ${printValue(cur)} cannot be selected into`
                    : `basic value ${printValue(cur)} cannot be selected into`;
            throw new KoRuntimeError(what);
        }
        cur = next;
    }
    return cur;
}

/** `_`-prefixed arguments only order steps; callees never see them (§3.3). */
function dropUnderscore(fields: readonly Field[]): readonly Field[] {
    for (const f of fields) if (f.name.startsWith('_')) return fields.filter(g => !g.name.startsWith('_'));
    return fields;
}

export function augmentValue(v: Value, added: readonly Field[]): Value {
    return augmentFiltered(v, dropUnderscore(added));
}

/** Augmentation with arguments that hold no `_`-prefixed names (compiled argument lists). */
function augmentFiltered(v: Value, fields: readonly Field[]): Value {
    if (v.kind === 'variety') {
        if (fields.length === 0) return v;
        return { kind: 'variety', callee: v.callee, bound: boundWith(v.bound, fields) };
    }
    if (fields.length === 0) return v;
    throw new KoRuntimeError(`${describeForError(v)} cannot be augmented`);
}

/** The arguments of a variety plus added ones; re-binding a name fails (§3.3). */
function boundWith(bound: readonly Field[], fields: readonly Field[]): readonly Field[] {
    if (bound.length === 0) return fields;
    for (const f of fields) {
        for (const b of bound) {
            if (b.name === f.name) throw new KoRuntimeError(`augmenting duplicate field ${f.name === '' ? '(unnamed)' : f.name}`);
        }
    }
    return [...bound, ...fields];
}

/** `v(fields)` for compiled argument lists: no intermediate variety, no copy when nothing is bound. */
function invokeWith(v: Value, fields: readonly Field[], sc: StepCtx): MaybeP<Value> {
    if (v.kind !== 'variety') {
        if (fields.length > 0) throw new KoRuntimeError(`${describeForError(v)} cannot be augmented`);
        throw new KoRuntimeError(`${describeForError(v)} cannot be invoked`);
    }
    const args = fields.length === 0 ? v.bound : boundWith(v.bound, fields);
    const callee = v.callee;
    if (callee.kind === 'ko') return callFunction(callee.func as CompiledFunc, args, sc, false);
    return callNative(callee, args, sc);
}

function describeForError(v: Value): string {
    switch (v.kind) {
        case 'empty': return 'empty value';
        case 'struct': return `structure ${printValue(v)}`;
        case 'seq': return `sequence ${printValue(v)}`;
        case 'opaque': return `opaque value ${printValue(v)}`;
        default: return `basic value ${printValue(v)}`;
    }
}

export function invokeValue(v: Value, sc: StepCtx, options?: InvokeOptions): MaybeP<Value> {
    if (v.kind !== 'variety') throw new KoRuntimeError(`${describeForError(v)} cannot be invoked`);
    const callee = v.callee;
    if (callee.kind === 'ko') return callFunction(callee.func as CompiledFunc, v.bound, sc, options?.sequential ?? false);
    return callNative(callee, v.bound, sc);
}

function callNative(callee: NativeCallee, fields: readonly Field[], sc: StepCtx): MaybeP<Value> {
    const run = sc.frame.run;
    if (run.signal.aborted) throw new KoCancelled();
    const args = makeGateArgs(fields, callee.monadic);
    const ctx = makeGateContext(sc);
    if (callee.limited) return run.limit(() => Promise.resolve(callee.impl(args, ctx)));
    return callee.impl(args, ctx);
}

// ---------------------------------------------------------------------------------------------
// Evaluation of a function call

export interface Frame {
    readonly func: CompiledFunc;
    readonly args: Value[];
    readonly results: (Value | Promise<Value> | undefined)[];
    readonly caller?: StepCtx;
    readonly run: RunState;
    readonly depth: number;
}

/** A step being evaluated in a frame: the unit the stack, events and gate contexts refer to. */
export interface StepCtx {
    readonly frame: Frame;
    readonly step: CompiledStep;
}

/** What a debugger sees before each step (the hook may pause by not resolving). */
export interface StepHookFrame {
    readonly pkgPath: string;
    readonly func: string;
    readonly step: string;
    readonly stepId: string;
    readonly callPath: readonly string[];
    readonly range: SourceRange;
    /** Depth of the call (0 for the entry function). */
    readonly depth: number;
    /** Parameter values of the function. */
    params(): { name: string; value: Value }[];
    /** Values of the steps this step reads (all ready when the hook runs). */
    inputs(): { label: string; value: Value }[];
    /** Values of the steps of this frame that have finished so far. */
    finished(): { label: string; value: Value }[];
    /** The Ko stack, innermost first. */
    stack(): KoFrame[];
    /** Identity of this function call (the same object for every step of one call): debuggers key frames on it. */
    readonly key: object;
    /** The step of the calling function that made this call (undefined for the entry function). */
    caller(): StepHookFrame | undefined;
    /** Evaluates a Ko formula over the parameters and finished steps of this call (debug conditions, console). */
    evaluate(source: string): Promise<Value>;
}

export interface RunOptions {
    signal?: AbortSignal;
    /** Most asynchronous jobs (processes, containers, requests) running at once; default max(2, CPUs). */
    concurrency?: number;
    onEvent?: (event: RunEvent) => void;
    stdout?: GateOutput;
    stderr?: GateOutput;
    /** Called before each step of a Ko function; evaluation waits for the returned promise. */
    beforeStep?: (frame: StepHookFrame) => Promise<void>;
    /** Called when a step that went through beforeStep settles; a failing step waits for the returned promise. */
    afterStep?: (frame: StepHookFrame, outcome: { value?: Value; error?: unknown }) => void | Promise<void>;
    workspaceDir?: string;
    runId?: string;
    settings?: Record<string, string>;
    /** Evaluate the entry function only as far as this step (and what it reads); return its value. */
    until?: string;
    /** Run the entry function's steps one at a time. */
    sequential?: boolean;
}

export interface RunState {
    readonly program: Program;
    readonly signal: AbortSignal;
    readonly limit: <T>(work: () => Promise<T>) => Promise<T>;
    readonly emit?: (event: RunEvent) => void;
    readonly stdout: GateOutput;
    readonly stderr: GateOutput;
    readonly beforeStep?: (frame: StepHookFrame) => Promise<void>;
    readonly afterStep?: (frame: StepHookFrame, outcome: { value?: Value; error?: unknown }) => void | Promise<void>;
    readonly workspaceDir: string;
    readonly runId: string;
    readonly settings: Readonly<Record<string, string>>;
    until?: string;
}

/** One call of a Ko function; a class so every frame has the same shape. */
class CallFrame implements Frame {
    readonly results: (Value | Promise<Value> | undefined)[];
    readonly depth: number;
    constructor(readonly func: CompiledFunc, readonly args: Value[], readonly run: RunState, readonly caller: StepCtx | undefined) {
        this.results = new Array(func.steps.length);
        this.depth = caller ? caller.frame.depth + 1 : 0;
    }
}

let syncDepth = 0;
/** Nested synchronous calls before the evaluator continues on a fresh stack (deep recursion). */
const MAX_SYNC_DEPTH = 120;

function callFunction(func: CompiledFunc, fields: readonly Field[], caller: StepCtx | undefined, sequential: boolean, run?: RunState): MaybeP<Value> {
    const state = run ?? caller!.frame.run;
    if (syncDepth >= MAX_SYNC_DEPTH) {
        return Promise.resolve().then(() => callFunction(func, fields, caller, sequential, run));
    }
    const args = new Array<Value>(func.params.length);
    for (let i = 0; i < func.params.length; i++) {
        const name = func.params[i];
        let value: Value | undefined;
        for (const f of fields) if (f.name === name) { value = f.value; break; }
        if (value === undefined && name === func.monadic) for (const f of fields) if (f.name === '') { value = f.value; break; }
        args[i] = value ?? EMPTY;
    }
    const frame: Frame = new CallFrame(func, args, state, caller);
    let order = func.order;
    let returnIndex = func.returnIndex;
    if (!caller && state.until !== undefined) {
        const target = func.stepIndex.get(state.until);
        if (target === undefined) throw new KoRuntimeError(`function ${func.name} has no step ${state.until}`);
        order = closureOrder(func, target);
        returnIndex = target;
        state.until = undefined;
    }
    syncDepth++;
    try {
        return sequential || state.beforeStep ? runSequential(frame, order, returnIndex, !sequential) : runDataflow(frame, order, returnIndex);
    } finally {
        syncDepth--;
    }
}

function closureOrder(func: CompiledFunc, target: number): number[] {
    const needed = new Set<number>();
    const visit = (i: number) => { if (needed.has(i)) return; needed.add(i); for (const d of func.steps[i].deps) visit(d); };
    visit(target);
    return func.order.filter(i => needed.has(i));
}

const noop = () => undefined;

function runDataflow(frame: Frame, order: readonly number[], returnIndex: number): MaybeP<Value> {
    const { results, func } = frame;
    let pending: Promise<Value>[] | undefined;
    for (const i of order) {
        const step = func.steps[i];
        let waitOn: Promise<Value>[] | undefined;
        for (const d of step.deps) {
            const r = results[d];
            if (r instanceof Promise) (waitOn ??= []).push(r);
        }
        let r: MaybeP<Value>;
        if (waitOn) {
            r = Promise.all(waitOn).then(() => runStep(frame, step));
        } else {
            try {
                r = runStep(frame, step);
            } catch (e) {
                for (const p of pending ?? []) p.catch(noop);
                throw e;
            }
        }
        if (r instanceof Promise) {
            const promise = r;
            results[i] = promise;
            promise.then(v => { results[i] = v; }, noop);
            (pending ??= []).push(promise);
        } else {
            results[i] = r;
        }
    }
    if (pending) {
        for (const p of pending) p.catch(noop);
        return Promise.all(pending).then(() => results[returnIndex] as Value);
    }
    return results[returnIndex] as Value;
}

/** One step at a time in topological order (Sequential, or when a debugger hook is installed). */
async function runSequential(frame: Frame, order: readonly number[], returnIndex: number, overlapAsync: boolean): Promise<Value> {
    const { results, func } = frame;
    if (overlapAsync) {
        // With a debugger hook the steps still overlap; the hook runs before each one.
        const pending: Promise<Value>[] = [];
        for (const i of order) {
            const step = func.steps[i];
            const waitOn = step.deps.map(d => results[d]).filter((r): r is Promise<Value> => r instanceof Promise);
            const p = Promise.all(waitOn).then(() => hookedStep(frame, step));
            results[i] = p;
            p.then(v => { results[i] = v; }, noop);
            pending.push(p);
        }
        for (const p of pending) p.catch(noop);
        await Promise.all(pending);
        return results[returnIndex] as Value;
    }
    for (const i of order) {
        const step = func.steps[i];
        results[i] = frame.run.beforeStep ? await hookedStep(frame, step) : await runStep(frame, step);
    }
    return results[returnIndex] as Value;
}

/** A step between the debugger hooks: beforeStep may hold it; afterStep sees how it ended. */
async function hookedStep(frame: Frame, step: CompiledStep): Promise<Value> {
    const hf = hookFrame({ frame, step });
    await frame.run.beforeStep!(hf);
    const after = frame.run.afterStep;
    if (!after) return runStep(frame, step);
    let value: Value;
    try {
        value = await runStep(frame, step);
    } catch (error) {
        // Awaited so a debugger can stop at the failing step while its frame is still alive.
        await after(hf, { error });
        throw error;
    }
    void after(hf, { value });
    return value;
}

function runStep(frame: Frame, step: CompiledStep): MaybeP<Value> {
    const sc: StepCtx = { frame, step };
    const emit = frame.run.emit;
    if (frame.run.signal.aborted) throw new KoCancelled();
    if (!emit) {
        try {
            const r = step.eval(sc);
            if (r instanceof Promise) return r.catch(e => { throw annotate(e, sc); });
            return r;
        } catch (e) {
            throw annotate(e, sc);
        }
    }
    const started = performance.now();
    const callPath = callPathOf(sc);
    const stepId = callPath[callPath.length - 1];
    const base = { stepId, callPath, func: frame.func.name, step: step.label };
    emit({ kind: 'step-started', ...base, position: step.range, time: Date.now() });
    const finish = (v: Value) => {
        emit({ kind: 'step-finished', ...base, value: summarizeValue(v), durationMs: performance.now() - started, time: Date.now() });
        return v;
    };
    const fail = (e: unknown) => {
        const err = annotate(e, sc);
        emit({ kind: 'step-failed', ...base, error: err.message, durationMs: performance.now() - started, time: Date.now() });
        return err;
    };
    try {
        const r = step.eval(sc);
        if (r instanceof Promise) return r.then(finish, e => { throw fail(e); });
        return finish(r);
    } catch (e) {
        throw fail(e);
    }
}

/** Attaches the Ko stack where an error first crosses a step; JavaScript errors become runtime errors. */
function annotate(e: unknown, sc: StepCtx): Error {
    if (isKoError(e)) {
        if (e.koStack.length === 0) e.koStack = stackOf(sc);
        return e;
    }
    const aborted = sc.frame.run.signal.aborted;
    const err = aborted ? new KoCancelled() : new KoRuntimeError(e instanceof Error ? e.message : String(e));
    err.koStack = stackOf(sc);
    return err;
}

export function stackOf(sc: StepCtx | undefined): KoFrame[] {
    const frames: KoFrame[] = [];
    for (let s = sc; s; s = s.frame.caller) {
        frames.push({ pkgPath: s.frame.func.pkg.path, func: s.frame.func.name, step: s.step.label, position: s.step.range });
    }
    return frames;
}

function stepIdOfCtx(sc: StepCtx): string {
    return stepIdOf(sc.frame.func.pkg.path, sc.frame.func.name, sc.step.label);
}

function callPathOf(sc: StepCtx): string[] {
    const path: string[] = [];
    for (let s: StepCtx | undefined = sc; s; s = s.frame.caller) path.push(stepIdOfCtx(s));
    return path.reverse();
}

function stepInfoOf(sc: StepCtx): StepInfo {
    const callPath = callPathOf(sc);
    return {
        pkgPath: sc.frame.func.pkg.path, func: sc.frame.func.name, step: sc.step.label, position: sc.step.range,
        stepId: callPath[callPath.length - 1], callPath,
    };
}

function hookFrame(sc: StepCtx): StepHookFrame {
    const { frame, step } = sc;
    const callPath = callPathOf(sc);
    const ready = (i: number) => !(frame.results[i] instanceof Promise) && frame.results[i] !== undefined;
    return {
        pkgPath: frame.func.pkg.path, func: frame.func.name, step: step.label, stepId: callPath[callPath.length - 1], callPath,
        range: step.range, depth: frame.depth,
        params: () => frame.func.params.map((name, i) => ({ name, value: frame.args[i] })),
        inputs: () => step.deps.filter(ready).map(d => ({ label: frame.func.steps[d].label, value: frame.results[d] as Value })),
        finished: () => frame.func.steps.filter(s => ready(s.index)).map(s => ({ label: s.label, value: frame.results[s.index] as Value })),
        stack: () => stackOf(sc),
        key: frame,
        caller: () => (frame.caller ? hookFrame(frame.caller) : undefined),
        evaluate: source => evaluateInFrame(sc, source),
    };
}

/**
 * Compiles `source` as the return formula of a throwaway function whose parameters are the
 * frame's parameters and finished steps, and calls it with their values. The call runs without
 * the debugger hooks and events (it is not part of the program), on the run's signal unless the
 * run is over (post-mortem inspection after a panic).
 */
async function evaluateInFrame(sc: StepCtx, source: string): Promise<Value> {
    const { frame } = sc;
    const names: string[] = [];
    const fields: Field[] = [];
    const bind = (name: string, value: Value) => {
        if (name === 'return' || name === '_' || names.includes(name)) return;
        names.push(name);
        fields.push({ name, value });
    };
    frame.func.params.forEach((name, i) => bind(name, frame.args[i]));
    for (const s of frame.func.steps) {
        const r = frame.results[s.index];
        if (r !== undefined && !(r instanceof Promise)) bind(s.label, r);
    }
    const func = compileExpressionFunction(frame.run.program, frame.func.pkg.path, source, names, frame.func.unit.aliases);
    const run: RunState = {
        ...frame.run, beforeStep: undefined, afterStep: undefined, emit: undefined, until: undefined,
        signal: frame.run.signal.aborted ? new AbortController().signal : frame.run.signal,
    };
    return callFunction(func, fields, sc, false, run);
}

function makeGateContext(sc: StepCtx): GateContext {
    return new StepGateContext(sc);
}

/** A gate's view of the calling step; a class so each native call allocates one small object. */
class StepGateContext implements GateContext, Internal {
    private info?: StepInfo;
    private outputs?: { stdout: GateOutput; stderr: GateOutput };
    constructor(readonly sc: StepCtx) {}
    get signal() { return this.sc.frame.run.signal; }
    get workspaceDir() { return this.sc.frame.run.workspaceDir; }
    get runId() { return this.sc.frame.run.runId; }
    get settings() { return this.sc.frame.run.settings; }
    get stepInfo() { return this.info ??= stepInfoOf(this.sc); }
    get internal(): Internal { return this; }
    get stdout() { return (this.outputs ??= this.makeOutputs()).stdout; }
    get stderr() { return (this.outputs ??= this.makeOutputs()).stderr; }
    private makeOutputs() {
        const { sc } = this;
        const run = sc.frame.run;
        const out = (stream: 'stdout' | 'stderr'): GateOutput => ({
            write: text => {
                run[stream].write(text);
                run.emit?.({ kind: 'log', stream, text, stepId: stepIdOfCtx(sc), time: Date.now() });
            },
        });
        return { stdout: out('stdout'), stderr: out('stderr') };
    }
    stack() { return stackOf(this.sc); }
    panic(value: Value | string): never { throw new KoPanic(typeof value === 'string' ? str(value) : value); }
    fail(message: string): never { throw new KoRuntimeError(message); }
    emit(event: RunEvent) { this.sc.frame.run.emit?.(event); }
    invoke(callee: Value, args?: readonly Field[] | Record<string, Value>, options?: InvokeOptions): Promise<Value> {
        try {
            const fields = args === undefined ? [] : Array.isArray(args) ? args as Field[] : Object.entries(args).map(([name, value]) => ({ name, value }));
            return Promise.resolve(invokeValue(augmentValue(callee, fields), this.sc, options));
        } catch (e) {
            return Promise.reject(e);
        }
    }
    limited<T>(work: () => Promise<T>): Promise<T> { return this.sc.frame.run.limit(work); }
    invokeMaybe(callee: Value, fields: Field[], options?: InvokeOptions): MaybeP<Value> {
        return invokeValue(fields.length === 0 ? callee : augmentValue(callee, fields), this.sc, options);
    }
    evalExpression(source: string): MaybeP<Value> {
        const run = this.sc.frame.run;
        return callFunction(compileExpressionFunction(run.program, this.sc.frame.func.pkg.path, source), [], this.sc, false);
    }
}

/** What builtins of this directory may use from GateContext.internal. */
export interface Internal {
    readonly sc: StepCtx;
    /** Like GateContext.invoke, but stays synchronous for pure callees (hot loops, recursion). */
    invokeMaybe(callee: Value, fields: Field[], options?: InvokeOptions): MaybeP<Value>;
    /** Compiles `source` as the return formula of a throwaway function of the caller's package and runs it (ko.Eval). */
    evalExpression(source: string): MaybeP<Value>;
}


// ---------------------------------------------------------------------------------------------
// Running

export type RunTarget = { pkgPath: string } | { file: string };

/** Runs `funcName` of a package (or of a file's package) with the given arguments. */
export async function runFunction(
    program: Program, target: RunTarget | string, funcName: string,
    args: readonly Field[] | Record<string, Value> = [], options: RunOptions = {},
): Promise<Value> {
    const pkgPath = typeof target === 'string' ? target : 'pkgPath' in target ? target.pkgPath : packageOfFile(program, target.file);
    const func = findFunction(program, pkgPath, funcName);
    if (!func) throw new KoRuntimeError(`no function ${funcName} in package ${pkgPath === '' ? '(root)' : pkgPath}`);
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = () => controller.abort(outer?.reason);
    if (outer) { if (outer.aborted) onAbort(); else outer.addEventListener('abort', onAbort, { once: true }); }
    const run: RunState = {
        program, signal: controller.signal,
        limit: makeLimiter(Math.max(1, options.concurrency ?? Math.max(2, availableParallelism()))),
        ...(options.onEvent ? { emit: options.onEvent } : {}),
        stdout: options.stdout ?? { write: t => { process.stdout.write(t); } },
        stderr: options.stderr ?? { write: t => { process.stderr.write(t); } },
        ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
        ...(options.afterStep ? { afterStep: options.afterStep } : {}),
        workspaceDir: options.workspaceDir ?? process.cwd(),
        runId: options.runId ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        settings: options.settings ?? {},
        ...(options.until !== undefined ? { until: options.until } : {}),
    };
    const fields = Array.isArray(args) ? args as Field[] : Object.entries(args).map(([name, value]) => ({ name, value }));
    try {
        // Gate modules registered lazily (the pipeline) are imported when the program imports them.
        await loadLazyGates(program.sources.packages.keys());
        return await callFunction(func, dropUnderscore(fields), undefined, options.sequential ?? false, run);
    } catch (e) {
        if (isKoError(e)) throw e;
        throw new KoRuntimeError(e instanceof Error ? e.message : String(e));
    } finally {
        // Whatever is still running (a failed run's siblings, spun co-routines) is cancelled.
        controller.abort();
        outer?.removeEventListener('abort', onAbort);
    }
}

function packageOfFile(program: Program, file: string): string {
    for (const pkg of program.sources.packages.values()) {
        if (pkg.units.some(u => u.path === file || u.displayPath === file)) return pkg.path;
    }
    return program.entry.path;
}

/** A counting semaphore: at most `limit` jobs run at once, the rest queue in arrival order. */
export function makeLimiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
    let active = 0;
    const queue: (() => void)[] = [];
    const release = () => { active--; const next = queue.shift(); if (next) next(); };
    return <T>(work: () => Promise<T>) => new Promise<T>((resolve, reject) => {
        const start = () => {
            active++;
            let p: Promise<T>;
            try { p = work(); } catch (e) { p = Promise.reject(e); }
            p.then(v => { release(); resolve(v); }, e => { release(); reject(e); });
        };
        if (active < limit) start(); else queue.push(start);
    });
}

/** Compiles `expr` as the return formula of a throwaway function in `pkgPath` and evaluates it (ko.Eval). */
export function compileExpressionFunction(
    program: Program, pkgPath: string, source: string, params: readonly string[] = [], aliases: ReadonlyMap<string, string> = new Map(),
): CompiledFunc {
    const name = `__eval_${Math.random().toString(36).slice(2, 10)}`;
    const text = `${name}(${params.join(', ')}) {\n\treturn: ${source}\n}\n`;
    const { ast, diagnostics } = parseKoText(text);
    if (diagnostics.length > 0 || ast.functions.length !== 1) throw new KoLoadError(diagnostics.length > 0 ? diagnostics : [{ file: '<eval>', line: 1, column: 1, message: 'syntax error' }]);
    const pkg = program.sources.packages.get(pkgPath) ?? program.entry;
    const unit: SourceUnit = { path: '<eval>', displayPath: '<eval>', text, ast, aliases: new Map(aliases) };
    const errors: LoadDiagnostic[] = [];
    const def = ast.functions[0];
    if (!isFuncDef(def)) throw new KoRuntimeError('eval: not a function');
    const func = compileFunction(program, pkg, unit, def, errors);
    if (errors.length > 0) throw new KoLoadError(errors);
    return func;
}

function parseKoText(text: string) { return parseKo(text, '<eval>'); }


// Helpers for MaybeP chains without allocating promises on the synchronous path.
function then2<A, B, U>(a: MaybeP<A>, b: MaybeP<B>, f: (a: A, b: B) => MaybeP<U>): MaybeP<U> {
    if (a instanceof Promise || b instanceof Promise) {
        if (a instanceof Promise) a.catch(noop);
        if (b instanceof Promise) b.catch(noop);
        return Promise.all([a, b]).then(([x, y]) => f(x, y));
    }
    return f(a, b);
}
export function all<T>(ms: MaybeP<T>[]): MaybeP<T[]> {
    for (const m of ms) if (m instanceof Promise) return Promise.all(ms);
    return ms as T[];
}

export type { MaybeP };
