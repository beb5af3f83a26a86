// Remembers the content hash of workspace files by (path, size, mtime, ctime, inode) so a rerun
// does not re-read large inputs; any change to those (an edit, a copy over it) re-hashes.
// Entries are small files replaced atomically; a torn or foreign entry is simply a miss.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { sha256 } from './keys.js';
import type { Store } from './store.js';
import type { ObjectRef } from './object-store.js';

interface Entry { path: string; size: number; mtimeNs: string; ctimeNs: string; ino: string; hash: string }

/** Hashes (and stores) a workspace file, reusing the last hash when the file is untouched. */
export async function ingestWorkspaceFile(store: Store, absPath: string): Promise<ObjectRef> {
    const st = statSync(absPath, { bigint: true });
    if (!st.isFile()) throw new Error(`${absPath} is not a regular file`);
    const entryPath = join(store.root, 'files', sha256(absPath).slice(0, 2), sha256(absPath) + '.json');
    const sig = { path: absPath, size: Number(st.size), mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString(), ino: st.ino.toString() };
    try {
        const e = JSON.parse(readFileSync(entryPath, 'utf8')) as Entry;
        if (e.path === sig.path && e.size === sig.size && e.mtimeNs === sig.mtimeNs && e.ctimeNs === sig.ctimeNs && e.ino === sig.ino
            && store.objects.has(e.hash, e.size)) return { hash: e.hash, size: e.size };
    } catch { /* miss */ }
    const ref = await store.objects.putFile(absPath);
    writeFileAtomic(entryPath, JSON.stringify({ ...sig, hash: ref.hash } satisfies Entry), store.tmpDir);
    return ref;
}
