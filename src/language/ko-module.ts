// Dependency-injection module for the Ko language: wires the generated parser with Ko's own
// services: the package index (functions per package directory), the document validator (one
// analysis for CLI and editor), a scope computation that exports only functions, and an index
// manager that knows a file's package siblings and importers are affected by its edits.
import {
    DefaultDocumentValidator, DefaultLangiumDocumentFactory, DefaultLinker, DefaultReferenceDescriptionProvider, DefaultValueConverter, DefaultIndexManager, DefaultScopeComputation, DefaultTokenBuilder, DocumentState, GrammarUtils, MultiMap, URI,
    createDefaultCoreModule, createDefaultSharedCoreModule, inject,
    type AstNode, type AstNodeDescription, type DeepPartial, type DefaultSharedCoreModuleContext, type LangiumCoreServices,
    type LangiumDocument, type LangiumSharedCoreServices, type LocalSymbols, type Module,
    type Cancellation, type CstNode, type GrammarAST, type ParseResult, type PartialLangiumCoreServices, type ValidationOptions, type ValueType,
} from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { TokenType } from 'chevrotain';
import { dirname } from 'node:path';
import { KoGeneratedModule, KoGeneratedSharedModule } from './generated/module.js';
import type { KoFile } from './generated/ast.js';
import { allFunctions } from './ast-utils.js';
import { analyzeFile } from './ko-analysis.js';
import type { KoDiagnostic } from './diagnostics.js';
import { PackageIndex } from '../workspace/package-index.js';
import { importPathOf } from './name-resolver.js';
import { reparseIncrementally } from './incremental-parser.js';
import { registerCstLookups } from './source-spans.js';

// Langium ASTs come only from the services made here: give source-spans.ts their CST lookups.
registerCstLookups(GrammarUtils);

export interface KoAddedServices {
    workspace: { PackageIndex: PackageIndex };
}
export type KoServices = LangiumCoreServices & KoAddedServices;

/**
 * Strings and integers keep their source text: Ko strings follow Go's escape rules
 * (decodeGoString) and integers are int64, which a JS number cannot hold exactly.
 */
export class KoValueConverter extends DefaultValueConverter {
    protected override runConverter(rule: GrammarAST.AbstractRule, input: string, cstNode: CstNode): ValueType {
        if (rule.name === 'STRING' || rule.name === 'INT' || rule.name === 'FLOAT' || rule.name === 'RAW') return input;
        return super.runConverter(rule, input, cstNode);
    }
}

/**
 * Two lexing fixes over Langium's defaults. The word keywords (`import`, `use`, `as`) get ID as
 * their longer alternative: Langium cannot see that the ID pattern (a Unicode regex, run as a
 * custom matcher) also matches them, and would lex `user` as `use` + `r`. And whitespace never
 * counts as a line break: a `\r` before the newline token would otherwise count a second line,
 * putting every position of a CRLF file on the wrong line.
 */
export class KoTokenBuilder extends DefaultTokenBuilder {
    protected override buildTerminalToken(terminal: GrammarAST.TerminalRule): TokenType {
        const token = super.buildTerminalToken(terminal);
        if (token.name === 'WS') token.LINE_BREAKS = false;
        return token;
    }

    protected override findLongerAlt(keyword: GrammarAST.Keyword, terminalTokens: TokenType[]): TokenType[] {
        const alternatives = super.findLongerAlt(keyword, terminalTokens);
        const id = terminalTokens.find(t => t.name === 'ID');
        if (id && /^\w+$/.test(keyword.value) && !alternatives.includes(id)) alternatives.push(id);
        return alternatives;
    }
}

/** Only functions are exported (workspace symbols); Ko resolves names itself (name-resolver.ts). */
export class KoScopeComputation extends DefaultScopeComputation {
    override async collectExportedSymbols(document: LangiumDocument): Promise<AstNodeDescription[]> {
        const file = document.parseResult.value as KoFile;
        return allFunctions(file).filter(f => f.name).map(f => this.descriptions.createDescription(f, f.name, document));
    }
    override async collectLocalSymbols(): Promise<LocalSymbols> {
        return new MultiMap<never, AstNodeDescription>();
    }
}

/** Diagnostics come from analyzeFile, so `ko check` and the editor report exactly the same. */
export class KoDocumentValidator extends DefaultDocumentValidator {
    constructor(private readonly ko: KoServices) { super(ko); }

    override async validateDocument(document: LangiumDocument, _options?: ValidationOptions): Promise<Diagnostic[]> {
        const index = this.ko.workspace.PackageIndex;
        const filePath = document.uri.fsPath;
        index.setFile(filePath, document.parseResult.value as KoFile);
        const diagnostics = analyzeFile({
            filePath, text: document.textDocument.getText(),
            parseResult: document.parseResult as LangiumDocument<KoFile>['parseResult'],
            index, lexer: this.ko.parser.Lexer,
        });
        return diagnostics.map(d => toLspDiagnostic(d, document.uri));
    }
}

export function toLspDiagnostic(d: KoDiagnostic, uri: URI): Diagnostic {
    const severity = { error: 1, warning: 2, information: 3, hint: 4 }[d.severity] as 1 | 2 | 3 | 4;
    return {
        range: d.range, severity, code: d.code, source: 'ko', message: d.message,
        data: { code: d.code, ...(d.data ?? {}) },
        ...(d.unnecessary ? { tags: [1] } : {}),
        ...(d.related ? {
            relatedInformation: d.related.map(r => ({
                message: r.message,
                location: { uri: r.filePath ? URI.file(r.filePath).toString() : uri.toString(), range: r.range },
            })),
        } : {}),
    };
}

/** Package-wide names: an edit affects the file's package siblings and the files importing it. */
export class KoIndexManager extends DefaultIndexManager {
    override isAffected(document: LangiumDocument, changedUris: Set<string>): boolean {
        const dir = dirname(document.uri.fsPath);
        const changedDirs = new Set([...changedUris].map(u => dirname(URI.parse(u).fsPath)));
        if (changedDirs.has(dir)) return true;
        const file = document.parseResult.value as KoFile;
        const services = this.serviceRegistry.getServices(document.uri) as unknown as KoServices;
        const index = services.workspace?.PackageIndex;
        if (!index) return super.isAffected(document, changedUris);
        for (const imp of file.imports ?? []) {
            const resolved = index.resolveImport(importPathOf(imp));
            if (resolved.dir && changedDirs.has(resolved.dir)) return true;
        }
        return false;
    }
}

/** Edits inside one function body re-parse only that function (incremental-parser.ts). */
export class KoDocumentFactory extends DefaultLangiumDocumentFactory {
    constructor(private readonly shared: LangiumSharedCoreServices) { super(shared); }

    protected override parseAsync<T extends AstNode>(uri: URI, text: string, cancellationToken: Cancellation.CancellationToken): Promise<ParseResult<T>> {
        const previous = this.shared.workspace.LangiumDocuments.getDocument(uri)?.parseResult as ParseResult<KoFile> | undefined;
        if (previous) {
            const parser = this.serviceRegistry.getServices(uri).parser.LangiumParser;
            const incremental = reparseIncrementally(previous, text, parser);
            if (incremental) return Promise.resolve(incremental as unknown as ParseResult<T>);
        }
        return super.parseAsync(uri, text, cancellationToken);
    }
}

/**
 * Ko has no Langium cross-references: names resolve through name-resolver.ts, whose answer
 * depends on package siblings and imports. Skipping the generic linking and reference-indexing
 * passes saves two full AST walks per edit.
 */
export class KoLinker extends DefaultLinker {
    override async link(): Promise<void> { /* nothing to link */ }
}
export class KoReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
    override async createDescriptions(): Promise<never[]> { return []; }
}

export function createPackageIndex(services: LangiumCoreServices, roots: readonly string[]): PackageIndex {
    const parser = services.parser.LangiumParser;
    return new PackageIndex((_path, text) => parser.parse<KoFile>(text).value, roots);
}

export const KoCoreModule: Module<KoServices, PartialLangiumCoreServices & KoAddedServices> = {
    workspace: {
        PackageIndex: (services) => createPackageIndex(services, []),
        ReferenceDescriptionProvider: (services) => new KoReferenceDescriptionProvider(services),
    },
    parser: {
        ValueConverter: () => new KoValueConverter(),
        TokenBuilder: () => new KoTokenBuilder(),
    },
    references: {
        ScopeComputation: (services) => new KoScopeComputation(services),
        Linker: (services) => new KoLinker(services),
    },
    validation: {
        DocumentValidator: (services) => new KoDocumentValidator(services as KoServices),
    },
};

export const KoSharedCoreModule: Module<LangiumSharedCoreServices, DeepPartial<LangiumSharedCoreServices>> = {
    workspace: {
        IndexManager: (shared) => new KoIndexManager(shared),
        LangiumDocumentFactory: (shared) => new KoDocumentFactory(shared),
    },
};

/** Keeps the package index in step with the documents a build parses or deletes. */
export function connectPackageIndex(shared: LangiumSharedCoreServices, Ko: KoServices): void {
    const index = Ko.workspace.PackageIndex;
    shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Parsed, documents => {
        for (const doc of documents) index.setFile(doc.uri.fsPath, doc.parseResult.value as KoFile);
    });
    shared.workspace.DocumentBuilder.onUpdate((_changed, deleted) => {
        for (const uri of deleted) index.removeFile(uri.fsPath);
    });
}

export function createKoCoreServices(context: DefaultSharedCoreModuleContext): {
    shared: LangiumSharedCoreServices; Ko: KoServices;
} {
    const shared = inject(createDefaultSharedCoreModule(context), KoGeneratedSharedModule, KoSharedCoreModule);
    const Ko = inject(createDefaultCoreModule({ shared }), KoGeneratedModule, KoCoreModule as Module<KoServices, DeepPartial<KoServices>>);
    shared.ServiceRegistry.register(Ko);
    connectPackageIndex(shared, Ko);
    return { shared, Ko };
}
