// The language server's DI module: Langium's LSP module plus the core KoCoreModule (parser,
// validator, package index) plus one provider per editor feature. Tests build the same services
// with an in-memory file system, so what the tests exercise is what `ko lsp` serves.
import { inject, type DeepPartial, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule,
    type DefaultSharedModuleContext, type LangiumServices, type LangiumSharedServices, type PartialLangiumServices,
} from 'langium/lsp';
import { KoGeneratedModule, KoGeneratedSharedModule } from '../src/language/generated/module.js';
import { KoCoreModule, KoSharedCoreModule, connectPackageIndex, type KoAddedServices } from '../src/language/ko-module.js';
import { packageRoots } from '../src/workspace/package-roots.js';
import { DocumentState, URI } from 'langium';
import { isAbsolute, join } from 'node:path';
import { KoWorkspaceIndex } from './ko-names.js';
import { KoCompletionProvider } from './completion-provider.js';
import { KoHoverProvider } from './hover-provider.js';
import { KoSignatureHelpProvider } from './signature-help-provider.js';
import { KoDefinitionProvider } from './definition-provider.js';
import { KoReferencesProvider } from './references-provider.js';
import { KoRenameProvider } from './rename-provider.js';
import { KoDocumentSymbolProvider, KoWorkspaceSymbolProvider } from './symbol-provider.js';
import { KoSemanticTokenProvider } from './semantic-token-provider.js';
import { KoFoldingRangeProvider } from './folding-provider.js';
import { KoDocumentLinkProvider } from './document-link-provider.js';
import { KoInlayHintProvider } from './inlay-hint-provider.js';
import { KoCallHierarchyProvider } from './call-hierarchy-provider.js';
import { KoFormatter } from './formatter.js';
import { KoCodeActionProvider } from './code-action-provider.js';
import { KoDocumentHighlightProvider } from './highlight-provider.js';

export interface KoLspAddedServices {
    ko: { Index: KoWorkspaceIndex };
}
export type KoLspServices = LangiumServices & KoAddedServices & KoLspAddedServices;

export const KoLspModule: Module<KoLspServices, PartialLangiumServices & KoLspAddedServices> = {
    ko: { Index: services => new KoWorkspaceIndex(services) },
    lsp: {
        CompletionProvider: services => new KoCompletionProvider(services),
        HoverProvider: services => new KoHoverProvider(services),
        SignatureHelp: services => new KoSignatureHelpProvider(services),
        DefinitionProvider: services => new KoDefinitionProvider(services),
        ReferencesProvider: services => new KoReferencesProvider(services),
        RenameProvider: services => new KoRenameProvider(services),
        DocumentSymbolProvider: services => new KoDocumentSymbolProvider(services),
        SemanticTokenProvider: services => new KoSemanticTokenProvider(services),
        FoldingRangeProvider: services => new KoFoldingRangeProvider(services),
        DocumentLinkProvider: services => new KoDocumentLinkProvider(services),
        InlayHintProvider: services => new KoInlayHintProvider(services),
        CallHierarchyProvider: services => new KoCallHierarchyProvider(services),
        Formatter: () => new KoFormatter(),
        CodeActionProvider: services => new KoCodeActionProvider(services),
        DocumentHighlightProvider: services => new KoDocumentHighlightProvider(services),
    },
};

export function createKoLspServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; Ko: KoLspServices } {
    const shared = inject(createDefaultSharedModule(context), KoGeneratedSharedModule,
        KoSharedCoreModule as Module<LangiumSharedServices, DeepPartial<LangiumSharedServices>>, {
        lsp: { WorkspaceSymbolProvider: s => new KoWorkspaceSymbolProvider(s) },
    } as Module<LangiumSharedServices, DeepPartial<LangiumSharedServices>>);
    const Ko = inject(
        createDefaultModule({ shared }),
        KoGeneratedModule,
        KoCoreModule as unknown as Module<KoLspServices, DeepPartial<KoLspServices>>,
        KoLspModule as Module<KoLspServices, DeepPartial<KoLspServices>>,
    );
    shared.ServiceRegistry.register(Ko);
    connectPackageIndex(shared, Ko);
    // The validator's package index resolves imports against the same roots as the editor features.
    // Roots: workspace folders, KOPATH entries' src/, then the `ko.packageRoots` setting.
    let folders: string[] = [];
    let extraRoots: string[] = [];
    const applyRoots = () => Ko.workspace.PackageIndex.setRoots(packageRoots({ workspaceFolders: folders, extraRoots }));
    shared.lsp.LanguageServer.onInitialize(params => {
        folders = (params.workspaceFolders ?? []).map(f => URI.parse(f.uri).fsPath);
        if (folders.length === 0 && params.rootUri) folders.push(URI.parse(params.rootUri).fsPath);
        applyRoots();
    });
    const applySetting = async (configured: unknown) => {
        const next = Array.isArray(configured)
            ? configured.filter((r): r is string => typeof r === 'string' && r.length > 0).map(r => (isAbsolute(r) ? r : join(folders[0] ?? process.cwd(), r)))
            : [];
        if (next.join('\0') === extraRoots.join('\0')) return;
        extraRoots = next;
        applyRoots();
        // Imports may resolve differently now: validate every document again.
        const documents = shared.workspace.LangiumDocuments.all.toArray();
        for (const doc of documents) shared.workspace.DocumentBuilder.resetToState(doc, DocumentState.IndexedReferences);
        await shared.workspace.DocumentBuilder.build(documents, { validation: true });
    };
    // The initial value arrives with `initialized`; later ones as section updates.
    shared.lsp.LanguageServer.onInitialized(async () => {
        await shared.workspace.ConfigurationProvider.ready;
        await applySetting(await shared.workspace.ConfigurationProvider.getConfiguration('ko', 'packageRoots'));
    });
    shared.workspace.ConfigurationProvider.onConfigurationSectionUpdate(async update => {
        if (update.section !== 'ko') return;
        await applySetting((update.configuration as { packageRoots?: unknown } | undefined)?.packageRoots);
    });
    return { shared, Ko };
}
