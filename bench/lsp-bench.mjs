// LSP benchmark over `ko lsp --stdio` (run `npm run build` first): generates a ~20k-line workspace
// of 20 packages that import each other, then measures, after warm-up, completion and hover
// latency (p50/p95), the ko/graph request for a 500-step function right after an edit, and
// formatting a 2,000-line file. Prints a table and a JSON line. Usage: node bench/lsp-bench.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import protocol from 'vscode-languageserver-protocol/node';

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = 20, FILES = 5, FUNCS = 20; // 20 x 5 x 20 functions x 10 lines = 20,000 lines

function generate(dir) {
    let lines = 0;
    for (let p = 0; p < PACKAGES; p++) {
        const pkg = join(dir, `pkg${p}`);
        mkdirSync(pkg, { recursive: true });
        const deps = [(p + 1) % PACKAGES, (p + 7) % PACKAGES];
        for (let f = 0; f < FILES; f++) {
            const out = deps.map(d => `import "pkg${d}"`);
            out.push('');
            for (let k = 0; k < FUNCS; k++) {
                const dep = deps[k % 2];
                out.push(`// F${f}x${k} combines a and b through pkg${dep}.`);
                out.push(`F${f}x${k}(a?, b) {`);
                out.push('\ts0: Sum(a, b)');
                out.push(`\ts1: pkg${dep}.F${(f + 1) % FILES}x${k}(a: s0, b: b)`);
                out.push(`\ts2: F${(f + 2) % FILES}x${(k + 1) % FUNCS}(s1, b: a)`);
                out.push('\ts3: Prod(s1, s2)');
                out.push('\ts4: Yield(if: Less(s2, s3), then: s2, else: s3)');
                out.push('\treturn: (s0, s4)');
                out.push('}');
                out.push('');
            }
            writeFileSync(join(pkg, `file${f}.ko`), out.join('\n'));
            lines += out.length;
        }
    }
    // A 500-step function for the graph request.
    mkdirSync(join(dir, 'big'), { recursive: true });
    const steps = Array.from({ length: 500 }, (_, i) => `\ts${i}: Sum(${i === 0 ? 'x' : `s${i - 1}`}, ${i === 0 ? 1 : `s${Math.floor(i / 2)}`})`);
    const big = ['Big(x?) {', ...steps, '\treturn: s499', '}', ''].join('\n');
    writeFileSync(join(dir, 'big', 'big.ko'), big);
    // A 2,000-line file in a messy layout for formatting.
    mkdirSync(join(dir, 'fmt'), { recursive: true });
    const fmt = [];
    for (let k = 0; fmt.length < 2000; k++) {
        fmt.push(`G${k} (a ,b?) {`, `    x: Sum(a , b) ; y: Prod(x,2)`, `  z: Show(`, `      x, y,`, `  )`, `        return: (x, y,z)`, `}`, '');
    }
    writeFileSync(join(dir, 'fmt', 'fmt.ko'), fmt.join('\n'));
    return { lines, big, fmt: fmt.join('\n'), fmtLines: fmt.length };
}

function stats(times) {
    const s = [...times].sort((a, b) => a - b);
    const q = p => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { n: s.length, p50: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

async function main() {
    const dir = mkdtempSync(join(tmpdir(), 'ko-lsp-bench-'));
    const gen = generate(dir);
    const nodeArgs = (process.env.KO_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof
    // KO_BENCH_SERVER_ENTRY=dist/server/main.cjs profiles the unminified server bundle instead of `ko lsp`.
    const entry = process.env.KO_BENCH_SERVER_ENTRY ? [join(ROOT, process.env.KO_BENCH_SERVER_ENTRY), '--stdio'] : [join(ROOT, 'bin/ko'), 'lsp', '--stdio'];
    const child = spawn(process.execPath, [...nodeArgs, ...entry], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, KOPATH: '' } });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const waiters = new Map();
    conn.onNotification('textDocument/publishDiagnostics', p => { const w = waiters.get(p.uri); if (w) { waiters.delete(p.uri); w(p); } });
    for (const m of ['workspace/configuration', 'client/registerCapability', 'window/workDoneProgress/create', 'workspace/semanticTokens/refresh', 'workspace/inlayHint/refresh']) conn.onRequest(m, () => null);
    conn.listen();
    const diagnosticsOf = uri => new Promise(resolve => waiters.set(uri, resolve));
    const folder = pathToFileURL(dir).toString();
    const t0 = performance.now();
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: folder, workspaceFolders: [{ uri: folder, name: 'bench' }], capabilities: {} });
    await conn.sendNotification('initialized', {});
    const fileUri = pathToFileURL(join(dir, 'pkg0', 'file0.ko')).toString();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(join(dir, 'pkg0', 'file0.ko'), 'utf8');
    const ready = diagnosticsOf(fileUri);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: fileUri, languageId: 'ko', version: 1, text } });
    await ready;
    const startup = performance.now() - t0;

    // Cursor positions: after `alias.`, inside a call's brackets, a value after `label: `.
    const lines = text.split('\n');
    const positions = { member: [], argument: [], value: [], hover: [] };
    lines.forEach((l, line) => {
        const dot = l.startsWith('\t') ? l.indexOf('pkg1.') : -1;
        if (dot >= 0) positions.member.push({ line, character: dot + 5 });
        const call = l.indexOf('Sum(');
        if (call >= 0) positions.argument.push({ line, character: call + 4 });
        if (l.startsWith('\ts3: ')) positions.value.push({ line, character: 5 });
        const fn = l.indexOf('\ts2: F');
        if (fn >= 0) positions.hover.push({ line, character: 6 });
        if (dot >= 0) positions.hover.push({ line, character: dot + 7 });
    });
    const completion = async position => {
        const s = performance.now();
        const r = await conn.sendRequest('textDocument/completion', { textDocument: { uri: fileUri }, position });
        if (!r || r.items.length === 0) throw new Error(`no completion at ${JSON.stringify(position)}`);
        return performance.now() - s;
    };
    const hover = async position => {
        const s = performance.now();
        const r = await conn.sendRequest('textDocument/hover', { textDocument: { uri: fileUri }, position });
        if (!r) throw new Error(`no hover at ${JSON.stringify(position)}`);
        return performance.now() - s;
    };
    const all = [...positions.member, ...positions.argument, ...positions.value];
    for (let i = 0; i < 60; i++) { await completion(all[i % all.length]); await hover(positions.hover[i % positions.hover.length]); }
    const completionTimes = [];
    for (let i = 0; i < 300; i++) completionTimes.push(await completion(all[i % all.length]));
    const hoverTimes = [];
    for (let i = 0; i < 300; i++) hoverTimes.push(await hover(positions.hover[i % positions.hover.length]));

    // Graph: edit the 500-step function, wait for it to be rebuilt, then time the request.
    const bigUri = pathToFileURL(join(dir, 'big', 'big.ko')).toString();
    let version = 1;
    let bigReady = diagnosticsOf(bigUri);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'ko', version, text: gen.big } });
    await bigReady;
    const graphTimes = [];
    for (let i = 0; i < 25; i++) {
        bigReady = diagnosticsOf(bigUri);
        await conn.sendNotification('textDocument/didChange', { textDocument: { uri: bigUri, version: ++version }, contentChanges: [{ text: gen.big.replace('Sum(x, 1)', `Sum(x, ${i + 2})`) }] });
        await bigReady;
        const s = performance.now();
        const g = await conn.sendRequest('ko/graph', { uri: bigUri });
        const t = performance.now() - s;
        if (g.functions[0].nodes.length !== 502) throw new Error('unexpected graph');
        if (i >= 5) graphTimes.push(t);
    }

    // The same request on an unchanged document: the server's cached graph, so this is the cost of
    // moving a 502-node graph over JSON-RPC (what the "after an edit" figure pays on top).
    const cachedTimes = [];
    for (let i = 0; i < 20; i++) {
        const s = performance.now();
        await conn.sendRequest('ko/graph', { uri: bigUri });
        cachedTimes.push(performance.now() - s);
    }

    // Formatting the 2,000-line file.
    const fmtUri = pathToFileURL(join(dir, 'fmt', 'fmt.ko')).toString();
    const fmtReady = diagnosticsOf(fmtUri);
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: fmtUri, languageId: 'ko', version: 1, text: gen.fmt } });
    await fmtReady;
    const fmtTimes = [];
    for (let i = 0; i < 25; i++) {
        const s = performance.now();
        const edits = await conn.sendRequest('textDocument/formatting', { textDocument: { uri: fmtUri }, options: { tabSize: 4, insertSpaces: false } });
        const t = performance.now() - s;
        if (edits.length !== 1) throw new Error('expected one formatting edit');
        if (i >= 5) fmtTimes.push(t);
    }

    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    conn.dispose();
    rmSync(dir, { recursive: true, force: true });
    const result = {
        workspaceLines: gen.lines, startupToFirstDiagnosticsMs: +startup.toFixed(0),
        completion: stats(completionTimes), hover: stats(hoverTimes),
        graph500AfterEdit: stats(graphTimes), graph500Transport: stats(cachedTimes), format2000Lines: { lines: gen.fmtLines, ...stats(fmtTimes) },
    };
    const rows = [
        ['completion (20k-line workspace)', result.completion, 'p95 < 30 ms'],
        ['hover (20k-line workspace)', result.hover, 'p95 < 20 ms'],
        ['ko/graph, 500-step function, after an edit', result.graph500AfterEdit, '< 20 ms'],
        ['ko/graph, same, unchanged (JSON-RPC transport)', result.graph500Transport, '-'],
        [`formatting a ${gen.fmtLines}-line file`, result.format2000Lines, '< 100 ms'],
    ];
    console.log(`workspace: ${gen.lines} lines in ${PACKAGES * FILES} files; start-up to first diagnostics ${result.startupToFirstDiagnosticsMs} ms`);
    for (const [name, s, target] of rows) console.log(`${name.padEnd(44)} p50 ${String(s.p50).padStart(7)} ms  p95 ${String(s.p95).padStart(7)} ms  max ${String(s.max).padStart(7)} ms  (target ${target})`);
    console.log(JSON.stringify(result));
}

main().catch(err => { console.error(err); process.exit(1); });
