// Real clusters speak HTTPS: the executor verifies the API server's certificate against the
// kubeconfig's certificate-authority-data (client-node supplies the TLS material), and a
// mismatch is a clear, immediate error rather than retries.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesExecutor } from '../../../src/pipeline/kubernetes/index.js';
import { nodeStep, startFixture, type Fixture } from './helpers.js';

const execFileP = promisify(execFile);
let fx: Fixture;
let dir: string;

beforeAll(async () => {
    const plain = await startFixture();
    dir = plain.dir;
    await plain.double.close();
    await execFileP('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kube-double',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    fx = await startFixture({ tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') } });
});
afterAll(async () => { await fx?.double.close(); });

describe('HTTPS API server', () => {
    it('runs a step with the certificate verified against the kubeconfig CA', async () => {
        const cfg = fx.double.writeKubeconfig(join(fx.dir, 'tls-config'), { caData: readFileSync(join(dir, 'cert.pem')).toString('base64') });
        expect(fx.double.url).toMatch(/^https:/);
        const executor = await createKubernetesExecutor({ kubeconfigPath: cfg, logDir: join(fx.dir, 'logs') });
        try {
            const result = await executor.run(nodeStep('console.log("over tls")'), new AbortController().signal, () => undefined);
            expect(result.stdout).toBe('over tls\n');
        } finally {
            await executor.close();
        }
    });

    it('a CA that does not match fails at once with what to check', async () => {
        const other = join(dir, 'other');
        await execFileP('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=other', '-keyout', `${other}.key`, '-out', `${other}.pem`]);
        const cfg = fx.double.writeKubeconfig(join(fx.dir, 'bad-ca'), { caData: readFileSync(`${other}.pem`).toString('base64') });
        const started = Date.now();
        await expect(createKubernetesExecutor({ kubeconfigPath: cfg })).rejects.toThrow(/TLS verification of https:\/\/127\.0\.0\.1:\d+ failed .*certificate-authority does not match/);
        expect(Date.now() - started).toBeLessThan(2_000);
    });
});
