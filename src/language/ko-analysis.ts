// Analysis of one Ko file: syntax diagnostics, then (for every function free of syntax errors)
// the structural and wiring checks. The single source of diagnostics for `ko check` and the
// language server, so both always agree.
import type { AstNode, CstNode, LangiumCoreServices, LeafCstNode, ParseResult } from 'langium';
import { factsOf } from './file-facts.js';
import type { FuncDef, KoFile } from './generated/ast.js';
import { FileScope } from './name-resolver.js';
import { LineIndex, type KoDiagnostic } from './diagnostics.js';
import { syntaxDiagnostics, type LexedToken } from './syntax-checks.js';
import { structureDiagnostics } from './structure-checks.js';
import { wiringDiagnostics } from './wiring-checks.js';
import { isLightCstNode } from './fast-parser.js';
import { propertySpan } from './source-spans.js';
import type { PackageIndex } from '../workspace/package-index.js';

export interface AnalysisInput {
    filePath: string;
    text: string;
    parseResult: ParseResult<KoFile>;
    index: PackageIndex;
    /** The language's lexer, used to re-lex broken files for bracket and token context. */
    lexer: LangiumCoreServices['parser']['Lexer'];
}

const SYNTAX_CODES = new Set(['syntax-error', 'unrecognized-token', 'bracket-imbalance', 'bad-escape', 'unterminated-string', 'bad-number', 'comment-position']);

export function analyzeFile(input: AnalysisInput): KoDiagnostic[] {
    const { parseResult, text } = input;
    const file = parseResult.value;
    // The fast parser only accepts files with nothing for the syntax checks to report, and
    // whose functions are all complete.
    const clean = isLightCstNode(file.$cstNode);
    const syntax = clean ? [] : syntaxDiagnostics({
        text, lines: new LineIndex(text),
        lexerErrors: parseResult.lexerErrors.map(e => ({ offset: e.offset, length: e.length, message: e.message })),
        parserErrors: parseResult.parserErrors,
        root: file.$cstNode,
        lex: () => lexAll(input.lexer, text),
        literalLeaves: () => literalLeaves(file),
    });
    const broken = clean ? new Set<AstNode>() : brokenFunctions(file, syntax.filter(d => SYNTAX_CODES.has(d.code)).map(d => d.range.start.line));
    const skip = (node: AstNode) => broken.size > 0 && broken.has(topLevelOf(node));
    const scope = new FileScope(file, input.filePath, input.index);
    let semantic: KoDiagnostic[] = [];
    if (!broken.has(file)) {
        const structure = structureDiagnostics(scope, skip);
        // Syntax errors found structurally (newlines splitting a term) also silence the
        // follow-on wiring warnings in their function.
        for (const d of structure) {
            if (d.code === 'syntax-error') {
                const func = functionAtLine(file, d.range.start.line);
                if (func) broken.add(func);
            }
        }
        semantic = [...structure.filter(d => d.code === 'syntax-error' || !skip(functionAtLine(file, d.range.start.line) ?? file)), ...wiringDiagnostics(scope, skip)];
    }
    return [...syntax, ...semantic].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/**
 * Only the syntax errors of a file (what stops a program from loading), with the same precise
 * messages as `ko check`; the runtime's loader reports these.
 */
export function syntaxErrors(parseResult: ParseResult<KoFile>, text: string, lexer: LangiumCoreServices['parser']['Lexer']): KoDiagnostic[] {
    const file = parseResult.value;
    return syntaxDiagnostics({
        text, lines: new LineIndex(text),
        lexerErrors: parseResult.lexerErrors.map(e => ({ offset: e.offset, length: e.length, message: e.message })),
        parserErrors: parseResult.parserErrors,
        root: file.$cstNode,
        lex: () => lexAll(lexer, text),
        literalLeaves: () => literalLeaves(file),
    }).filter(d => d.severity === 'error');
}

function literalLeaves(file: KoFile): LeafCstNode[] {
    const out: LeafCstNode[] = [];
    const add = (node: CstNode | undefined) => {
        if (!node) return;
        if ('tokenType' in node) out.push(node as LeafCstNode);
        else for (const child of (node as { content?: CstNode[] }).content ?? []) add(child);
    };
    for (const imp of file.imports ?? []) add(propertySpan(imp, 'path') as CstNode | undefined);
    for (const literal of factsOf(file).literals) add(literal.$cstNode);
    return out;
}

function lexAll(lexer: LangiumCoreServices['parser']['Lexer'], text: string): LexedToken[] {
    const result = lexer.tokenize(text);
    const hidden = (result as { hidden?: typeof result.tokens }).hidden ?? [];
    return [...result.tokens, ...hidden]
        .map(t => ({ type: t.tokenType.name, offset: t.startOffset, end: t.endOffset! + 1, text: t.image }))
        .sort((a, b) => a.offset - b.offset);
}

/** Top-level functions containing a syntax error (the whole file when errors sit outside any). */
function brokenFunctions(file: KoFile, errorLines: number[]): Set<AstNode> {
    const broken = new Set<AstNode>();
    for (const line of errorLines) {
        // An error outside every function (e.g. a broken import) may hide a function entirely.
        broken.add(functionAtLine(file, line) ?? file);
    }
    // Functions the parser could not finish have no name or body braces: skip them too.
    for (const func of file.functions) if (!func.name || !func.$cstNode?.text.trimEnd().endsWith('}')) broken.add(func);
    return broken;
}

/** The top-level function whose text spans `line`, if any. */
function functionAtLine(file: KoFile, line: number): FuncDef | undefined {
    return file.functions.find(f => f.$cstNode && f.$cstNode.range.start.line <= line && line <= f.$cstNode.range.end.line);
}

function topLevelOf(node: AstNode): AstNode {
    let current: AstNode = node;
    while (current.$container && current.$container.$type !== 'KoFile') current = current.$container;
    return current;
}
