// Extension-side handle of the layout worker (dist/client/layout-worker.cjs): one lazily
// started worker thread, requests matched by id, results cached by graph topology.
import { Worker } from 'node:worker_threads';
import type { GraphLayout, GraphResult } from '../../src/protocol/ko-protocol.js';
import { topologyKey } from './layout.js';

export class LayoutClient {
    private worker: Worker | undefined;
    private next = 1;
    private readonly waiting = new Map<number, { resolve: (l: GraphLayout) => void; reject: (e: Error) => void }>();
    private readonly cache = new Map<string, GraphLayout>();
    /** Layouts computed (not served from the cache); read by tests. */
    computed = 0;

    constructor(private readonly workerPath: string) {}

    async layout(graph: GraphResult): Promise<GraphLayout> {
        const key = topologyKey(graph);
        const hit = this.cache.get(key);
        if (hit) return hit;
        const layout = await this.request(graph);
        this.computed++;
        if (this.cache.size > 20) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, layout);
        return layout;
    }

    private request(graph: GraphResult): Promise<GraphLayout> {
        const worker = this.start();
        const id = this.next++;
        return new Promise((resolve, reject) => {
            this.waiting.set(id, { resolve, reject });
            worker.postMessage({ id, graph });
        });
    }

    private start(): Worker {
        if (this.worker) return this.worker;
        const w = new Worker(this.workerPath);
        w.unref(); // never keep the extension host alive
        w.on('message', (m: { id: number; layout?: GraphLayout; error?: string }) => {
            const p = this.waiting.get(m.id);
            this.waiting.delete(m.id);
            if (m.layout) p?.resolve(m.layout); else p?.reject(new Error(m.error ?? 'layout failed'));
        });
        const fail = (e: Error) => {
            for (const p of this.waiting.values()) p.reject(e);
            this.waiting.clear();
            this.worker = undefined;
        };
        w.on('error', fail);
        w.on('exit', code => fail(new Error(`layout worker exited with ${code}`)));
        this.worker = w;
        return w;
    }

    dispose(): void { void this.worker?.terminate(); this.worker = undefined; }
}
