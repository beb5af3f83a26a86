// Speed of the language core (issue 2): whole-workspace `ko check` of a generated 100k-line
// workspace, new diagnostics after a one-line edit in a 2,000-line file (Langium document
// builder, as the language server runs it), and `ko check` of one small file as a process.
import '../scripts/node20-polyfill.mjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFile, generateWorkspace } from './generate-workspace.mjs';

const repo = join(fileURLToPath(import.meta.url), '..', '..');
const work = join(repo, 'bench', '.generated');
const ko = join(repo, 'bin', 'ko');
// Optional section names on the command line: workspace, edit, small (default: all).
const sections = process.argv.slice(2);
const want = name => sections.length === 0 || sections.includes(name);
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeProcess(args, cwd, env = {}) {
    const started = performance.now();
    const r = spawnSync(process.execPath, [ko, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0 && r.status !== 1) throw new Error(`ko ${args.join(' ')} failed: ${r.stderr}`);
    return { ms: performance.now() - started, stderr: r.stderr };
}

// 1. Whole workspace: 40 packages x 10 files x 16 functions (about 100k lines).
if (want('workspace')) {
const wsRoot = join(work, 'ws100k');
const lines = generateWorkspace(wsRoot, { packages: 40, files: 10, functions: 16 });
// Interleaved with the baseline, the same command with every file sent to the Langium parser
// (KO_FAST_PARSER=off), so the ratio holds even when the machine's speed drifts.
const runs = [], baseline = [];
for (let i = 0; i < 3; i++) {
    runs.push(timeProcess(['check', '.'], wsRoot));
    baseline.push(timeProcess(['check', '.'], wsRoot, { KO_FAST_PARSER: 'off' }));
}
const wsMs = median(runs.map(r => r.ms)), baseMs = median(baseline.map(r => r.ms));
console.log(`workspace check: ${lines} lines in ${wsMs.toFixed(0)} ms (median of 3 processes) = ${(lines / wsMs).toFixed(1)}k lines/s  [target >= 100k lines/s]`);
console.log(`  ${runs[0].stderr.trim()}`);
console.log(`  baseline, Langium's parser for every file (KO_FAST_PARSER=off): ${baseMs.toFixed(0)} ms = ${(lines / baseMs).toFixed(1)}k lines/s; ratio ${(baseMs / wsMs).toFixed(2)}x`);
if (runs[0].stderr.trim() !== baseline[0].stderr.trim()) throw new Error(`the two parsers disagree: ${runs[0].stderr} vs ${baseline[0].stderr}`);
}

// 2. One-line edit in a 2,000-line file: time to new diagnostics through the document builder.
if (want('edit')) {
const { build } = await import('esbuild');
const entry = join(work, 'bench-entry.mjs');
writeFileSync(join(work, 'bench-entry.ts'), `export { createKoCoreServices } from '${join(repo, 'src/language/ko-module.js')}';\nexport { URI, EmptyFileSystem } from 'langium';\n`);
await build({ entryPoints: [join(work, 'bench-entry.ts')], bundle: true, platform: 'node', format: 'esm', outfile: entry, logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'module'; const require = __r(import.meta.url);" } });
const { createKoCoreServices, URI, EmptyFileSystem } = await import(entry);
const { shared } = createKoCoreServices(EmptyFileSystem);
const text = generateFile(2000);
const uri = URI.file(join(work, 'edit', 'big.ko'));
const factory = shared.workspace.LangiumDocumentFactory;
const documents = shared.workspace.LangiumDocuments;
let doc = factory.fromString(text, uri);
documents.addDocument(doc);
await shared.workspace.DocumentBuilder.build([doc], { validation: true });
// Edits arrive as they do from the editor: DocumentBuilder.update with the document's new text.
let current = text;
factory.getUpdatedText = async () => current;
const editTimes = [];
for (let i = 0; i < 15; i++) {
    // Change one step's formula on line 5 (an unknown name every other time).
    current = text.replace('\tn: Sum(Pick(either: count, or: 1), 1, -2)', i % 2 ? '\tn: Sumx(1, 2)' : `\tn: Sum(${i}, 2)`);
    const started = performance.now();
    await shared.workspace.DocumentBuilder.update([uri], []);
    editTimes.push(performance.now() - started);
    doc = documents.getDocument(uri);
    if ((doc.diagnostics ?? []).length !== (i % 2 ? 1 : 0)) throw new Error(`unexpected diagnostics after edit ${i}: ${JSON.stringify(doc.diagnostics).slice(0, 500)}`);
}
console.log(`one-line edit in a ${text.split('\n').length}-line file -> new diagnostics: median ${median(editTimes.slice(3)).toFixed(1)} ms, max ${Math.max(...editTimes.slice(3)).toFixed(1)} ms  [target < 50 ms]`);

}

// 3. `ko check` of one small file as a whole process.
if (want('small')) {
const small = join(work, 'small');
mkdirSync(small, { recursive: true });
writeFileSync(join(small, 'small.ko'), generateFile(40));
const smallRuns = [0, 1, 2, 3, 4].map(() => timeProcess(['check', 'small.ko'], small).ms);
console.log(`ko check of one small file (process): median ${median(smallRuns).toFixed(0)} ms  [target < 400 ms]`);
}
