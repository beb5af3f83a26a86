// Shared set-up of the Kubernetes integration tests: a kube double on a free port, a kubeconfig
// for it in a temp directory, and step specs that run real local commands.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StepEvent, StepSpec } from '../../../src/pipeline/executor.js';
import { startKubeDouble, type KubeDouble, type KubeDoubleOptions } from '../../kube-double/kube-double.mjs';

export interface Fixture {
    double: KubeDouble;
    dir: string;
    kubeconfig: string;
}

export async function startFixture(options: KubeDoubleOptions = {}): Promise<Fixture> {
    const dir = mkdtempSync(join(tmpdir(), 'ko-kube-test-'));
    const double = await startKubeDouble({ pvcRoot: join(dir, 'pvcs'), bookmarkIntervalMs: 200, ...options });
    const kubeconfig = double.writeKubeconfig(join(dir, 'kubeconfig'), { namespace: 'ko-test' });
    return { double, dir, kubeconfig };
}

let counter = 0;
/** A step that runs `node -e <script>` as its container command. */
export function nodeStep(script: string, extra: Partial<StepSpec> = {}): StepSpec {
    const n = ++counter;
    const runId = extra.runId ?? `run-${process.pid}-${n}`;
    return {
        id: `${runId}/Main.step${n}`, runId, stepName: `Main.step${n}`, key: 'ab'.repeat(32), image: 'node:20-slim',
        command: [process.execPath], args: ['-e', script], env: {}, inputs: [], retries: 0, ...extra,
    };
}

export function recorder(): { events: StepEvent[]; on: (e: StepEvent) => void } {
    const events: StepEvent[] = [];
    return { events, on: (e) => events.push(e) };
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!cond()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
    }
}
