// Crash-safe file primitives for the store: every durable file is written to a temporary file
// on the same filesystem, fsynced, then published by rename() (last writer wins, for content
// that is identical by construction) or link() (first writer wins, for records that must have
// exactly one outcome). A crash therefore leaves either nothing or a complete file in place.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/** A name no other writer (thread, process or host sharing the directory) will pick. */
export function tempName(tmpDir: string, hint = 'w'): string {
    return join(tmpDir, `${hint}-${process.pid}-${randomBytes(6).toString('hex')}`);
}

export function fsyncDir(dir: string): void {
    // Directory fsync makes the new entry itself durable; some filesystems refuse it, which is harmless.
    let fd: number | undefined;
    try {
        fd = openSync(dir, 'r');
        fsyncSync(fd);
    } catch {
        /* not supported here */
    } finally {
        if (fd !== undefined) closeSync(fd);
    }
}

/** Writes bytes to a fresh temp file and (unless `durable` is false) fsyncs it; the caller publishes it. */
export function writeTemp(tmpDir: string, data: string | Uint8Array, hint?: string, durable = true): string {
    mkdirSync(tmpDir, { recursive: true });
    const path = tempName(tmpDir, hint);
    const fd = openSync(path, 'wx', 0o644);
    try {
        const buf = typeof data === 'string' ? Buffer.from(data) : data;
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        if (durable) fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    return path;
}

/**
 * Atomically replaces `target` with `data` (temp + fsync + rename + dir fsync). With `durable`
 * false the fsyncs are skipped: still all-or-nothing if the process dies, but not across a power
 * loss; for metadata nothing depends on (run headers).
 */
export function writeFileAtomic(target: string, data: string | Uint8Array, tmpDir: string, durable = true): void {
    const tmp = writeTemp(tmpDir, data, 'w', durable);
    try {
        mkdirSync(dirname(target), { recursive: true });
        renameSync(tmp, target);
    } catch (e) {
        safeUnlink(tmp);
        throw e;
    }
    if (durable) fsyncDir(dirname(target));
}

/**
 * Publishes `data` at `target` only if nothing is there yet: link() of a complete temp file
 * fails with EEXIST when another writer got there first, so readers never see a partial record
 * and exactly one writer wins. Returns true when this call created the file.
 */
export function createExclusive(target: string, data: string | Uint8Array, tmpDir: string): boolean {
    const tmp = writeTemp(tmpDir, data, 'x');
    try {
        mkdirSync(dirname(target), { recursive: true });
        linkSync(tmp, target);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
    } finally {
        safeUnlink(tmp);
    }
    fsyncDir(dirname(target));
    return true;
}

export function safeUnlink(path: string): void {
    try { unlinkSync(path); } catch { /* already gone */ }
}
