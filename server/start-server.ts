// Starts the Ko language server on a connection (stdio, IPC or pipes, chosen by the command-line
// flags vscode-languageserver understands) and registers Ko's custom requests.
import { NodeFileSystem } from 'langium/node';
import { startLanguageServer } from 'langium/lsp';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { URI } from 'langium';
import { GraphRequestMethod, type GraphParams } from '../src/protocol/ko-protocol.js';
import { createKoLspServices } from './ko-lsp-module.js';
import { computeGraph } from './graph-request.js';

export function startKoLanguageServer(): void {
    const connection = createConnection(ProposedFeatures.all);
    const { shared, Ko } = createKoLspServices({ connection, ...NodeFileSystem });
    startLanguageServer(shared);
    connection.onRequest(GraphRequestMethod, async (params: GraphParams) => {
        const uri = URI.parse(params.uri);
        await shared.workspace.WorkspaceManager.ready;
        const document = await shared.workspace.LangiumDocuments.getOrCreateDocument(uri);
        return computeGraph(Ko, document, params.functionName);
    });
}
