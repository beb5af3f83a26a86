// The embedded default executor: each step is a host process (the image is recorded, not
// pulled: local runs use the host's programs) in its own process group, scratch directory and
// environment, with a timeout, cancellation, retries with backoff and bounded concurrency.
import { closeSync, copyFileSync, constants as fsc, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, constants as osConstants, hostname, tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { expandPlaceholders, type Executor, type StepEvent, type StepOutputFile, type StepResult, type StepSpec } from './executor.js';

export interface LocalExecutorOptions {
    /** Scratch root; on the store's filesystem so outputs can be renamed into objects. */
    readonly workRoot: string;
    readonly concurrency?: number;
    /** First retry delay; doubles per attempt, capped at 10 s. */
    readonly backoffMs?: number;
    /** Time between SIGTERM and SIGKILL on timeout or cancellation. */
    readonly killGraceMs?: number;
    /** Upper bound on stdout kept in memory (the log file always has everything). */
    readonly maxStdoutBytes?: number;
}

/** Host variables a step may see; everything else comes from the step's own `env`. */
const PASSED_HOST_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'USER'];

export class CancelledError extends Error {
    override readonly name = 'AbortError';
}

const HOST = hostname();

/** node:child_process, imported when the first step runs: a fully cached run never loads it. */
let childProcess: typeof import('node:child_process') | undefined;

export class LocalExecutor implements Executor {
    readonly name = 'local' as const;
    private readonly limit: number;
    private active = 0;
    private readonly waiting: (() => void)[] = [];
    private readonly live = new Set<number>();
    private closed = false;
    private readonly lastDir = new Map<string, string>();
    private watchdog: { kill: () => void; ledger: string; fd: number } | undefined;
    /** Marks this executor's steps (env KO_WATCH) so the watchdog can find them in /proc. */
    private readonly token = randomBytes(8).toString('hex');

    constructor(private readonly options: LocalExecutorOptions) {
        this.limit = Math.max(1, options.concurrency ?? availableParallelism());
    }

    async run(step: StepSpec, signal: AbortSignal, onEvent: (event: StepEvent) => void): Promise<StepResult> {
        if (this.closed) throw new Error('executor closed');
        onEvent({ kind: 'queued', id: step.id, waiting: this.active >= this.limit });
        await this.acquire(signal);
        try {
            childProcess ??= await import('node:child_process');
            return await this.runAcquired(step, signal, onEvent);
        } catch (e) {
            // Cancelled or broken: leave nothing half-written behind.
            if (this.lastDir.has(step.id)) rmSync(this.lastDir.get(step.id)!, { recursive: true, force: true });
            throw e;
        } finally {
            this.lastDir.delete(step.id);
            this.release();
        }
    }

    /** Kills every live process group; used by close() and by Ctrl-C handling. */
    killAll(sig: NodeJS.Signals = 'SIGKILL'): void {
        for (const pid of this.live) killGroup(pid, sig);
    }

    async close(): Promise<void> {
        this.closed = true;
        this.killAll();
        if (this.watchdog) {
            this.watchdog.kill();
            closeSync(this.watchdog.fd);
            rmSync(this.watchdog.ledger, { force: true });
            this.watchdog = undefined;
        }
    }

    /**
     * Steps run in their own process groups, so they would outlive a runner killed with -9. One
     * detached watchdog per executor reads a pipe from us; when the pipe closes (whatever killed
     * us) it kills the groups still listed in its ledger, where we add (+pgid) and remove (-pgid)
     * every step, so a finished step's recycled pid is never hit.
     */
    private track(pid: number | undefined, live: boolean): void {
        if (!this.watchdog) {
            mkdirSync(this.options.workRoot, { recursive: true });
            const ledger = join(tmpdir(), `ko-watchdog-${process.pid}-${randomBytes(4).toString('hex')}`);
            const fd = openSync(ledger, 'a');
            // The ledger misses a step only if we die between its spawn and our write; for that
            // window, processes carrying our KO_WATCH token are found in /proc (Linux).
            const script = `trap '' INT TERM HUP; read _; `
                + `awk '/^[+]/ { s[substr($0, 2)] = 1 } /^-/ { delete s[substr($0, 2)] } END { for (p in s) print p }' "$1" | while read p; do kill -KILL -"$p" 2>/dev/null; done; `
                + `if [ -r /proc/self/environ ]; then for e in /proc/[0-9]*/environ; do `
                + `if tr '\\000' '\\n' < "$e" 2>/dev/null | grep -qx "KO_WATCH=$2"; then p=\${e#/proc/}; p=\${p%/environ}; kill -KILL -"$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; fi; `
                + `done; fi; rm -f "$1"`;
            const dog = childProcess!.spawn('/bin/sh', ['-c', script, 'ko-watchdog', ledger, this.token], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
            dog.on('error', () => { /* no watchdog: exit handlers still kill the groups */ });
            dog.unref();
            (dog.stdin as unknown as { unref?: () => void }).unref?.();
            this.watchdog = { ledger, fd, kill: () => { try { dog.kill('SIGKILL'); } catch { /* gone */ } } };
        }
        if (pid !== undefined) writeSync(this.watchdog.fd, `${live ? '+' : '-'}${pid}\n`);
    }

    private async runAcquired(step: StepSpec, signal: AbortSignal, onEvent: (event: StepEvent) => void): Promise<StepResult> {
        const dir = join(this.options.workRoot, `${sanitize(step.id)}-${randomBytes(4).toString('hex')}`);
        this.lastDir.set(step.id, dir);
        const inDir = join(dir, 'in');
        const outDir = join(dir, 'out');
        const scratch = join(dir, 'work');
        // Plain mkdirs (a recursive one tries the leaf first and fails): workRoot, then the fresh dir's parts.
        try { mkdirSync(dir); } catch { mkdirSync(dir, { recursive: true }); }
        mkdirSync(inDir);
        mkdirSync(scratch);
        for (const input of step.inputs) {
            const target = join(inDir, input.name);
            if (!isInside(inDir, target)) throw new Error(`input name escapes $KO_IN: ${input.name}`);
            mkdirSync(join(target, '..'), { recursive: true });
            // A copy (reflink when the filesystem can) so a step that edits its input cannot corrupt the store.
            copyFileSync(input.objectPath, target, fsc.COPYFILE_FICLONE);
        }
        const cwd = step.workdir ? (isAbsolute(step.workdir) ? step.workdir : join(scratch, step.workdir)) : scratch;
        if (cwd !== scratch) mkdirSync(cwd, { recursive: true });
        const env: Record<string, string> = {};
        for (const name of PASSED_HOST_ENV) if (process.env[name] !== undefined) env[name] = process.env[name]!;
        Object.assign(env, step.env, { KO_IN: inDir, KO_OUT: outDir, KO_STEP: step.stepName, KO_RUN_ID: step.runId, KO_KEY: step.key });
        const logPath = join(dir, 'log.txt');
        const log = openSync(logPath, 'w');
        const startedAt = new Date().toISOString();
        let attempt = 0;
        let last: { exitCode: number; stdout: string };
        try {
            for (;;) {
                attempt++;
                if (attempt > 1) rmSync(outDir, { recursive: true, force: true });
                mkdirSync(outDir);
                onEvent({ kind: 'started', id: step.id, attempt });
                if (attempt > 1) writeSync(log, `--- ko: attempt ${attempt} ---\n`);
                last = await this.attempt(step, expandPlaceholders(step.args, inDir, outDir), cwd, env, log, signal, onEvent);
                if (last.exitCode === 0 || attempt > step.retries) break;
                const reason = `exit code ${last.exitCode}`;
                onEvent({ kind: 'retrying', id: step.id, attempt: attempt + 1, reason });
                await sleep(Math.min(10_000, (this.options.backoffMs ?? 200) * 2 ** (attempt - 1)), signal);
            }
        } finally {
            closeSync(log);
        }
        onEvent({ kind: 'finished', id: step.id, exitCode: last.exitCode });
        return {
            exitCode: last.exitCode,
            stdout: last.stdout,
            logPath,
            outputs: last.exitCode === 0 ? listFiles(outDir) : [],
            attempts: attempt,
            startedAt,
            finishedAt: new Date().toISOString(),
            placement: `local:${HOST}`,
        };
    }

    private attempt(step: StepSpec, args: readonly string[], cwd: string, env: Record<string, string>, log: number, signal: AbortSignal,
        onEvent: (event: StepEvent) => void): Promise<{ exitCode: number; stdout: string }> {
        return new Promise((resolve, reject) => {
            if (signal.aborted) { reject(new CancelledError(`step ${step.stepName} cancelled`)); return; }
            const argv = [...step.command, ...args];
            if (argv.length === 0) {
                writeSync(log, 'ko: the step has no command\n');
                resolve({ exitCode: 127, stdout: '' });
                return;
            }
            // The watchdog must exist before the step does, or a kill -9 right after spawn would orphan it.
            this.track(undefined, true);
            // detached: its own process group, so a timeout or Ctrl-C kills `sh -c` and its children too.
            const child = childProcess!.spawn(argv[0], argv.slice(1), { cwd, env: { ...env, KO_WATCH: this.token }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
            const maxStdout = this.options.maxStdoutBytes ?? 64 * 1024 * 1024;
            const chunks: Buffer[] = [];
            let stdoutBytes = 0;
            let timedOut = false;
            let cancelled = false;
            let killTimer: NodeJS.Timeout | undefined;
            const grace = this.options.killGraceMs ?? 2000;
            const terminate = () => {
                if (child.pid === undefined) return;
                killGroup(child.pid, 'SIGTERM');
                killTimer ??= setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), grace);
            };
            const onAbort = () => { cancelled = true; terminate(); };
            signal.addEventListener('abort', onAbort, { once: true });
            const timer = step.timeoutSeconds && step.timeoutSeconds > 0
                ? setTimeout(() => { timedOut = true; terminate(); }, step.timeoutSeconds * 1000) : undefined;
            if (child.pid !== undefined) { this.live.add(child.pid); this.track(child.pid, true); }
            const lineSplitter = (stream: 'stdout' | 'stderr') => {
                let partial = '';
                return (chunk: Buffer) => {
                    writeSync(log, chunk);
                    if (stream === 'stdout' && stdoutBytes < maxStdout) { chunks.push(chunk); stdoutBytes += chunk.length; }
                    const text = partial + chunk.toString('utf8');
                    const lines = text.split('\n');
                    partial = lines.pop() ?? '';
                    for (const line of lines) onEvent({ kind: 'log', id: step.id, stream, line });
                };
            };
            child.stdout.on('data', lineSplitter('stdout'));
            child.stderr.on('data', lineSplitter('stderr'));
            let spawnError: Error | undefined;
            child.on('error', e => { spawnError = e; });
            // Background processes must not outlive the step (they would also hold the pipes open).
            child.on('exit', () => { if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL'); });
            child.on('close', (code, sig) => {
                if (timer) clearTimeout(timer);
                if (killTimer) clearTimeout(killTimer);
                signal.removeEventListener('abort', onAbort);
                if (child.pid !== undefined) {
                    // The group may still hold orphaned grandchildren (e.g. `sleep &`): do not leak them.
                    killGroup(child.pid, 'SIGKILL');
                    this.live.delete(child.pid);
                    this.track(child.pid, false);
                }
                if (cancelled) { reject(new CancelledError(`step ${step.stepName} cancelled`)); return; }
                let exitCode: number;
                if (spawnError) {
                    writeSync(log, `ko: cannot start ${argv[0]}: ${spawnError.message}\n`);
                    exitCode = (spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
                } else if (timedOut) {
                    writeSync(log, `ko: timed out after ${step.timeoutSeconds} s\n`);
                    exitCode = 124;
                } else {
                    exitCode = code ?? 128 + signalNumber(sig);
                }
                resolve({ exitCode, stdout: Buffer.concat(chunks).toString('utf8') });
            });
        });
    }

    private acquire(signal: AbortSignal): Promise<void> {
        if (this.active < this.limit) { this.active++; return Promise.resolve(); }
        return new Promise((resolve, reject) => {
            const grant = () => { signal.removeEventListener('abort', onAbort); this.active++; resolve(); };
            const onAbort = () => {
                const i = this.waiting.indexOf(grant);
                if (i >= 0) this.waiting.splice(i, 1);
                reject(new CancelledError('cancelled while queued'));
            };
            signal.addEventListener('abort', onAbort, { once: true });
            this.waiting.push(grant);
        });
    }

    private release(): void {
        this.active--;
        const next = this.waiting.shift();
        if (next) next();
    }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
    try { process.kill(-pid, sig); } catch { /* group already gone */ }
}

/** Shell convention: a process killed by signal N exits with 128+N. */
function signalNumber(sig: NodeJS.Signals | null): number {
    return sig ? ((osConstants.signals as unknown as Record<string, number>)[sig] ?? 0) : 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) { reject(new CancelledError('cancelled')); return; }
        const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = () => { clearTimeout(t); reject(new CancelledError('cancelled')); };
        signal.addEventListener('abort', onAbort, { once: true });
    });
}

function sanitize(id: string): string {
    return id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
}

function isInside(dir: string, path: string): boolean {
    const rel = relative(dir, path);
    return rel.length > 0 && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Regular files under $KO_OUT, sorted, with '/' names; symlinks are not followed (they could point anywhere). */
export function listFiles(root: string): StepOutputFile[] {
    const out: StepOutputFile[] = [];
    const walk = (dir: string) => {
        let entries;
        try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
        for (const e of entries) {
            const p = join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.isFile()) out.push({ name: relative(root, p).split(sep).join('/'), localPath: p });
        }
    };
    walk(root);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
