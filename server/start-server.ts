// Starts the Ko language server on a connection (stdio, IPC or pipes, chosen by the command-line
// flags vscode-languageserver understands) and registers Ko's custom requests.
import { DocumentState } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { createRequestHandler, startLanguageServer } from 'langium/lsp';
import { createConnection, ProposedFeatures, type CancellationToken } from 'vscode-languageserver/node';
import { GraphRequestMethod, type GraphParams, type GraphResult } from '../src/protocol/ko-protocol.js';
import { createKoLspServices, type KoLspServices } from './ko-lsp-module.js';
import { computeGraph } from './graph-request.js';

export function startKoLanguageServer(): void {
    const connection = createConnection(ProposedFeatures.all);
    const { shared } = createKoLspServices({ connection, ...NodeFileSystem });
    startLanguageServer(shared);
    // Langium's request plumbing waits until the document reflects the latest edit (parsed and
    // indexed) and runs under the workspace read lock, like the built-in requests.
    const graph = createRequestHandler<GraphParams & { textDocument: { uri: string } }, GraphResult>(
        async (services, document, params) => {
            const t0 = performance.now();
            const result = await computeGraph(services as unknown as KoLspServices, document, params.functionName);
            // KO_LSP_TRACE=1 logs the server-side cost, which bench/lsp-bench.mjs separates from transport.
            if (process.env.KO_LSP_TRACE) process.stderr.write(`ko/graph ${document.uri.path}: ${(performance.now() - t0).toFixed(1)} ms\n`);
            return result;
        },
        shared, DocumentState.IndexedContent,
    );
    connection.onRequest(GraphRequestMethod, (params: GraphParams, token: CancellationToken) =>
        graph({ ...params, textDocument: { uri: params.uri } }, token));
}
