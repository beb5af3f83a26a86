// `ko diff` names the first upstream cause of each difference: real `ko run` processes on a
// chain a -> b -> c, changed between runs, then `ko diff` (text and --json) on the store.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../src/store/store.js';
import { listRunIds, readRun } from '../../../src/store/run-records.js';
import { koBundle, koRun } from './cli-bundle.js';

interface Cause { kind: string; step: string; key: string; path?: string; components: { part: string; detail: string }[]; summary: string }
interface Step { step: string; status: string; output?: string; causes?: Cause[]; note?: string }

/** a filters a workspace file (its stdout is b's input, a string), b sorts it, c counts b's lines. */
function chain(opts: { pattern?: string; countCommand?: string } = {}): string {
    return `import "pipeline"

Main() {
	src: pipeline.File("data/words.txt")
	a: pipeline.Container(command: "grep", args: ("-v", "${opts.pattern ?? '^#'}", "$KO_IN/src"), inputs: (src: src))
	b: pipeline.Shell(script: "sort -r \\"$KO_IN/x\\" > \\"$KO_OUT/sorted\\"", inputs: (x: a.stdout))
	c: pipeline.Container(command: "${opts.countCommand ?? 'grep'}", args: ("-c", "", "$KO_IN/x"), inputs: (x: b.outputs.sorted))
	return: c.stdout
}
`;
}

async function setup(words: string): Promise<string> {
    await koBundle();
    const dir = mkdtempSync(join(tmpdir(), 'ko-diff-cause-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/words.txt'), words);
    return dir;
}

async function run(dir: string, source: string): Promise<void> {
    writeFileSync(join(dir, 'p.ko'), source);
    const r = await koRun(['run', 'p.ko:Main'], dir);
    expect(r.code, r.stderr).toBe(0);
}

async function diffs(dir: string): Promise<{ text: string; steps: Map<string, Step> }> {
    const text = await koRun(['diff'], dir);
    expect(text.code, text.stderr).toBe(0);
    const json = await koRun(['diff', 'last~1', 'last', '--json'], dir);
    expect(json.code, json.stderr).toBe(0);
    const steps = (JSON.parse(json.stdout) as { steps: Step[] }).steps;
    return { text: text.stdout, steps: new Map(steps.map(s => [s.step, s])) };
}

/** The indented lines of one step's block in the text output. */
function block(text: string, step: string): string {
    const m = new RegExp(`^  [~!=+-] ${step.replace('.', '\\.')} .*\\n((?: {6}.*\\n)*)`, 'm').exec(text);
    expect(m, `no block for ${step} in:\n${text}`).toBeTruthy();
    return m![0];
}

describe('ko diff: first upstream cause', () => {
    it("an upstream step's args change is the first cause for the steps below it", async () => {
        // a's output changes (z is kept instead of dropped); b's changes; c's line count does not.
        const dir = await setup('#x\nz\ny\n');
        await run(dir, chain({ pattern: '^#' }));
        await run(dir, chain({ pattern: '^z' }));
        const { text, steps } = await diffs(dir);

        expect(block(text, 'Main.a')).toMatch(/^ {6}output differs; first cause: this step \(formula, args changed\)$/m);
        expect(block(text, 'Main.b')).toMatch(/^ {6}output differs; first cause: Main\.a \(args changed: .*\^#.* -> .*\^z.*; formula changed\)$/m);
        expect(block(text, 'Main.c')).toMatch(/^ {6}output unchanged; first cause: Main\.a \(args changed: /m);
        // The immediate reason (the input) is still listed under the cause line.
        expect(block(text, 'Main.c')).toMatch(/input: x: content [0-9a-f]{12} -> [0-9a-f]{12} \(produced by step/);

        const a = steps.get('Main.a')!, b = steps.get('Main.b')!, c = steps.get('Main.c')!;
        expect([a.status, b.status, c.status]).toEqual(['changed', 'changed', 'changed']);
        expect([a.output, b.output, c.output]).toEqual(['differs', 'differs', 'same']);
        for (const s of [a, b, c]) {
            expect(s.causes).toHaveLength(1);
            const cause = s.causes![0];
            expect(cause.kind).toBe('step');
            expect(cause.step).toBe('Main.a');
            expect(cause.components.map(x => x.part)).toEqual(['formula', 'args']);
            expect(cause.components.find(x => x.part === 'args')!.detail).toMatch(/\^#.* -> .*\^z/);
        }
        // a's key in B is the cause's key.
        const last = readRun(join(dir, '.ko/runs'), listRunIds(join(dir, '.ko/runs'))[0])!;
        expect(b.causes![0].key).toBe(last.steps.find(s => s.stepName === 'Main.a')!.key);
    });

    it('a changed workspace file is the first cause', async () => {
        const dir = await setup('#x\nz\ny\n');
        await run(dir, chain());
        writeFileSync(join(dir, 'data/words.txt'), '#x\nz\ny\nw\n');
        await run(dir, chain());
        const { text, steps } = await diffs(dir);
        for (const name of ['Main.a', 'Main.b', 'Main.c']) {
            expect(block(text, name)).toMatch(/^ {6}output differs; first cause: file data\/words\.txt \(content changed\)$/m);
            const s = steps.get(name)!;
            expect(s.output).toBe('differs');
            expect(s.causes).toEqual([expect.objectContaining({ kind: 'file', path: 'data/words.txt', step: 'Main.a',
                components: [{ part: 'file', detail: 'content changed' }] })]);
        }
    });

    it("a leaf step's own command change (same program, other path): the step is its own first cause, nothing upstream differs", async () => {
        const dir = await setup('#x\nz\ny\n');
        await run(dir, chain());
        await run(dir, chain({ countCommand: '/bin/grep' }));
        const { text, steps } = await diffs(dir);
        expect(text).not.toMatch(/Main\.a|Main\.b/);
        expect(block(text, 'Main.c')).toMatch(/^ {6}output unchanged; first cause: this step \(formula, command changed\)$/m);
        expect(block(text, 'Main.c')).toMatch(/^ {6}command: \["grep"\] -> \["\/bin\/grep"\]$/m);
        expect(text).toMatch(/2 steps identical/);
        const c = steps.get('Main.c')!;
        expect(c.output).toBe('same');
        expect(c.causes).toHaveLength(1);
        expect(c.causes![0]).toMatchObject({ kind: 'step', step: 'Main.c' });
        expect(c.causes![0].components.map(x => x.part)).toEqual(['formula', 'command']);
        expect(c.causes![0].summary).toBe('Main.c (command changed: ["grep"] -> ["/bin/grep"]; formula changed)');
        expect(steps.get('Main.a')!.status).toBe('same');
        expect(steps.get('Main.b')!.status).toBe('same');
    });

    it('non-determinism: a step that ran again with the same key, and a cache: false step, whose outputs differ', async () => {
        await koBundle();
        const dir = mkdtempSync(join(tmpdir(), 'ko-diff-nondet-'));
        const source = `import "pipeline"

Main() {
	a: pipeline.Shell(script: "date +%s%N > \\"$KO_OUT/out\\"")
	n: pipeline.Shell(script: "date +%s%N > \\"$KO_OUT/out\\"", cache: false)
	b: pipeline.Shell(script: "cat \\"$KO_IN/x\\" \\"$KO_IN/y\\" > \\"$KO_OUT/out\\"", inputs: (x: a.outputs.out, y: n.outputs.out))
	return: b.stdout
}
`;
        await run(dir, source);
        // Lose a's record (as a gc or a corrupt record would): the next run executes it again with the same key.
        const store = new Store(join(dir, '.ko'));
        const aKey = readRun(store.runsDir, listRunIds(store.runsDir)[0])!.steps.find(s => s.stepName === 'Main.a')!.key;
        rmSync(store.steps.path(aKey));
        await run(dir, source);
        const { text, steps } = await diffs(dir);

        expect(text).toMatch(/^ {2}! Main\.a {2}[0-9a-f]{12} {2}key unchanged, but its output differs: not deterministic/m);
        expect(block(text, 'Main.n')).toMatch(/first cause: this step \(cache: false, ran again on the same inputs, output differs: not deterministic\)/);
        expect(block(text, 'Main.b')).toMatch(/^ {6}output differs; first causes: Main\.a \(key unchanged, output [0-9a-f]{12} -> [0-9a-f]{12}: not deterministic\); Main\.n \(cache: false/m);

        const a = steps.get('Main.a')!, b = steps.get('Main.b')!;
        expect(a).toMatchObject({ status: 'same', output: 'differs' });
        expect(b.causes!.map(c => [c.kind, c.step])).toEqual([['nondeterministic', 'Main.a'], ['nondeterministic', 'Main.n']]);
        expect(b.causes![0].key).toBe(aKey);
    });
});
