// Generates a realistic Ko workspace for benchmarks: packages of several files whose functions
// call each other, builtins, stdlib gates and pipeline steps, with closures and comments.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One function of about 14 lines in the style of the reference corpus. */
function functionSource(pkg, file, f, callee) {
    return [
        `// Stage${file}_${f} joins, counts and ships one record of package ${pkg}.`,
        `Stage${file}_${f}(input?, count) {`,
        `\tname: strings.Join(string: ("record", input), delimiter: "-")`,
        `\tn: Sum(Pick(either: count, or: 1), 1, -2)`,
        `\tok: Equal(n, 3)`,
        `\tpicked: Branch(if: ok, then: Return[name], else: Return["none"])`,
        `\tsel: (a: 1, b: (c: picked)).b.c`,
        `\tship: pipeline.Shell(`,
        `\t\tscript: "echo shipping"`,
        `\t\timage: "alpine:3"`,
        `\t)`,
        callee === 'Return' ? `\tnext: Return(sel)` : `\tnext: ${callee}(input: sel, count: n)`,
        `\twrap: helper${file}_${f}(x?) { return: x } [x: sel]`,
        `\treturn: (name: name, shipped: ship.stdout, next: next, wrapped: wrap())`,
        `}`,
        '',
    ].join('\n');
}

/** Writes `packages` packages of `files` files with `functions` functions each; returns line count. */
export function generateWorkspace(root, { packages, files, functions }) {
    rmSync(root, { recursive: true, force: true });
    let lines = 0;
    for (let p = 0; p < packages; p++) {
        const dir = join(root, `pkg${p}`);
        mkdirSync(dir, { recursive: true });
        for (let file = 0; file < files; file++) {
            const parts = ['import "github.com/kocircuit/kocircuit/lib/strings"', 'import "pipeline"', ''];
            for (let f = 0; f < functions; f++) {
                // Call the next function of the package, across files, ending with a builtin.
                const callee = f + 1 < functions ? `Stage${file}_${f + 1}` : file + 1 < files ? `Stage${file + 1}_0` : 'Return';
                parts.push(functionSource(p, file, f, callee));
            }
            const text = parts.join('\n');
            lines += text.split('\n').length;
            writeFileSync(join(dir, `file${file}.ko`), text);
        }
    }
    return lines;
}

/** A single file of about `targetLines` lines (one package). */
export function generateFile(targetLines) {
    const parts = ['import "github.com/kocircuit/kocircuit/lib/strings"', 'import "pipeline"', ''];
    const functions = Math.ceil(targetLines / 16);
    for (let f = 0; f < functions; f++) parts.push(functionSource(0, 0, f, f + 1 < functions ? `Stage0_${f + 1}` : 'Return'));
    return parts.join('\n');
}
