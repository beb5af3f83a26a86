// lib/file and lib/file/path gates: WriteLocalFile (returns Bool) and Go's path/filepath
// Join, Base and Dir. Relative paths resolve against the run's workspace directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { posix, resolve, dirname } from 'node:path';
import { registerGate } from '../gate-registry.js';
import { FALSE, TRUE, str } from '../values.js';
import { lib, stringArg, stringsArg } from './args.js';

registerGate(lib('file'), 'WriteLocalFile', async (args, ctx) => {
    const path = resolve(ctx.workspaceDir, stringArg(args, 'path'));
    try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, stringArg(args, 'body'));
        return TRUE;
    } catch (e) {
        ctx.stderr.write(`WriteLocalFile ${path}: ${(e as Error).message}\n`);
        return FALSE;
    }
});

const P = lib('file/path');
/** Go's filepath.Join: empty elements are skipped, the result is cleaned, "" when nothing is left. */
registerGate(P, 'Join', args => {
    const parts = stringsArg(args, 'paths').filter(p => p !== '');
    return str(parts.length === 0 ? '' : posix.normalize(parts.join('/')).replace(/(.)\/$/, '$1'));
});
registerGate(P, 'Base', args => {
    const p = stringArg(args, 'path');
    if (p === '') return str('.');
    const trimmed = p.replace(/\/+$/, '');
    return str(trimmed === '' ? '/' : posix.basename(trimmed));
});
registerGate(P, 'Dir', args => {
    const p = stringArg(args, 'path');
    const i = p.lastIndexOf('/');
    const dir = i < 0 ? '.' : p.slice(0, i + 1);
    const cleaned = posix.normalize(dir);
    return str(cleaned === '/' ? '/' : cleaned.replace(/\/$/, '') || '.');
});
