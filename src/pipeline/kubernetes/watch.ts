// List+watch of one collection, the way controllers (client-go's reflector) follow the API
// server: list once for a resourceVersion, then watch from it with bookmarks; reconnect from the
// last seen resourceVersion when a stream ends or drops; re-list when the server answers
// 410 Gone (the version was compacted away), and report objects deleted meanwhile.
import type { KubeClient } from './client.js';
import { forEachLine, sleep } from './client.js';
import { KubeApiError, KubePermissionError } from './errors.js';

export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: {
        name: string;
        namespace?: string;
        uid?: string;
        resourceVersion?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        creationTimestamp?: string;
        ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
    };
    // The executor reads spec/status of Jobs and Pods through narrow accessors.
    spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    data?: Record<string, string>;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListWatchOptions {
    labelSelector?: string;
    namespace?: string;
    /** Server-side watch timeout; the stream is then re-opened from the last resourceVersion. */
    timeoutSeconds?: number;
    /** Consecutive failed reconnects before onError is called and the watch stops. */
    maxFailures?: number;
    onError?: (err: Error) => void;
}

export class ListWatch {
    readonly stats = { lists: 0, watches: 0, reconnects: 0, relists: 0, events: 0, bookmarks: 0 };
    readonly cache = new Map<string, KubeObject>();
    resourceVersion = '';
    /** Set when the watch gave up (permission error, or too many failed reconnects). */
    failed?: Error;
    private stopped = false;
    private abort = new AbortController();
    private loop?: Promise<void>;

    constructor(
        private readonly client: KubeClient,
        /** Collection path, e.g. /apis/batch/v1/namespaces/ns/jobs. */
        private readonly path: string,
        private readonly onEvent: (type: WatchEventType, obj: KubeObject) => void,
        private readonly opts: ListWatchOptions = {},
    ) {}

    /** Lists (so the cache is filled and errors such as 403 surface here), then watches in the background. */
    async start(): Promise<void> {
        await this.list();
        this.loop = this.watchLoop();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        this.abort.abort(new Error('watch stopped'));
        await this.loop?.catch(() => undefined);
    }

    private async list(): Promise<void> {
        this.stats.lists++;
        const list = await this.client.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>('GET', this.path, {
            query: { labelSelector: this.opts.labelSelector }, namespace: this.opts.namespace, signal: this.abort.signal,
        });
        const seen = new Set<string>();
        for (const item of list.items) {
            const key = keyOf(item);
            seen.add(key);
            const before = this.cache.get(key);
            this.cache.set(key, item);
            if (!before || before.metadata.resourceVersion !== item.metadata.resourceVersion) this.onEvent(before ? 'MODIFIED' : 'ADDED', item);
        }
        // Objects that vanished while we were not watching.
        for (const [key, obj] of [...this.cache]) if (!seen.has(key)) { this.cache.delete(key); this.onEvent('DELETED', obj); }
        this.resourceVersion = list.metadata.resourceVersion;
    }

    private async watchLoop(): Promise<void> {
        let failures = 0;
        while (!this.stopped) {
            try {
                this.stats.watches++;
                const res = await this.client.stream(this.path, {
                    query: { watch: 'true', resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', labelSelector: this.opts.labelSelector,
                        timeoutSeconds: this.opts.timeoutSeconds ?? 300 },
                    namespace: this.opts.namespace, signal: this.abort.signal,
                });
                failures = 0;
                let gone = false;
                // A silently dead connection (no FIN, e.g. a NAT or VPN dropping state) would hang here
                // forever: keep TCP alive, and give up on the stream a little after the server's own timeout.
                res.socket?.setKeepAlive(true, 30_000);
                const deadline = setTimeout(() => res.destroy(Object.assign(new Error('watch stream silent past its timeout'), { code: 'ECONNRESET' })),
                    ((this.opts.timeoutSeconds ?? 300) + Math.min(30, this.opts.timeoutSeconds ?? 300)) * 1000);
                await forEachLine(res, (line) => {
                    if (!line.trim() || gone) return;
                    const ev = JSON.parse(line) as { type: string; object: KubeObject & { code?: number } };
                    if (ev.type === 'ERROR') {
                        // 410 Expired/Gone: our resourceVersion is too old; only a fresh list helps.
                        if (ev.object.code === 410) { gone = true; res.destroy(); }
                        return;
                    }
                    if (ev.type === 'BOOKMARK') {
                        this.stats.bookmarks++;
                        this.resourceVersion = ev.object.metadata.resourceVersion ?? this.resourceVersion;
                        return;
                    }
                    this.stats.events++;
                    this.resourceVersion = ev.object.metadata.resourceVersion ?? this.resourceVersion;
                    const key = keyOf(ev.object);
                    if (ev.type === 'DELETED') this.cache.delete(key);
                    else this.cache.set(key, ev.object);
                    this.onEvent(ev.type as WatchEventType, ev.object);
                }).catch((err: Error) => { if (!gone) throw err; }).finally(() => clearTimeout(deadline));
                if (gone) { this.stats.relists++; await this.list(); }
                // A normal end (server timeout) just re-opens from the last resourceVersion.
            } catch (err) {
                if (this.stopped) return;
                if (err instanceof KubeApiError && err.code === 410) {
                    this.stats.relists++;
                    try { await this.list(); } catch (e) { if (this.fatal(e as Error, ++failures)) return; }
                    continue;
                }
                if (this.fatal(err as Error, ++failures)) return;
                this.stats.reconnects++;
                await sleep(Math.min(50 * 2 ** (failures - 1), 2_000), this.abort.signal).catch(() => undefined);
            }
        }
    }

    /** Decides whether an error ends the watch; permission errors do at once. */
    private fatal(err: Error, failures: number): boolean {
        if (this.stopped) return true;
        if (err instanceof KubePermissionError || failures >= (this.opts.maxFailures ?? 12)) {
            this.stopped = true;
            this.failed = err;
            this.opts.onError?.(err);
            return true;
        }
        return false;
    }
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
