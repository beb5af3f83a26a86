// Content-addressed objects: file values, logs and large stdout live under objects/<aa>/<sha256>.
// Objects are immutable and read-only; putting the same bytes twice is a no-op, so concurrent
// writers of one object cannot conflict (rename of identical content), and readers never see
// partial bytes (temp + fsync + rename).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, fsyncSync, closeSync, openSync, chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, safeUnlink, tempName, writeTemp } from './atomic.js';
import { sha256 } from './keys.js';

export interface ObjectRef {
    readonly hash: string;
    readonly size: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Re-touch an existing object only when its mtime is older than this (well inside gc's default one-hour grace). */
const RETOUCH_AFTER_MS = 10 * 60 * 1000;

export class ObjectStore {
    constructor(readonly dir: string, private readonly tmpDir: string) {}

    path(hash: string): string {
        if (!HEX64.test(hash)) throw new Error(`not an object hash: ${hash}`);
        return join(this.dir, hash.slice(0, 2), hash);
    }

    /** Present with the expected size (a cheap guard against truncation; `verify` re-hashes). */
    has(hash: string, size?: number): boolean {
        try {
            const st = statSync(this.path(hash));
            return size === undefined || st.size === size;
        } catch {
            return false;
        }
    }

    putBytes(data: string | Uint8Array): ObjectRef {
        const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
        const hash = sha256(buf);
        const st = statSync(this.path(hash), { throwIfNoEntry: false });
        if (st && st.size === buf.length) {
            // Touched so gc's grace period protects it; an object touched in the last minutes needs no
            // new utimes() (a cached rerun passes thousands of string inputs through here).
            if (Date.now() - st.mtimeMs > RETOUCH_AFTER_MS) this.touch(hash);
            return { hash, size: buf.length };
        }
        const tmp = writeTemp(this.tmpDir, buf, 'o');
        this.publish(tmp, hash);
        return { hash, size: buf.length };
    }

    /**
     * Ingests a file. With `move`, the file (which must be on the store's filesystem and owned
     * by us, like an executor's output) is renamed instead of copied.
     */
    async putFile(path: string, options: { move?: boolean } = {}): Promise<ObjectRef> {
        const { hash, size } = await hashFile(path);
        if (this.has(hash, size)) {
            this.touch(hash);
            if (options.move) safeUnlink(path);
            return { hash, size };
        }
        mkdirSync(this.tmpDir, { recursive: true });
        const tmp = tempName(this.tmpDir, 'o');
        let copied = true;
        if (options.move) {
            try {
                renameSync(path, tmp);
                copied = false;
            } catch {
                copyFileSync(path, tmp);
            }
        } else {
            copyFileSync(path, tmp);
        }
        const fd = openSync(tmp, 'r');
        try { fsyncSync(fd); } finally { closeSync(fd); }
        // A copied source may have changed while we copied it: re-hash what we publish. A moved
        // file is an executor's output whose process group is gone, so nothing writes to it.
        if (copied) {
            const check = await hashFile(tmp);
            if (check.hash !== hash) {
                safeUnlink(tmp);
                throw new Error(`file ${path} changed while it was being stored`);
            }
        }
        this.publish(tmp, hash);
        if (options.move && copied) safeUnlink(path);
        return { hash, size };
    }

    /** A reused object is fresh again, so `ko gc`'s grace period protects it until it is recorded. */
    private touch(hash: string): void {
        const now = new Date();
        try { utimesSync(this.path(hash), now, now); } catch { /* read-only store or gone */ }
    }

    read(hash: string): Buffer {
        return readFileSync(this.path(hash));
    }

    /** Re-hashes an object; a mismatching one is removed so it is recomputed, never used. */
    async verify(hash: string): Promise<boolean> {
        try {
            const actual = await hashFile(this.path(hash));
            if (actual.hash === hash) return true;
            safeUnlink(this.path(hash));
            return false;
        } catch {
            return false;
        }
    }

    *list(): Generator<{ hash: string; path: string }> {
        if (!existsSync(this.dir)) return;
        for (const shard of readdirSync(this.dir)) {
            if (shard.length !== 2) continue;
            for (const name of readdirSync(join(this.dir, shard))) {
                if (HEX64.test(name)) yield { hash: name, path: join(this.dir, shard, name) };
            }
        }
    }

    remove(hash: string): void {
        const p = this.path(hash);
        try { chmodSync(p, 0o644); unlinkSync(p); } catch { /* gone */ }
    }

    private publish(tmp: string, hash: string): void {
        const target = this.path(hash);
        const shard = join(this.dir, hash.slice(0, 2));
        mkdirSync(shard, { recursive: true });
        chmodSync(tmp, 0o444);
        renameSync(tmp, target);
        fsyncDir(shard);
    }
}

const SMALL_FILE = 1 << 20;

export function hashFile(path: string): Promise<ObjectRef> {
    // Small files (most logs and outputs) in one read: a stream costs several event-loop turns.
    try {
        if (statSync(path).size < SMALL_FILE) {
            const buf = readFileSync(path);
            return Promise.resolve({ hash: sha256(buf), size: buf.length });
        }
    } catch (e) {
        return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
        const hash = createHash('sha256');
        let size = 0;
        createReadStream(path)
            .on('data', chunk => { hash.update(chunk); size += chunk.length; })
            .on('error', reject)
            .on('end', () => resolve({ hash: hash.digest('hex'), size }));
    });
}
