// Rename parameters (and the argument labels naming them at call sites), steps and functions
// across files. A rename is refused, with a message, when the new name is not an identifier or
// when it would change what some name resolves to (§3.5): a clash with another parameter, step or
// package function, or a reference that the new name would capture or shadow.
import type { LangiumDocument } from 'langium';
import type { RenameProvider } from 'langium/lsp';
import { ResponseError, type Range, type RenameParams, type TextDocumentPositionParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { FuncDef } from '../src/language/generated/ast.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { fileFunctions, refsOfFunction, type KoWorkspaceIndex } from './ko-names.js';
import { functionUses, occurrences, targetAt, type Target } from './ko-targets.js';

const IDENT = /^[_\p{L}][_\p{L}\p{Nd}]*$/u;
const RESERVED = new Set(['import', 'use', 'as', 'true', 'false']);

export class KoRenameProvider implements RenameProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    prepareRename(document: LangiumDocument, params: TextDocumentPositionParams): Range | undefined {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (!found || !['param', 'step', 'function'].includes(found.target.kind)) return undefined;
        return found.range;
    }

    async rename(document: LangiumDocument, params: RenameParams): Promise<WorkspaceEdit | undefined> {
        const found = targetAt(this.index, document, document.textDocument.offsetAt(params.position));
        if (!found) return undefined;
        const target = found.target;
        if (target.kind !== 'param' && target.kind !== 'step' && target.kind !== 'function') {
            throw new ResponseError(-32803, 'Only parameters, steps and functions can be renamed.');
        }
        const newName = params.newName;
        const problem = this.check(target, newName);
        if (problem) throw new ResponseError(-32803, problem);
        const changes: Record<string, TextEdit[]> = {};
        for (const o of occurrences(this.index, target)) {
            (changes[o.document.uri.toString()] ??= []).push({ range: o.range, newText: newName });
        }
        return { changes };
    }

    /** Why renaming `target` to `newName` would be wrong, or undefined when it is safe. */
    check(target: Target, newName: string): string | undefined {
        if (!IDENT.test(newName)) return `"${newName}" is not a Ko identifier.`;
        if (RESERVED.has(newName)) return `"${newName}" cannot be used: ${newName === 'true' || newName === 'false' ? 'a reference with this name is a Bool literal' : 'it starts an import'}.`;
        if (target.kind === 'param' || target.kind === 'step') {
            const func = target.func;
            const old = target.kind === 'param' ? target.param.name : target.term.label!;
            if (old === newName) return undefined;
            if (target.kind === 'step' && old === 'return') return 'The return step must keep its label.';
            if (func.params.some(p => p.name === newName)) return `${func.name} already has a parameter "${newName}".`;
            if (func.terms.some(t => t.label === newName)) return `${func.name} already has a step "${newName}".`;
            // A reference that today means something else (a function, alias, builtin) would be captured.
            if (refsOfFunction(func).some(r => r.name === newName)) return `"${newName}" is already used in ${func.name} for something else; the rename would capture it.`;
            return undefined;
        }
        if (target.kind === 'function') {
            const func = target.func;
            if (func.name === newName) return undefined;
            const dir = this.index.packageDirOf(target.document);
            if (this.index.findPackageFunction(dir, newName)) return `The package already has a function "${newName}".`;
            for (const use of functionUses(this.index, func, target.document)) {
                if (use.index !== 0) continue;
                const f = enclosing(use.head);
                if (f && (f.params.some(p => p.name === newName) || f.terms.some(t => t.label === newName))) {
                    return `In ${f.name}, "${newName}" is a parameter or step and would shadow the renamed function.`;
                }
            }
            // Bare references to a builtin of that name would switch to the renamed function.
            for (const doc of this.index.packageDocuments(dir)) {
                for (const f of fileFunctions(doc)) {
                    for (const ref of refsOfFunction(f)) {
                        if (ref.name !== newName) continue;
                        const r = this.index.resolve(doc, ref, 0);
                        if (r.kind === 'builtin' || r.kind === 'unknown') return `"${newName}" is used in the package as a builtin or unresolved name; the rename would capture it.`;
                    }
                }
            }
        }
        return undefined;
    }
}

function enclosing(node: { $container?: unknown }): FuncDef | undefined {
    let current = node.$container as { $type?: string; $container?: unknown } | undefined;
    while (current && current.$type !== 'FuncDef') current = current.$container as typeof current;
    return current as FuncDef | undefined;
}
