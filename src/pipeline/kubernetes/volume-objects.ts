// Step outputs stay content-addressed on the shared volume (objects/<hash[0:2]>/<hash>, the same
// layout as the local store and as staged inputs), so a machine that adopts a cluster cache
// record (a finished step of another machine) can fetch the objects it names into its own store
// instead of running the step again. Objects are published before the record is written, so a
// record in the cluster never names an object that is not on the volume yet.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashFile } from '../../store/object-store.js';
import type { Store } from '../../store/store.js';

/** Where an object lives on the volume, as this machine sees it. */
export function volumeObjectPath(root: string, hash: string): string {
    return join(root, 'objects', hash.slice(0, 2), hash);
}

function place(target: string, write: (tmp: string) => void): void {
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    write(tmp);
    renameSync(tmp, target); // atomic; a concurrent publisher of the same hash wrote the same bytes
}

/** Hard-links (else copies) each file into the volume's objects; returns their hashes. */
export async function publishFiles(root: string, files: readonly string[]): Promise<string[]> {
    const hashes: string[] = [];
    for (const file of files) {
        const { hash } = await hashFile(file);
        place(volumeObjectPath(root, hash), (tmp) => {
            try { linkSync(file, tmp); } catch { copyFileSync(file, tmp); }
        });
        hashes.push(hash);
    }
    return hashes;
}

export function publishBytes(root: string, data: string): string {
    const buf = Buffer.from(data);
    const hash = createHash('sha256').update(buf).digest('hex');
    place(volumeObjectPath(root, hash), (tmp) => writeFileSync(tmp, buf));
    return hash;
}

/** The objects a step record names: outputs, large stdout, and the log. */
export function recordObjects(record: Record<string, unknown>): { hash: string; size?: number }[] {
    const out: { hash: string; size?: number }[] = [];
    for (const o of Array.isArray(record.outputs) ? record.outputs : []) {
        if (o && typeof o.hash === 'string') out.push({ hash: o.hash, ...(typeof o.size === 'number' ? { size: o.size } : {}) });
    }
    if (typeof record.stdoutHash === 'string') out.push({ hash: record.stdoutHash });
    if (typeof record.logHash === 'string') out.push({ hash: record.logHash });
    return out.filter((o) => /^[0-9a-f]{64}$/.test(o.hash));
}

/**
 * Copies the objects a record names from the volume into `store` (each re-hashed on the way in,
 * so a damaged volume object is never adopted). Missing ones are skipped: the engine then sees an
 * incomplete record and runs the step. Returns how many objects were fetched.
 */
export async function fetchFromVolume(root: string, record: Record<string, unknown>, store: Store): Promise<number> {
    let fetched = 0;
    for (const { hash, size } of recordObjects(record)) {
        if (store.objects.has(hash, size)) continue;
        const source = volumeObjectPath(root, hash);
        if (!existsSync(source)) continue;
        // A damaged volume object lands under its real hash (valid, unreferenced, left to ko gc).
        const ref = await store.objects.putFile(source);
        if (ref.hash === hash) fetched++;
    }
    return fetched;
}
