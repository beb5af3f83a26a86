// The runtime's debugging interface without DAP: parallel calls on threads of their own, hit
// conditions, pause and terminate, and the container details (command, image, cache key,
// provenance, log tail) of a pipeline.Shell step read back from the store.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DebugController, hitConditionHolds, type DebugListener } from '../../../src/debug/debug-controller.js';
import { scopesOf, type InspectEntry } from '../../../src/debug/inspect.js';
import { loadProgram } from '../../../src/runtime/interpreter.js';
import { printValue, type Value } from '../../../src/runtime/values.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function setup(source: string) {
    const dir = mkdtempSync(join(tmpdir(), 'ko-debug-'));
    dirs.push(dir);
    const file = join(dir, 'main.ko');
    writeFileSync(file, source);
    const program = loadProgram({ roots: [dir], entry: { file }, cwd: dir });
    const stops: { reason: string; threadId: number }[] = [];
    const output: string[] = [];
    let ended: { value?: Value; error?: unknown; cancelled: boolean } | undefined;
    let onStop: (() => void) | undefined;
    const listener: DebugListener = {
        stopped: e => { stops.push(e); onStop?.(); },
        output: e => { output.push(e.text); },
        threadStarted: () => undefined,
        ended: e => { ended = e; },
    };
    const controller = new DebugController(program, listener);
    const nextStop = () => new Promise<void>(resolve => { onStop = () => { onStop = undefined; resolve(); }; });
    return { dir, file, controller, stops, output, nextStop, ended: () => ended };
}

const expand = (entries: InspectEntry[], name: string): InspectEntry[] => {
    const e = entries.find(x => x.name === name);
    if (!e?.children) throw new Error(`${name} does not expand (have ${entries.map(x => x.name).join(', ')})`);
    return e.children();
};

describe('DebugController', () => {
    test('two calls ready at once run on two threads, each with its own Ko stack', async () => {
        const t = setup('Slow(x?) {\n\ty: Sum(x, 1)\n\treturn: y\n}\n\nMain() {\n\tl: Slow(1)\n\tr: Slow(2)\n\treturn: (l: l, r: r)\n}\n');
        t.controller.setFunctionBreakpoints([{ name: 'Slow' }]);
        const stopped = t.nextStop();
        const run = t.controller.run({ pkgPath: '', func: 'Main', args: [], workspaceDir: t.dir });
        await stopped;
        // Stopped on entry to Slow from l; the step y of Slow called from r is ready on another thread.
        const threads = t.controller.threads();
        expect(threads.map(th => th.name)).toEqual(['Slow/y (ready)', 'Slow/y (ready)']);
        const stacks = threads.map(th => t.controller.stack(th.id).map(a => `${a.hook.func}:${a.hook.step}`));
        expect(stacks).toEqual([['Slow:y', 'Main:l'], ['Slow:y', 'Main:r']]);
        const second = t.nextStop();
        t.controller.resume();
        await second;
        expect(t.stops.map(s => s.reason)).toEqual(['function breakpoint', 'function breakpoint']);
        expect(t.stops[1]!.threadId).not.toBe(t.stops[0]!.threadId);
        t.controller.resume();
        await run;
        expect(printValue(t.ended()!.value!)).toBe('(l: 2, r: 3)');
    });

    test('hit conditions count the times a step is reached', async () => {
        expect([1, 2, 3, 4].map(n => hitConditionHolds('>= 3', n))).toEqual([false, false, true, true]);
        expect([1, 2, 3, 4].map(n => hitConditionHolds('% 2', n))).toEqual([false, true, false, true]);
        expect([1, 2, 3].map(n => hitConditionHolds('2', n))).toEqual([false, true, false]);
        const t = setup('Inc(x?) {\n\ty: Sum(x, 1)\n\treturn: y\n}\n\nMain() {\n\ta: Inc(1)\n\tb: Inc(a)\n\tc: Inc(b)\n\treturn: c\n}\n');
        t.controller.setBreakpoints(t.file, [{ line: 2, hitCondition: '3' }]);
        const stopped = t.nextStop();
        const run = t.controller.run({ pkgPath: '', func: 'Main', args: [], workspaceDir: t.dir });
        await stopped;
        const top = t.controller.stack(t.stops[0]!.threadId);
        expect(top.map(a => `${a.hook.func}:${a.hook.step}`)).toEqual(['Inc:y', 'Main:c']);
        expect(printValue(await t.controller.evaluate(top[0]!, 'x'))).toBe('3');
        t.controller.resume();
        await run;
        expect(t.stops).toHaveLength(1);
    });

    test('terminate releases a stopped run, which ends cancelled', async () => {
        const t = setup('Main() {\n\ta: 1\n\tb: Sum(a, 1)\n\treturn: b\n}\n');
        const stopped = t.nextStop();
        const run = t.controller.run({ pkgPath: '', func: 'Main', args: [], workspaceDir: t.dir, stopOnEntry: true });
        await stopped;
        expect(t.stops[0]!.reason).toBe('entry');
        expect(t.controller.isPaused).toBe(true);
        t.controller.terminate();
        await run;
        expect(t.ended()).toEqual({ cancelled: true });
    });

    test('pause stops at once on a running step; steps that become ready meanwhile wait until resumed', async () => {
        const t = setup('import "pipeline"\n\nMain() {\n\tslow: pipeline.Shell(script: "sleep 1; echo done", cache: false)\n\tafter: Len(slow.stdout)\n\treturn: after\n}\n');
        const run = t.controller.run({ pkgPath: '', func: 'Main', args: [], workspaceDir: t.dir, settings: { store: '.ko', progress: 'off' } });
        const deadline = Date.now() + 20_000;
        while (!t.controller.threads().some(th => th.name === 'Main/slow (running)')) {
            if (Date.now() > deadline) throw new Error(`slow never ran: ${JSON.stringify(t.controller.threads())}`);
            await new Promise(r => setTimeout(r, 20));
        }
        const stopped = t.nextStop();
        t.controller.pause();
        await stopped;
        expect(t.stops[0]!.reason).toBe('pause');
        expect(t.controller.stack(t.stops[0]!.threadId).map(a => a.hook.step)).toEqual(['slow']);
        // The shell finishes while paused; its dependent is ready but held.
        while (!t.controller.threads().some(th => th.name === 'Main/after (ready)')) {
            if (Date.now() > deadline) throw new Error(`after never became ready: ${JSON.stringify(t.controller.threads())}`);
            await new Promise(r => setTimeout(r, 50));
        }
        await new Promise(r => setTimeout(r, 200));
        expect(t.ended()).toBeUndefined();
        t.controller.resume();
        await run;
        expect(printValue(t.ended()!.value!)).toBe('1');
    });

    test('a container step shows its command, image, cache key, provenance and log tail', async () => {
        const t = setup('import "pipeline"\n\nMain() {\n\tgreet: pipeline.Shell(script: "echo building; echo hello > $KO_OUT/out.txt")\n\tafter: Len(greet.stdout)\n\treturn: after\n}\n');
        t.controller.setBreakpoints(t.file, [{ line: 5 }]);
        const stopped = t.nextStop();
        const run = t.controller.run({ pkgPath: '', func: 'Main', args: [], workspaceDir: t.dir, settings: { store: '.ko', progress: 'off' } });
        await stopped;
        const top = t.controller.stack(t.stops[0]!.threadId)[0]!;
        expect(top.hook.step).toBe('after');
        const steps = scopesOf(top, { storeRoot: join(t.dir, '.ko') }, true).find(s => s.name === 'Steps')!.entries();
        const container = expand(expand(steps, 'greet'), 'container');
        const byName = new Map(container.map(e => [e.name, e.value]));
        expect(byName.get('command')).toBe('/bin/sh -c "echo building; echo hello > $KO_OUT/out.txt"');
        expect(byName.get('image')).toBe('host');
        expect(byName.get('cache key')).toMatch(/^[0-9a-f]{64}$/);
        expect(byName.get('provenance')).toMatch(/^executed by run \S+ at \d{4}-/);
        expect(byName.get('log tail')).toBe('building');
        t.controller.resume();
        await run;
        expect(printValue(t.ended()!.value!)).toBe('1');
    });
});
