// Unit tests of the Kubernetes pieces without a server: label/name cleaning, kubeconfig
// resolution like kubectl's, and the wording of API errors.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorFromStatus, KubeConfigError, KubePermissionError } from '../../../src/pipeline/kubernetes/errors.js';
import { resolveKubeContext } from '../../../src/pipeline/kubernetes/config.js';
import { labelValue, nameFragment } from '../../../src/pipeline/kubernetes/names.js';

const LABEL = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

describe('labelValue and nameFragment', () => {
    it('keeps valid values and cleans others into valid, distinct ones', () => {
        expect(labelValue('Main.train')).toBe('Main.train');
        const hex = 'a'.repeat(64);
        for (const v of [hex, 'run 2026-11-23T15:00:00Z/#1', '--x--', '/', 'ü'.repeat(10), 'a'.repeat(63)]) {
            const l = labelValue(v);
            expect(l, v).toMatch(LABEL);
            expect(l.length, v).toBeLessThanOrEqual(63);
            expect(l.length, v).toBeGreaterThan(0);
        }
        expect(labelValue('a'.repeat(63))).toBe('a'.repeat(63));
        expect(labelValue(`${hex}0`)).not.toBe(labelValue(`${hex}1`));
        expect(labelValue('run/1')).not.toBe(labelValue('run:1'));
        expect(nameFragment('Main.Train_Model', 40)).toBe('main-train-model');
        expect(nameFragment('---', 10)).toBe('x');
    });
});

function kubeconfig(dir: string, file: string, contexts: { name: string; server: string; namespace?: string }[], current?: string): string {
    const path = join(dir, file);
    writeFileSync(path, [
        'apiVersion: v1', 'kind: Config',
        'clusters:', ...contexts.flatMap((c) => [`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`]),
        'contexts:', ...contexts.flatMap((c) => [`- name: ${c.name}`, '  context:', `    cluster: ${c.name}`, '    user: u', ...(c.namespace ? [`    namespace: ${c.namespace}`] : [])]),
        ...(current ? [`current-context: ${current}`] : []),
        'users:', '- name: u', '  user:', '    token: t', '',
    ].join('\n'));
    return path;
}

describe('resolveKubeContext', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ko-kubeconfig-'));
    const a = kubeconfig(dir, 'a', [{ name: 'dev', server: 'https://dev.example:6443/', namespace: 'team' }], 'dev');
    const b = kubeconfig(dir, 'b', [{ name: 'prod', server: 'https://prod.example:6443' }]);

    it('reads $KUBECONFIG as a merged list, current context from the first file', () => {
        const r = resolveKubeContext({}, { KUBECONFIG: `${a}:${b}`, HOME: dir });
        expect(r).toMatchObject({ contextName: 'dev', server: 'https://dev.example:6443', namespace: 'team', user: 'u' });
        expect(r.source).toBe(`KUBECONFIG=${a}:${b}`);
        const p = resolveKubeContext({ context: 'prod' }, { KUBECONFIG: `${a}:${b}`, HOME: dir });
        expect(p).toMatchObject({ contextName: 'prod', server: 'https://prod.example:6443', namespace: 'default' });
    });

    it('falls back to ~/.kube/config, and flags override context and namespace', () => {
        mkdirSync(join(dir, '.kube'), { recursive: true });
        kubeconfig(dir, '.kube/config', [{ name: 'home', server: 'https://home:6443', namespace: 'h' }], 'home');
        expect(resolveKubeContext({}, { HOME: dir })).toMatchObject({ contextName: 'home', namespace: 'h', source: join(dir, '.kube', 'config') });
        expect(resolveKubeContext({ namespace: 'other' }, { HOME: dir }).namespace).toBe('other');
        expect(resolveKubeContext({ kubeconfigPath: b, context: 'prod' }, { HOME: dir }).contextName).toBe('prod');
    });

    it('explains what is missing', () => {
        expect(() => resolveKubeContext({}, { HOME: join(dir, 'nowhere') })).toThrow(KubeConfigError);
        expect(() => resolveKubeContext({}, { HOME: join(dir, 'nowhere') })).toThrow(/no kubeconfig found.*kind create cluster/s);
        expect(() => resolveKubeContext({ context: 'staging' }, { KUBECONFIG: a })).toThrow(/context "staging" is not in .*contexts: dev/);
        expect(() => resolveKubeContext({}, { KUBECONFIG: b })).toThrow(/has no current context: pass --context \(contexts: prod\)/);
        expect(() => resolveKubeContext({}, { KUBECONFIG: join(dir, 'missing') })).toThrow(/none of the files in KUBECONFIG/);
    });
});

describe('errorFromStatus', () => {
    const status = (code: number, reason: string, message: string, details?: object) => JSON.stringify({ kind: 'Status', code, reason, message, details });

    it('403 carries the server message and a Role/RoleBinding for the namespace', () => {
        const e = errorFromStatus(403, status(403, 'Forbidden', 'pods is forbidden: User "x" cannot watch resource "pods"'), 'GET', '/api/v1/namespaces/ml/pods', 'ml', 'ctx');
        expect(e).toBeInstanceOf(KubePermissionError);
        expect(e.message).toContain('cannot watch resource "pods"');
        expect(e.message).toContain('namespace: ml');
        expect(e.message).toContain('resources: ["pods/log"]');
    });

    it('404 of the namespace itself says to create it; other 404s stay plain', () => {
        const ns = errorFromStatus(404, status(404, 'NotFound', 'namespaces "ml" not found', { name: 'ml', kind: 'namespaces' }), 'POST', '/x', 'ml', 'ctx');
        expect(ns.message).toMatch(/namespace "ml" does not exist in context "ctx".*kubectl create namespace ml/);
        const pod = errorFromStatus(404, status(404, 'NotFound', 'pods "p" not found', { name: 'p', kind: 'pods' }), 'GET', '/x', 'ml', 'ctx');
        expect(pod.message).toBe('pods "p" not found (404 NotFound on GET /x)');
        expect(errorFromStatus(502, '<html>bad gateway</html>', 'GET', '/y', undefined, 'c').message).toContain('<html>bad gateway</html> (502 502 on GET /y)');
    });
});
