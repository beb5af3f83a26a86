// Errors of the Kubernetes executor, worded for the person running `ko`: each says what went
// wrong in cluster terms and what to do about it (RBAC, namespace, kubeconfig, volume).

/** The permissions the Kubernetes executor and the cluster cache use; docs/rbac.yaml grants exactly these. */
export const REQUIRED_PERMISSIONS: readonly { group: string; resource: string; subresource?: string; verbs: readonly string[] }[] = [
    { group: 'batch', resource: 'jobs', verbs: ['create', 'get', 'list', 'watch', 'delete', 'deletecollection'] },
    { group: '', resource: 'pods', verbs: ['get', 'list', 'watch'] },
    { group: '', resource: 'pods', subresource: 'log', verbs: ['get'] },
    { group: '', resource: 'configmaps', verbs: ['create', 'get', 'list', 'delete'] },
    { group: '', resource: 'events', verbs: ['list'] },
];

/** A Role + RoleBinding granting REQUIRED_PERMISSIONS, printed in permission errors. */
export function rbacExample(namespace: string, subject = 'ServiceAccount or User that runs ko'): string {
    return [
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: Role',
        `metadata: { name: ko-runner, namespace: ${namespace} }`,
        'rules:',
        '- { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch", "delete", "deletecollection"] }',
        '- { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }',
        '- { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }',
        '- { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "get", "list", "delete"] }',
        '- { apiGroups: [""], resources: ["events"], verbs: ["list"] }',
        '---',
        'apiVersion: rbac.authorization.k8s.io/v1',
        'kind: RoleBinding',
        `metadata: { name: ko-runner, namespace: ${namespace} }`,
        'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: ko-runner }',
        `subjects: [{ kind: User, name: "<the ${subject}>" }]`,
    ].join('\n');
}

/** Base class: every error the Kubernetes code throws deliberately. */
export class KubeError extends Error {
    override name = 'KubeError';
}

/** Kubeconfig missing, context unknown, volume not configured: fixable by configuration. */
export class KubeConfigError extends KubeError {
    override name = 'KubeConfigError';
}

/** The API server could not be reached (refused, DNS, timeout). */
export class KubeUnreachableError extends KubeError {
    override name = 'KubeUnreachableError';
    constructor(readonly server: string, override readonly cause: unknown, elapsedMs: number) {
        super(`cannot reach the Kubernetes API server at ${server} (${describeCause(cause)}, gave up after ${elapsedMs} ms).\n`
            + 'Check that the cluster is running (kind get clusters / minikube status / k3d cluster list), '
            + 'that the kubeconfig context points at it (ko kube status), and any VPN or proxy.');
    }
}

/** A Kubernetes `Status` answer other than success. */
export class KubeApiError extends KubeError {
    override name = 'KubeApiError';
    constructor(
        message: string,
        readonly code: number,
        readonly reason: string,
        readonly details: { name?: string; kind?: string; group?: string } = {},
        readonly method = '',
        readonly path = '',
    ) {
        super(message);
    }
}

/** 401 or 403, with the RBAC that would fix it. */
export class KubePermissionError extends KubeApiError {
    override name = 'KubePermissionError';
}

/** A step failed for a reason of the cluster, not of its program (image pull, eviction). */
export class KubeStepError extends KubeError {
    override name = 'KubeStepError';
    constructor(message: string, readonly stepId: string, readonly reason: string) {
        super(message);
    }
}

function describeCause(cause: unknown): string {
    const e = cause as { code?: string; message?: string } | undefined;
    if (e?.code === 'ECONNREFUSED') return 'connection refused';
    if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return 'host name not found';
    if (e?.code === 'ETIMEDOUT' || e?.code === 'KO_CONNECT_TIMEOUT') return 'connection timed out';
    if (e?.code === 'KO_REQUEST_TIMEOUT') return `connected, but no answer: ${e.message}`;
    if (e?.code === 'EHOSTUNREACH' || e?.code === 'ENETUNREACH') return 'host unreachable';
    return e?.code ?? e?.message ?? String(cause);
}

/**
 * Turns a non-2xx answer into the error a user can act on. `namespace` is the namespace the
 * request was for, so a 404 of that namespace reads as "namespace does not exist".
 */
export function errorFromStatus(code: number, bodyText: string, method: string, path: string, namespace: string | undefined, context: string): KubeApiError {
    let status: { message?: string; reason?: string; details?: { name?: string; kind?: string; group?: string } } = {};
    try {
        status = JSON.parse(bodyText) as typeof status;
    } catch {
        status = { message: bodyText.slice(0, 300) };
    }
    const reason = status.reason ?? String(code);
    const serverMessage = status.message || `HTTP ${code}`;
    const details = status.details ?? {};
    if (code === 401) {
        return new KubePermissionError(
            `the cluster rejected the credentials of context "${context}" (401 Unauthorized) on ${method} ${path}.\n`
            + 'The token or client certificate is missing or expired: log in again (for example run any kubectl command to refresh it) '
            + 'or pick another context with --context.', code, reason, details, method, path);
    }
    if (code === 403) {
        const ns = namespace ?? 'default';
        return new KubePermissionError(
            `permission denied: ${serverMessage}.\n`
            + `The Kubernetes executor needs these permissions in namespace "${ns}" (docs/rbac.yaml grants them; apply it with `
            + `kubectl apply -n ${ns} -f docs/rbac.yaml after setting the subject):\n${rbacExample(ns)}`,
            code, reason, details, method, path);
    }
    if (code === 404 && namespace && details.kind === 'namespaces' && details.name === namespace) {
        return new KubeApiError(`namespace "${namespace}" does not exist in context "${context}": create it with `
            + `kubectl create namespace ${namespace}, or choose another one with --namespace.`, code, reason, details, method, path);
    }
    if (code === 409) {
        return new KubeApiError(`conflict: ${serverMessage} (409 ${reason} on ${method} ${path})`, code, reason, details, method, path);
    }
    return new KubeApiError(`${serverMessage} (${code} ${reason} on ${method} ${path})`, code, reason, details, method, path);
}
