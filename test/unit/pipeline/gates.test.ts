// The pipeline package end to end inside the real interpreter: Ko values in, real processes,
// the real store, Ko structures out; caching across runs, panics recoverable with Recover,
// provenance fields, and cancellation through the run's signal.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProgram, runFunction } from '../../../src/runtime/interpreter.js';
import { printValue, type Value } from '../../../src/runtime/values.js';
import { KoCancelled, KoPanic } from '../../../src/runtime/errors.js';
import type { RunEvent } from '../../../src/runtime/events.js';
import { Store } from '../../../src/store/store.js';
import { listRunIds, readRun } from '../../../src/store/run-records.js';
import '../../../src/pipeline/pipeline-gates.js';

function workspace(source: string): string {
    const root = mkdtempSync(join(tmpdir(), 'ko-gates-'));
    mkdirSync(join(root, 'main'));
    writeFileSync(join(root, 'main/main.ko'), source);
    return root;
}

async function run(root: string, func = 'Main', signal?: AbortSignal): Promise<{ value: Value; printed: string; stderr: string; events: RunEvent[] }> {
    const program = loadProgram({ roots: [root], entry: { dir: join(root, 'main') }, cwd: root });
    let stderr = '';
    const events: RunEvent[] = [];
    const value = await runFunction(program, { pkgPath: 'main' }, func, {}, {
        stdout: { write: () => {} }, stderr: { write: t => { stderr += t; } }, workspaceDir: root,
        settings: { store: join(root, '.ko') }, ...(signal ? { signal } : {}), onEvent: e => events.push(e),
    });
    return { value, printed: printValue(value), stderr, events };
}

const field = (v: Value, name: string): Value => (v.kind === 'struct' ? v.fields.find(f => f.name === name)?.value : undefined) ?? { kind: 'empty' };

const WORDS = `import "pipeline"

Main() {
	words: pipeline.Text(name: "words", content: "b\\na\\nb\\n")
	sorted: pipeline.Shell(script: "sort -u $KO_IN/words > $KO_OUT/sorted", inputs: (words: words))
	count: pipeline.Container(
		image: "alpine:3.20"
		command: ("/bin/sh", "-c")
		args: "wc -l < $KO_IN/sorted | tr -d ' '"
		inputs: (sorted: sorted.outputs.sorted)
		env: (LANG: "C", API_TOKEN: "hunter2")
	)
	return: (count: count.stdout, exit: count.exitCode, cached: count.cached, text: pipeline.Read(sorted.outputs.sorted), key: count.key)
}
`;

describe('pipeline gates', () => {
    it('run a pipeline, then answer the rerun entirely from the store', async () => {
        const root = workspace(WORDS);
        const first = await run(root);
        expect(field(first.value, 'count')).toEqual({ kind: 'string', value: '2' });
        expect(field(first.value, 'text')).toEqual({ kind: 'string', value: 'a\nb\n' });
        expect(printValue(field(first.value, 'exit'))).toBe('0');
        expect(printValue(field(first.value, 'cached'))).toBe('false');
        expect(first.stderr).toMatch(/ko: started  Main\.sorted [0-9a-f]{12}/);
        expect(first.stderr).toMatch(/ko: finished Main\.count/);
        const second = await run(root);
        expect(printValue(field(second.value, 'cached'))).toBe('true');
        expect(field(second.value, 'key')).toEqual(field(first.value, 'key'));
        expect(second.stderr).toMatch(/ko: cached   Main\.sorted/);
        expect(second.stderr).not.toMatch(/started/);
        expect(second.stderr).toMatch(/0 executed, 2 cached/);

        const store = new Store(join(root, '.ko'));
        const [last, prev] = listRunIds(store.runsDir).map(id => readRun(store.runsDir, id)!);
        expect(prev.steps.map(s => [s.stepName, s.status])).toEqual([['Main.sorted', 'executed'], ['Main.count', 'executed']]);
        expect(last.steps.map(s => s.status)).toEqual(['cached', 'cached']);
        expect(last.status).toBe('ok');
        const key = (field(first.value, 'key') as { value: string }).value;
        const record = store.steps.get(key)!;
        expect(record.env).toEqual({ API_TOKEN: '<redacted>', LANG: 'C' });
        expect(JSON.stringify(record)).not.toContain('hunter2');
        expect(record.components.image).toBe('alpine:3.20');
        expect(record.components.formula).toContain('pipeline.Container(');
        expect(record.source).toMatchObject({ file: 'main/main.ko', line: 6 });
        expect(record.inputs[0]).toMatchObject({ name: 'sorted', producer: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('editing one step reruns it and what depends on it, nothing else', async () => {
        const root = workspace(WORDS);
        await run(root);
        writeFileSync(join(root, 'main/main.ko'), WORDS.replace("wc -l < $KO_IN/sorted | tr -d ' '", "wc -c < $KO_IN/sorted | tr -d ' '"));
        const edited = await run(root);
        expect(edited.stderr).toMatch(/cached   Main\.sorted/);
        expect(edited.stderr).toMatch(/started  Main\.count/);
        expect(field(edited.value, 'count')).toEqual({ kind: 'string', value: '4' });
        // Reformatting a step does not change its key.
        writeFileSync(join(root, 'main/main.ko'), WORDS.replace("wc -l < $KO_IN/sorted | tr -d ' '", "wc -c < $KO_IN/sorted | tr -d ' '")
            .replace('sorted: pipeline.Shell(script:', 'sorted:   pipeline.Shell(  script:'));
        const reformatted = await run(root);
        expect(reformatted.stderr).not.toMatch(/started/);
    });

    it('a failing step panics with step, exit code and log tail, recoverable with Recover', async () => {
        const root = workspace(`import "pipeline"

Main() {
	return: Recover(invoke: failing, panic: handle)
}

failing() {
	bad: pipeline.Shell(script: "echo doing; echo boom >&2; exit 3", retries: 1)
	return: bad.stdout
}

handle(p?) {
	return: (code: p.exitCode, step: p.step, log: p.log, attempts: p.attempts)
}

Unrecovered() {
	return: pipeline.Shell(script: "exit 9")
}
`);
        const r = await run(root);
        expect(printValue(field(r.value, 'code'))).toBe('3');
        expect(field(r.value, 'step')).toEqual({ kind: 'string', value: 'failing.bad' });
        expect((field(r.value, 'log') as { value: string }).value).toContain('boom');
        expect(printValue(field(r.value, 'attempts'))).toBe('2');
        expect(r.stderr).toMatch(/retrying failing\.bad/);
        // Step output is streamed as run events for the editor, attributed to the step.
        const logs = r.events.filter(e => e.kind === 'log' && e.stepId === 'main.failing/bad').map(e => e.kind === 'log' ? e.text : '');
        expect(logs).toEqual(expect.arrayContaining(['doing\n', 'boom\n']));
        expect(r.events.some(e => e.kind === 'gate' && e.name === 'pipeline.failed' && e.stepId === 'main.failing/bad')).toBe(true);
        expect(r.stderr).toMatch(/failed   failing\.bad [0-9a-f]{12} exit 3 after 2 attempts/);
        await expect(run(root, 'Unrecovered')).rejects.toBeInstanceOf(KoPanic);
    });

    it('File values hash workspace files by content; inputs accept strings and sequences', async () => {
        const root = workspace(`import "pipeline"

Main() {
	a: pipeline.File("data/a.txt")
	b: pipeline.File(path: "data/b.txt")
	both: pipeline.Shell(
		script: "cat $KO_IN/parts/a.txt $KO_IN/parts/b.txt $KO_IN/note; mkdir -p $KO_OUT/x; echo y > $KO_OUT/x/y.txt"
		inputs: (parts: (a, b), note: "hello")
	)
	return: (out: both.stdout, files: both.files, y: pipeline.Read(both.files))
}
`);
        mkdirSync(join(root, 'data'));
        writeFileSync(join(root, 'data/a.txt'), 'A\n');
        writeFileSync(join(root, 'data/b.txt'), 'B\n');
        const r = await run(root);
        expect(field(r.value, 'out')).toEqual({ kind: 'string', value: 'A\nB\nhello' });
        expect(printValue(field(r.value, 'files'))).toMatch(/^\(File\(x\/y\.txt sha256:[0-9a-f]{12}\)\)$/);
        expect(field(r.value, 'y')).toEqual({ kind: 'string', value: 'y\n' });
        writeFileSync(join(root, 'data/b.txt'), 'B2\n');
        const r2 = await run(root);
        expect(field(r2.value, 'out')).toEqual({ kind: 'string', value: 'A\nB2\nhello' });
    });

    it('a missing program, bad arguments and a missing file are Ko panics', async () => {
        const root = workspace(`import "pipeline"

NoProgram() {
	return: pipeline.Container(command: "/no/such/tool")
}
NoCommand() {
	return: pipeline.Container(image: "x")
}
NoFile() {
	return: pipeline.File("nope.txt")
}
`);
        await expect(run(root, 'NoProgram')).rejects.toMatchObject({ message: expect.stringContaining('exitCode: 127') });
        await expect(run(root, 'NoCommand')).rejects.toMatchObject({ message: expect.stringContaining('needs a command') });
        await expect(run(root, 'NoFile')).rejects.toMatchObject({ message: expect.stringContaining('cannot read nope.txt') });
    });

    it('cancelling the run kills the step and records nothing for it', async () => {
        const root = workspace(`import "pipeline"

Main() {
	return: pipeline.Shell(script: "sleep 20; echo late > $KO_OUT/x")
}
`);
        const ac = new AbortController();
        const t0 = Date.now();
        setTimeout(() => ac.abort(), 400);
        await expect(run(root, 'Main', ac.signal)).rejects.toBeInstanceOf(KoCancelled);
        expect(Date.now() - t0).toBeLessThan(5000);
        const store = new Store(join(root, '.ko'));
        expect([...store.steps.list()]).toEqual([]);
        expect(existsSync(store.workDir) ? readdirSync(store.workDir) : []).toEqual([]);
        const runs = listRunIds(store.runsDir).map(id => readRun(store.runsDir, id)!);
        expect(runs[0].steps.map(s => s.status)).toEqual(['cancelled']);
    });
});
