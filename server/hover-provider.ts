// Hover: the signature and doc comment (collected as the reference does, §1.2) of functions and
// builtins, what a name resolves to and where, argument names of calls, and for a step what it
// depends on and what depends on it.
import type { LangiumDocument } from 'langium';
import type { HoverProvider } from 'langium/lsp';
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver';
import type { FuncDef, Term } from '../src/language/generated/ast.js';
import { catalogueSignature } from '../src/language/catalogue.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { docOf, signatureOf, type KoWorkspaceIndex } from './ko-names.js';
import { targetAt, type Target } from './ko-targets.js';
import { localDependencies } from './graph-builder.js';

const code = (text: string) => '```ko\n' + text + '\n```';

export class KoHoverProvider implements HoverProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async getHoverContent(document: LangiumDocument, params: HoverParams): Promise<Hover | undefined> {
        const offset = document.textDocument.offsetAt(params.position);
        const found = targetAt(this.index, document, offset);
        if (!found) return undefined;
        const value = this.describe(document, found.target);
        return value ? { contents: { kind: MarkupKind.Markdown, value }, range: found.range } : undefined;
    }

    describe(document: LangiumDocument, target: Target): string | undefined {
        const parts: string[] = [];
        switch (target.kind) {
            case 'function': {
                parts.push(code(signatureOf(target.func)));
                const doc = docOf(target.document, target.func);
                if (doc) parts.push(doc);
                parts.push(this.argumentsLine(target.func));
                parts.push(`Function of package \`${this.packageLabel(target.document)}\`, defined in ${this.where(document, target.document, target.func)}.`);
                break;
            }
            case 'param': {
                const p = target.param;
                parts.push(code(`(parameter) ${p.name}${p.monadic ? '?' : ''}`));
                const doc = docOf(target.document, p);
                if (doc) parts.push(doc);
                parts.push(`Parameter of \`${signatureOf(target.func)}\`${p.monadic ? '; monadic: it receives the unnamed (positional) argument' : ''}.`);
                break;
            }
            case 'step': {
                const term = target.term;
                parts.push(code(`${term.label}: ${oneLine(term.value?.$cstNode?.text ?? '')}`));
                const doc = docOf(target.document, term);
                if (doc) parts.push(doc);
                parts.push(`Step of \`${target.func.name}\`.`);
                const { dependsOn, usedBy } = stepNeighbours(target.func, term);
                parts.push(`Depends on: ${dependsOn.length ? dependsOn.map(n => `\`${n}\``).join(', ') : 'nothing'}`);
                parts.push(`Used by: ${usedBy.length ? usedBy.map(n => `\`${n}\``).join(', ') : 'nothing'}`);
                break;
            }
            case 'builtin': {
                const e = target.entry;
                parts.push(code(catalogueSignature(e)));
                parts.push(e.doc);
                parts.push(e.kind === 'idiom' ? 'Idiom (reachable by bare name; wins over a global macro of the same name).' : 'Builtin macro (reachable by bare name).');
                break;
            }
            case 'member': {
                const prefix = `${target.info.alias}.`;
                if (target.entry) {
                    parts.push(code(prefix + catalogueSignature(target.entry)));
                    parts.push(target.entry.doc);
                    parts.push(`${target.entry.kind === 'gate' ? 'Gate' : 'Macro'} registered under \`${target.info.importPath}\`.`);
                } else {
                    parts.push(code(prefix + target.name));
                    parts.push(`\`${target.info.importPath}\` defines no function \`${target.name}\` that the editor can see: the call fails at run time unless a gate is registered under that path.`);
                }
                break;
            }
            case 'import': {
                const info = target.info;
                parts.push(code(`import "${info.importPath}"${info.imp.alias ? ` as ${info.imp.alias}` : ''}`));
                parts.push(`Alias \`${info.alias}\` of package \`${info.importPath}\`.`);
                if (info.dir) parts.push(`Package directory: \`${info.dir}\``);
                else if (['integer', 'circuit', 'ko', 'pipeline'].includes(info.importPath)) parts.push('Builtin pseudo-package.');
                else parts.push('No package directory found under the package roots.');
                const doc = docOf(target.document, info.imp);
                if (doc) parts.push(doc);
                break;
            }
            case 'argument': {
                const sig = target.callee;
                const monadic = sig?.monadic === target.name;
                parts.push(code(`(argument) ${target.name}`));
                if (sig) {
                    parts.push(`Argument ${monadic ? '(monadic) ' : ''}of \`${sig.label}\`.`);
                    if (!sig.params.includes(target.name) && !sig.open) {
                        parts.push(target.name.startsWith('_') ? 'Names starting with `_` are removed before the callee sees them; they only order evaluation.' : `\`${sig.name}\` declares no argument \`${target.name}\`: it is ignored.`);
                    }
                    if (sig.doc) parts.push(sig.doc);
                }
                break;
            }
            case 'field':
                parts.push(code(`(field) ${target.name}`));
                if (target.base) parts.push(`Field selected from \`${target.base}\`; a missing field gives the empty value.`);
                break;
            case 'bool':
                parts.push(code(String(target.value)));
                parts.push('Bool literal (wins over a parameter or step of that name).');
                break;
            case 'unknown':
                parts.push(code(target.name));
                parts.push(target.path
                    ? `\`${target.name}\` is not a parameter, step or import alias of this file, so \`${target.path}\` cannot resolve (§3.5).`
                    : `\`${target.name}\` is not a parameter, step, package function, idiom or builtin: the call fails at run time.`);
                break;
        }
        return parts.join('\n\n');
    }

    private argumentsLine(func: FuncDef): string {
        if (func.params.length === 0) return 'No arguments.';
        return 'Arguments: ' + func.params.map(p => `\`${p.name}\`${p.monadic ? ' (monadic)' : ''}`).join(', ');
    }

    private packageLabel(document: LangiumDocument): string {
        return this.index.packagePathOf(this.index.packageDirOf(document)) || '.';
    }

    private where(from: LangiumDocument, document: LangiumDocument, node: FuncDef): string {
        const line = (node.$cstNode?.range.start.line ?? 0) + 1;
        const name = document.uri.path.split('/').pop();
        const link = `[${name}:${line}](${document.uri.toString()}#L${line})`;
        return document === from ? `this file, line ${line}` : link;
    }
}

function oneLine(text: string): string {
    const one = text.replace(/\s*\n\s*/g, ' ').trim();
    return one.length > 100 ? one.slice(0, 99) + '…' : one;
}

/** Steps and parameters a step reads, and the steps that read it (same function only, §3.4). */
export function stepNeighbours(func: FuncDef, term: Term): { dependsOn: string[]; usedBy: string[] } {
    const deps = localDependencies(func);
    const dependsOn = [...new Set((deps.get(term) ?? []).map(d => d.name))];
    const usedBy: string[] = [];
    const params = new Set(func.params.map(p => p.name));
    if (!params.has(term.label!)) {
        for (const [other, list] of deps) {
            if (list.some(d => d.kind === 'step' && d.name === term.label) && !usedBy.includes(other.label!)) usedBy.push(other.label!);
        }
    }
    return { dependsOn, usedBy };
}

