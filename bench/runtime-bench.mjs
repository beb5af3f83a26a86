// Runtime speed figures (the targets of the runtime issue), each printed with its target:
// (1) CPU-bound Ko: a persistent red-black tree built by 1,000 inserts of permuted integers
//     (test/fixtures/runtime/bench/redblack), in ms per insert against the reference
//     interpreter's ~10 ms per insert; target <= 0.5 ms (20x faster);
// (2) evaluation overhead per pure step of a generated 10,000-step function; target < 2 us;
// (3) `ko run` of a trivial program as a whole process (./bin/ko, median of 5); target < 400 ms.
// (1) and (2) bundle src/runtime with esbuild and run in this process after warm-up; (3) needs the
// CLI built (`npm run bench` builds it first). `--quick` runs fewer rounds.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const work = mkdtempSync(join(tmpdir(), 'ko-runtime-bench-'));
const bundle = join(work, 'runtime.mjs');
await build({
    stdin: {
        contents: "export { loadProgram, runFunction } from './src/runtime/interpreter.ts'; export { int64, printValue } from './src/runtime/values.ts';",
        resolveDir: root, loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error',
    inject: [join(root, 'scripts/node20-polyfill.mjs')],
    banner: { js: "import { createRequire as __koCreateRequire } from 'module'; const require = __koCreateRequire(import.meta.url);" },
});
const { loadProgram, runFunction, int64, printValue } = await import(pathToFileURL(bundle).href);

const figures = {};
const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quiet = { stdout: { write: () => {} }, stderr: { write: () => {} } };
const load = () => loadavg().map(x => round(x)).join(' ');
console.log(`load average at start: ${load()}`);

// ---------------------------------------------------------------------------------------------
// 1. Red-black tree: BenchmarkInsert(n: 1000, seed) builds the tree in Ko, by Range over a
//    permutation; every insert walks the tree with Less and Branch and rebuilds the path.
{
    const fixtures = join(root, 'test/fixtures/runtime/bench');
    const program = loadProgram({ roots: [fixtures], entry: { dir: join(fixtures, 'redblack') }, cwd: fixtures });
    const N = 1000;
    const insertAll = async seed => {
        const t0 = performance.now();
        const tree = await runFunction(program, 'redblack', 'BenchmarkInsert', { n: int64(N), seed: int64(seed) }, quiet);
        return { ms: performance.now() - t0, tree };
    };
    const cold = await insertAll(1);
    checkTree(cold.tree, N);
    const rounds = quick ? 3 : 7;
    const times = [];
    for (let i = 0; i < rounds; i++) {
        const r = await insertAll(2 + i);
        times.push(r.ms);
        checkTree(r.tree, N);
    }
    const perInsert = median(times) / N;
    figures.rbColdMs = round(cold.ms);
    figures.rbMedianMs = round(median(times));
    figures.rbBestMs = round(Math.min(...times));
    figures.rbMsPerInsert = round(perInsert, 3);
    figures.rbSpeedupVsReference = round(10 / perInsert, 1);
    console.log(`red-black tree, ${N} inserts in Ko: cold ${figures.rbColdMs} ms; warm median of ${rounds} ${figures.rbMedianMs} ms (best ${figures.rbBestMs} ms)`
        + ` = ${figures.rbMsPerInsert} ms per insert, ${figures.rbSpeedupVsReference}x the reference's 10 ms (target <= 0.5 ms per insert, >= 20x)`);
}

/** The tree must hold 0..n-1 in order, with no red right link, no two reds in a row, equal black height. */
function checkTree(tree, n) {
    const field = (v, name) => v.kind === 'struct' ? (v.fields.find(f => f.name === name)?.value ?? { kind: 'empty' }) : { kind: 'empty' };
    const values = [];
    const walk = (node, parentRed) => {
        if (node.kind === 'empty') return 1;
        const red = field(node, 'red').value === true;
        if (red && parentRed) throw new Error('red-black check: two reds in a row');
        if (field(field(node, 'right'), 'red').value === true) throw new Error('red-black check: red right link');
        const l = walk(field(node, 'left'), red);
        values.push(Number(field(node, 'value').value));
        const r = walk(field(node, 'right'), red);
        if (l !== r) throw new Error('red-black check: unequal black heights');
        return l + (red ? 0 : 1);
    };
    walk(tree, false);
    if (values.length !== n || values.some((v, i) => v !== i)) throw new Error(`red-black check: in-order values are not 0..${n - 1}`);
}

// ---------------------------------------------------------------------------------------------
// 2. Overhead per pure step: a generated function of 10,000 steps, a chain alternating
//    Sum(prev, 1) and Return(prev), run after warm-up. The figure is total time / steps, with
//    nothing subtracted: it includes the Sum and Return gates themselves (BigInt arithmetic).
{
    const STEPS = 10_000;
    const dir = join(work, 'steps');
    mkdirSync(dir, { recursive: true });
    const lines = ['\ts0: 0'];
    for (let i = 1; i < STEPS - 1; i++) lines.push(i % 2 ? `\ts${i}: Sum(s${i - 1}, 1)` : `\ts${i}: Return(s${i - 1})`);
    lines.push(`\treturn: Sum(s${STEPS - 2}, 1)`);
    writeFileSync(join(dir, 'steps.ko'), `Chain() {\n${lines.join('\n')}\n}\n`);
    const t0 = performance.now();
    const program = loadProgram({ roots: [dir], entry: { dir }, cwd: dir });
    figures.stepsLoadMs = round(performance.now() - t0);
    const expected = String(STEPS / 2);
    const once = async () => {
        const t = performance.now();
        const v = await runFunction(program, { pkgPath: '' }, 'Chain', {}, quiet);
        const elapsed = performance.now() - t;
        if (printValue(v) !== expected) throw new Error(`chain returned ${printValue(v)}, expected ${expected}`);
        return elapsed;
    };
    for (let i = 0; i < (quick ? 5 : 20); i++) await once();
    const times = [];
    for (let i = 0; i < (quick ? 9 : 31); i++) times.push(await once());
    figures.stepUs = round(median(times) / STEPS * 1000, 3);
    figures.stepBestUs = round(Math.min(...times) / STEPS * 1000, 3);
    console.log(`pure steps: ${STEPS}-step function (load and compile ${figures.stepsLoadMs} ms): median ${figures.stepUs} us per step`
        + ` (best ${figures.stepBestUs} us) (target < 2 us)`);
}

// ---------------------------------------------------------------------------------------------
// 3. `ko run` of a trivial program as a whole process: node start-up, the CLI bundle, parsing,
//    evaluation and printing.
{
    const ko = join(root, 'bin', 'ko');
    if (!existsSync(join(root, 'dist', 'cli', 'main.mjs'))) throw new Error('the CLI is not built: run `node scripts/build.mjs --only cli`');
    const dir = join(work, 'trivial');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tiny.ko'), 'Main() {\n\treturn: Sum(1, 2)\n}\n');
    const koRun = () => new Promise((resolve, reject) => {
        const t0 = performance.now();
        const c = spawn(process.execPath, [ko, 'run', 'tiny.ko:Main'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '', err = '';
        c.stdout.on('data', d => { out += d; });
        c.stderr.on('data', d => { err += d; });
        c.on('close', code => code === 0 && out === '3\n' ? resolve(performance.now() - t0) : reject(new Error(`ko run failed (${code}): ${out}${err}`)));
    });
    await koRun(); // warm the file system cache
    const times = [];
    for (let i = 0; i < 5; i++) times.push(await koRun());
    figures.koRunMedianMs = round(median(times));
    figures.koRunBestMs = round(Math.min(...times));
    console.log(`ko run of a trivial program (whole process): median of 5 ${figures.koRunMedianMs} ms (best ${figures.koRunBestMs} ms) (target < 400 ms)`);
}

figures.loadAverage = load();
console.log(`load average at end: ${figures.loadAverage}`);
console.log(JSON.stringify(figures));
rmSync(work, { recursive: true, force: true });
