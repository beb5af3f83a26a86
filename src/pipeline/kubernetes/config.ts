// Finds the cluster the way kubectl does: --kubeconfig path, else $KUBECONFIG (a list of files,
// merged), else ~/.kube/config, else the in-cluster service account; then the current
// context (or --context) and its namespace (or --namespace). client-node's KubeConfig does the
// parsing and the authentication (tokens, client certificates, exec plugins).
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfigError } from './errors.js';

export interface KubeContextOptions {
    /** A kubeconfig file; default as kubectl ($KUBECONFIG, then ~/.kube/config). */
    kubeconfigPath?: string;
    /** A context name of the kubeconfig; default its current-context. */
    context?: string;
    /** Default: the context's namespace, else "default". */
    namespace?: string;
}

export interface ResolvedKubeContext {
    kubeConfig: KubeConfig;
    contextName: string;
    server: string;
    namespace: string;
    user: string;
    /** Where the configuration came from, for `ko kube status`. */
    source: string;
}

export function resolveKubeContext(options: KubeContextOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedKubeContext {
    const kc = new KubeConfig();
    let source: string;
    if (options.kubeconfigPath) {
        if (!existsSync(options.kubeconfigPath)) throw new KubeConfigError(`kubeconfig file ${options.kubeconfigPath} does not exist`);
        kc.loadFromFile(options.kubeconfigPath);
        source = options.kubeconfigPath;
    } else if (env.KUBECONFIG) {
        const files = env.KUBECONFIG.split(process.platform === 'win32' ? ';' : ':').filter((f) => f && existsSync(f));
        if (files.length === 0) throw new KubeConfigError(`none of the files in KUBECONFIG (${env.KUBECONFIG}) exists`);
        // Merge like kubectl: the first file that sets current-context wins.
        kc.loadFromFile(files[0]);
        for (const f of files.slice(1)) {
            const more = new KubeConfig();
            more.loadFromFile(f);
            // kubectl's rule: the first file defining a name wins (client-node's mergeConfig throws instead).
            for (const c of more.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
            for (const u of more.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
            for (const c of more.getContexts()) if (!kc.getContextObject(c.name)) kc.addContext(c);
            if (!kc.currentContext && more.currentContext) kc.setCurrentContext(more.currentContext);
        }
        source = `KUBECONFIG=${env.KUBECONFIG}`;
    } else {
        const home = env.HOME ?? homedir();
        const file = join(home, '.kube', 'config');
        if (existsSync(file)) {
            kc.loadFromFile(file);
            source = file;
        } else if (env.KUBERNETES_SERVICE_HOST) {
            kc.loadFromCluster();
            source = 'in-cluster service account';
        } else {
            throw new KubeConfigError(`no kubeconfig found: KUBECONFIG is not set and ${file} does not exist.\n`
                + 'Create a cluster (kind create cluster, minikube start, k3d cluster create) or point --kubeconfig at a file.');
        }
    }
    if (options.context) {
        if (!kc.getContextObject(options.context)) {
            const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
            throw new KubeConfigError(`context "${options.context}" is not in ${source} (contexts: ${known})`);
        }
        kc.setCurrentContext(options.context);
    }
    const contextName = kc.getCurrentContext();
    const ctx = contextName ? kc.getContextObject(contextName) : null;
    if (!ctx) throw new KubeConfigError(`${source} has no current context: pass --context (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server) throw new KubeConfigError(`context "${contextName}" in ${source} names no cluster with a server address`);
    return {
        kubeConfig: kc,
        contextName,
        server: cluster.server.replace(/\/+$/, ''),
        namespace: options.namespace ?? ctx.namespace ?? 'default',
        user: ctx.user ?? '',
        source,
    };
}
