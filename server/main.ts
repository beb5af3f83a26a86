// Entry of the Ko language server (bundled to dist/server/main.cjs; `ko lsp --stdio` runs the same
// code in-process). Starts Langium's server and adds Ko's custom requests from the protocol file.
import { startKoLanguageServer } from './start-server.js';

startKoLanguageServer();
