// The shipped example (examples/pipeline) runs in the real interpreter: correct report, a rerun
// executes nothing, and editing one script reruns only the steps that depend on it.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram, runFunction } from '../../../src/runtime/interpreter.js';
import type { Value } from '../../../src/runtime/values.js';

const example = fileURLToPath(new URL('../../../examples/pipeline', import.meta.url));

async function run(dir: string): Promise<{ value: Value; stderr: string }> {
    const program = loadProgram({ roots: [dir], entry: { file: join(dir, 'logs.ko') }, cwd: dir });
    let stderr = '';
    const value = await runFunction(program, { file: join(dir, 'logs.ko') }, 'Main', {}, {
        stdout: { write: () => {} }, stderr: { write: t => { stderr += t; } }, workspaceDir: dir, settings: { store: join(dir, '.ko') },
    });
    return { value, stderr };
}

describe('examples/pipeline', () => {
    it('produces the report, reruns nothing, and reruns only what an edit touches', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'ko-example-'));
        cpSync(example, dir, { recursive: true, filter: src => !src.split('/').includes('.ko') });
        const first = await run(dir);
        expect(first.value.kind).toBe('string');
        const report = (first.value as { value: string }).value;
        expect(report).toContain('# Access log report');
        expect(report).toContain('Requests: 16');
        expect(report).toContain('| 200 | 11 |');
        expect(report).toContain('1. /docs/pipelines (4)');
        expect(first.stderr.match(/started /g)).toHaveLength(5);
        const second = await run(dir);
        expect(second.stderr).not.toMatch(/started /);
        expect(second.stderr.match(/cached /g)).toHaveLength(5);
        const awk = join(dir, 'scripts/status.awk');
        writeFileSync(awk, readFileSync(awk, 'utf8').replace('count[$9]++', 'count[$9] += 1'));
        const third = await run(dir);
        expect([...third.stderr.matchAll(/started  (\S+)/g)].map(m => m[1])).toEqual(['Main.status']);
        // The report's inputs did not change (same status counts): it stays cached (early cutoff).
        expect(third.stderr).toMatch(/cached   Main\.report/);
    });
});
