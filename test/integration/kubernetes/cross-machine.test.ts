// Shared capital in the cluster, end to end through the real CLI (`bin/ko`, built into dist/ by
// the suite's global set-up): two "machines" are two --store directories against
// one cluster (the kube double) and one shared volume. The second machine finds every step in
// the cluster cache, fetches the outputs from the volume and creates no Job; two runners racing
// on the same keys leave exactly one cache record per key and print one outcome.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from './helpers.js';

const execFileP = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let fx: Fixture;
let cli: string;
let work: string;
let volume: string;

// A random output file consumed by a second step: only reuse can print the same value twice.
const PIPELINE = `import "pipeline"

Main() {
	make: pipeline.Shell(
		script: "sleep 1; od -An -N8 -tx1 /dev/urandom | tr -d ' ' > \\"$KO_OUT/r\\"; echo made"
	)
	use: pipeline.Shell(
		script: "sleep 0.3; cat \\"$KO_IN/r\\" \\"$KO_IN/r\\" > \\"$KO_OUT/twice\\""
		inputs: (r: make.outputs.r)
	)
	return: pipeline.Read(use.outputs.twice)
}
`;

beforeAll(async () => {
    fx = await startFixture();
    cli = join(root, 'bin', 'ko');
    work = join(fx.dir, 'work');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'random.ko'), PIPELINE);
    volume = join(fx.double.pvcRoot, 'ko-data');
    mkdirSync(volume, { recursive: true });
}, 60_000);
afterAll(async () => {
    await fx.double.close();
    rmSync(fx.dir, { recursive: true, force: true });
});

/** `ko run` as one machine: its own store directory, the shared cluster and volume. */
async function koOn(store: string, ...extra: string[]): Promise<{ stdout: string; stderr: string }> {
    return execFileP(process.execPath, [cli, 'run', '--executor', 'kubernetes', '--kubeconfig', fx.kubeconfig, '--pvc', `ko-data:${volume}`,
        '--store', join(fx.dir, store), ...extra, 'random.ko:Main'], { cwd: work, timeout: 60_000, env: { ...process.env, HOME: fx.dir, KUBECONFIG: '', KO_PVC: '' } });
}

const cacheRecords = () => fx.double.list('configmaps', 'ko-test').filter((c) => c.metadata.labels?.['ko.dev/kind'] === 'cache-record');
const jobs = () => fx.double.list('jobs', 'ko-test');

describe('cross-machine reuse through the cluster cache', () => {
    it('a second machine (another store) reuses every finished step: 0 Jobs, the same result', async () => {
        const first = await koOn('machine-a');
        expect(first.stderr).toMatch(/2 executed, 0 cached/);
        expect(first.stdout).toMatch(/[0-9a-f]{16}/);
        expect(jobs()).toHaveLength(2);
        expect(cacheRecords()).toHaveLength(2);
        // The outputs stay content-addressed on the volume.
        expect(readdirSync(join(volume, 'objects')).length).toBeGreaterThan(0);

        const second = await koOn('machine-b');
        expect(second.stdout).toBe(first.stdout);
        expect(second.stderr).toMatch(/0 executed, 2 cached/);
        expect(jobs()).toHaveLength(2); // no Job created by the second machine
        expect(cacheRecords()).toHaveLength(2);
        // The objects were fetched into machine b's own store.
        expect(readdirSync(join(fx.dir, 'machine-b', 'objects')).length).toBeGreaterThan(0);
    }, 90_000);

    it('two runners racing on the same keys: one cache record per key and one outcome', async () => {
        const before = cacheRecords().length;
        const jobsBefore = jobs().length;
        const [a, b] = await Promise.all([koOn('race-a', '--salt', 'race'), koOn('race-b', '--salt', 'race')]);
        expect(a.stdout).toMatch(/[0-9a-f]{16}/);
        expect(b.stdout).toBe(a.stdout);
        const records = cacheRecords();
        expect(records).toHaveLength(before + 2);
        const names = records.map((c) => c.metadata.name);
        expect(new Set(names).size).toBe(names.length);
        // Both really ran (a race, not a cache hit): more Jobs than steps.
        expect(jobs().length - jobsBefore).toBeGreaterThan(2);
    }, 90_000);
});
