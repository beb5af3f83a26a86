// Step outputs kept content-addressed on the shared volume and fetched into another store.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../src/store/store.js';
import { fetchFromVolume, publishBytes, publishFiles, volumeObjectPath } from '../../../src/pipeline/kubernetes/volume-objects.js';

describe('volume objects', () => {
    it('publishes outputs and large stdout, and fetches a record\'s objects into another store', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-volobj-'));
        const volume = join(dir, 'pvc');
        const out = join(dir, 'out-file');
        writeFileSync(out, 'hello');
        const [hash] = await publishFiles(volume, [out]);
        expect(existsSync(volumeObjectPath(volume, hash))).toBe(true);
        expect(await publishFiles(volume, [out])).toEqual([hash]); // idempotent
        const stdoutHash = publishBytes(volume, 'x'.repeat(70_000));
        const store = new Store(join(dir, 'other', '.ko'));
        const record = { key: 'k', outputs: [{ name: 'f', hash, size: 5 }], stdoutHash, logHash: 'ab'.repeat(32) };
        expect(await fetchFromVolume(volume, record, store)).toBe(2); // the log is not on the volume: skipped
        expect(store.objects.read(hash).toString()).toBe('hello');
        expect(store.objects.has(stdoutHash, 70_000)).toBe(true);
        expect(await fetchFromVolume(volume, record, store)).toBe(0);
    });

    it('never adopts a damaged volume object under the hash the record names', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-volobj-'));
        const volume = join(dir, 'pvc');
        const hash = publishBytes(volume, 'good');
        chmodSync(volumeObjectPath(volume, hash), 0o644);
        writeFileSync(volumeObjectPath(volume, hash), 'evil');
        const store = new Store(join(dir, 'other', '.ko'));
        expect(await fetchFromVolume(volume, { outputs: [{ name: 'f', hash, size: 4 }] }, store)).toBe(0);
        expect(store.objects.has(hash)).toBe(false);
    });
});
