// The CLI end to end: spawns ./bin/ko (the esbuild bundle) for `ko run` and `ko test` and checks
// stdout, stderr and exit codes. Rebuilds dist/ first when sources are newer than the bundle.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeTree } from './helpers.js';

const repo = resolve(__dirname, '../../..');
const ko = join(repo, 'bin/ko');

function newest(dir: string): number {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
}

beforeAll(() => {
    const bundle = join(repo, 'dist/cli/main.mjs');
    if (!existsSync(bundle) || statSync(bundle).mtimeMs < Math.max(newest(join(repo, 'src/runtime')), newest(join(repo, 'src/cli')))) {
        execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'ignore' });
    }
}, 120_000);

function koRun(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
    const r = spawnSync(process.execPath, [ko, ...args], { cwd: opts.cwd ?? repo, encoding: 'utf8', env: { ...process.env, KOPATH: '', ...opts.env }, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ko run', () => {
    it('runs the hello example and prints the value in canonical syntax', () => {
        const r = koRun(['run', 'examples/hello/hello.ko:Main']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('"Hello, world!"\n(greeting: "Hello, world!", squares: (1, 4, 9, 16), sumOfSquares: 30, fib10: 55)\n');
    });
    it('passes name=value and word arguments; --json prints JSON', () => {
        const dir = writeTree({ 'args.ko': 'Main(greeting, who?) { return: (greeting: greeting, who: who) }' });
        const r = koRun(['run', '--json', 'args.ko:Main', 'greeting=hi', 'Ada'], { cwd: dir });
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ greeting: 'hi', who: 'Ada' });
        const words = koRun(['run', 'args.ko:Main', 'a', 'b'], { cwd: dir });
        expect(words.stdout).toBe('(who: ("a", "b"))\n');
    });
    it('resolves import-path targets against --root and KOPATH', () => {
        const dir = writeTree({
            'roots/extra/acme/tools/tools.ko': 'import "acme/util"\nDouble(x?) { return: util.Twice(x) }',
            'roots/extra/acme/util/util.ko': 'Twice(s?) { return: (s, s) }',
            'gopath/src/acme/kp/kp.ko': 'Hello() { return: "from KOPATH" }',
        });
        const r = koRun(['run', '--root', join(dir, 'roots/extra'), 'acme/tools/Double', 'x'], { cwd: dir });
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('("x", "x")\n');
        const k = koRun(['run', 'acme/kp/Hello'], { cwd: dir, env: { KOPATH: join(dir, 'gopath') } });
        expect(k.stdout).toBe('"from KOPATH"\n');
        const missing = koRun(['run', 'acme/nope/F'], { cwd: dir });
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain('package acme/nope not found');
    });
    it('reports syntax errors as FILE:LINE:COL: message and exits 1', () => {
        const dir = writeTree({ 'bad.ko': 'Main() {\n\treturn: x + 1\n}\n' });
        const r = koRun(['run', 'bad.ko:Main'], { cwd: dir });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/^bad\.ko:2:12: /m);
    });
    it('runs a clean file the fast parser leaves to Langium (a comment between two functions)', () => {
        const dir = writeTree({ 'c.ko': 'Main() { return: Other() } /* between */ Other() { return: "ok" }\n' });
        const r = koRun(['run', 'c.ko:Main'], { cwd: dir });
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('"ok"\n');
        expect(r.code).toBe(0);
    });
    it('reports an unrecovered panic with the Ko stack and exits 1', () => {
        const dir = writeTree({ 'p.ko': 'Main() {\n\ta: Inner()\n\treturn: a\n}\nInner() {\n\tp: Panic(why: "boom")\n\treturn: p\n}\n' });
        const r = koRun(['run', 'p.ko:Main'], { cwd: dir });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe('ko: unrecovered panic: (why: "boom")\n    at Inner:p (p.ko:6:2)\n    at Main:a (p.ko:2:2)\n');
    });
    it('exits with os.Exit codes', () => {
        const dir = writeTree({ 'e.ko': 'import "github.com/kocircuit/kocircuit/lib/os"\nMain() { return: os.Exit(code: 7) }' });
        expect(koRun(['run', 'e.ko:Main'], { cwd: dir }).code).toBe(7);
    });
    it('--events ndjson writes protocol events and nothing else on stdout', () => {
        const dir = writeTree({ 'ev.ko': 'Main() {\n\ta: Show(1)\n\treturn: Sum(a, 1)\n}\n' });
        const r = koRun(['run', '--events', 'ndjson', 'ev.ko:Main'], { cwd: dir });
        expect(r.code).toBe(0);
        const events = r.stdout.trim().split('\n').map(l => JSON.parse(l));
        expect(events[0]).toMatchObject({ type: 'run-started', version: 1, function: 'Main', target: 'ev.ko:Main', executor: 'local' });
        expect(events.at(-1)).toMatchObject({ type: 'run-finished', ok: true, value: '2' });
        const a = events.find(e => e.type === 'step-finished' && e.step === 'Main/a');
        expect(a).toMatchObject({ value: '1' });
        expect(events.find(e => e.type === 'step-started' && e.step === 'Main/a')).toMatchObject({ file: join(dir, 'ev.ko'), range: { start: { line: 1, character: 1 } } });
        expect(events.find(e => e.type === 'step-log')).toMatchObject({ step: 'Main/a', stream: 'stdout', line: '1' });
        expect(r.stderr).toBe('1\n');
        expect(new Set(events.map(e => e.runId)).size).toBe(1);
    });
    it('--until stops at a step', () => {
        const dir = writeTree({ 'u.ko': 'Main() { a: 1, b: Sum(a, 1), c: Panic("no"), return: c }' });
        const r = koRun(['run', '--until', 'b', 'u.ko:Main'], { cwd: dir });
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('2\n');
    });
    it('SIGINT cancels running tasks and exits 130', async () => {
        const { spawn } = await import('node:child_process');
        // The task leaves a marker before it sleeps: SIGINT is sent only once the run is under
        // way (a fixed delay raced with start-up on a busy machine).
        const dir = writeTree({ 'c.ko': 'import "github.com/kocircuit/kocircuit/lib/os"\nMain() { return: os.Task(name: "s", binary: "/bin/sh", arg: ("-c", "touch started; exec /bin/sleep 30")) }' });
        const child = spawn(process.execPath, [ko, 'run', 'c.ko:Main'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', d => { stderr += d; });
        const started = Date.now();
        const { existsSync } = await import('node:fs');
        while (!existsSync(join(dir, 'started')) && Date.now() - started < 20_000) await new Promise(r => setTimeout(r, 50));
        child.kill('SIGINT');
        const code = await new Promise<number | null>(r => child.on('close', c => r(c)));
        expect(code).toBe(130);
        expect(stderr).toBe('ko: run cancelled\n');
        expect(Date.now() - started).toBeLessThan(15_000);
    });
    it('rejects bad usage with exit 2', () => {
        expect(koRun(['run']).code).toBe(2);
        expect(koRun(['run', '--bogus', 'x.ko:Main']).code).toBe(2);
    });
});

describe('ko test', () => {
    it('runs zero-parameter Test* functions and ends with N passed, N failed', () => {
        const r = koRun(['test', 'test/fixtures/runtime/cli-tests']);
        expect(r.code).toBe(1);
        const lines = r.stdout.trim().split('\n');
        expect(lines.at(-1)).toBe('2 passed, 1 failed');
        expect(r.stdout).toMatch(/^FAIL test\/fixtures\/runtime\/cli-tests\.TestFails/m);
        expect(r.stdout).toMatch(/unrecovered panic: \(got: 4, want: 5\)/);
        expect(r.stdout).not.toContain('TestWithParam');
    });
    it('exits 0 when every test passes', () => {
        const r = koRun(['test', 'test/fixtures/runtime/cli-pass']);
        expect(r.code).toBe(0);
        expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    });
    it('DIR/... runs every package below DIR', () => {
        const r = koRun(['test', 'test/fixtures/runtime/...']);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^ok {3}test\/fixtures\/runtime\/cli-pass\.TestOne/m);
        expect(r.stdout.trim().split('\n').at(-1)).toBe('3 passed, 1 failed');
    });
    it('a file argument runs only the tests defined in that file', () => {
        const dir = writeTree({ 'pkg/a.ko': 'TestA() { return: helper() }', 'pkg/b.ko': 'TestB() { return: Panic("b") }\nhelper() { return: 1 }' });
        const r = koRun(['test', 'pkg/a.ko'], { cwd: dir });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^ok {3}pkg\.TestA/m);
        expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    });
    it('ko run fails clearly for an unknown function', () => {
        const dir = writeTree({ 'f.ko': 'Main() { return: 1 }' });
        const r = koRun(['run', 'f.ko:Nope'], { cwd: dir });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe('ko: no function Nope in package (root)\n');
    });
    it('defaults to the working directory and reports packages that do not load', () => {
        const dir = writeTree({ 'ok.ko': 'TestA() { return: 1 }', 'broken/b.ko': 'TestB() { return: }' });
        const r = koRun(['test'], { cwd: dir });
        expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
        const b = koRun(['test', 'broken'], { cwd: dir });
        expect(b.code).toBe(1);
        expect(b.stderr).toMatch(/b\.ko:1:\d+: /);
        expect(b.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
    });
});
