// Unit tests of the pure run-status reducer, its formatting, and the run-event line reader.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/protocol/ko-protocol.js';
import {
    anyRunning, clearStatus, emptyStatus, finishRun, formatDuration, formatStepHover, formatStepStatus,
    functionOfStep, reduceRunEvent, snapshotSources, statusFor, stepId, updateSources, type StatusState,
} from '../../../client/status/status-reducer.js';
import { LineSplitter, parseRunEventLine } from '../../../client/run/ndjson.js';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const t = (ms: number) => new Date(T0 + ms).toISOString();
const run = (events: RunEvent[], s: StatusState = emptyStatus()) => events.reduce((acc, e) => reduceRunEvent(acc, e), s);

const A = 'pipes.Main/a', B = 'pipes.Main/b', C = 'pipes.Main/c';
const script: RunEvent[] = [
    { type: 'run-started', runId: 'r1', time: t(0), version: 1, function: 'pipes.Main', target: 'pipes/main.ko:Main', executor: 'local' },
    { type: 'step-queued', runId: 'r1', time: t(1), step: A },
    { type: 'step-queued', runId: 'r1', time: t(1), step: B },
    { type: 'step-queued', runId: 'r1', time: t(1), step: C },
    { type: 'step-cached', runId: 'r1', time: t(2), step: A, cacheKey: 'abc123', value: '"hello"' },
    { type: 'step-started', runId: 'r1', time: t(3), step: B, attempt: 1, placement: 'local:host' },
    { type: 'step-log', runId: 'r1', time: t(4), step: B, stream: 'stdout', line: 'working' },
    { type: 'step-log', runId: 'r1', time: t(5), step: B, stream: 'stderr', line: 'warning!' },
];

describe('status reducer', () => {
    it('follows a step through queued, running, finished', () => {
        const s = run(script);
        expect(s.steps.get(A)).toMatchObject({ status: 'cached', cacheKey: 'abc123', value: '"hello"' });
        expect(s.steps.get(B)).toMatchObject({ status: 'running', startedAt: T0 + 3, placement: 'local:host', logTail: ['working', '! warning!'] });
        expect(s.steps.get(C)!.status).toBe('queued');
        expect(anyRunning(s)).toBe(true);
        expect(formatStepStatus(s.steps.get(B)!, T0 + 2503)).toBe('running 2.5s');
        const done = run([{ type: 'step-finished', runId: 'r1', time: t(1500), step: B, durationMs: 1497, exitCode: 0, value: '42' }], s);
        expect(done.steps.get(B)).toMatchObject({ status: 'succeeded', durationMs: 1497, exitCode: 0, value: '42', logTail: ['working', '! warning!'] });
        expect(formatStepStatus(done.steps.get(B)!)).toBe('done in 1.5s');
        expect(s.steps.get(B)!.status).toBe('running'); // immutability
    });
    it('a cached step stays cached when the runtime also reports it finished (ko run emits both)', () => {
        const s = run([...script, { type: 'step-finished', runId: 'r1', time: t(6), step: A, durationMs: 7.7, value: '"hello"' }]);
        expect(s.steps.get(A)).toMatchObject({ status: 'cached', durationMs: 0, cacheKey: 'abc123' });
        expect(formatStepStatus(s.steps.get(A)!)).toBe('cached');
        // A cached status of an earlier run does not stick to a step that ran this time.
        const next = run([{ type: 'step-started', runId: 'r2', time: t(10), step: A }, { type: 'step-finished', runId: 'r2', time: t(20), step: A, durationMs: 10 }], s);
        expect(next.steps.get(A)!.status).toBe('succeeded');
    });
    it('reports failures with exit codes and ends the run', () => {
        let s = run([...script, { type: 'step-failed', runId: 'r1', time: t(900), step: B, durationMs: 897, exitCode: 3, error: 'command exited with 3' }]);
        expect(formatStepStatus(s.steps.get(B)!)).toBe('failed (exit 3)');
        s = reduceRunEvent(s, { type: 'run-finished', runId: 'r1', time: t(1000), ok: false, durationMs: 1000, error: 'step b failed' });
        expect(s.steps.has(C)).toBe(false); // never ran
        expect(s.runs.get('r1')).toMatchObject({ outcome: 'failed', error: 'step b failed', durationMs: 1000 });
        expect(anyRunning(s)).toBe(false);
    });
    it('a cancelled run marks its running steps failed (cancelled)', () => {
        const s = finishRun(run(script), 'r1', 'cancelled', T0 + 50);
        expect(s.steps.get(B)).toMatchObject({ status: 'failed', error: 'cancelled', durationMs: 47 });
        expect(formatStepStatus(s.steps.get(B)!)).toBe('failed (cancelled)');
        expect(s.runs.get('r1')!.outcome).toBe('cancelled');
    });
    it('a new run replaces the previous run status of a step', () => {
        const s1 = run([...script, { type: 'step-finished', runId: 'r1', time: t(10), step: B, durationMs: 7 }]);
        const s2 = run([{ type: 'step-queued', runId: 'r2', time: t(20), step: B }], s1);
        expect(s2.steps.get(B)).toMatchObject({ runId: 'r2', status: 'queued', logTail: [] });
    });
    it('marks steps stale when their code changes, fresh again on undo', () => {
        let s = snapshotSources(emptyStatus(), { [A]: 'a: F(1)', [B]: 'b: G(a)' });
        s = run(script, s);
        expect(s.steps.get(A)!.sourceText).toBe('a: F(1)');
        const same = updateSources(s, ['pipes.Main'], { [A]: 'a: F(1)', [B]: 'b: G(a)' });
        expect(same).toBe(s);
        const edited = updateSources(s, ['pipes.Main'], { [A]: 'a: F(2)', [B]: 'b: G(a)' });
        expect(edited.steps.get(A)!.stale).toBe(true);
        expect(edited.steps.get(B)!.stale).toBe(false);
        expect(formatStepStatus(edited.steps.get(A)!)).toBe('cached (stale)');
        expect(updateSources(edited, ['other.F'], {})).toBe(edited);
        const undone = updateSources(edited, ['pipes.Main'], { [A]: 'a: F(1)', [B]: 'b: G(a)' });
        expect(undone.steps.get(A)!.stale).toBe(false);
        const deleted = updateSources(s, ['pipes.Main'], { [B]: 'b: G(a)' });
        expect(deleted.steps.get(A)!.stale).toBe(true);
    });
    it('clears one function or everything', () => {
        const s = run([...script, { type: 'step-queued', runId: 'r1', time: t(1), step: 'pipes.Other/x' }]);
        expect([...clearStatus(s, 'pipes.Main').steps.keys()]).toEqual(['pipes.Other/x']);
        expect(clearStatus(s).steps.size).toBe(0);
    });
    it('formats ids, durations and hovers', () => {
        expect(stepId('a/b', 'Main', 'x')).toBe('a/b.Main/x');
        expect(stepId('', 'Main', 'x')).toBe('Main/x');
        expect(functionOfStep('a/b.Main/x')).toBe('a/b.Main');
        expect([12, 1500, 12_400, 61_000, 3_725_000].map(formatDuration)).toEqual(['12ms', '1.5s', '12s', '1m01s', '1h02m']);
        const hover = formatStepHover(run(script).steps.get(B)!, T0 + 1003);
        expect(hover).toContain('running 1.0s');
        expect(hover).toContain('```text\nworking\n! warning!\n```');
        expect(formatStepHover(run(script).steps.get(A)!)).toContain('Cache key: `abc123`');
    });
});

describe('statusFor', () => {
    it('matches exactly, else by function/label suffix, never across located files', () => {
        const s = run([
            { type: 'step-queued', runId: 'r', time: t(0), step: 'Main/a', file: '/w/m.ko' },
            { type: 'step-queued', runId: 'r', time: t(0), step: 'lib.F/x' },
        ]);
        expect(statusFor(s, 'Main/a')!.id).toBe('Main/a');
        expect(statusFor(s, 'ws.Main/a', '/w/m.ko')!.id).toBe('Main/a');
        expect(statusFor(s, 'ws.Main/a', '/w/other.ko')).toBeUndefined();
        expect(statusFor(s, 'other/lib.F/x', '/anywhere.ko')!.id).toBe('lib.F/x');
        expect(statusFor(s, 'Main/b')).toBeUndefined();
    });
});

describe('run event lines', () => {
    it('splits chunks into lines and parses events', () => {
        const sp = new LineSplitter();
        expect(sp.push('{"type":"step-queued","runId":"r","time":"x","st')).toEqual([]);
        const lines = sp.push('ep":"p.F/a"}\r\nplain text\n{"type":"future-thing"}\n{"type":"step-log"}\npartial');
        expect(lines.map(parseRunEventLine)).toEqual([
            { event: { type: 'step-queued', runId: 'r', time: 'x', step: 'p.F/a' } },
            { text: 'plain text' }, undefined, { text: '{"type":"step-log"}' },
        ]);
        expect(sp.flush()).toEqual(['partial']);
        expect(parseRunEventLine('   ')).toBeUndefined();
        expect(parseRunEventLine('{broken')).toEqual({ text: '{broken' });
    });
});
