// Worker thread running ELK, so a large layout never blocks the extension host (and with it
// every other extension). Messages: { id, graph } in, { id, layout } or { id, error } out.
import { parentPort } from 'node:worker_threads';
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { GraphResult } from '../../src/protocol/ko-protocol.js';
import { layoutGraph, type ElkLike } from './layout.js';

// elkjs is CommonJS: the constructor is the module itself (or its default under interop).
const ELK = ((ElkModule as unknown as { default?: unknown }).default ?? ElkModule) as new () => ElkLike;
const elk = new ELK();
parentPort?.on('message', (msg: { id: number; graph: GraphResult }) => {
    layoutGraph(msg.graph, elk).then(
        layout => parentPort?.postMessage({ id: msg.id, layout }),
        (err: unknown) => parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
    );
});
