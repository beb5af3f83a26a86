// Standard-library gates under the reference's import paths (§5), including a Ko library that
// self-imports its own path to reach Go gates, and the HTTP client against a real local server.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runKo, writeTree } from './helpers.js';

const L = 'github.com/kocircuit/kocircuit/lib/';
const imp = (...dirs: string[]) => dirs.map(d => `import "${L}${d}"`).join('\n') + '\n';

async function value(src: string, opts = {}): Promise<string> {
    return (await runKo(src, 'Main', opts)).printed;
}

describe('strings', () => {
    it('Join, Split, Len, Equal and predicates', async () => {
        expect(await value(`${imp('strings')}Main() { return: (
	j: strings.Join(string: ("a", "B", "foo"), delimiter: ",")
	j0: strings.Join()
	s: strings.Split("a/b")
	s2: strings.Split(string: "a,b", separator: ",")
	l: strings.Len("a", "foo")
	e: strings.Equal("x", "x", "y")
	c: strings.Contains(string: "TheBrownFox", subString: "Brown")
	p: strings.HasPrefix(string: "TheBrownFox", prefix: "The")
	x: strings.HasSuffix(string: "TheBrownFox", suffix: "Brown")
	u: strings.Upper("aBc")
	w: strings.Lower("aBc")
	q: strings.Quote("a\\"b")
) }`)).toBe('(j: "a,B,foo", j0: "", s: ("a", "b"), s2: ("a", "b"), l: 4, e: false, c: true, p: true, x: false, u: "ABC", w: "abc", q: "\\"a\\\\\\"b\\"")');
    });
    it('string trees flush in order with delimiters', async () => {
        expect(await value(`${imp('strings')}Main() {
	leaf1: strings.Tree(prefix: "a")
	leaf2: strings.Tree(prefix: "b")
	t: strings.Tree(prefix: "[", middle: (leaf1, leaf2), delimiter: ",", suffix: "]")
	return: strings.Flush(t)
}`)).toBe('"[a,b]"');
    });
});

describe('encoding', () => {
    it('json.Marshal, MarshalIndent and Unmarshal like Go', async () => {
        expect(await value(`${imp('encoding/json')}Main() { return: (
	m: json.Marshal((x: 56, y: ("a", "b"), z: 5.6, h: "<&>"))
	i: json.MarshalIndent(value: (x: "foo"), indent: "#", prefix: "-")
	u: json.Unmarshal("{\\"x\\":5,\\"y\\":[true]}")
) }`)).toBe('(m: "{\\"x\\":56,\\"y\\":[\\"a\\",\\"b\\"],\\"z\\":5.6,\\"h\\":\\"\\\\u003c\\\\u0026\\\\u003e\\"}", i: "{\\n-#\\"x\\": \\"foo\\"\\n-}", u: (x: 5, y: (true)))');
    });
    it('json.Unmarshal numbers are Float64', async () => {
        expect(await value(`${imp('encoding/json')}Main() { return: Equal(json.Unmarshal("5"), 5.0) }`)).toBe('true');
    });
    it('yaml.Marshal', async () => {
        expect(await value(`${imp('encoding/yaml')}Main() { return: yaml.Marshal((a: 1, b: ("x", "y"))) }`)).toBe('"a: 1\\nb:\\n  - x\\n  - y\\n"');
    });
});

describe('file and path', () => {
    it('path.Join, Base, Dir', async () => {
        expect(await value(`${imp('file/path')}Main() { return: (
	j: path.Join("a", "b/", "../c")
	b: path.Base("/x/y.txt")
	d: path.Dir("/x/y.txt")
	e: path.Join()
) }`)).toBe('(j: "a/c", b: "y.txt", d: "/x", e: "")');
    });
    it('file.WriteLocalFile writes relative to the workspace and returns Bool', async () => {
        const dir = writeTree({});
        expect(await value(`${imp('file')}Main() { return: file.WriteLocalFile(path: "out/hello.txt", body: "hi") }`, { workspaceDir: dir })).toBe('true');
        expect(readFileSync(join(dir, 'out/hello.txt'), 'utf8')).toBe('hi');
    });
    it('os.Mkdir, os.Env, os.TempDir', async () => {
        const dir = writeTree({});
        process.env.KO_STDLIB_TEST = 'yes';
        expect(await value(`${imp('os')}Main() { m: os.Mkdir("a/b/c"), return: (e: os.Env("KO_STDLIB_TEST"), t: Have(os.TempDir())) }`, { workspaceDir: dir })).toBe('(e: "yes", t: true)');
        expect(existsSync(join(dir, 'a/b/c'))).toBe(true);
    });
    it('shell.GoShellCopy copies with /bin/sh cp', async () => {
        const dir = writeTree({ 'src.txt': 'data' });
        await value(`${imp('shell')}Main() { return: shell.GoShellCopy(source: "${dir}/src.txt", sink: "${dir}/dst.txt") }`);
        expect(readFileSync(join(dir, 'dst.txt'), 'utf8')).toBe('data');
    });
});

describe('integer, time, sync, xml', () => {
    it('integer.GoFormatInt64 and GoPermuteInt64', async () => {
        const out = await value(`import "${L}integer" as gointeger\nMain() { return: (f: gointeger.GoFormatInt64(int64: 255, base: 16), p: Len(gointeger.GoPermuteInt64(len: 5, seed: 7))) }`);
        expect(out).toBe('(f: "ff", p: 5)');
    });
    it('time durations and Sleep', async () => {
        const started = performance.now();
        expect(await value(`${imp('time')}Main() { s: time.GoSleep(Prod(time.GoSecond(), 0) ), return: (s: time.GoSecond(2), m: time.GoMinute()) }`)).toBe('(s: 2000000000, m: 60000000000)');
        const ms = await value(`${imp('time')}Main() { return: time.GoSleep(Prod(time.GoSecond(), 1, 0)) }`);
        expect(ms).toBe('0');
        expect(performance.now() - started).toBeLessThan(5000);
    });
    it('a self-importing Ko library reaches its own Go gates (lib/time pattern)', async () => {
        const root = writeTree({
            [`${L}time/time.ko`]: `import "${L}time"\nSecond(scale?) { return: time.GoSecond(scale) }\nSleep(duration?) { return: time.GoSleep(duration) }`,
            'main/main.ko': `import "${L}time"\nMain() { return: time.Sleep(Ratio(time.Second(), 100)) }`,
        });
        const { loadProgram, runFunction } = await import('../../../src/runtime/interpreter.js');
        const program = loadProgram({ roots: [root], entry: { dir: join(root, 'main') } });
        const { printValue } = await import('../../../src/runtime/values.js');
        expect(printValue(await runFunction(program, 'main', 'Main'))).toBe('10000000');
    });
    it('sync ring leases are sequential', async () => {
        expect(await value(`${imp('sync')}Main() { r: sync.GoMakeRing(2), a: sync.GoRingLease(r), b: sync.GoRingLease(conn: r, _after: a), return: (a, b) }`)).toBe('(0, 1)');
    });
    it('xml elements render like the reference', async () => {
        expect(await value(`import "${L}web/xml" as xmlgo\nMain() {
	t: xmlgo.GoTextElement("a<b")
	hr: xmlgo.GoTagElement(tag: "hr")
	div: xmlgo.GoTagElement(tag: "div", attrs: "class=\\"x\\"", children: (t, hr))
	return: xmlgo.GoRenderElement(div)
}`)).toBe('"<div class=\\"x\\">a&lt;b <hr  /></div>"');
    });
});

describe('net/http', () => {
    it('Request, BodyAsString and BodyAsJSON against a local server', async () => {
        const server = createServer((req, res) => {
            let body = '';
            req.on('data', c => { body += c; });
            req.on('end', () => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ method: req.method, path: req.url, body })); });
        });
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
        const port = (server.address() as AddressInfo).port;
        try {
            const out = await value(`import "${L}net/http" as gohttp\nMain() {
	c: gohttp.NewClient()
	r: gohttp.Request(client: c, method: "POST", url: "http://127.0.0.1:${port}/x", body: "hello")
	return: (status: r.statusCode, json: gohttp.BodyAsJSON(r))
}`);
            expect(out).toBe('(status: 200, json: (method: "POST", path: "/x", body: "hello"))');
        } finally {
            server.close();
        }
    });
});
