// Code actions. Quick fixes keyed on the validator's diagnostic codes and their `data`
// (src/language/diagnostics.ts): add a missing `return`, rename to the suggested name, create a
// missing step or function with the parameters the call uses, add a missing import, remove an
// unused import, label a bare body term, break a step cycle (the title shows its path). Refactors:
// extract a formula into a new step, inline a step into its uses.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AstUtils, CstUtils, type AstNode, type LangiumDocument } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import {
    CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit,
} from 'vscode-languageserver';
import {
    isFuncDef, isInlineFunc, isInvoke, isRef, isTerm,
    type Expr, type FuncDef, type KoFile, type Ref, type Term,
} from '../src/language/generated/ast.js';
import { CATALOGUE, PSEUDO_PACKAGES } from '../src/language/catalogue.js';
import { enclosingFunction, refPathOf } from '../src/language/ast-utils.js';
import { defaultAlias } from '../src/workspace/package-roots.js';
import type { KoLspServices } from './ko-lsp-module.js';
import { refsOfFunction, type KoWorkspaceIndex } from './ko-names.js';


type Data = Record<string, unknown> & { code?: string };

export class KoCodeActionProvider implements CodeActionProvider {
    private readonly index: KoWorkspaceIndex;

    constructor(services: KoLspServices) {
        this.index = services.ko.Index;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams): CodeAction[] {
        const out: CodeAction[] = [];
        for (const diagnostic of params.context.diagnostics) {
            out.push(...this.quickFixes(document, diagnostic));
        }
        const only = params.context.only;
        if (!only || only.some(k => k.startsWith('refactor'))) {
            out.push(...this.refactors(document, params.range));
        }
        return out;
    }

    // ---- quick fixes -------------------------------------------------------------------------

    private quickFixes(document: LangiumDocument, d: Diagnostic): CodeAction[] {
        const data = (d.data ?? {}) as Data;
        const code = typeof d.code === 'string' ? d.code : data.code;
        const uri = document.uri.toString();
        const fix = (title: string, edits: TextEdit[], preferred = false): CodeAction => ({
            title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred, edit: { changes: { [uri]: edits } },
        });
        const text = document.textDocument;
        const offset = text.offsetAt(d.range.start);
        const node = nodeAt(document, offset);
        switch (code) {
            case 'missing-return': {
                const func = node && (isFuncDef(node) ? node : enclosingFunction(node));
                if (!func) return [];
                const last = typeof data.lastStep === 'string' ? data.lastStep : undefined;
                const formula = last ?? 'Empty()';
                return [fix(`Add \`return: ${formula}\``, [this.appendStep(document, func, `return: ${formula}`)], true)];
            }
            case 'unknown-name':
            case 'unknown-argument':
            case 'unknown-member': {
                const actions: CodeAction[] = [];
                const suggestion = typeof data.suggestion === 'string' ? data.suggestion : undefined;
                if (suggestion) {
                    const range = code === 'unknown-member' ? lastSegmentRange(document, d.range) : d.range;
                    actions.push(fix(`Change to \`${suggestion}\``, [{ range, newText: suggestion }], true));
                }
                if (code === 'unknown-name' && node && isRef(node)) actions.push(...this.createMissing(document, node, data, fix));
                return actions;
            }
            case 'unknown-alias': {
                const alias = typeof data.alias === 'string' ? data.alias : undefined;
                if (!alias) return [];
                const fromData = Array.isArray(data.importCandidates) ? data.importCandidates.filter((c): c is string => typeof c === 'string') : [];
                const candidates = [...new Set([...fromData, ...this.workspaceCandidates(alias)])];
                return candidates.slice(0, 5).map((path, i) => fix(`Add \`import "${path}"\``, [this.importEdit(document, path, alias)], i === 0));
            }
            case 'unused-import': {
                const imp = (document.parseResult.value as KoFile).imports.find(i => i.$cstNode && i.$cstNode.offset <= offset && offset <= i.$cstNode.end);
                if (!imp?.$cstNode) return [];
                return [fix('Remove unused import', [removeLine(document, imp.$cstNode.offset, imp.$cstNode.end)], true)];
            }
            case 'unlabeled-step': {
                const suggestion = typeof data.suggestion === 'string' ? data.suggestion : 'return';
                return [fix(`Label the step \`${suggestion}:\``, [{ range: { start: d.range.start, end: d.range.start }, newText: `${suggestion}: ` }])];
            }
            case 'step-cycle': {
                const cycle = Array.isArray(data.cycle) ? data.cycle.filter((c): c is string => typeof c === 'string') : [];
                const func = node && enclosingFunction(node);
                const term = node && (isTerm(node) ? node : AstUtils.getContainerOfType(node, isTerm));
                if (!func || !term?.label || cycle.length < 2) return [];
                const i = cycle.indexOf(term.label);
                const next = cycle[i + 1];
                if (i < 0 || !next) return [];
                const edits = refsOfFunction(func)
                    .filter(r => r.name === next && AstUtils.getContainerOfType(r, (t): t is Term => isTerm(t) && t.$container === func) === term && r.$cstNode)
                    .map(r => ({ range: r.$cstNode!.range, newText: 'Empty()' }));
                if (edits.length === 0) return [];
                return [fix(`Break cycle ${cycle.join(' → ')}: step ${term.label} stops using ${next}`, edits)];
            }
            default:
                return [];
        }
    }

    private createMissing(document: LangiumDocument, ref: Ref, data: Data, fix: (t: string, e: TextEdit[]) => CodeAction): CodeAction[] {
        const out: CodeAction[] = [];
        const name = ref.name;
        const func = enclosingFunction(ref);
        const call = data.call as { arguments?: string[]; positional?: boolean } | undefined;
        if (func && refPathOf(ref).segments.length === 1) {
            const term = AstUtils.getContainerOfType(ref, (n): n is Term => isTerm(n) && n.$container === func);
            if (term && !call) out.push(fix(`Create step \`${name}\``, [this.stepBefore(document, term, `${name}: Empty()`)]));
        }
        const params = [...(call?.arguments ?? []).filter(a => !a.startsWith('_'))];
        if (call?.positional) params.push('value?');
        const text = document.textDocument.getText();
        const prefix = text.length === 0 || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
        const end = document.textDocument.positionAt(text.length);
        out.push(fix(`Create function \`${name}(${params.join(', ')})\``, [{
            range: { start: end, end }, newText: `${prefix}${name}(${params.join(', ')}) {\n\treturn: Empty()\n}\n`,
        }]));
        return out;
    }

    /** Package paths under the roots whose default alias is `alias` (plus catalogue packages). */
    private workspaceCandidates(alias: string): string[] {
        const out: string[] = [];
        for (const p of [...PSEUDO_PACKAGES, ...CATALOGUE.map(e => e.pkg)]) if (p && defaultAlias(p) === alias && !out.includes(p)) out.push(p);
        for (const root of this.index.roots()) {
            const walk = (rel: string, depth: number) => {
                if (depth > 6) return;
                let entries;
                try { entries = readdirSync(join(root, rel), { withFileTypes: true }); } catch { return; }
                if (rel && defaultAlias(rel) === alias && entries.some(e => e.isFile() && e.name.endsWith('.ko')) && !out.includes(rel)) out.push(rel);
                for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(rel ? `${rel}/${e.name}` : e.name, depth + 1);
            };
            walk('', 0);
        }
        return out;
    }

    private importEdit(document: LangiumDocument, path: string, alias: string): TextEdit {
        const file = document.parseResult.value as KoFile;
        const line = `import "${path}"${defaultAlias(path) === alias ? '' : ` as ${alias}`}`;
        const last = file.imports[file.imports.length - 1]?.$cstNode;
        if (last) {
            const lineEnd = document.textDocument.positionAt(last.end);
            const endOfLine = { line: lineEnd.line + 1, character: 0 };
            return { range: { start: endOfLine, end: endOfLine }, newText: `${line}\n` };
        }
        const start = { line: 0, character: 0 };
        return { range: { start, end: start }, newText: `${line}\n\n` };
    }

    /** An edit adding a step as the last term of a body (on its own line when the body is multi-line). */
    private appendStep(document: LangiumDocument, func: FuncDef, step: string): TextEdit {
        const text = document.textDocument;
        const cst = func.$cstNode!;
        const close = cst.end - 1; // the body's `}`
        const last = func.terms[func.terms.length - 1]?.$cstNode;
        const open = text.getText().lastIndexOf('{', last ? last.offset : close);
        const multiLine = text.positionAt(open).line !== text.positionAt(close).line;
        if (multiLine) {
            const indent = last ? indentOf(text.getText(), last.offset) : '\t';
            const at = text.positionAt(last ? last.end : open + 1);
            return { range: { start: at, end: at }, newText: `\n${indent}${step}` };
        }
        if (last) {
            const at = text.positionAt(last.end);
            return { range: { start: at, end: at }, newText: `, ${step}` };
        }
        return { range: { start: text.positionAt(open + 1), end: text.positionAt(close) }, newText: ` ${step} ` };
    }

    /** An edit inserting a step right before `term` (same indentation, or `x, ` on a one-line body). */
    private stepBefore(document: LangiumDocument, term: Term, step: string): TextEdit {
        const text = document.textDocument.getText();
        const offset = term.$cstNode!.offset;
        const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
        const at = document.textDocument.positionAt(offset);
        if (/^[ \t]*$/.test(text.slice(lineStart, offset))) {
            const pos = document.textDocument.positionAt(lineStart);
            return { range: { start: pos, end: pos }, newText: `${text.slice(lineStart, offset)}${step}\n` };
        }
        return { range: { start: at, end: at }, newText: `${step}, ` };
    }

    // ---- refactors ---------------------------------------------------------------------------

    private refactors(document: LangiumDocument, range: Range): CodeAction[] {
        const out: CodeAction[] = [];
        const extract = this.extractStep(document, range);
        if (extract) out.push(extract);
        const inline = this.inlineStep(document, range);
        if (inline) out.push(inline);
        return out;
    }

    /** Extract the selected formula (or the innermost call at the cursor) into a new step. */
    private extractStep(document: LangiumDocument, range: Range): CodeAction | undefined {
        const text = document.textDocument;
        const start = text.offsetAt(range.start);
        const end = text.offsetAt(range.end);
        const expr = start === end ? innermostCall(document, start) : exprCovering(document, start, end);
        if (!expr?.$cstNode) return undefined;
        const term = AstUtils.getContainerOfType(expr, (n): n is Term => isTerm(n) && isFuncDef(n.$container));
        if (!term || term.value === expr || !isFuncDef(term.$container)) return undefined;
        if (isInlineFunc(expr)) return undefined;
        const func = term.$container;
        const taken = new Set([...func.params.map(p => p.name), ...func.terms.map(t => t.label ?? ''), ...refsOfFunction(func).map(r => r.name)]);
        let name = 'extracted';
        for (let k = 2; taken.has(name); k++) name = `extracted${k}`;
        const uri = document.uri.toString();
        return {
            title: `Extract into step \`${name}\``, kind: CodeActionKind.RefactorExtract,
            edit: { changes: { [uri]: [this.stepBefore(document, term, `${name}: ${expr.$cstNode.text}`), { range: expr.$cstNode.range, newText: name }] } },
        };
    }

    /** Inline a step (cursor on its label or a use) into every use, then delete it. */
    private inlineStep(document: LangiumDocument, range: Range): CodeAction | undefined {
        const node = nodeAt(document, document.textDocument.offsetAt(range.start));
        if (!node) return undefined;
        let term: Term | undefined;
        let func: FuncDef | undefined;
        if (isTerm(node) && isFuncDef(node.$container)) { term = node; func = node.$container; }
        else if (isRef(node)) {
            const f = enclosingFunction(node);
            const r = this.index.resolve(document, node, 0);
            if (r.kind === 'step' && f) { term = r.term; func = f; }
        }
        if (!term || !func || !term.label || term.label === 'return' || !term.value?.$cstNode || !term.$cstNode) return undefined;
        const label = term.label;
        const uses = refsOfFunction(func).filter(r => {
            if (r.name !== label || !r.$cstNode) return false;
            const res = this.index.resolve(document, r, 0);
            return res.kind === 'step' && res.term === term;
        });
        if (uses.length === 0) return undefined;
        // Uses inside the step itself would be a cycle; an inline definition copied twice would be a duplicate.
        if (uses.some(u => AstUtils.getContainerOfType(u, (n): n is Term => n === term))) return undefined;
        const hasInline = AstUtils.streamAst(term.value).some(n => isInlineFunc(n));
        if (hasInline && uses.length > 1) return undefined;
        const formula = term.value.$cstNode.text;
        const edits: TextEdit[] = uses.map(u => ({ range: u.$cstNode!.range, newText: formula }));
        edits.push(removeTerm(document, func, term));
        return {
            title: `Inline step \`${label}\` (${uses.length} use${uses.length === 1 ? '' : 's'})`, kind: CodeActionKind.RefactorInline,
            edit: { changes: { [document.uri.toString()]: edits } },
        };
    }
}

function nodeAt(document: LangiumDocument, offset: number): AstNode | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findLeafNodeAtOffset(root, offset);
    return leaf?.astNode;
}

function indentOf(text: string, offset: number): string {
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** The range of the text after the last '.' inside `range` (the member of `alias.Member`). */
function lastSegmentRange(document: LangiumDocument, range: Range): Range {
    const text = document.textDocument;
    const s = text.offsetAt(range.start);
    const e = text.offsetAt(range.end);
    const dot = text.getText().lastIndexOf('.', e - 1);
    let start = dot >= s ? dot + 1 : s;
    while (start < e && /\s/.test(text.getText()[start])) start++;
    return { start: text.positionAt(start), end: range.end };
}

/** Deletes the text [start, end) and, when it is alone on its lines, those whole lines. */
function removeLine(document: LangiumDocument, start: number, end: number): TextEdit {
    const text = document.textDocument.getText();
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    let lineEnd = text.indexOf('\n', end);
    if (lineEnd < 0) lineEnd = text.length;
    const before = text.slice(lineStart, start);
    const after = text.slice(end, lineEnd);
    const doc = document.textDocument;
    if (/^[ \t]*$/.test(before) && /^[ \t]*(\/\/.*)?$/.test(after)) {
        return { range: { start: doc.positionAt(lineStart), end: doc.positionAt(Math.min(lineEnd + 1, text.length)) }, newText: '' };
    }
    return { range: { start: doc.positionAt(start), end: doc.positionAt(end) }, newText: '' };
}

/** Deletes a body term together with one separator next to it. */
function removeTerm(document: LangiumDocument, func: FuncDef, term: Term): TextEdit {
    const cst = term.$cstNode!;
    const text = document.textDocument.getText();
    const lineStart = text.lastIndexOf('\n', cst.offset - 1) + 1;
    let lineEnd = text.indexOf('\n', cst.end);
    if (lineEnd < 0) lineEnd = text.length;
    if (/^[ \t]*$/.test(text.slice(lineStart, cst.offset)) && /^[ \t,;]*$/.test(text.slice(cst.end, lineEnd))) {
        return { range: { start: document.textDocument.positionAt(lineStart), end: document.textDocument.positionAt(Math.min(lineEnd + 1, text.length)) }, newText: '' };
    }
    // One-line body: take the following separator (or the preceding one for the last term).
    let end = cst.end;
    const m = /^[ \t]*[,;][ \t]*/.exec(text.slice(end));
    if (m) end += m[0].length;
    else {
        const before = /[ \t]*[,;][ \t]*$/.exec(text.slice(0, cst.offset));
        if (before) return { range: { start: document.textDocument.positionAt(cst.offset - before[0].length), end: document.textDocument.positionAt(cst.end) }, newText: '' };
    }
    void func;
    return { range: { start: document.textDocument.positionAt(cst.offset), end: document.textDocument.positionAt(end) }, newText: '' };
}

/** The expression whose source is exactly [start, end) (ignoring surrounding whitespace). */
function exprCovering(document: LangiumDocument, start: number, end: number): Expr | undefined {
    const text = document.textDocument.getText();
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findLeafNodeAtOffset(root, start);
    let node: AstNode | undefined = leaf?.astNode;
    while (node) {
        const cst = node.$cstNode;
        if (cst && cst.offset === start && cst.end === end && isExpr(node)) return node;
        if (cst && (cst.offset < start || cst.end > end)) return undefined;
        node = node.$container;
    }
    return undefined;
}

function innermostCall(document: LangiumDocument, offset: number): Expr | undefined {
    const node = nodeAt(document, offset);
    let current: AstNode | undefined = node;
    while (current && !isFuncDef(current)) {
        if (isInvoke(current)) return current;
        current = current.$container;
    }
    return undefined;
}

function isExpr(node: AstNode): node is Expr {
    return ['Augment', 'Construct', 'CurlyConstruct', 'InlineFunc', 'Invoke', 'NumberLiteral', 'Ref', 'Select', 'StringLiteral'].includes(node.$type);
}


