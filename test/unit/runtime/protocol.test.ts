// The mapping from interpreter events to the NDJSON run-event protocol used by `ko run --events`.
import { describe, expect, it } from 'vitest';
import { protocolWriter, commandLineArgs, parseTarget } from '../../../src/cli/run-command.js';
import type { RunEvent as ProtocolEvent } from '../../../src/protocol/ko-protocol.js';
import { printValue, seq } from '../../../src/runtime/values.js';

describe('protocol events', () => {
    it('maps steps, logs and pipeline progress', () => {
        const out: ProtocolEvent[] = [];
        const w = protocolWriter('r1', '/ws', e => out.push(e));
        const base = { stepId: 'p.Main/train', callPath: ['p.Main/train'], func: 'Main', step: 'train' };
        w({ kind: 'step-started', ...base, position: { file: 'a.ko', line: 2, column: 2, endLine: 2, endColumn: 20 }, time: 0 });
        w({ kind: 'gate', stepId: 'p.Main/train', name: 'pipeline.cached', data: { key: 'abc', fromRun: 'r0' }, time: 1 });
        w({ kind: 'log', stream: 'stdout', text: 'one\ntwo\n', stepId: 'p.Main/train', time: 2 });
        w({ kind: 'step-finished', ...base, value: '(key: "abc")', durationMs: 1.5, time: 3 });
        expect(out.map(e => e.type)).toEqual(['step-started', 'step-cached', 'step-log', 'step-log', 'step-finished']);
        expect(out[0]).toMatchObject({ runId: 'r1', step: 'p.Main/train', file: '/ws/a.ko', range: { start: { line: 1, character: 1 }, end: { line: 1, character: 19 } } });
        expect(out[1]).toMatchObject({ cacheKey: 'abc' });
        expect(out.slice(2, 4).map(e => e.type === 'step-log' && e.line)).toEqual(['one', 'two']);
        expect(out[4]).toMatchObject({ cacheKey: 'abc', value: '(key: "abc")', durationMs: 1.5 });
    });
});

describe('command line', () => {
    it('parses targets', () => {
        expect(parseTarget('dir/x.ko:Main')).toEqual({ file: 'dir/x.ko', func: 'Main' });
        expect(parseTarget('acme/tools/Double')).toEqual({ pkgPath: 'acme/tools', func: 'Double' });
        expect(parseTarget('Main')).toEqual({ pkgPath: '', func: 'Main' });
        expect(parseTarget('acme/tools/')).toBeUndefined();
    });
    it('turns k=v into named Strings and words into the monadic argument', () => {
        const f = commandLineArgs(['a=1', 'w1', 'b=x=y', 'w2']);
        expect(f.map(x => `${x.name}:${printValue(x.value)}`)).toEqual(['a:"1"', 'b:"x=y"', `:${printValue(seq([{ kind: 'string', value: 'w1' }, { kind: 'string', value: 'w2' }]))}`]);
    });
});
