// Which executor runs container steps: `local` (embedded default) or any executor registered
// under a name (the Kubernetes module registers `kubernetes`). Chosen per run by the
// `executor` run setting (`ko run --executor`), else $KO_EXECUTOR, else local.
import type { Executor } from './executor.js';
import type { Store } from '../store/store.js';
import { LocalExecutor } from './local-executor.js';

export type ExecutorFactory = (options: { store: Store; settings: Readonly<Record<string, string>> }) => Executor | Promise<Executor>;

const factories = new Map<string, ExecutorFactory>([
    ['local', ({ store, settings }) => new LocalExecutor({
        workRoot: store.workDir,
        ...(settings.jobs ? { concurrency: Number(settings.jobs) } : {}),
    })],
]);

/** Lazily loaded modules that register further executors when first asked for. */
const loaders = new Map<string, () => Promise<unknown>>([
    // Loaded only when asked for, so local runs never pay for the Kubernetes client.
    ['kubernetes', async () => {
        const kube = await import('./kubernetes/index.js');
        registerExecutor('kubernetes', ({ settings }) => kube.createKubernetesExecutor({
            ...(settings.context ? { context: settings.context } : {}),
            ...(settings.namespace ? { namespace: settings.namespace } : {}),
            ...(settings.kubeconfig ? { kubeconfigPath: settings.kubeconfig } : {}),
            ...(settings.pvc ? { pvc: settings.pvc } : {}),
        }));
    }],
]);

export function registerExecutor(name: string, factory: ExecutorFactory): void {
    factories.set(name, factory);
}

export function registerExecutorLoader(name: string, load: () => Promise<unknown>): void {
    loaders.set(name, load);
}

export async function createExecutor(name: string, options: { store: Store; settings: Readonly<Record<string, string>> }): Promise<Executor> {
    if (!factories.has(name) && loaders.has(name)) await loaders.get(name)!();
    const factory = factories.get(name);
    if (!factory) throw new Error(`unknown executor "${name}" (known: ${[...factories.keys()].join(', ')})`);
    return factory(options);
}
