// Executor selection: local by default, kubernetes loaded on demand, unknown names refused.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor } from '../../../src/pipeline/executors.js';
import { Store } from '../../../src/store/store.js';

describe('createExecutor', () => {
    const store = new Store(join(mkdtempSync(join(tmpdir(), 'ko-execs-')), '.ko'));

    it('makes a local executor working in the store', async () => {
        const ex = await createExecutor('local', { store, settings: { jobs: '3' } });
        expect(ex.name).toBe('local');
        await ex.close();
    });

    it('refuses unknown executors', async () => {
        await expect(createExecutor('nomad', { store, settings: {} })).rejects.toThrow(/unknown executor "nomad"/);
    });

    it('loads the kubernetes executor on demand and fails clearly without a cluster', async () => {
        const kubeconfig = join(mkdtempSync(join(tmpdir(), 'ko-kcfg-')), 'config');
        writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
current-context: nowhere
contexts: [{ name: nowhere, context: { cluster: nowhere, user: u } }]
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: u, user: { token: t } }]
`);
        const err = await createExecutor('kubernetes', { store, settings: { kubeconfig } }).then(() => undefined, (e: Error) => e);
        expect(err?.message).toMatch(/127.0.0.1:1|unreachable|connect/i);
    });
});
