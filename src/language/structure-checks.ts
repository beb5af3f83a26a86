// Structural checks that mirror the reference compiler's graft errors (§3.8): duplicate
// functions across the package, parameters, `?`, return steps, labels, term-list shapes, curly
// brackets, newlines after ':', and import aliases (duplicates, unused, unknown packages).
import type { AstNode } from 'langium';
import { isRef, type Expr, type FuncDef, type KoFile, type Term } from './generated/ast.js';
import { allFunctions, termListShape } from './ast-utils.js';
import { factsOf } from './file-facts.js';
import type { FileScope } from './name-resolver.js';
import type { KoDiagnostic, KoDiagnosticCode } from './diagnostics.js';
import { severityOf } from './diagnostics.js';
import { keywordSpan, propertySpan } from './source-spans.js';
import type { KoRange } from '../protocol/ko-protocol.js';
import { basename } from 'node:path';

export function rangeOf(node: AstNode, property?: string, index?: number): KoRange {
    const cst = property ? propertySpan(node, property, index) ?? node.$cstNode : node.$cstNode;
    return cst?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

export function diagnostic(code: KoDiagnosticCode, message: string, range: KoRange, extra: Partial<KoDiagnostic> = {}): KoDiagnostic {
    return { severity: severityOf(code), code, message, range, ...extra };
}

export function structureDiagnostics(scope: FileScope, skip: (node: AstNode) => boolean): KoDiagnostic[] {
    const out: KoDiagnostic[] = [];
    const file = scope.file;
    for (const func of allFunctions(file)) {
        if (skip(func)) continue;
        checkDuplicateFunction(scope, func, out);
        checkParams(func, out);
        checkBody(scope, func, out);
    }
    const facts = factsOf(file);
    for (const terms of facts.termLists) if (terms.length > 0 && !skip(terms[0])) checkTermList(terms, out);
    for (const node of facts.curly) {
        if (skip(node)) continue;
        out.push(diagnostic('curly-bracket', 'unknown bracket {}: braces only delimit a function body; build a structure with ( ) instead', braceRange(node)));
    }
    for (const node of facts.newlineTerms) {
        if (skip(node) || startsWithInlineFunc(node.value)) continue;
        out.push(diagnostic('newline-after-colon', 'a newline cannot follow \':\': the formula must start on the same line (only an inline function definition may start on the next line)', rangeOf(node, 'colon')));
    }
    checkImports(scope, out);
    return out;
}

/** `g(p?) { ... } [p: 1]()`: the formula's first primary, under its tails, is an inline definition. */
function startsWithInlineFunc(expr: Expr | undefined): boolean {
    let current = expr;
    while (current && (current.$type === 'Invoke' || current.$type === 'Augment' || current.$type === 'Select')) current = current.target;
    return current?.$type === 'InlineFunc';
}

function braceRange(node: AstNode): KoRange {
    const open = keywordSpan(node, '{');
    return open?.range ?? rangeOf(node);
}

function checkDuplicateFunction(scope: FileScope, func: FuncDef, out: KoDiagnostic[]): void {
    const symbols = scope.packageFunctions().get(func.name) ?? [];
    if (symbols.length < 2) return;
    const first = symbols[0];
    if (first.func === func) return;
    const line = (first.func.$cstNode?.range.start.line ?? 0) + 1;
    const sameFile = first.filePath === scope.filePath;
    const where = sameFile ? `line ${line}` : `${basename(first.filePath)}:${line}`;
    const inline = symbols.some(s => s.inline) ? ' (inline definitions are package functions too)' : '';
    out.push(diagnostic('duplicate-function', `duplicate function ${func.name}: already defined at ${where}${inline}`, rangeOf(func, 'name'), {
        related: [{ message: `first definition of ${func.name}`, range: rangeOf(first.func, 'name'), filePath: first.filePath }],
    }));
}

function checkParams(func: FuncDef, out: KoDiagnostic[]): void {
    const params = func.params;
    let monadic: string | undefined;
    for (let i = 0; i < params.length; i++) {
        const param = params[i];
        // Parameter lists are short: scanning the earlier ones is cheaper than a Set per function.
        let first = 0;
        while (params[first].name !== param.name) first++;
        if (first < i) {
            out.push(diagnostic('duplicate-parameter', `duplicate parameter ${param.name} in ${func.name}`, rangeOf(func, 'params', i)));
        }
        if (param.monadic) {
            if (monadic !== undefined) {
                out.push(diagnostic('multiple-monadic', `only one parameter can be monadic: ${monadic}? already is`, rangeOf(param, 'monadic')));
            } else monadic = param.name;
        }
    }
}

function checkBody(scope: FileScope, func: FuncDef, out: KoDiagnostic[]): void {
    let returns = 0;
    // A body is a labeled list, or (failing at graft) a positional one; a mix is a syntax error
    // in the reference, usually a newline where the grammar forbids one.
    const mixed = termListShape(func.terms) === 'mixed';
    for (let i = 0; i < func.terms.length; i++) {
        const term = func.terms[i];
        const next = func.terms[i + 1];
        if (!term.colon) {
            if (!mixed) {
                out.push(diagnostic('unlabeled-step', 'step label cannot be empty: every step of a body is written `label: formula`', rangeOf(term), { data: { suggestion: 'return' } }));
            } else if (isRef(term.value) && next?.colon && next.label === undefined) {
                out.push(diagnostic('syntax-error', `syntax error: a label and its ':' must be on the same line (${term.value.name} is followed by a newline)`, rangeOf(next, 'colon')));
            } else {
                const opener = term.$cstNode?.text.trimStart()[0];
                out.push(diagnostic('syntax-error', opener === '(' || opener === '['
                    ? `syntax error: '${opener}' must stay on the line of the value it applies to; on a new line it starts a step without a label`
                    : 'syntax error: a step needs a label (`label: formula`), and steps are separated by a newline, \',\' or \';\'', rangeOf(term)));
            }
            continue;
        }
        if (term.label === undefined) {
            const previous = func.terms[i - 1];
            if (!(previous && !previous.colon && isRef(previous.value))) {
                out.push(diagnostic('empty-label', 'empty step label: write `label: formula`', rangeOf(term, 'colon')));
            }
            continue;
        }
        if (term.label === 'return') returns++;
        // Labels come with a colon (grammar), so the scope's first step per label is this loop's.
        const first = scope.firstStep(func, term.label);
        if (first !== term) {
            out.push(diagnostic('duplicate-label', `duplicate step label ${term.label} in ${func.name}`, rangeOf(term, 'label'), {
                related: [{ message: `first step ${term.label}`, range: rangeOf(first!, 'label') }],
            }));
        }
    }
    if (returns === 0) {
        out.push(diagnostic('missing-return', `missing return in ${func.name}: a function needs one \`return: formula\` step`, rangeOf(func, 'name'), {
            data: { lastStep: [...scope.steps(func).keys()].at(-1) },
        }));
    }
}

function checkTermList(terms: readonly Term[], out: KoDiagnostic[]): void {
    for (const term of terms) {
        if (term.colon && term.label === undefined) {
            out.push(diagnostic('empty-label', 'empty argument label: write `name: value`, or drop the \':\' to pass the value to the monadic parameter', rangeOf(term, 'colon')));
        }
    }
    if (termListShape(terms) !== 'mixed') return;
    const labeledFirst = terms[0].colon;
    const odd = terms.find(t => t.colon !== labeledFirst)!;
    out.push(diagnostic('mixed-terms', labeledFirst
        ? 'cannot mix `name: value` arguments with a bare value in one bracket: label this one too'
        : 'cannot mix bare values with `name: value` arguments in one bracket: label the earlier ones too', rangeOf(odd)));
}

function checkImports(scope: FileScope, out: KoDiagnostic[]): void {
    const file: KoFile = scope.file;
    if (file.imports.length === 0) return;
    // Names of references that are import aliases (the first import of each alias is in scope.aliases).
    const used = new Set<string>();
    const refs = factsOf(file).refs;
    // An index loop: this one ran unoptimized often enough for for-of's iterator results to show.
    for (let i = 0; i < refs.length; i++) if (scope.aliases.has(refs[i].ref.name)) used.add(refs[i].ref.name);
    const seen = new Map<string, string>();
    for (const imp of file.imports) {
        const alias = scope.importAlias(imp);
        const path = scope.importPath(imp);
        if (alias === undefined) continue;
        const previous = seen.get(alias);
        if (previous !== undefined) {
            const aliasRange = imp.alias !== undefined ? rangeOf(imp, 'alias') : rangeOf(imp, 'path');
            out.push(diagnostic('duplicate-alias', `alias ${alias} already used for package ${previous}${imp.alias === undefined ? `: add \`as <name>\`` : ''}`, aliasRange));
            continue;
        }
        seen.set(alias, path);
        const resolved = scope.index.resolveImport(path);
        if (!resolved.dir && !resolved.catalogue) {
            out.push(diagnostic('unknown-package', `no package "${path}" under the package roots (${scope.index.getRoots().join(', ') || 'none'}); set KOPATH or ko.packageRoots`, rangeOf(imp, 'path')));
        }
        // The shadowing of an alias by a same-named parameter or step still counts as a use here.
        if (!used.has(alias)) {
            out.push(diagnostic('unused-import', `import "${path}" is not used (alias ${alias})`, rangeOf(imp), { unnecessary: true, data: { alias } }));
        }
    }
}
