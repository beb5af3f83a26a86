// DAP-level tests of the Ko debug adapter, run as a real process over stdio with
// @vscode/debugadapter-testsupport's DebugClient: breakpoints (moved to step lines, order,
// conditions, logpoints, function breakpoints), stepping in dataflow order, threads for
// concurrent steps, variables, evaluation with Show output, and stopping on a panic with the
// Ko stack. Fixture: test/unit/debug/fixtures/flow.ko (its line numbers are used below).
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { adapterBundle } from './adapter-bundle.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const flow = join(fixtures, 'flow.ko');

let dc: DebugClient;

beforeEach(async () => {
    dc = new DebugClient('node', await adapterBundle(), 'ko', { cwd: fixtures });
    dc.defaultTimeout = 20_000;
    await dc.start();
}, 60_000);

afterEach(async () => { await dc.stop(); });

interface Start {
    func: string;
    lines?: (number | DebugProtocol.SourceBreakpoint)[];
    functions?: string[];
    filters?: string[];
    args?: string[];
    stopOnEntry?: boolean;
}

/** initialize, launch, configure breakpoints, configurationDone: the order VS Code uses. */
async function launch(s: Start): Promise<void> {
    const initialized = dc.waitForEvent('initialized');
    const launched = dc.launch({ program: flow, function: s.func, cwd: fixtures, args: s.args ?? [], stopOnEntry: s.stopOnEntry ?? false });
    await initialized;
    if (s.lines) {
        const breakpoints = s.lines.map(l => (typeof l === 'number' ? { line: l } : l));
        const r = await dc.setBreakpointsRequest({ source: { path: flow }, breakpoints });
        expect(r.body.breakpoints.every(b => b.verified)).toBe(true);
    }
    if (s.functions) await dc.setFunctionBreakpointsRequest({ breakpoints: s.functions.map(name => ({ name })) });
    await dc.setExceptionBreakpointsRequest({ filters: s.filters ?? [] });
    await dc.configurationDoneRequest();
    await launched;
}

interface Stop { reason: string; threadId: number; frames: DebugProtocol.StackFrame[]; description?: string }

async function stopped(trigger?: () => Promise<unknown>): Promise<Stop> {
    const event = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    if (trigger) await trigger();
    const e = await event;
    const st = await dc.stackTraceRequest({ threadId: e.body.threadId! });
    return { reason: e.body.reason, threadId: e.body.threadId!, frames: st.body.stackFrames, ...(e.body.description ? { description: e.body.description } : {}) };
}

const where = (s: Stop) => s.frames.map(f => `${f.name}@${f.line}`);

async function variables(frameId: number, scope: string): Promise<Map<string, DebugProtocol.Variable>> {
    const scopes = await dc.scopesRequest({ frameId });
    const ref = scopes.body.scopes.find(s => s.name.startsWith(scope));
    if (!ref) throw new Error(`no scope ${scope} in ${scopes.body.scopes.map(s => s.name).join(', ')}`);
    const vars = await dc.variablesRequest({ variablesReference: ref.variablesReference });
    return new Map(vars.body.variables.map(v => [v.name, v]));
}

describe('ko debug adapter', () => {
    test('breakpoints move to step lines and hit in dataflow order; the run ends with its value', async () => {
        const initialized = dc.waitForEvent('initialized');
        const launched = dc.launch({ program: flow, function: 'Main', cwd: fixtures });
        await initialized;
        // Line 10 is blank between steps a (9) and b (11): it moves to b. Line 1 is a comment above Double.
        const r = await dc.setBreakpointsRequest({ source: { path: flow }, breakpoints: [{ line: 12 }, { line: 10 }, { line: 9 }] });
        expect(r.body.breakpoints.map(b => [b.verified, b.line])).toEqual([[true, 12], [true, 11], [true, 9]]);
        const first = stopped();
        await dc.configurationDoneRequest();
        await launched;
        const order: string[] = [];
        let s = await first;
        order.push(where(s)[0]!);
        for (let i = 0; i < 2; i++) {
            const tid = s.threadId;
            s = await stopped(() => dc.continueRequest({ threadId: tid }));
            order.push(where(s)[0]!);
        }
        expect(order).toEqual(['Main: a@9', 'Main: b@11', 'Main: c@12']);
        const out = dc.assertOutput('console', 'Main returned (left: 12, right: 7, list: (1, 2, 3))');
        const terminated = dc.waitForEvent('terminated');
        await dc.continueRequest({ threadId: s.threadId });
        await out;
        await terminated;
    });

    test('step over follows dataflow (not into calls); step in enters the callee; step out returns to the caller', async () => {
        const first = stopped();
        await launch({ func: 'Main', lines: [9] });
        let s = await first;
        expect(where(s)).toEqual(['Main: a@9']);
        // Step in: into Double, called by a.
        s = await stopped(() => dc.stepInRequest({ threadId: s.threadId }));
        expect(s.reason).toBe('step');
        expect(where(s)).toEqual(['Double: twice@4', 'Main: a@9']);
        // Step out: the next ready step of Main (b), not Double's return.
        s = await stopped(() => dc.stepOutRequest({ threadId: s.threadId }));
        expect(where(s)).toEqual(['Main: b@11']);
        // Step over: b's call of Double is skipped; then the rest of Main in dataflow order.
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) {
            const tid = s.threadId;
            s = await stopped(() => dc.nextRequest({ threadId: tid }));
            seen.push(where(s)[0]!);
        }
        expect(seen).toEqual(['Main: c@12', 'Main: d@13', 'Main: _@14', 'Main: return@15']);
    });

    test('concurrent ready steps appear as threads', async () => {
        const first = stopped();
        await launch({ func: 'Main', lines: [11] });
        const s = await first;
        expect(where(s)).toEqual(['Main: b@11']);
        // b and c both read only a: both are ready; c waits while b is stopped (all-stop).
        const threads = await dc.threadsRequest();
        const names = threads.body.threads.map(t => t.name).sort();
        expect(names).toEqual(['Main/b (ready)', 'Main/c (ready)']);
        const other = threads.body.threads.find(t => t.name.startsWith('Main/c'))!;
        const st = await dc.stackTraceRequest({ threadId: other.id });
        expect(st.body.stackFrames.map(f => f.line)).toEqual([12]);
    });

    test('variables: arguments, computed steps (expandable), the step inputs', async () => {
        const first = stopped();
        await launch({ func: 'Main', lines: [14], args: ['n=5'] });
        const s = await first;
        expect(where(s)).toEqual(['Main: _@14']);
        const frameId = s.frames[0]!.id;
        const args = await variables(frameId, 'Arguments');
        expect(args.get('n')?.value).toBe('"5"');
        const steps = await variables(frameId, 'Steps');
        expect([...steps.keys()].sort()).toEqual(['a', 'b', 'c', 'd']); // return is ready too, but waits behind _
        expect(steps.get('a')?.value).toBe('6');
        expect(steps.get('b')?.value).toBe('12');
        const d = steps.get('d')!;
        expect(d.variablesReference).toBeGreaterThan(0);
        const fields = (await dc.variablesRequest({ variablesReference: d.variablesReference })).body.variables;
        expect(fields.map(f => `${f.name}=${f.value}`)).toEqual(['left=12', 'right=7', 'list=(1, 2, 3)']);
        const list = fields.find(f => f.name === 'list')!;
        expect(list.evaluateName).toBe('d.list');
        const items = (await dc.variablesRequest({ variablesReference: list.variablesReference })).body.variables;
        expect(items.map(i => `${i.name}=${i.value}`)).toEqual(['[0]=1', '[1]=2', '[2]=3']);
        const step = await variables(frameId, 'Step');
        expect(step.get('formula')?.value).toBe('_: Show(d.list)');
        expect(step.get('input d')?.value).toBe('(left: 12, right: 7, list: (1, 2, 3))');
    });

    test('the debug console evaluates Ko formulas in the frame; Show prints as output', async () => {
        const first = stopped();
        await launch({ func: 'Main', lines: [13] });
        const s = await first;
        const frameId = s.frames[0]!.id;
        const sum = await dc.evaluateRequest({ expression: 'Sum(b, c)', frameId, context: 'repl' });
        expect(sum.body.result).toBe('19');
        const out = dc.assertOutput('stdout', '(first: 6, second: 12)');
        const shown = await dc.evaluateRequest({ expression: 'Show(first: a, second: b)', frameId, context: 'repl' });
        expect(shown.body.result).toBe('(first: 6, second: 12)');
        await out;
        // Peek prints the value and the Ko stack on stderr (category stderr in the Debug Console).
        const stderr: string[] = [];
        dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stderr') stderr.push(e.body.output); });
        const peeked = await dc.evaluateRequest({ expression: 'Peek(c)', frameId, context: 'repl' });
        expect(peeked.body.result).toBe('7');
        await expect.poll(() => stderr.join('')).toMatch(/: 7\n\s+at /);
        // A name that is neither a parameter nor a finished step (d has not run yet) is an error.
        await expect(dc.evaluateRequest({ expression: 'd.left', frameId, context: 'repl' })).rejects.toThrow(/not known/);
    });

    test('conditional breakpoints, logpoints and function breakpoints', async () => {
        const log = dc.assertOutput('console', 'c will be 7 (a=6)');
        const first = stopped();
        // twice runs for x=3 (step a) and x=6 (step b): the condition selects the second call.
        await launch({ func: 'Main', lines: [{ line: 4, condition: 'Equal(x, 6)' }, { line: 12, logMessage: 'c will be {Sum(a, 1)} (a={a})' }] });
        const s = await first;
        expect(where(s)).toEqual(['Double: twice@4', 'Main: b@11']);
        const args = await variables(s.frames[0]!.id, 'Arguments');
        expect(args.get('x')?.value).toBe('6');
        const terminated = dc.waitForEvent('terminated');
        await dc.continueRequest({ threadId: s.threadId });
        await log;
        await terminated;
    });

    test('function breakpoints stop on entry to every call; stopOnEntry stops before the first step', async () => {
        const first = stopped();
        await launch({ func: 'Main', functions: ['Double'], stopOnEntry: true });
        let s = await first;
        expect(s.reason).toBe('entry');
        expect(where(s)).toEqual(['Main: a@9']);
        s = await stopped(() => dc.continueRequest({ threadId: s.threadId }));
        expect(s.reason).toBe('function breakpoint');
        expect(where(s)).toEqual(['Double: twice@4', 'Main: a@9']);
        s = await stopped(() => dc.continueRequest({ threadId: s.threadId }));
        expect(where(s)).toEqual(['Double: twice@4', 'Main: b@11']);
    });

    test('a panic stops at the panicking step with the Ko stack; its frame can be inspected', async () => {
        const first = stopped();
        await launch({ func: 'Boom', filters: ['panics'] });
        const s = await first;
        expect(s.reason).toBe('exception');
        expect(where(s)).toEqual(['Check: fail@20', 'Boom: checked@26']);
        const info = await dc.exceptionInfoRequest({ threadId: s.threadId });
        expect(info.body.description).toBe('unrecovered panic: (msg: "bad value", value: 7)');
        expect(info.body.details?.stackTrace).toMatch(/at Check:fail \(.*flow\.ko:20:2\)\n\s+at Boom:checked \(.*flow\.ko:26:2\)/);
        const args = await variables(s.frames[0]!.id, 'Arguments');
        expect(args.get('v')?.value).toBe('7');
        const step = await variables(s.frames[0]!.id, 'Step');
        expect(step.get('panic value')?.value).toBe('(msg: "bad value", value: 7)');
        // Continuing ends the run with the error on stderr.
        const err = dc.assertOutput('stderr', 'ko: unrecovered panic');
        await dc.continueRequest({ threadId: s.threadId });
        await err;
    });

    test('Run Without Debugging (noDebug) ignores breakpoints and runs to the end', async () => {
        const out = dc.assertOutput('console', 'Main returned (left: 12, right: 7, list: (1, 2, 3))');
        const initialized = dc.waitForEvent('initialized');
        let stops = 0;
        dc.on('stopped', () => { stops++; });
        const launched = dc.launch({ program: flow, function: 'Main', cwd: fixtures, noDebug: true });
        await initialized;
        await dc.setBreakpointsRequest({ source: { path: flow }, breakpoints: [{ line: 9 }, { line: 4 }] });
        await dc.configurationDoneRequest();
        await launched;
        await out;
        expect(stops).toBe(0);
    });

    test('without the Panics filter a panic ends the run without stopping', async () => {
        const err = dc.assertOutput('stderr', 'ko: unrecovered panic');
        const exited = dc.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
        await launch({ func: 'Boom', filters: [] });
        await err;
        expect((await exited).body.exitCode).toBe(1);
    });
});
