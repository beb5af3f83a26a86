// Types for the Kubernetes API test double (kube-double.mjs), so TypeScript tests can drive it.
import type { Server } from 'node:http';

export interface KubeDoubleOptions {
    port?: number;
    namespaces?: string[];
    /** When set, requests must carry `Authorization: Bearer <token>`. */
    token?: string;
    user?: string;
    /** Local directory under which each PersistentVolumeClaim gets a folder named after the claim. */
    pvcRoot?: string;
    /** Explicit claim name -> local directory mapping. */
    pvcs?: Record<string, string>;
    historyLimit?: number;
    bookmarkIntervalMs?: number;
    /** Spawn pod processes from a helper process, so spawning never blocks the API (benchmarks). */
    kubeletProcess?: boolean;
    jobBackoffMs?: number;
    deleteGraceMs?: number;
    /** How a too-old watch resourceVersion is refused: an ERROR event (like kube-apiserver) or HTTP 410. */
    gone?: 'event' | 'http';
    /** Serve HTTPS with this key and certificate (PEM). */
    tls?: { key: string; cert: string };
}

export interface FaultMatch { method?: string; path?: string; watch?: boolean; count?: number }

export interface KubeDoubleFaults {
    failNext(f: FaultMatch & { status: number | 'drop'; retryAfter?: number; message?: string }): void;
    slow(f: FaultMatch & { ms: number }): void;
    dropWatches(f?: { resource?: string }): void;
    lagWatch(f: { resource: string; ms: number }): void;
    stallWatches(f?: { resource?: string }): void;
    compact(): void;
    deny(rule: { verb?: string; resource?: string; group?: string; namespace?: string }): void;
    allowAll(): void;
    unauthorized(f?: { on?: boolean }): void;
    imagePullFailure(f: { image: string }): void;
    evictPods(f: { selector?: string; afterMs?: number; count?: number; message?: string }): void;
    evict(f: { namespace: string; name: string; message?: string }): void;
    reset(): void;
}

export interface KubeObject {
    kind?: string;
    apiVersion?: string;
    metadata: { name: string; namespace?: string; uid: string; resourceVersion: string; labels?: Record<string, string>;
        annotations?: Record<string, string>; ownerReferences?: { uid: string; kind: string; name: string }[] };
    spec?: any;
    status?: any;
    data?: Record<string, string>;
    [key: string]: unknown;
}

export interface KubeDouble {
    url: string;
    port: number;
    server: Server;
    pvcRoot: string;
    requests: { method: string; url: string; path: string; at: number; injected?: number | 'drop' }[];
    faults: KubeDoubleFaults;
    readonly resourceVersion: number;
    list(resource: string, namespace?: string): KubeObject[];
    watcherCount(resource?: string): number;
    /** `caData` (base64 PEM) makes clients verify the double's certificate instead of skipping TLS verification. */
    writeKubeconfig(path: string, options?: { namespace?: string; token?: string; context?: string; caData?: string }): string;
    close(): Promise<void>;
}

export function startKubeDouble(options?: KubeDoubleOptions): Promise<KubeDouble>;
