// lib/os and lib/shell gates. os.Task runs a process exactly as §7 says: no shell, no PATH
// lookup (a bare name is relative to the directory), a non-empty env replaces the environment,
// output captured and logged only on failure, result Bool. Tasks run under the concurrency limit.
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { registerGate, type GateContext } from '../gate-registry.js';
import { KoCancelled, KoExit } from '../errors.js';
import { FALSE, TRUE, str } from '../values.js';
import { lib, optIntArg, optStringArg, stringArg, stringsArg } from './args.js';

const OS = lib('os');

export interface TaskSpec { name: string; binary: string; args: string[]; env: string[]; dir?: string }

/** Runs one task; resolves true on exit status 0. Output goes to the log only on failure. */
export function runTask(spec: TaskSpec, ctx: GateContext): Promise<boolean> {
    const cwd = resolve(ctx.workspaceDir, spec.dir ?? '.');
    // Go's exec.Cmd{Path: binary} never searches $PATH: a bare name is a path relative to the dir.
    const path = resolve(cwd, spec.binary);
    const logFailure = (output: string, reason: string) => {
        ctx.stderr.write(`task ${spec.name} failed (${reason})\n${output}${output.endsWith('\n') || output === '' ? '' : '\n'}` +
            `task: (name: ${JSON.stringify(spec.name)}, binary: ${JSON.stringify(spec.binary)}, arg: ${JSON.stringify(spec.args)}, dir: ${JSON.stringify(spec.dir ?? '')})\n`);
    };
    try {
        accessSync(path, constants.X_OK);
    } catch {
        logFailure('', `fork/exec ${spec.binary}: no such file or directory`);
        return Promise.resolve(false);
    }
    const env = spec.env.length > 0
        ? Object.fromEntries(spec.env.map(kv => { const i = kv.indexOf('='); return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)]; }))
        : process.env;
    // node:child_process is imported by the first task, so runs without tasks start faster.
    return import('node:child_process').then(({ spawn }) => new Promise((done, reject) => {
        let output = '';
        const child = spawn(path, spec.args, { cwd, env, shell: false, stdio: ['ignore', 'pipe', 'pipe'], signal: ctx.signal });
        const onData = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
            const text = chunk.toString('utf8');
            output += text;
            ctx.emit({ kind: 'log', stream, text, stepId: ctx.stepInfo.stepId, time: Date.now() });
        };
        child.stdout.on('data', onData('stdout'));
        child.stderr.on('data', onData('stderr'));
        child.on('error', e => {
            if (ctx.signal.aborted) { reject(new KoCancelled()); return; }
            logFailure(output, e.message);
            done(false);
        });
        child.on('close', (code, signal) => {
            if (ctx.signal.aborted) reject(new KoCancelled());
            else if (code === 0) done(true);
            else { logFailure(output, signal ? `signal ${signal}` : `exit status ${code}`); done(false); }
        });
    }));
}

registerGate(OS, 'Task', async (args, ctx) => {
    const dir = optStringArg(args, 'dir');
    const ok = await runTask({
        name: stringArg(args, 'name'), binary: stringArg(args, 'binary'), args: stringsArg(args, 'arg'),
        env: stringsArg(args, 'env'), ...(dir ? { dir } : {}),
    }, ctx);
    return ok ? TRUE : FALSE;
}, { limited: true });

registerGate(OS, 'Env', args => str(process.env[stringArg(args, 'name')] ?? ''));
registerGate(OS, 'Exit', args => { throw new KoExit(Number(optIntArg(args, 'code') ?? 0n)); });
registerGate(OS, 'Mkdir', async (args, ctx) => {
    const path = resolve(ctx.workspaceDir, stringArg(args, 'path'));
    await mkdir(path, { recursive: true, mode: 0o755 });
    return str(path);
});
registerGate(OS, 'TempDir', () => str(process.env.TMPDIR || tmpdir()));

// lib/shell: GoShellCopy runs /bin/sh -c 'cp "<src>" "<dst>"' through the task machinery.
registerGate(lib('shell'), 'GoShellCopy', async (args, ctx) => {
    const source = stringArg(args, 'source'), sink = stringArg(args, 'sink');
    const ok = await runTask({ name: 'copy', binary: '/bin/sh', args: ['-c', `cp "${source}" "${sink}"`], env: [] }, ctx);
    if (!ok) ctx.panic(`copying ${source} to ${sink} failed`);
    return str(resolve(ctx.workspaceDir, dirname(sink)));
}, { limited: true });

