// The Ko debug adapter as a standalone process speaking DAP over stdin/stdout: what the DAP tests
// run (DebugClient('node', bundle, 'ko')) and what any DAP client other than VS Code can use.
// Program output travels as DAP output events, never on stdout, so the protocol stream stays clean.
import { DebugSession } from '@vscode/debugadapter';
import { KoDebugSession } from './ko-debug-session.js';

DebugSession.run(KoDebugSession);
