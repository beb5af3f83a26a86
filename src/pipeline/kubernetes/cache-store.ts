// Shared capital in the cluster: one small ConfigMap per cache key, so records of finished
// steps survive the machine that produced them and any runner against the same namespace can
// reuse them. Never one big object: etcd refuses objects over 1.5 MiB (ConfigMaps cap at 1 MiB),
// which is how Argo's memoization cache and Tekton's status ran into trouble. Writing is
// create-if-absent: the API server's create is atomic, so when two runners race exactly one
// gets 201 and the other 409 AlreadyExists, and the loser adopts the winner's record.
import { createHash, randomUUID } from 'node:crypto';
import type { KubeClient } from './client.js';
import { KubeApiError, KubeError } from './errors.js';
import { MANAGED_BY, labelValue } from './names.js';
import type { KubeObject } from './watch.js';
import type { Store } from '../../store/store.js';
import { fetchFromVolume } from './volume-objects.js';

/** Any JSON object describing a finished step (the pipeline store decides the fields). */
export type ClusterCacheRecord = Record<string, unknown>;

/** Records above this are refused: they belong in the content-addressed store, not etcd. */
export const MAX_RECORD_BYTES = 256 * 1024;

export class ClusterCacheStore {
    /**
     * `volumeRoot`: where this machine sees the shared volume (the PVC's local path); records'
     * objects are fetched from its objects/ directory by `fetch`.
     */
    constructor(private readonly client: KubeClient, readonly namespace: string, readonly volumeRoot?: string) {}

    /**
     * Brings the objects a record names (outputs, large stdout, log) from the shared volume into
     * `store`, so a record written by another machine is usable here. Without a volume: nothing.
     */
    async fetch(record: ClusterCacheRecord, store: Store): Promise<number> {
        return this.volumeRoot ? fetchFromVolume(this.volumeRoot, record, store) : 0;
    }

    /** The ConfigMap name for a key: readable for hex keys, hashed for anything else. */
    static objectName(key: string): string {
        return /^[a-z0-9]{1,200}$/.test(key) ? `ko-cache-${key}` : `ko-cache-${createHash('sha256').update(key).digest('hex')}`;
    }

    async lookup<T extends ClusterCacheRecord = ClusterCacheRecord>(key: string): Promise<T | undefined> {
        const cm = await this.read(key);
        return cm && this.decode<T>(cm, key);
    }

    private async read(key: string): Promise<KubeObject | undefined> {
        try {
            return await this.client.request<KubeObject>('GET', this.path(ClusterCacheStore.objectName(key)), { namespace: this.namespace });
        } catch (err) {
            if (err instanceof KubeApiError && err.code === 404 && err.details.kind !== 'namespaces') return undefined;
            throw err;
        }
    }

    /** Creates the record unless one exists; `won` says whether this call's record is the one kept. */
    async record<T extends ClusterCacheRecord>(key: string, record: T): Promise<{ won: boolean; record: T }> {
        const json = JSON.stringify(record);
        if (Buffer.byteLength(json) > MAX_RECORD_BYTES) {
            throw new KubeError(`cache record for ${key} is ${Buffer.byteLength(json)} bytes; the cluster cache keeps records under ${MAX_RECORD_BYTES} bytes (put data in the store, not the record)`);
        }
        const name = ClusterCacheStore.objectName(key);
        // The writer id tells a lost race from our own create that a retry after a 5xx re-sent.
        const writer = randomUUID();
        const body = {
            apiVersion: 'v1', kind: 'ConfigMap',
            metadata: { name, labels: { ...MANAGED_BY, 'ko.dev/kind': 'cache-record', 'ko.dev/key': labelValue(key) },
                annotations: { 'ko.dev/key': key, 'ko.dev/writer': writer } },
            data: { key, record: json },
        };
        for (let attempt = 0; attempt < 3; attempt++) {
            try {
                await this.client.request('POST', `/api/v1/namespaces/${this.namespace}/configmaps`, { body, namespace: this.namespace });
                return { won: true, record };
            } catch (err) {
                if (!(err instanceof KubeApiError) || err.code !== 409) throw err;
            }
            // Lost the race (or a retried create of our own landed): adopt what is there.
            const cm = await this.read(key);
            if (cm) return { won: cm.metadata.annotations?.['ko.dev/writer'] === writer, record: this.decode<T>(cm, key) };
            // The winner's record was deleted in between: try to create again.
        }
        throw new KubeError(`could not record cache key ${key}: the record kept appearing and disappearing`);
    }

    private decode<T>(cm: KubeObject, key: string): T {
        const text = cm.data?.record;
        if (text === undefined || cm.data?.key !== key) throw new KubeError(`ConfigMap ${cm.metadata.name} is not a ko cache record for ${key}`);
        return JSON.parse(text) as T;
    }

    private path(name: string): string {
        return `/api/v1/namespaces/${this.namespace}/configmaps/${name}`;
    }
}
