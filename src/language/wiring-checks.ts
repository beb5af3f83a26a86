// Wiring checks: every reference resolved as §3.5 orders it (unknown names with "did you mean",
// unknown aliases and members, unresolvable paths, outer names inside inline definitions),
// step cycles with their whole path, arguments against the callee's parameters, and shadowing.
import type { AstNode } from 'langium';
import type { FuncDef, Ref, Term } from './generated/ast.js';
import { calleeHead, enclosingFunction, refPathOf, termListShape } from './ast-utils.js';
import { factsOf, type RefFact } from './file-facts.js';
import { CATALOGUE, STDLIB_PREFIX, catalogueMembers } from './catalogue.js';
import type { FileScope, Resolution } from './name-resolver.js';
import { suggest, type KoDiagnostic } from './diagnostics.js';
import { diagnostic, rangeOf } from './structure-checks.js';
import { defaultAlias } from '../workspace/package-roots.js';

const BARE_BUILTINS = CATALOGUE.filter(e => e.pkg === '').map(e => e.name);

export function wiringDiagnostics(scope: FileScope, skip: (node: AstNode) => boolean): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    const facts = factsOf(scope.file);
    // Functions whose step references might form a cycle: only those get the full cycle search.
    let cycleCandidates: Set<FuncDef> | undefined;
    for (const { ref, func, step } of facts.refs) {
        if (skip(ref)) continue;
        const resolution = checkReference(scope, ref, out);
        if (func && step && resolution.kind === 'step' && resolution.func === func && mayCloseCycle(scope, func, step, resolution.step)) {
            (cycleCandidates ??= new Set()).add(func);
        }
    }
    for (const call of facts.calls) if (!skip(call)) checkArguments(scope, call, out);
    for (const func of facts.functions) {
        if (skip(func)) continue;
        if (cycleCandidates?.has(func)) checkCycles(scope, func, facts.refs.filter(fact => fact.func === func), out);
        checkShadowing(scope, func, out);
    }
    return out;
}

/**
 * For a reference inside step `from` of `func` to its step `to`: false when the edge points to
 * an earlier step. A cycle needs at least one edge that does not, so a body whose references
 * all point backwards (the usual case) skips the cycle search and its allocations.
 */
function mayCloseCycle(scope: FileScope, func: FuncDef, from: Term, to: Term): boolean {
    // Only the first step with a label can be referred to (and none shadowed by a parameter,
    // which therefore has no incoming edge and lies on no cycle).
    const local = from.label ? scope.local(func, from.label) : undefined;
    if (local?.kind !== 'step' || local.step !== from) return false;
    // Both are terms of the body; a missing index (a hand-made AST) means "maybe".
    return !(to.$containerIndex! < from.$containerIndex!);
}

/** Reports what is wrong with a reference; returns its resolution for the cycle check. */
function checkReference(scope: FileScope, ref: Ref, out: KoDiagnostic[]): Resolution {
    const resolution = scope.resolveRef(ref);
    switch (resolution.kind) {
        case 'unknown-alias': {
            const text = refPathOf(ref).segments.join('.');
            const candidates = importCandidates(resolution.alias);
            const hint = candidates.length > 0 ? ` (import "${candidates[0]}"?)` : '';
            out.push(diagnostic('unknown-alias', `${resolution.alias} not known: \`${text}\` needs ${resolution.alias} to be a parameter, step or import alias of this file${hint}`,
                rangeOf(ref), { data: { alias: resolution.alias, importCandidates: candidates } }));
            break;
        }
        case 'unknown-name': {
            const outer = outerName(scope, ref);
            if (outer) {
                out.push(diagnostic('outer-reference', `${ref.name} belongs to the enclosing function ${outer.name}: inline definitions capture nothing, so pass it in with a closure, e.g. \`[${ref.name}: ${ref.name}]\``,
                    rangeOf(ref), { data: { name: ref.name, outerFunction: outer.name } }));
                break;
            }
            const suggestion = suggest(ref.name, visibleNames(scope, ref));
            out.push(diagnostic('unknown-name', `unknown name ${ref.name}: no parameter, step, function of this package, idiom or builtin has this name${suggestion ? `; did you mean ${suggestion}?` : ''}`,
                rangeOf(ref), { data: { name: ref.name, ...(suggestion ? { suggestion } : {}), ...callShape(ref) } }));
            break;
        }
        case 'unresolvable-path': {
            const path = refPathOf(ref);
            out.push(diagnostic('unresolvable-path', `${path.segments.join('.')} can never resolve: ${path.segments[0]} is not a parameter or step here, and only two-part names (alias.Member) reach other packages`,
                rangeOf(path.node)));
            break;
        }
        case 'member': {
            if (resolution.known) break;
            const path = refPathOf(ref);
            const members = [...(resolution.resolved.dir ? scope.index.functionsOf(resolution.resolved.dir).keys() : []), ...catalogueMembers(resolution.resolved.importPath).map(e => e.name)];
            const suggestion = suggest(resolution.member, members);
            out.push(diagnostic('unknown-member', `no function or macro "${resolution.resolved.importPath}".${resolution.member}${suggestion ? `; did you mean ${path.segments[0]}.${suggestion}?` : ''}`,
                rangeOf(path.node), { data: { member: resolution.member, ...(suggestion ? { suggestion } : {}) } }));
            break;
        }
        default:
            break;
    }
    return resolution;
}

/** Facts a "create function" quick fix needs: the argument names of the call, if it is one. */
function callShape(ref: Ref): Record<string, unknown> {
    const parent = ref.$container;
    if (!(parent.$type === 'Invoke' || parent.$type === 'Augment') || parent.target !== ref) return {};
    const labels = parent.terms.filter(t => t.colon && t.label !== undefined).map(t => t.label!);
    const positional = parent.terms.some(t => !t.colon);
    return { call: { arguments: [...new Set(labels)], positional } };
}

/** For a name inside an inline definition: the outer function that has it as parameter or step. */
function outerName(scope: FileScope, ref: Ref): FuncDef | undefined {
    let func = enclosingFunction(ref);
    while (func) {
        const outer: FuncDef | undefined = enclosingFunction(func);
        if (!outer) return undefined;
        if (scope.params(outer).has(ref.name) || scope.steps(outer).has(ref.name)) return outer;
        func = outer;
    }
    return undefined;
}

function visibleNames(scope: FileScope, ref: Ref): string[] {
    const names: string[] = [];
    const func = enclosingFunction(ref);
    if (func) names.push(...scope.params(func).keys(), ...scope.steps(func).keys());
    names.push(...scope.packageFunctions().keys(), ...BARE_BUILTINS);
    return names;
}

/** Stdlib or pseudo-package import paths whose default alias is `alias`. */
function importCandidates(alias: string): string[] {
    const paths = new Set<string>();
    for (const entry of CATALOGUE) {
        if (entry.pkg !== '' && defaultAlias(entry.pkg) === alias) paths.add(entry.pkg);
    }
    const known = ['strings', 'encoding/json', 'encoding/yaml', 'file', 'file/path', 'integer', 'os', 'shell', 'sync', 'time', 'web/xml', 'net/http',
        'testing', 'series', 'set', 'number', 'redblack', 'web/html', 'web/svg', 'web/wiki'];
    for (const dir of known) if (defaultAlias(dir) === alias) paths.add(STDLIB_PREFIX + dir);
    return [...paths];
}

function checkArguments(scope: FileScope, call: AstNode & { terms: Term[] }, out: KoDiagnostic[]): void {
    // The callee path ends in callee position, so resolving it from its head applies no Bool rule.
    const head = calleeHead(call as never);
    if (!head) return;
    const resolution: Resolution = scope.resolveRef(head);
    const signature = scope.signature(resolution);
    if (!signature || signature.open) return;
    // Unknown argument names are checked for Ko callees and our own pipeline package, whose
    // parameters are exact; gates of the reference may read more than the catalogue lists.
    const strict = signature.ko || (resolution.kind === 'member' && resolution.resolved.importPath === 'pipeline');
    const shape = termListShape(call.terms);
    if (strict && shape === 'labeled') {
        for (const term of call.terms) {
            const label = term.label;
            if (label === undefined || label.startsWith('_') || signature.params.includes(label)) continue;
            const suggestion = suggest(label, signature.params);
            out.push(diagnostic('unknown-argument', `${signature.name} has no parameter ${label} (it takes ${formatParams(signature.params, signature.monadic)})${suggestion ? `; did you mean ${suggestion}?` : ''}`,
                rangeOf(term, 'label'), { data: { argument: label, callee: signature.name, ...(suggestion ? { suggestion } : {}) } }));
        }
    }
    if (shape === 'positional' && signature.monadic === undefined) {
        out.push(diagnostic('positional-without-monadic', `${signature.name} has no monadic (?) parameter, so this positional argument is dropped; name it, e.g. \`${signature.params[0] ?? 'name'}: ...\``,
            rangeOf(call.terms[0])));
    }
}

function formatParams(params: readonly string[], monadic: string | undefined): string {
    if (params.length === 0) return 'no arguments';
    return params.map(p => (p === monadic ? `${p}?` : p)).join(', ');
}

function checkCycles(scope: FileScope, func: FuncDef, refs: readonly RefFact[], out: KoDiagnostic[]): void {
    const steps = scope.steps(func);
    // Same-body step references (the facts attribute references inside inline definitions to those).
    const edges = new Map<string, { label: string; ref: Ref }[]>();
    for (const label of steps.keys()) edges.set(label, []);
    for (const { ref, step } of refs) {
        if (!step?.label || steps.get(step.label) !== step) continue;
        const resolution = scope.resolveRef(ref);
        if (resolution.kind !== 'step' || resolution.func !== func) continue;
        edges.get(step.label)!.push({ label: ref.name, ref });
    }
    // Tarjan's strongly connected components; each component with a cycle is reported once per step.
    let counter = 0;
    const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
    const components: string[][] = [];
    const visit = (v: string) => {
        index.set(v, counter); low.set(v, counter); counter++;
        stack.push(v); onStack.add(v);
        for (const { label: w } of edges.get(v) ?? []) {
            if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
            else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        if (low.get(v) === index.get(v)) {
            const component: string[] = [];
            let w: string;
            do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
            components.push(component);
        }
    };
    for (const label of steps.keys()) if (!index.has(label)) visit(label);
    for (const component of components) {
        const members = new Set(component);
        const selfLoop = component.length === 1 && (edges.get(component[0]) ?? []).some(d => d.label === component[0]);
        if (component.length === 1 && !selfLoop) continue;
        const cycle = cyclePath(component, members, edges);
        const text = cycle.join(' -> ');
        for (let i = 0; i < cycle.length - 1; i++) {
            const label = cycle[i];
            const edge = (edges.get(label) ?? []).find(d => d.label === cycle[i + 1])!;
            out.push(diagnostic('step-cycle', `step cycle: ${text} (step ${label} depends on ${cycle[i + 1]})`, rangeOf(steps.get(label)!, 'label'), {
                data: { cycle },
                related: [{ message: `${label} uses ${cycle[i + 1]} here`, range: rangeOf(edge.ref) }],
            }));
        }
    }
}

/** A concrete cycle through a strongly connected component, starting at its first step in text order. */
function cyclePath(component: string[], members: Set<string>, edges: Map<string, { label: string }[]>): string[] {
    const start = component[component.length - 1];
    const path = [start];
    const seen = new Set([start]);
    const walk = (v: string): boolean => {
        for (const { label: w } of edges.get(v) ?? []) {
            if (w === start) { path.push(w); return true; }
            if (!members.has(w) || seen.has(w)) continue;
            seen.add(w); path.push(w);
            if (walk(w)) return true;
            path.pop();
        }
        return false;
    };
    walk(start);
    return path;
}

/** `g: g() { ... }` names the step after the inline function it defines: not shadowing. */
function definesInline(step: Term, name: string): boolean {
    // A walk of our own: Langium's AstUtils would bring Langium into `ko check`'s start-up.
    const visit = (value: unknown): boolean => {
        if (!value || typeof value !== 'object') return false;
        if (Array.isArray(value)) return value.some(visit);
        const node = value as Record<string, unknown>;
        if (node.$type === 'FuncDef' && node.name === name) return true;
        for (const key of Object.keys(node)) if (key[0] !== '$' && visit(node[key])) return true;
        return false;
    };
    return visit(step.value);
}

function checkShadowing(scope: FileScope, func: FuncDef, out: KoDiagnostic[]): void {
    for (const step of func.terms) {
        const label = step.label;
        if (label === undefined || label === 'return' || label.startsWith('_')) continue;
        if (scope.local(func, label)?.kind === 'param') {
            out.push(diagnostic('shadowed-step', `step ${label} is shadowed by parameter ${label}: references to ${label} read the parameter, though the step still runs`, rangeOf(step, 'label')));
        } else if (scope.aliases.has(label)) {
            out.push(diagnostic('shadowed-step', `step ${label} hides the import alias ${label} inside ${func.name}`, rangeOf(step, 'label')));
        } else if (scope.packageFunctions().has(label) && !definesInline(step, label)) {
            out.push(diagnostic('shadowed-step', `step ${label} hides the package function ${label} inside ${func.name}`, rangeOf(step, 'label')));
        }
    }
}
