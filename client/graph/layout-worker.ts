// Worker thread running the layout (ELK, or the fast layered layout for big functions), so a
// large layout never blocks the extension host (and with it every other extension). It keeps
// the per-function layout cache, so an edit re-lays out only the functions it changed.
// Messages: { id, graph, engine? } in, { id, layout, stats } or { id, error } out.
import { parentPort } from 'node:worker_threads';
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { GraphResult } from '../../src/protocol/ko-protocol.js';
import { layoutGraph, type ElkLike, type FunctionLayout, type LayoutOptions } from './layout.js';

// elkjs is CommonJS: the constructor is the module itself (or its default under interop).
const ELK = ((ElkModule as unknown as { default?: unknown }).default ?? ElkModule) as new () => ElkLike;
const elk = new ELK();
const cache = new Map<string, FunctionLayout>();
parentPort?.on('message', (msg: { id: number; graph: GraphResult; engine?: LayoutOptions['engine']; noCache?: boolean }) => {
    const stats = { computed: 0, cached: 0 };
    layoutGraph(msg.graph, elk, { ...(msg.noCache ? {} : { cache }), engine: msg.engine ?? 'auto', stats }).then(
        layout => parentPort?.postMessage({ id: msg.id, layout, stats }),
        (err: unknown) => parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
    );
});
