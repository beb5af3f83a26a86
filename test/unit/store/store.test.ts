// The store's durability and integrity rules, against real files: atomic publication, first
// writer wins, torn/corrupt records never used, derived keys sensitive to every component.
import { describe, expect, it, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, statSync, appendFileSync, readdirSync, existsSync, chmodSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { createExclusive } from '../../../src/store/atomic.js';
import { encodeRecord, decodeRecord, type StepRecord } from '../../../src/store/step-records.js';
import { canonicalJson, deriveKey, keyEnv, normaliseFormula, redactEnv, redactFormula, isSecretName, KEY_VERSION, type KeyComponents } from '../../../src/store/keys.js';
import { RunRecorder, listRunIds, readRun, newRunId } from '../../../src/store/run-records.js';

let root: string;
let store: Store;
beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ko-store-'));
    store = new Store(join(root, '.ko'));
});

const baseComponents: KeyComponents = {
    v: KEY_VERSION, callee: 'pipeline.Container', formula: 'pipeline.Container(image:"x")', image: 'alpine:3',
    command: ['/bin/sh'], args: ['-c', 'true'], env: { A: '1' }, inputs: [{ name: 'a', hash: 'h1' }], workdir: '', salt: '',
};

function record(key: string, extra: Partial<StepRecord> = {}): StepRecord {
    return {
        key, components: baseComponents, stepName: 'Main.a', runId: 'r1', exitCode: 0, stdout: 'hi\n', outputs: [], inputs: [],
        attempts: 1, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', durationMs: 1000,
        placement: 'local:test', executor: 'local', env: {}, cache: true, ...extra,
    };
}

describe('atomic publication', () => {
    it('createExclusive lets exactly the first writer win and leaves no temp files', () => {
        const target = join(root, 'x', 'rec');
        expect(createExclusive(target, 'first', store.tmpDir)).toBe(true);
        expect(createExclusive(target, 'second', store.tmpDir)).toBe(false);
        expect(readFileSync(target, 'utf8')).toBe('first');
        expect(readdirSync(store.tmpDir)).toEqual([]);
    });
});

describe('objects', () => {
    it('are content-addressed, deduplicated and read-only', async () => {
        const a = store.objects.putBytes('hello\n');
        const b = store.objects.putBytes(Buffer.from('hello\n'));
        expect(a).toEqual(b);
        expect(a.hash).toBe('5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03');
        expect(statSync(store.objects.path(a.hash)).mode & 0o222).toBe(0);
        const f = join(root, 'in.txt');
        writeFileSync(f, 'hello\n');
        expect(await store.objects.putFile(f)).toEqual(a);
        expect(existsSync(f)).toBe(true);
        expect(await store.objects.putFile(f, { move: true })).toEqual(a);
        expect(existsSync(f)).toBe(false);
        expect(store.objects.has(a.hash, 6)).toBe(true);
        expect(store.objects.has(a.hash, 5)).toBe(false);
        expect([...store.objects.list()].map(o => o.hash)).toEqual([a.hash]);
    });

    it('verify removes an object whose bytes no longer match its name', async () => {
        const a = store.objects.putBytes('data');
        const p = store.objects.path(a.hash);
        chmodSync(p, 0o644);
        writeFileSync(p, 'tampered');
        expect(await store.objects.verify(a.hash)).toBe(false);
        expect(store.objects.has(a.hash)).toBe(false);
    });
});

describe('step records', () => {
    it('round-trip through the checksummed encoding', () => {
        const r = record('ab'.repeat(32));
        expect(decodeRecord(encodeRecord(r))).toEqual(r);
    });

    it('reject torn, truncated and edited records', () => {
        const text = encodeRecord(record('ab'.repeat(32)));
        expect(decodeRecord(text.slice(0, text.length - 10))).toBeUndefined();
        expect(decodeRecord(text.slice(0, 30))).toBeUndefined();
        expect(decodeRecord(text.replace('"hi\\n"', '"ho\\n"'))).toBeUndefined();
        expect(decodeRecord('')).toBeUndefined();
    });

    it('first commit wins; the loser gets the winner back', () => {
        const key = 'cd'.repeat(32);
        const first = store.steps.commit(record(key, { stdout: 'one' }));
        const second = store.steps.commit(record(key, { stdout: 'two' }));
        expect(first.won).toBe(true);
        expect(second.won).toBe(false);
        expect(second.record.stdout).toBe('one');
        expect(store.steps.get(key)?.stdout).toBe('one');
    });

    it('a corrupt record is ignored, moved aside, and a new outcome can be recorded', () => {
        const key = 'ef'.repeat(32);
        store.steps.commit(record(key));
        const path = store.steps.path(key);
        const text = readFileSync(path, 'utf8');
        chmodSync(path, 0o644);
        writeFileSync(path, text.slice(0, text.length / 2)); // a torn write
        expect(store.steps.get(key)).toBeUndefined();
        expect(existsSync(path)).toBe(false);
        expect(readdirSync(store.tmpDir).some(n => n.startsWith('corrupt-'))).toBe(true);
        expect(store.steps.commit(record(key, { stdout: 'fresh' })).won).toBe(true);
        expect(store.steps.get(key)?.stdout).toBe('fresh');
    });

    it('a record stored under the wrong key is not used', () => {
        const key = '12'.repeat(32);
        store.steps.commit(record(key));
        const other = '13'.repeat(32);
        mkdirSync(join(store.steps.dir, '13'), { recursive: true });
        copyFileSync(store.steps.path(key), store.steps.path(other));
        expect(store.steps.get(other)).toBeUndefined();
    });

    it('findByPrefix finds keys from a short prefix', () => {
        const key = '9a'.repeat(32);
        store.steps.commit(record(key));
        expect(store.steps.findByPrefix('9a9a9a')).toEqual([key]);
        expect(store.steps.findByPrefix('9b')).toEqual([]);
    });
});

describe('keys', () => {
    it('canonical JSON ignores object key order', () => {
        expect(canonicalJson({ b: 1, a: [1, { y: 2, x: 1 }] })).toBe(canonicalJson({ a: [1, { x: 1, y: 2 }], b: 1 }));
    });

    it('change with every component', () => {
        const base = deriveKey(baseComponents);
        const variants: Partial<KeyComponents>[] = [
            { image: 'alpine:4' }, { command: ['/bin/bash'] }, { args: ['-c', 'false'] }, { env: { A: '2' } },
            { inputs: [{ name: 'a', hash: 'h2' }] }, { inputs: [{ name: 'b', hash: 'h1' }] }, { salt: 'v2' },
            { formula: 'pipeline.Container(image:"y")' }, { callee: 'pipeline.Shell' }, { workdir: 'src' }, { nonce: 'n' },
        ];
        const keys = new Set([base, ...variants.map(v => deriveKey({ ...baseComponents, ...v }))]);
        expect(keys.size).toBe(variants.length + 1);
        expect(deriveKey({ ...baseComponents })).toBe(base);
    });

    it('normalised formulas ignore layout and comments but not string contents', () => {
        const a = normaliseFormula('pipeline.Shell(\n  script: "a  b", // why\n  image: "x" /* c */ )');
        const b = normaliseFormula('pipeline.Shell(script: "a  b", image: "x")');
        expect(a).toBe(b);
        expect(normaliseFormula('Shell(script: "a b")')).not.toBe(normaliseFormula('Shell(script: "a  b")'));
        expect(normaliseFormula('F(a b)')).toBe('F(a b)');
    });

    it('secret env values never appear, yet a changed secret changes the key', () => {
        expect(isSecretName('GITHUB_TOKEN')).toBe(true);
        expect(isSecretName('DB_PASSWORD')).toBe(true);
        expect(isSecretName('AWS_SECRET_ACCESS_KEY')).toBe(true);
        expect(isSecretName('LANG')).toBe(false);
        const env = { GITHUB_TOKEN: 'ghp_abc', LANG: 'C' };
        const k = keyEnv(env, 'salt');
        expect(JSON.stringify(k)).not.toContain('ghp_abc');
        expect(k.LANG).toBe('C');
        expect(keyEnv({ ...env, GITHUB_TOKEN: 'ghp_abd' }, 'salt').GITHUB_TOKEN).not.toBe(k.GITHUB_TOKEN);
        expect(keyEnv(env, 'other-salt').GITHUB_TOKEN).not.toBe(k.GITHUB_TOKEN);
        expect(redactEnv(env)).toEqual({ GITHUB_TOKEN: '<redacted>', LANG: 'C' });
    });

    it('inline secrets are redacted from formulas', () => {
        expect(redactFormula('F(env: (API_TOKEN: "abc", LANG: "C"), x: "DB_PASSWORD=pw", y: "HOME=/h")'))
            .toBe('F(env: (API_TOKEN: "<redacted>", LANG: "C"), x: "DB_PASSWORD=<redacted>", y: "HOME=/h")');
    });

    it('the per-store secret salt is stable and private', () => {
        const s = store.secretSalt();
        expect(s).toMatch(/^[0-9a-f]{64}$/);
        expect(new Store(store.root).secretSalt()).toBe(s);
        expect(statSync(join(store.root, 'secret-salt')).mode & 0o077).toBe(0);
    });
});

describe('run records', () => {
    it('journal survives a torn last line; runs list newest first; a dead running run is interrupted', () => {
        const id1 = newRunId(new Date('2026-01-01T00:00:00Z'));
        const id2 = newRunId(new Date('2026-01-02T00:00:00Z'));
        const r1 = new RunRecorder(store.runsDir, store.tmpDir, id1, ['run']);
        r1.step({ stepName: 'Main.a', key: 'k1', status: 'executed', at: 'now' });
        r1.finish('ok');
        const r2 = new RunRecorder(store.runsDir, store.tmpDir, id2, ['run']);
        r2.step({ stepName: 'Main.a', key: 'k1', status: 'cached', at: 'now' });
        appendFileSync(join(r2.dir, 'steps.jsonl'), '{"stepName":"Main.b","ke');
        expect(listRunIds(store.runsDir)).toEqual([id2, id1]);
        expect(readRun(store.runsDir, id1)?.steps.map(s => s.status)).toEqual(['executed']);
        expect(readRun(store.runsDir, id1)?.effectiveStatus).toBe('ok');
        expect(readRun(store.runsDir, id2)?.steps.length).toBe(1);
        expect(readRun(store.runsDir, id2)?.effectiveStatus).toBe('running'); // our own pid is alive
        const meta = JSON.parse(readFileSync(join(r2.dir, 'run.json'), 'utf8'));
        writeFileSync(join(r2.dir, 'run.json'), JSON.stringify({ ...meta, pid: 2 ** 22 + 12345 }));
        expect(readRun(store.runsDir, id2)?.effectiveStatus).toBe('interrupted');
    });
});
