// Incremental re-parsing for edits inside one function body: only that function is parsed
// again, its CST is moved to its place, and every token after it is shifted. Langium always
// re-parses whole documents; in a 2,000-line file that alone exceeds the editor's latency
// budget. Anything unusual (errors before or after, an edit touching a function header or the
// space between items) falls back to the full parse, so results are always a full parse's.
import type { CompositeCstNode, CstNode, LangiumParser, ParseResult, RootCstNode } from 'langium';
import { GrammarUtils } from 'langium';
import type { FuncDef, KoFile } from './generated/ast.js';

/** Langium's CST classes keep positions in these fields (cst-node-builder.js). */
interface MutableLeaf {
    _offset: number; _startLine: number; _startColumn: number; _endLine: number; _endColumn: number;
}
interface MutableComposite { content: CstNode[]; _rangeCache: unknown; container?: CstNode; _astNode?: unknown }
interface MutableRoot extends MutableComposite { _text: string }

export function reparseIncrementally(old: ParseResult<KoFile>, newText: string, parser: LangiumParser): ParseResult<KoFile> | undefined {
    if (old.lexerErrors.length > 0 || old.parserErrors.length > 0) return undefined;
    const file = old.value;
    const root = file.$cstNode as RootCstNode | undefined;
    if (!root || !hasLangiumLayout(root)) return undefined;
    const oldText = root.fullText;
    if (oldText === newText) return undefined;

    // The changed region: [prefix, oldText.length - suffix) became [prefix, newText.length - suffix).
    const max = Math.min(oldText.length, newText.length);
    let prefix = 0;
    while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < max - prefix && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
    const oldChangeEnd = oldText.length - suffix;
    const delta = newText.length - oldText.length;

    const index = file.functions.findIndex(f => bodyContains(f, prefix, oldChangeEnd));
    if (index < 0) return undefined;
    const func = file.functions[index];
    const funcNode = func.$cstNode as CompositeCstNode;
    const start = funcNode.offset;
    const oldEnd = funcNode.end;
    const funcText = newText.slice(start, oldEnd + delta);

    const reparsed = parser.parse<KoFile>(funcText);
    if (reparsed.lexerErrors.length > 0 || reparsed.parserErrors.length > 0) return undefined;
    const replacement = reparsed.value.functions[0];
    if (reparsed.value.functions.length !== 1 || reparsed.value.imports.length > 0 || !replacement?.$cstNode) return undefined;
    const newNode = replacement.$cstNode as CompositeCstNode;
    if (newNode.offset !== 0 || newNode.end !== funcText.length) return undefined;
    const rootContent = (root as unknown as MutableComposite).content;
    const slot = rootContent.indexOf(funcNode);
    if (slot < 0) return undefined;

    // Move the new function to its place in the document.
    const { line: startLine, character: startColumn } = funcNode.range.start;
    forEachNode(newNode, leaf => {
        if (leaf._startLine === 0) leaf._startColumn += startColumn;
        if (leaf._endLine === 0) leaf._endColumn += startColumn;
        leaf._offset += start;
        leaf._startLine += startLine;
        leaf._endLine += startLine;
    });
    // Shift everything after it: lines by the change in line count, columns only on the line
    // where the old function ended (text may follow its closing brace).
    const oldEndPos = funcNode.range.end;
    const newEndPos = newNode.range.end;
    const lineDelta = newEndPos.line - oldEndPos.line;
    const columnDelta = newEndPos.character - oldEndPos.character;
    for (let i = slot + 1; i < rootContent.length; i++) {
        forEachNode(rootContent[i], leaf => {
            if (leaf._startLine === oldEndPos.line) leaf._startColumn += columnDelta;
            if (leaf._endLine === oldEndPos.line) leaf._endColumn += columnDelta;
            leaf._offset += delta;
            leaf._startLine += lineDelta;
            leaf._endLine += lineDelta;
        });
    }

    // A new file node (caches keyed on the AST see a new document); the CST root is reused.
    const newFile: KoFile = Object.assign(Object.create(Object.getPrototypeOf(file)), file);
    (newFile as { functions: FuncDef[] }).functions = [...file.functions];
    newFile.functions[index] = replacement;
    for (const item of [...newFile.imports, ...newFile.functions]) (item as { $container: KoFile }).$container = newFile;
    Object.assign(replacement, { $containerProperty: 'functions', $containerIndex: index });
    const mutableRoot = root as unknown as MutableRoot;
    rootContent[slot] = newNode;
    (newNode as unknown as MutableComposite).container = root;
    mutableRoot._text = newText;
    mutableRoot._rangeCache = undefined;
    mutableRoot._astNode = newFile;
    (newFile as { $cstNode: CstNode }).$cstNode = root;
    return { value: newFile, lexerErrors: [], parserErrors: [] } as unknown as ParseResult<KoFile>;
}

/** True when [from, to) lies inside the function's body braces (its header is untouched). */
function bodyContains(func: FuncDef, from: number, to: number): boolean {
    const node = func.$cstNode;
    if (!node) return false;
    const open = GrammarUtils.findNodeForKeyword(node, '{');
    if (!open) return false;
    const closeOffset = node.end - 1;
    return open.end <= from && to <= closeOffset && node.text.endsWith('}');
}

/** Visits every leaf below `node` (positions) and clears composite range caches on the way. */
function forEachNode(node: CstNode, visitLeaf: (leaf: MutableLeaf) => void): void {
    const composite = node as unknown as MutableComposite;
    if (Array.isArray(composite.content)) {
        composite._rangeCache = undefined;
        for (const child of composite.content) forEachNode(child, visitLeaf);
    } else {
        visitLeaf(node as unknown as MutableLeaf);
    }
}

/** Guards against a Langium upgrade that changes the CST's internal fields. */
function hasLangiumLayout(root: RootCstNode): boolean {
    const r = root as unknown as Partial<MutableRoot>;
    if (typeof r._text !== 'string' || !Array.isArray(r.content) || !('_rangeCache' in r)) return false;
    let leaf: CstNode | undefined = root;
    while (leaf && Array.isArray((leaf as unknown as MutableComposite).content)) leaf = (leaf as unknown as MutableComposite).content[0];
    return leaf === undefined || typeof (leaf as unknown as MutableLeaf)._offset === 'number';
}
