// `ko kube status`: which cluster, server, namespace and user `ko run --executor kubernetes`
// would use, whether the server answers, and whether every permission the executor and the
// cluster cache need is granted (SelfSubjectAccessReview per verb and resource).
import { parseOptions, usageError, UsageError } from './cli-util.js';
import { checkPermissions, connect, KubeApiError, KubeError, rbacExample } from '../pipeline/kubernetes/index.js';

const HELP = [
    'usage: ko kube status [--context NAME] [--namespace NS] [--kubeconfig FILE]',
    '',
    'Shows the kubeconfig context (as kubectl finds it: --kubeconfig, $KUBECONFIG, ~/.kube/config),',
    'its server and namespace, and whether the permissions the Kubernetes executor needs are granted.',
    'Exit status: 0 ready, 1 unreachable or permissions missing, 2 bad usage.',
].join('\n');

export async function run(argv: string[]): Promise<number> {
    let parsed;
    try {
        parsed = parseOptions(argv, ['context', 'namespace', 'kubeconfig'], ['help']);
    } catch (err) {
        if (err instanceof UsageError) return usageError(err.message);
        throw err;
    }
    const [sub, ...extra] = parsed.positionals;
    if (parsed.flags.has('help') || !sub) {
        process.stdout.write(HELP + '\n');
        return parsed.flags.has('help') ? 0 : 2;
    }
    if (sub !== 'status' || extra.length) return usageError(`unknown kube command "${[sub, ...extra].join(' ')}"\n\n${HELP}`);
    const flag = (name: string) => { const v = parsed.flags.get(name); return typeof v === 'string' ? v : undefined; };
    const out = (line: string) => process.stdout.write(line + '\n');
    try {
        const { context, client } = await connect({ context: flag('context'), namespace: flag('namespace'), kubeconfigPath: flag('kubeconfig') });
        const version = await client.request<{ gitVersion?: string }>('GET', '/version').catch(() => ({ gitVersion: undefined }));
        out(`context:    ${context.contextName} (from ${context.source})`);
        out(`server:     ${context.server}${version.gitVersion ? ` (Kubernetes ${version.gitVersion})` : ''}`);
        // Reading a namespace is cluster-scoped and often not granted; say so rather than guess.
        const nsState = await client.request('GET', `/api/v1/namespaces/${context.namespace}`)
            .then(() => 'exists', (err: unknown) => err instanceof KubeApiError && err.code === 404
                ? `DOES NOT EXIST: kubectl create namespace ${context.namespace}`
                : 'existence not checked: no permission to read namespaces');
        out(`namespace:  ${context.namespace} (${nsState})`);
        out(`user:       ${context.user || '(none)'}`);
        const checks = await checkPermissions(client, context.namespace);
        out(`permissions (SelfSubjectAccessReview in namespace ${context.namespace}):`);
        for (const c of checks) {
            const what = `${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.subresource ? `/${c.subresource}` : ''}`;
            out(`  ${c.allowed === true ? 'ok     ' : c.allowed === false ? 'MISSING' : 'UNKNOWN'}  ${what}${c.allowed === undefined ? ` (${c.reason})` : ''}`);
        }
        const missing = checks.filter((c) => c.allowed !== true);
        if (nsState.startsWith('DOES NOT EXIST')) {
            out(`not ready: namespace ${context.namespace} does not exist.`);
            return 1;
        }
        if (missing.length === 0) {
            out('ready: every permission the Kubernetes executor needs is granted.');
            return 0;
        }
        out(`not ready: ${missing.length} permission(s) missing or unknown. Grant them with docs/rbac.yaml, e.g.:`);
        out(rbacExample(context.namespace));
        return 1;
    } catch (err) {
        if (err instanceof KubeError) {
            process.stderr.write(`ko kube status: ${err.message}\n`);
            return 1;
        }
        throw err;
    }
}
