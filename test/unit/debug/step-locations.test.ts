// Breakpoint lines: a line inside a step binds to that step (the innermost one when an inline
// function sits inside a step), a line between steps moves to the nearest step, and files that
// are not part of the program or have no steps leave the breakpoint unverified with a reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { DebugController } from '../../../src/debug/debug-controller.js';
import { loadProgram } from '../../../src/runtime/interpreter.js';

const dir = mkdtempSync(join(tmpdir(), 'ko-debug-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = [
    '// line 1',
    'Main() {',                                     // 2
    '\tnums: (1, 2, 3)',                            // 3
    '',                                             // 4
    '',                                             // 5
    '',                                             // 6
    '\tsquares: Range(',                            // 7
    '\t\tover: nums',                               // 8
    '\t\twith: square(carry, elem) {',              // 9
    '\t\t\tsq: Sum(elem, elem)',                    // 10
    '\t\t\treturn: (emit: sq, carry: carry)',       // 11
    '\t\t}',                                        // 12
    '\t)',                                          // 13
    '\treturn: squares.image',                      // 14
    '}',                                            // 15
].join('\n') + '\n';

test('breakpoint lines bind to steps', () => {
    const file = join(dir, 'main.ko');
    writeFileSync(file, source);
    writeFileSync(join(dir, 'other.txt'), 'not ko');
    const program = loadProgram({ roots: [dir], entry: { file }, cwd: dir });
    const c = new DebugController(program, { stopped: () => undefined, output: () => undefined, threadStarted: () => undefined, ended: () => undefined });
    const results = c.setBreakpoints(file, [{ line: 3 }, { line: 5 }, { line: 6 }, { line: 8 }, { line: 10 }, { line: 12 }, { line: 1 }]);
    expect(results.map(r => (r.verified ? r.line : 'unverified'))).toEqual([
        3,  // line 3: on nums
        7,  // line 5: two lines from nums and from squares; a tie goes to the later step
        7,  // line 6: nearer to squares
        7,  // line 8: inside squares' formula
        10, // line 10: inside the inline function: its step sq, not squares
        7,  // line 12: the inline function's closing brace: only squares spans it
        3,  // line 1: the comment above Main: the nearest step
    ]);
    const outside = c.setBreakpoints(join(dir, 'elsewhere.ko'), [{ line: 1 }]);
    expect(outside[0]).toMatchObject({ verified: false, message: 'this file is not part of the program being debugged' });
    expect(c.setFunctionBreakpoints([{ name: 'square' }, { name: 'Nope' }]).map(r => r.verified)).toEqual([true, false]);
});
