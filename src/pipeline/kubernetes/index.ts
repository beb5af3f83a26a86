// Entry of the Kubernetes support: the executor factory `ko run --executor kubernetes` uses,
// the cluster cache store, and the pieces `ko kube status` needs.
import type { Executor } from '../executor.js';
import { ClusterCacheStore } from './cache-store.js';
import { KubeClient, type KubeClientOptions } from './client.js';
import { resolveKubeContext, type KubeContextOptions, type ResolvedKubeContext } from './config.js';
import { KubernetesExecutor, type PvcConfig } from './kubernetes-executor.js';

export { ClusterCacheStore, MAX_RECORD_BYTES, type ClusterCacheRecord } from './cache-store.js';
export { KubeClient, type KubeClientOptions } from './client.js';
export { resolveKubeContext, type KubeContextOptions, type ResolvedKubeContext } from './config.js';
export * from './errors.js';
export { KubernetesExecutor, type KubernetesExecutorOptions, type PvcConfig } from './kubernetes-executor.js';
export { checkPermissions, type PermissionCheck } from './permissions.js';
export { ListWatch, type KubeObject, type WatchEventType } from './watch.js';

export interface KubernetesExecutorFactoryOptions extends KubeContextOptions {
    /** A claim name, `claim:/local/path`, or the full volume configuration; default $KO_PVC. */
    pvc?: string | PvcConfig;
    /** Where this machine sees the claim's files (with `pvc` as a name). */
    pvcLocalPath?: string;
    pvcMountPath?: string;
    logDir?: string;
    /** Server-side watch timeout before streams are re-opened (default 300 s). */
    watchTimeoutSeconds?: number;
    client?: KubeClientOptions;
}

/** Connects to the cluster of the kubeconfig context: a client for `resolved`, checked to answer. */
export async function connect(options: KubeContextOptions & { client?: KubeClientOptions } = {}): Promise<{ context: ResolvedKubeContext; client: KubeClient }> {
    const context = resolveKubeContext(options);
    const client = new KubeClient(context.kubeConfig, context.server, context.contextName, options.client);
    // Fail fast (seconds, not the OS's TCP timeout) when the cluster is not there.
    await client.request('GET', '/version', { probeTimeoutMs: options.client?.unreachableAfterMs ?? 3_500 });
    return { context, client };
}

/** The executor `ko run --executor kubernetes` runs steps with. */
export async function createKubernetesExecutor(options: KubernetesExecutorFactoryOptions = {}): Promise<Executor & KubernetesExecutor> {
    const { context, client } = await connect(options);
    // `claim` or `claim:/local/path` (claim names cannot contain ':'); $KO_PVC when not given.
    const spec = options.pvc ?? process.env.KO_PVC;
    let pvc: PvcConfig | undefined;
    if (typeof spec === 'string' && spec) {
        const colon = spec.indexOf(':');
        pvc = colon < 0
            ? { claimName: spec, localPath: options.pvcLocalPath, mountPath: options.pvcMountPath }
            : { claimName: spec.slice(0, colon), localPath: spec.slice(colon + 1), mountPath: options.pvcMountPath };
    } else if (typeof spec === 'object') {
        pvc = spec;
    }
    return new KubernetesExecutor({ client, namespace: context.namespace, contextName: context.contextName, pvc, logDir: options.logDir,
        watchTimeoutSeconds: options.watchTimeoutSeconds });
}

/** The cluster cache for the same context/namespace as the executor. */
export async function createClusterCacheStore(options: KubeContextOptions & { client?: KubeClientOptions } = {}): Promise<ClusterCacheStore> {
    const { context, client } = await connect(options);
    return new ClusterCacheStore(client, context.namespace);
}
