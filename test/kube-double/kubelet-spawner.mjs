// The kube double's process spawner, in a process of its own (option `kubeletProcess`). Node's
// spawn blocks its caller until the child has exec'd; with 50 pods starting at once that stalls
// the double's API (watches, logs) for most of the time. Here the blocking happens next door and
// the double only exchanges messages: spawn requests in; spawn, data, error and close events out.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

/** In the double: a ChildProcess look-alike backed by the spawner process. */
export function createRemoteSpawner(helperPath, helpers = 2) {
    // Several spawners, round robin: each blocks while its child execs, so they overlap.
    const pool = [];
    let next = 0;
    const children = new Map();
    const start = () => {
        const helper = spawn(process.execPath, [helperPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        helper.on('message', (m) => {
            const c = children.get(m.id);
            if (!c) return;
            if (m.ev === 'data') c[m.stream].emit('data', m.s);
            else if (m.ev === 'spawn') c.emit('spawn');
            else if (m.ev === 'error') { children.delete(m.id); c.emit('error', Object.assign(new Error(m.message), { code: m.code })); }
            else if (m.ev === 'close') { children.delete(m.id); c.emit('close', m.code, m.signal); }
        });
        helper.unref();
        helper.channel?.unref();
        return helper;
    };
    return {
        spawn(command, args, { env, cwd }) {
            const id = ++next;
            const slot = id % helpers;
            const helper = (pool[slot] ??= start());
            const c = new EventEmitter();
            c.stdout = new EventEmitter();
            c.stderr = new EventEmitter();
            c.kill = (sig) => { if (helper.connected) helper.send({ op: 'kill', id, sig }); };
            children.set(id, c);
            helper.send({ op: 'spawn', id, command, args, env, cwd });
            return c;
        },
        close() { for (const h of pool) h?.kill('SIGKILL'); pool.length = 0; },
    };
}

// In the spawner process.
if (process.send && process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
    const live = new Map();
    process.on('message', (m) => {
        if (m.op === 'kill') { live.get(m.id)?.kill(m.sig); return; }
        if (m.op !== 'spawn') return;
        let child;
        try {
            child = spawn(m.command, m.args, { env: m.env, cwd: m.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (err) {
            process.send({ id: m.id, ev: 'error', message: String(err), code: err.code });
            return;
        }
        live.set(m.id, child);
        child.stdout.on('data', (b) => process.send({ id: m.id, ev: 'data', stream: 'stdout', s: b.toString('utf8') }));
        child.stderr.on('data', (b) => process.send({ id: m.id, ev: 'data', stream: 'stderr', s: b.toString('utf8') }));
        child.on('spawn', () => process.send({ id: m.id, ev: 'spawn' }));
        child.on('error', (err) => { live.delete(m.id); process.send({ id: m.id, ev: 'error', message: err.message, code: err.code }); });
        child.on('close', (code, signal) => { live.delete(m.id); process.send({ id: m.id, ev: 'close', code, signal }); });
    });
    process.on('disconnect', () => { for (const c of live.values()) c.kill('SIGKILL'); process.exit(0); });
}
