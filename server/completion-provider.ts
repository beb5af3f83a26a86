// Context-aware completion: locals (parameters, steps) of the enclosing function, package functions
// from every file of the package, import aliases and `alias.` members, builtins and idioms, the
// callee's argument names not yet given inside a call's brackets, import paths inside
// `import "..."`, and snippets for a new function, step or import.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LangiumDocument } from 'langium';
import type { CompletionProvider } from 'langium/lsp';
import {
    CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type CompletionList,
    type CompletionParams, type Range,
} from 'vscode-languageserver';
import { CATALOGUE, PSEUDO_PACKAGES } from '../src/language/catalogue.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { documentTokens, entrySignature, functionSignature, type KoWorkspaceIndex } from './ko-names.js';
import { tokenIndexBefore, type KoToken } from './ko-tokens.js';
import { callContext, cursorContext, functionOfBody, pathBefore } from './completion-context.js';

const SORT = { local: '0', argument: '0', func: '1', alias: '2', builtin: '3', keyword: '4', snippet: '5' } as const;

export class KoCompletionProvider implements CompletionProvider {
    readonly completionOptions = { triggerCharacters: ['.', '(', '[', '"', '/', ','] };
    private readonly index: KoWorkspaceIndex;
    private pathCache?: { at: number; roots: string; paths: string[] };

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    async getCompletion(document: LangiumDocument, params: CompletionParams): Promise<CompletionList | undefined> {
        const textDocument = document.textDocument;
        const offset = textDocument.offsetAt(params.position);
        const tokens = documentTokens(document);
        const items = this.complete(document, tokens, offset);
        return items ? { isIncomplete: false, items } : undefined;
    }

    complete(document: LangiumDocument, tokens: readonly KoToken[], offset: number): CompletionItem[] | undefined {
        const textDocument = document.textDocument;
        let at = tokenIndexBefore(tokens, offset);
        const t = tokens[at];
        let wordStart = offset;
        let wordEnd = offset;
        if (t && offset <= t.end) {
            if (t.type === 'string' && this.isImportPath(tokens, at)) return this.importPaths(document, t, offset);
            if (t.type === 'id') { wordStart = t.offset; wordEnd = t.end; at--; }
            else if (t.type === 'int' || t.type === 'float') return [];
            else if ((t.type === 'string' || t.type === 'raw' || t.type === 'blockComment') && offset < t.end) return [];
            else if (t.type === 'string' || t.type === 'raw') { /* right after a closed string: nothing to add */ return []; }
            else if (t.type === 'lineComment') return [];
        }
        const range: Range = { start: textDocument.positionAt(wordStart), end: textDocument.positionAt(wordEnd) };
        const prev = tokens[at];
        if (prev?.type === 'id' && (prev.text === 'import' || prev.text === 'use') && this.isTopLevelItemStart(tokens, at)) {
            return this.importPathSnippets(document, range);
        }
        if (prev?.text === '.') {
            const path = pathBefore(tokens, at);
            return path ? this.members(document, tokens, at, path, range) : [];
        }
        const ctx = cursorContext(tokens, at);
        const termStart = !prev || prev.type === 'open' || prev.type === 'sep' || prev.type === 'nl' || prev.type === 'lineComment';
        const afterColon = prev?.text === ':';
        const inner = ctx.opens[0];
        if (inner === undefined) return termStart ? this.topLevelSnippets(range) : [];
        const open = tokens[inner];
        if (open.text === '{') {
            if (!ctx.func || ctx.func.bodyOpen !== inner) return afterColon ? this.values(document, tokens, at, range) : [];
            if (afterColon) return this.values(document, tokens, at, range);
            return termStart ? this.stepSnippets(ctx.func.steps, range) : [];
        }
        // A parameter list (`F(a, <cursor>) {`) takes new names: nothing to suggest.
        if (open.text === '(' && this.isParamList(tokens, inner)) return [];
        if (afterColon) return this.values(document, tokens, at, range);
        if (!termStart) return [];
        const call = callContext(tokens, inner, at);
        const items: CompletionItem[] = [];
        if (call.callee) {
            const locals = new Set([...(ctx.func?.params.map(p => p.name) ?? []), ...(ctx.func?.steps ?? [])]);
            const sig = this.index.calleeSignature(document, call.callee, locals);
            if (sig) {
                for (const name of sig.params) {
                    if (call.given.includes(name)) continue;
                    const monadic = name === sig.monadic;
                    items.push({
                        label: name, kind: CompletionItemKind.Property, sortText: SORT.argument + (monadic ? '0' : '1') + name,
                        labelDetails: { description: monadic ? 'monadic argument' : 'argument' },
                        detail: `${monadic ? '(monadic) ' : ''}argument of ${sig.label}`,
                        ...(sig.doc ? { documentation: { kind: MarkupKind.Markdown, value: sig.doc } } : {}),
                        textEdit: { range, newText: `${name}: ` }, filterText: name,
                        command: { title: 'Suggest', command: 'editor.action.triggerSuggest' },
                    });
                }
            }
        }
        items.push(...this.values(document, tokens, at, range));
        return items;
    }

    private isTopLevelItemStart(tokens: readonly KoToken[], at: number): boolean {
        for (let k = at - 1; k >= 0; k--) {
            const t = tokens[k];
            if (t.type === 'nl' || t.type === 'sep' || t.type === 'lineComment' || t.type === 'blockComment') return cursorContext(tokens, k).opens.length === 0;
            return t.text === '}' || t.type === 'string' || t.type === 'raw' ? cursorContext(tokens, k).opens.length === 0 : false;
        }
        return true;
    }

    private isImportPath(tokens: readonly KoToken[], at: number): boolean {
        const prev = tokens[at - 1];
        return prev?.type === 'id' && (prev.text === 'import' || prev.text === 'use') && this.isTopLevelItemStart(tokens, at - 1);
    }

    private isParamList(tokens: readonly KoToken[], open: number): boolean {
        // `Name(` at top level, or an inline definition: the bracket is followed by `) {`.
        let depth = 0;
        for (let k = open; k < tokens.length; k++) {
            const t = tokens[k];
            if (t.type === 'open') depth++;
            else if (t.type === 'close' && --depth === 0) return tokens[k + 1]?.text === '{' && functionOfBody(tokens, k + 1) !== undefined;
        }
        return cursorContext(tokens, open - 1).opens.length === 0;
    }

    /** Everything a formula can start with, in resolution order (§3.5). */
    private values(document: LangiumDocument, tokens: readonly KoToken[], at: number, range: Range): CompletionItem[] {
        const ctx = cursorContext(tokens, at);
        const items: CompletionItem[] = [];
        const seen = new Set<string>();
        const add = (item: CompletionItem) => {
            if (seen.has(item.label)) return;
            seen.add(item.label);
            items.push({ ...item, textEdit: { range, newText: item.insertText ?? item.label }, ...(item.insertText ? { insertText: undefined } : {}) });
        };
        if (ctx.func) {
            for (const p of ctx.func.params) {
                add({ label: p.name, kind: CompletionItemKind.Variable, sortText: SORT.local + '0' + p.name, detail: `parameter of ${ctx.func.name}${p.monadic ? ' (monadic)' : ''}` });
            }
            for (const s of ctx.func.steps) {
                if (s === ctx.currentStep) continue; // a step referring to itself is a cycle
                add({ label: s, kind: CompletionItemKind.Field, sortText: SORT.local + '1' + s, detail: `step of ${ctx.func.name}` });
            }
        }
        add({ label: 'true', kind: CompletionItemKind.Constant, sortText: SORT.keyword + 'true', detail: 'Bool' });
        add({ label: 'false', kind: CompletionItemKind.Constant, sortText: SORT.keyword + 'false', detail: 'Bool' });
        const dir = this.index.packageDirOf(document);
        for (const [name, list] of this.index.packageFunctions(dir)) {
            const sig = functionSignature(list[0].func, this.index.documentOf(list[0]));
            add({
                label: name, kind: CompletionItemKind.Function, sortText: SORT.func + name, detail: sig.label,
                ...(sig.doc ? { documentation: { kind: MarkupKind.Markdown, value: sig.doc } } : {}),
            });
        }
        for (const info of this.index.imports(document)) {
            add({ label: info.alias, kind: CompletionItemKind.Module, sortText: SORT.alias + info.alias, detail: `import "${info.importPath}"` });
        }
        for (const entry of CATALOGUE) {
            if (entry.pkg !== '') continue;
            const sig = entrySignature(entry);
            add({
                label: entry.name, kind: CompletionItemKind.Function, sortText: SORT.builtin + entry.name,
                detail: `${sig.label} (${entry.kind === 'idiom' ? 'idiom' : 'builtin'})`,
                documentation: { kind: MarkupKind.Markdown, value: entry.doc },
            });
        }
        return items;
    }

    private members(document: LangiumDocument, tokens: readonly KoToken[], at: number, path: string[], range: Range): CompletionItem[] {
        if (path.length !== 1) return [];
        const ctx = cursorContext(tokens, at);
        // A parameter or step shadows an alias; its fields are not known statically.
        if (ctx.func && (ctx.func.params.some(p => p.name === path[0]) || ctx.func.steps.includes(path[0]))) return [];
        const info = this.index.imports(document).find(i => i.alias === path[0]);
        if (!info) return [];
        return this.index.members(info).map(m => {
            const sig = m.func ? functionSignature(m.func, m.document!) : entrySignature(m.entry!);
            return {
                label: m.name, kind: CompletionItemKind.Function, sortText: m.name, detail: sig.label + (m.func ? '' : ` (${m.entry!.kind})`),
                ...(sig.doc ? { documentation: { kind: MarkupKind.Markdown, value: sig.doc } } : {}),
                textEdit: { range, newText: m.name },
            };
        });
    }

    private stepSnippets(existing: string[], range: Range): CompletionItem[] {
        const items: CompletionItem[] = [];
        if (!existing.includes('return')) {
            items.push({ label: 'return', kind: CompletionItemKind.Keyword, sortText: SORT.local + 'return', detail: 'the step whose value the function returns', textEdit: { range, newText: 'return: ' } });
        }
        items.push({
            label: 'step', kind: CompletionItemKind.Snippet, sortText: SORT.snippet + 'step', detail: 'new step `label: formula`',
            insertTextFormat: InsertTextFormat.Snippet, textEdit: { range, newText: '${1:label}: ${0}' },
        });
        return items;
    }

    private topLevelSnippets(range: Range): CompletionItem[] {
        return [
            {
                label: 'func', kind: CompletionItemKind.Snippet, sortText: SORT.snippet + 'func', detail: 'new function', filterText: 'func function',
                insertTextFormat: InsertTextFormat.Snippet, textEdit: { range, newText: '${1:Name}(${2:arg}) {\n\treturn: ${0}\n}' },
            },
            {
                label: 'import', kind: CompletionItemKind.Snippet, sortText: SORT.snippet + 'import', detail: 'import a package',
                insertTextFormat: InsertTextFormat.Snippet, textEdit: { range, newText: 'import "${1:path}"' },
            },
        ];
    }

    private importPathSnippets(document: LangiumDocument, range: Range): CompletionItem[] {
        return this.packagePaths(document).map(path => ({
            label: `"${path}"`, kind: CompletionItemKind.Module, sortText: path, filterText: path, textEdit: { range, newText: `"${path}"` },
        }));
    }

    private importPaths(document: LangiumDocument, token: KoToken, offset: number): CompletionItem[] {
        const closed = token.text.length > 1 && token.text.endsWith('"');
        const start = document.textDocument.positionAt(token.offset + 1);
        const end = document.textDocument.positionAt(closed ? token.end - 1 : Math.max(offset, token.end));
        return this.packagePaths(document).map(path => ({
            label: path, kind: CompletionItemKind.Module, sortText: path, detail: 'package', textEdit: { range: { start, end }, newText: path },
        }));
    }

    /** Importable paths: pseudo-packages, catalogue packages and package directories under the roots. */
    packagePaths(document: LangiumDocument): string[] {
        const roots = this.index.roots();
        const key = roots.join('\0');
        const now = Date.now();
        if (!this.pathCache || this.pathCache.roots !== key || now - this.pathCache.at > 5000) {
            const paths = new Set<string>([...PSEUDO_PACKAGES, ...CATALOGUE.filter(e => e.pkg !== '').map(e => e.pkg)]);
            let budget = 5000;
            const walk = (root: string, rel: string, depth: number) => {
                if (budget-- <= 0 || depth > 8) return;
                let entries;
                try { entries = readdirSync(join(root, rel), { withFileTypes: true }); } catch { return; }
                if (rel && entries.some(e => e.isFile() && e.name.endsWith('.ko'))) paths.add(rel);
                for (const e of entries) {
                    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(root, rel ? `${rel}/${e.name}` : e.name, depth + 1);
                }
            };
            for (const root of roots) walk(root, '', 0);
            this.pathCache = { at: now, roots: key, paths: [...paths].sort() };
        }
        // The own package stays listed: self-imports reach gates registered under its path (§3.1).
        void document;
        return this.pathCache.paths;
    }
}

