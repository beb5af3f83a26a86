// Name resolution for the editor, following §3.5 of the reference: a reference `p0.p1...` inside a
// function resolves to a parameter, then a step of that same function (inline definitions capture
// nothing), then an import alias of the file (two segments), then a package function (any file of
// the package directory), then an idiom or global builtin. Packages are directories, so the package
// of a document is its folder; imported packages are found on the package roots and parsed lazily.
import { dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { DocumentState, URI, type AstNode, type FileSystemProvider, type LangiumDocumentFactory, type LangiumCoreServices, type LangiumDocument, type LangiumDocuments, type WorkspaceManager } from 'langium';
import {
    isCurlyConstruct, isFuncDef, isInvoke, isAugment, isRef, isSelect, isTerm,
    type FuncDef, type Import, type KoFile, type Param, type Ref, type Term,
} from '../src/language/generated/ast.js';
import { enclosingFunction, refPathOf } from '../src/language/ast-utils.js';
import { catalogueEntry, catalogueMembers, type CatalogueEntry } from '../src/language/catalogue.js';
import { defaultAlias, packagePathOf as packagePathOfDir, packageRoots, resolveImport } from '../src/workspace/package-roots.js';
import type { PackageIndex } from '../src/workspace/package-index.js';
import type { KoServices } from '../src/language/ko-module.js';
import { tokenize, tokenIndexBefore, type KoToken } from './ko-tokens.js';
import { collectFunctions, refsOf } from './graph-builder.js';

export type Resolution =
    | { kind: 'bool'; value: boolean }
    | { kind: 'param'; func: FuncDef; param: Param }
    | { kind: 'step'; func: FuncDef; term: Term }
    | { kind: 'function'; func: FuncDef; document: LangiumDocument; packagePath: string }
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

/** The string value of an import path as the reference stores it (raw strings keep backticks). */
export function importPathOf(imp: Import): string {
    const p = imp.path ?? '';
    if (p.startsWith('"')) return p.slice(1, p.endsWith('"') && p.length > 1 ? -1 : undefined);
    return p;
}

export function aliasOf(imp: Import): string {
    return imp.alias ?? defaultAlias(importPathOf(imp));
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
export function docCommentBefore(tokens: readonly KoToken[], offset: number): string | undefined {
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

/** Builtins reachable by a bare name: idioms win over global macros (§3.5). */
export function bareBuiltin(name: string): CatalogueEntry | undefined {
    return catalogueEntry('', name);
}

/**
 * Workspace-wide views the providers share: package directories, package functions and imports.
 * Everything is computed from LangiumDocuments on demand with per-parse caches, so an edit only
 * invalidates the edited document.
 */
export class KoWorkspaceIndex {
    private readonly external = new Map<string, Promise<void>>();
    readonly documents: LangiumDocuments;
    private readonly workspaceManager: WorkspaceManager;
    private cachedRoots?: { key: unknown; roots: string[] };
    /** Extra folders (tests and the CLI have no LSP workspace folders). */
    extraFolders: string[] = [];

    /** Package directory -> its documents; rebuilt lazily after any document set change. */
    private byDir?: Map<string, LangiumDocument[]>;

    private readonly fileSystem: FileSystemProvider;
    private readonly documentFactory: LangiumDocumentFactory;

    private readonly packageIndex: PackageIndex | undefined;

    constructor(services: LangiumCoreServices) {
        this.packageIndex = (services as Partial<KoServices>).workspace?.PackageIndex;
        this.documents = services.shared.workspace.LangiumDocuments;
        this.fileSystem = services.shared.workspace.FileSystemProvider;
        this.documentFactory = services.shared.workspace.LangiumDocumentFactory;
        this.workspaceManager = services.shared.workspace.WorkspaceManager;
        // Documents are updated in place on edits; only additions and deletions change the map.
        const builder = services.shared.workspace.DocumentBuilder;
        builder.onUpdate(() => { this.byDir = undefined; });
        builder.onBuildPhase(DocumentState.Parsed, () => { this.byDir = undefined; });
    }

    roots(): string[] {
        // The validator's package index holds the roots the server was configured with
        // (workspace folders, KOPATH, the ko.packageRoots setting): use the same ones.
        const configured = this.packageIndex?.getRoots() ?? [];
        if (configured.length > 0 && this.extraFolders.length === 0) return [...configured];
        const folders = this.workspaceManager.workspaceFolders;
        if (this.cachedRoots && this.cachedRoots.key === folders && this.extraFolders.length === 0) return this.cachedRoots.roots;
        const workspaceFolders = [...(folders ?? []).map(f => URI.parse(f.uri).fsPath), ...this.extraFolders];
        const roots = packageRoots({ workspaceFolders });
        this.cachedRoots = { key: folders, roots };
        return roots;
    }

    packageDirOf(document: LangiumDocument): string {
        return dirname(document.uri.fsPath);
    }

    /** The import path of a package directory (the same rule as the runtime's step ids). */
    packagePathOf(dir: string): string {
        return packagePathOfDir(dir, this.roots()) ?? dir.split('/').pop() ?? dir;
    }

    /** The loaded documents of a package directory (`*.ko` files directly in it). */
    packageDocuments(dir: string): LangiumDocument[] {
        let byDir = this.byDir;
        if (!byDir) {
            byDir = new Map();
            for (const doc of this.documents.all) {
                const d = doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : dirname(doc.uri.path);
                let list = byDir.get(d);
                if (!list) byDir.set(d, list = []);
                list.push(doc);
            }
            this.byDir = byDir;
        }
        return byDir.get(dir) ?? this.externalDocs.get(dir) ?? [];
    }


    /** Functions of the package in `dir`, by name (several when duplicated). */
    packageFunctions(dir: string): Map<string, { func: FuncDef; document: LangiumDocument }[]> {
        const out = new Map<string, { func: FuncDef; document: LangiumDocument }[]>();
        for (const document of this.packageDocuments(dir)) {
            for (const func of fileFunctions(document)) {
                let list = out.get(func.name);
                if (!list) out.set(func.name, list = []);
                list.push({ func, document });
            }
        }
        return out;
    }

    findPackageFunction(dir: string, name: string): { func: FuncDef; document: LangiumDocument } | undefined {
        for (const document of this.packageDocuments(dir)) {
            const func = fileFunctions(document).find(f => f.name === name);
            if (func) return { func, document };
        }
        return undefined;
    }

    private readonly importsCache = new WeakMap<object, ImportInfo[]>();

    /** The file's imports with aliases and package directories (cached per parse: stat calls are slow). */
    imports(document: LangiumDocument): ImportInfo[] {
        const file = document.parseResult.value as KoFile;
        const cached = this.importsCache.get(file);
        if (cached) return cached;
        const roots = this.roots();
        const out = file.imports.filter(i => i.path !== undefined).map(imp => {
            const importPath = importPathOf(imp);
            const resolved = resolveImport(importPath, roots);
            if (resolved.dir) this.ensureLoaded(resolved.dir);
            return { imp, alias: aliasOf(imp), importPath, ...(resolved.dir ? { dir: resolved.dir } : {}) };
        });
        this.importsCache.set(file, out);
        return out;
    }

    /** Parses the .ko files of a package outside the workspace the first time it is imported. */
    /**
     * Parses the .ko files of an imported package that the workspace does not hold (a KOPATH
     * library) into documents kept here, not in LangiumDocuments: they are read, never built,
     * validated or reported on. A file the editor opens later takes precedence (packageDocuments).
     */
    ensureLoaded(dir: string): Promise<void> {
        let pending = this.external.get(dir);
        if (!pending) {
            pending = (async () => {
                if (this.packageDocuments(dir).length > 0) return; // part of the workspace
                let names: string[] = [];
                try { names = readdirSync(dir).filter(n => n.endsWith('.ko')).sort(); } catch { return; }
                const docs: LangiumDocument[] = [];
                for (const name of names) {
                    try {
                        const uri = URI.file(join(dir, name));
                        const text = await this.fileSystem.readFile(uri);
                        docs.push(this.documentFactory.fromString(text, uri));
                    } catch { /* unreadable file: skip */ }
                }
                this.externalDocs.set(dir, docs);
            })();
            this.external.set(dir, pending);
        }
        return pending;
    }

    private readonly externalDocs = new Map<string, LangiumDocument[]>();

    /** Waits for every imported package of the document to be parsed. */
    async loadImports(document: LangiumDocument): Promise<void> {
        await Promise.all(this.imports(document).filter(i => i.dir).map(i => this.ensureLoaded(i.dir!)));
    }

    /** Members of an imported package: its Ko functions and the catalogue's gates and macros. */
    members(info: ImportInfo): { name: string; func?: FuncDef; document?: LangiumDocument; entry?: CatalogueEntry }[] {
        const out = new Map<string, { name: string; func?: FuncDef; document?: LangiumDocument; entry?: CatalogueEntry }>();
        for (const entry of catalogueMembers(info.importPath)) out.set(entry.name, { name: entry.name, entry });
        if (info.dir) {
            for (const [name, list] of this.packageFunctions(info.dir)) out.set(name, { name, func: list[0].func, document: list[0].document });
        }
        // By name: the order the server loaded the package's files in must not show.
        return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
    }

    /**
     * What a callee path written in `document` names, by name only (works on unparsed text too):
     * `localNames` are the enclosing function's parameters and steps, which shadow everything.
     */
    calleeSignature(document: LangiumDocument, segments: readonly string[], localNames: ReadonlySet<string> = new Set()): CalleeSignature | undefined {
        if (segments.length === 0 || localNames.has(segments[0])) return undefined;
        if (segments.length === 1) {
            const found = this.findPackageFunction(this.packageDirOf(document), segments[0]);
            if (found) return functionSignature(found.func, found.document);
            const entry = bareBuiltin(segments[0]);
            return entry ? entrySignature(entry) : undefined;
        }
        if (segments.length === 2) {
            const info = this.imports(document).find(i => i.alias === segments[0]);
            if (!info) return undefined;
            const found = info.dir ? this.findPackageFunction(info.dir, segments[1]) : undefined;
            if (found) return functionSignature(found.func, found.document, `${segments[0]}.`);
            const entry = catalogueEntry(info.importPath, segments[1]);
            return entry ? entrySignature(entry, `${segments[0]}.`) : undefined;
        }
        return undefined;
    }

    /** Resolves the path segment `index` of the reference path that starts at `ref` (§3.5). */
    resolve(document: LangiumDocument, ref: Ref, index = 0): Resolution {
        const path = refPathOf(ref);
        const segments = path.segments;
        const p0 = segments[0];
        const func = enclosingFunction(ref);
        const valuePosition = !isCalleeHead(ref);
        if (index === 0 && segments.length === 1 && valuePosition && (p0 === 'true' || p0 === 'false')) {
            return { kind: 'bool', value: p0 === 'true' };
        }
        if (func) {
            const param = func.params.find(p => p.name === p0);
            if (param) return index === 0 ? { kind: 'param', func, param } : { kind: 'unknown', name: segments[index] };
            const term = func.terms.find(t => t.label === p0);
            if (term) return index === 0 ? { kind: 'step', func, term } : { kind: 'unknown', name: segments[index] };
        }
        if (segments.length >= 2) {
            const info = this.imports(document).find(i => i.alias === p0);
            if (info) {
                if (index === 0) return { kind: 'alias', imp: info.imp, importPath: info.importPath, ...(info.dir ? { dir: info.dir } : {}) };
                if (index === 1) {
                    const name = segments[1];
                    const found = info.dir ? this.findPackageFunction(info.dir, name) : undefined;
                    const entry = found ? undefined : catalogueEntry(info.importPath, name);
                    return { kind: 'member', imp: info.imp, importPath: info.importPath, name, ...(info.dir ? { dir: info.dir } : {}), ...(found ? { func: found.func, document: found.document } : {}), ...(entry ? { entry } : {}) };
                }
                return { kind: 'unknown', name: segments[index] };
            }
            // `a.b` needs `a` to be a parameter, step or alias: it never reaches a package function.
            return { kind: 'unknown', name: segments[index] };
        }
        const dir = this.packageDirOf(document);
        const found = this.findPackageFunction(dir, p0);
        if (found) return { kind: 'function', func: found.func, document: found.document, packagePath: this.packagePathOf(dir) };
        const entry = bareBuiltin(p0);
        if (entry) return { kind: 'builtin', entry };
        return { kind: 'unknown', name: p0 };
    }
}

/** True when the reference path starting at `ref` is called or augmented (`F(...)`, `a.F[...]`). */
export function isCalleeHead(ref: Ref): boolean {
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

/** The labeled term (step) of `func` that contains `node`, if any. */
export function stepContaining(node: AstNode): Term | undefined {
    let current: AstNode | undefined = node;
    while (current) {
        if (isTerm(current) && isFuncDef(current.$container)) return current;
        current = current.$container;
    }
    return undefined;
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
