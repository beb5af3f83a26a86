// The editor's view of name resolution. Names resolve exactly as `ko check` resolves them: through
// the shared FileScope (src/language/name-resolver.ts, §3.5) over the package index the validator
// keeps up to date (src/workspace/package-index.ts). What is left here is editor-specific: which
// segment of a path the cursor is on (`alias` or `alias.Member`), the document a resolved function
// lives in (a workspace document, or a read-only one for a package outside the workspace), doc
// comments and the signatures shown by completion, hover and signature help.
import { dirname } from 'node:path';
import { AstUtils, DocumentState, TextDocument, URI, type AstNode, type LangiumDocument, type LangiumDocuments } from 'langium';
import {
    isCurlyConstruct, isInvoke, isAugment, isRef, isSelect,
    type FuncDef, type Import, type KoFile, type Param, type Ref, type Term,
} from '../src/language/generated/ast.js';
import { refPathOf } from '../src/language/ast-utils.js';
import { catalogueEntry, catalogueMembers, type CatalogueEntry } from '../src/language/catalogue.js';
import { FileScope, importAlias, type Resolution as ScopeResolution } from '../src/language/name-resolver.js';
import { packagePathOf as packagePathOfDir } from '../src/workspace/package-roots.js';
import type { FunctionSymbol, PackageIndex } from '../src/workspace/package-index.js';
import type { KoServices } from '../src/language/ko-module.js';
import { tokenize, tokenIndexBefore, type KoToken } from './ko-tokens.js';
import { collectFunctions, refsOf } from './graph-builder.js';

/** What one segment of a reference path names (FileScope resolves whole paths). */
export type Resolution =
    | { kind: 'bool'; value: boolean }
    | { kind: 'param'; func: FuncDef; param: Param }
    | { kind: 'step'; func: FuncDef; term: Term }
    | { kind: 'function'; func: FuncDef; document: LangiumDocument }
    | { kind: 'builtin'; entry: CatalogueEntry }
    | { kind: 'alias'; imp: Import; importPath: string; dir?: string }
    | { kind: 'member'; imp: Import; importPath: string; name: string; dir?: string; func?: FuncDef; document?: LangiumDocument; entry?: CatalogueEntry }
    | { kind: 'unknown'; name: string };

export interface ImportInfo {
    imp: Import;
    alias: string;
    importPath: string;
    dir?: string;
}

const tokenCache = new WeakMap<object, KoToken[]>();
/** Tokens of a document, cached per parse result (a new parse makes a new root object). */
export function documentTokens(document: LangiumDocument): KoToken[] {
    const key = document.parseResult.value;
    let tokens = tokenCache.get(key);
    if (!tokens) tokenCache.set(key, tokens = tokenize(document.textDocument.getText()));
    return tokens;
}

/**
 * The doc comment the reference collects for an item starting at `offset` (§1.2): every comment
 * since the previous item, delimiters removed, blank lines dropped, joined with newlines.
 */
function docCommentBefore(tokens: readonly KoToken[], offset: number): string | undefined {
    const lines: string[] = [];
    for (let i = tokenIndexBefore(tokens, offset); i >= 0; i--) {
        const t = tokens[i];
        if (t.type === 'nl' || t.type === 'sep') continue;
        if (t.type === 'lineComment') { lines.unshift(t.text.slice(2)); continue; }
        if (t.type === 'blockComment') { lines.unshift(...t.text.replace(/^\/\*/, '').replace(/\*\/$/, '').split('\n')); continue; }
        break;
    }
    const text = lines.map(l => l.trim()).filter(l => l.length > 0).join('\n');
    return text.length > 0 ? text : undefined;
}

export function docOf(document: LangiumDocument, node: AstNode): string | undefined {
    const offset = node.$cstNode?.offset;
    return offset === undefined ? undefined : docCommentBefore(documentTokens(document), offset);
}

/** Every function of a file including hoisted inline definitions, cached per parse. */
export function fileFunctions(document: LangiumDocument): FuncDef[] {
    return collectFunctions(document.parseResult.value as KoFile);
}

export function signatureOf(func: FuncDef): string {
    return `${func.name}(${func.params.map(p => p.name + (p.monadic ? '?' : '')).join(', ')})`;
}

/**
 * The editor's entry to the shared resolver: one FileScope per document, rebuilt after any
 * document set change or re-parse (a scope caches its package's functions), over the package
 * index of the validator, so the editor sees the same roots, packages and files as diagnostics.
 */
export class KoWorkspaceIndex {
    readonly documents: LangiumDocuments;
    readonly packages: PackageIndex;
    private generation = 0;
    private readonly scopes = new WeakMap<KoFile, { scope: FileScope; generation: number; roots: readonly string[]; imports?: ImportInfo[] }>();
    /** Documents for files of the package index that are not workspace documents (KOPATH libraries). */
    private readonly readOnlyDocuments = new WeakMap<KoFile, LangiumDocument>();

    constructor(services: KoServices) {
        this.packages = services.workspace.PackageIndex;
        this.documents = services.shared.workspace.LangiumDocuments;
        const builder = services.shared.workspace.DocumentBuilder;
        builder.onUpdate(() => { this.generation++; });
        builder.onBuildPhase(DocumentState.Parsed, () => { this.generation++; });
    }

    /** The package roots the server was configured with (workspace folders, KOPATH, the ko.packageRoots setting). */
    roots(): readonly string[] {
        return this.packages.getRoots();
    }

    packageDirOf(document: LangiumDocument): string {
        return dirname(document.uri.fsPath);
    }

    /** The import path of a package directory (the same rule as the runtime's step ids). */
    packagePathOf(dir: string): string {
        return packagePathOfDir(dir, this.roots()) ?? dir.split('/').pop() ?? dir;
    }

    /** What the document sees (§3.5): its imports and its package. */
    scope(document: LangiumDocument): FileScope {
        return this.scopeEntry(document).scope;
    }

    private scopeEntry(document: LangiumDocument) {
        const file = document.parseResult.value as KoFile;
        const roots = this.packages.getRoots();
        let entry = this.scopes.get(file);
        if (!entry || entry.generation !== this.generation || entry.roots !== roots) {
            entry = { scope: new FileScope(file, document.uri.fsPath, this.packages), generation: this.generation, roots };
            this.scopes.set(file, entry);
        }
        return entry;
    }

    /** The document holding a function of the package index. */
    documentOf(symbol: FunctionSymbol): LangiumDocument {
        return this.documentOfFile(symbol.filePath, AstUtils.findRootNode(symbol.func) as KoFile);
    }

    private documentOfFile(filePath: string, ast: KoFile): LangiumDocument {
        if (ast.$document) return ast.$document;
        let document = this.readOnlyDocuments.get(ast);
        if (!document) {
            // Read, never built, validated or reported on: not added to LangiumDocuments.
            const uri = URI.file(filePath);
            const textDocument = TextDocument.create(uri.toString(), 'ko', 0, ast.$cstNode?.root.fullText ?? '');
            document = { uri, parseResult: { value: ast, parserErrors: [], lexerErrors: [] }, state: DocumentState.Parsed, references: [], textDocument };
            this.readOnlyDocuments.set(ast, document);
        }
        return document;
    }

    /** The documents of the package in `dir`: workspace documents, else the files on disk. */
    packageDocuments(dir: string): LangiumDocument[] {
        return this.packages.filesOf(dir).map(f => this.documentOfFile(f.filePath, f.ast));
    }

    /** Functions of the package in `dir`, by name (several when duplicated). */
    packageFunctions(dir: string): ReadonlyMap<string, readonly FunctionSymbol[]> {
        return this.packages.functionsOf(dir);
    }

    findPackageFunction(dir: string, name: string): { func: FuncDef; document: LangiumDocument } | undefined {
        const symbol = this.packages.functionsOf(dir).get(name)?.[0];
        return symbol ? { func: symbol.func, document: this.documentOf(symbol) } : undefined;
    }

    /** The file's imports with aliases and package directories. */
    imports(document: LangiumDocument): ImportInfo[] {
        const entry = this.scopeEntry(document);
        return entry.imports ??= entry.scope.file.imports.filter(i => i.path !== undefined).map(imp => {
            const resolved = entry.scope.resolveImport(imp);
            return { imp, alias: importAlias(imp)!, importPath: resolved.importPath, ...(resolved.dir ? { dir: resolved.dir } : {}) };
        });
    }

    /** Members of an imported package: its Ko functions and the catalogue's gates and macros. */
    members(info: ImportInfo): { name: string; func?: FuncDef; document?: LangiumDocument; entry?: CatalogueEntry }[] {
        const out = new Map<string, { name: string; func?: FuncDef; document?: LangiumDocument; entry?: CatalogueEntry }>();
        for (const entry of catalogueMembers(info.importPath)) out.set(entry.name, { name: entry.name, entry });
        if (info.dir) {
            for (const [name, list] of this.packages.functionsOf(info.dir)) out.set(name, { name, func: list[0].func, document: this.documentOf(list[0]) });
        }
        // By name: the order the package's files were read in must not show.
        return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
    }

    /**
     * What a callee path written in `document` names, by name only (works on unparsed text too):
     * `localNames` are the enclosing function's parameters and steps, which shadow everything.
     */
    calleeSignature(document: LangiumDocument, segments: readonly string[], localNames: ReadonlySet<string> = new Set()): CalleeSignature | undefined {
        if (segments.length === 0 || localNames.has(segments[0])) return undefined;
        const scope = this.scope(document);
        if (segments.length === 1) {
            const symbol = scope.packageFunctions().get(segments[0])?.[0];
            if (symbol) return functionSignature(symbol.func, this.documentOf(symbol));
            const entry = catalogueEntry('', segments[0]);
            return entry ? entrySignature(entry) : undefined;
        }
        if (segments.length === 2) {
            const r = this.resolveMember(scope, segments[0], segments[1]);
            return r.kind === 'member' ? memberSignature(r, `${segments[0]}.`) : undefined;
        }
        return undefined;
    }

    /** Resolves the path segment `index` of the reference path that starts at `ref` (§3.5). */
    resolve(document: LangiumDocument, ref: Ref, index = 0): Resolution {
        const scope = this.scope(document);
        const path = refPathOf(ref);
        const segments = path.segments;
        const unknown: Resolution = { kind: 'unknown', name: segments[index] };
        let r: ScopeResolution = scope.resolve(path, isCalleeHead(ref));
        // `alias.F.x` can never resolve, but its first two segments still name the import and its member.
        if (r.kind === 'unresolvable-path' && index <= 1) r = scope.resolveMember(segments[0], segments[1]);
        switch (r.kind) {
            case 'bool': case 'builtin': return r;
            case 'param': return index === 0 ? r : unknown;
            case 'step': return index === 0 ? { kind: 'step', func: r.func, term: r.step } : unknown;
            case 'function': return { kind: 'function', func: r.symbols[0].func, document: this.documentOf(r.symbols[0]) };
            case 'member': {
                const imp = { imp: r.import, importPath: r.resolved.importPath, ...(r.resolved.dir ? { dir: r.resolved.dir } : {}) };
                if (index === 0) return { kind: 'alias', ...imp };
                return index === 1 ? this.member(r) : unknown;
            }
            default: return unknown;
        }
    }

    private resolveMember(scope: FileScope, alias: string, member: string): Resolution {
        const r = scope.resolveMember(alias, member);
        return r.kind === 'member' ? this.member(r) : { kind: 'unknown', name: member };
    }

    /** A member names the package's Ko function if there is one, else the catalogue's gate (§3.5). */
    private member(r: Extract<ScopeResolution, { kind: 'member' }>): Extract<Resolution, { kind: 'member' }> {
        const symbol = r.symbols[0];
        return {
            kind: 'member', imp: r.import, importPath: r.resolved.importPath, name: r.member,
            ...(r.resolved.dir ? { dir: r.resolved.dir } : {}),
            ...(symbol ? { func: symbol.func, document: this.documentOf(symbol) } : r.entry ? { entry: r.entry } : {}),
        };
    }
}

/**
 * True when the reference path starting at `ref` is called or augmented (`F(...)`, `a.F[...]`),
 * or is the callee of a curly construct (`G{...}`, an error of its own): `true` there is a name.
 */
function isCalleeHead(ref: Ref): boolean {
    const path = refPathOf(ref);
    const parent = path.node.$container;
    return ((isInvoke(parent) || isAugment(parent)) && parent.target === path.node) || (isCurlyConstruct(parent) && parent.callee === ref);
}

/** The Ref at the head of the path containing `node` when `node` is a Ref or a `.field` Select. */
export function pathHead(node: AstNode): { ref: Ref; index: number } | undefined {
    if (isRef(node)) return { ref: node, index: 0 };
    if (isSelect(node)) {
        let index = 1;
        let target = node.target;
        while (isSelect(target)) { index++; target = target.target; }
        if (isRef(target)) return { ref: target, index };
    }
    return undefined;
}

/** All Refs in a function body that are not inside a nested inline definition. */
export function refsOfFunction(func: FuncDef): Ref[] {
    const out: Ref[] = [];
    for (const term of func.terms) out.push(...refsOf(term));
    return out;
}

export interface CalleeSignature {
    /** `F(a, b?)` */
    label: string;
    name: string;
    params: string[];
    monadic?: string;
    open?: boolean;
    doc?: string;
    kind: 'function' | 'idiom' | 'macro' | 'gate';
    func?: FuncDef;
    document?: LangiumDocument;
    entry?: CatalogueEntry;
}

export function functionSignature(func: FuncDef, document: LangiumDocument, prefix = ''): CalleeSignature {
    const monadic = func.params.find(p => p.monadic)?.name;
    const doc = docOf(document, func);
    return {
        label: prefix + signatureOf(func), name: func.name, params: func.params.map(p => p.name),
        ...(monadic ? { monadic } : {}), ...(doc ? { doc } : {}), kind: 'function', func, document,
    };
}

export function entrySignature(entry: CatalogueEntry, prefix = ''): CalleeSignature {
    const params = entry.params.map(p => (p === entry.monadic ? `${p}?` : p));
    if (entry.open) params.push('...');
    return {
        label: `${prefix}${entry.name}(${params.join(', ')})`, name: entry.name, params: [...entry.params],
        ...(entry.monadic ? { monadic: entry.monadic } : {}), ...(entry.open ? { open: true } : {}),
        doc: entry.doc, kind: entry.kind, entry,
    };
}

/** The signature of what `alias.Member` names: the package's Ko function, else the catalogue's gate. */
export function memberSignature(r: Extract<Resolution, { kind: 'member' }>, prefix: string): CalleeSignature | undefined {
    if (r.func && r.document) return functionSignature(r.func, r.document, prefix);
    return r.entry ? entrySignature(r.entry, prefix) : undefined;
}
