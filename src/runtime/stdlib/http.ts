// lib/net/http gates: a fetch-based client (Request returns (statusCode, response)), body
// readers, and a small server whose handler variety receives ctx = (path, writer).
// node:http is imported when a server starts, so runs that never serve do not load it.
import type { Server, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, resolve } from 'node:path';
import { registerGate } from '../gate-registry.js';
import { KoCancelled, KoRuntimeError } from '../errors.js';
import { TRUE, int64, opaque, str, struct, type Value } from '../values.js';
import { lib, optIntArg, optStringArg, stringArg } from './args.js';
import { marshalJSON, unmarshalJSON } from './encoding.js';

const P = lib('net/http');

interface FetchedResponse { status: number; body: string }

registerGate(P, 'NewClient', () => opaque('http.Client', {}, () => 'http.Client'));

registerGate(P, 'Request', async (args, ctx) => {
    const url = stringArg(args, 'url');
    const method = (optStringArg(args, 'method') ?? 'GET').toUpperCase();
    const body = optStringArg(args, 'body');
    try {
        const res = await fetch(url, { method, ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}), signal: ctx.signal });
        const fetched: FetchedResponse = { status: res.status, body: await res.text() };
        return struct([
            { name: 'statusCode', value: int64(res.status) },
            { name: 'response', value: opaque('http.Response', fetched, () => `http.Response(${res.status})`) },
        ]);
    } catch (e) {
        if (ctx.signal.aborted) throw new KoCancelled();
        throw new KoRuntimeError(`${method} ${url}: ${(e as Error).message}`);
    }
}, { limited: true });

function responseOf(v: Value): FetchedResponse {
    const r = v.kind === 'struct' ? v.fields.find(f => f.name === 'response')?.value : v;
    if (r?.kind === 'opaque' && r.typeName === 'http.Response') return r.value as FetchedResponse;
    throw new KoRuntimeError('response not set');
}
registerGate(P, 'BodyAsString', args => str(responseOf(args.get('response')).body));
registerGate(P, 'BodyAsJSON', args => unmarshalJSON(responseOf(args.get('response')).body));

interface HandlerWriter { res: ServerResponse; headers: Record<string, string> }
function writerOf(ctxValue: Value): HandlerWriter {
    const w = ctxValue.kind === 'struct' ? ctxValue.fields.find(f => f.name === 'writer')?.value : undefined;
    if (w?.kind === 'opaque' && w.typeName === 'http.ResponseWriter') return w.value as HandlerWriter;
    throw new KoRuntimeError('expecting a handler ctx');
}

/** Serves until the run is cancelled; each request invokes the handler with ctx: (path, writer). */
registerGate(P, 'Serve', async (args, ctx) => {
    const address = stringArg(args, 'address');
    const handler = args.get('handler');
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
        const writer: HandlerWriter = { res, headers: {} };
        const hctx = struct([
            { name: 'path', value: str(new URL(req.url ?? '/', 'http://x').pathname) },
            { name: 'writer', value: opaque('http.ResponseWriter', writer) },
        ]);
        ctx.invoke(handler, { ctx: hctx }).then(() => { if (!res.writableEnded) res.end(); }, e => {
            ctx.stderr.write(`handler invocation failed: ${(e as Error).message}\n`);
            if (!res.headersSent) res.statusCode = 500;
            res.end();
        });
    });
    return listen(server, address, ctx.signal, t => ctx.stderr.write(t));
});

function listen(server: Server, address: string, signal: AbortSignal, log: (t: string) => void): Promise<Value> {
    const [host, port] = address.includes(':') ? [address.slice(0, address.lastIndexOf(':')) || undefined, Number(address.slice(address.lastIndexOf(':') + 1))] : [undefined, Number(address)];
    return new Promise((_resolve, reject) => {
        server.on('error', e => reject(new KoRuntimeError(`serving ${address} failed: ${e.message}`)));
        server.listen(port, host, () => log(`serving ${address}\n`));
        signal.addEventListener('abort', () => { server.close(); reject(new KoCancelled()); }, { once: true });
    });
}

registerGate(P, 'SendJSON', args => {
    const w = writerOf(args.get('ctx'));
    if (!w.headers['content-type']) w.res.setHeader('Content-Type', 'application/json');
    w.res.statusCode = Number(optIntArg(args, 'statusCode') ?? 200n);
    w.res.end(marshalJSON(args.get('value')));
    return TRUE;
});

registerGate(P, 'SetHeader', args => {
    const w = writerOf(args.get('ctx'));
    const entry = args.get('entry');
    let key: string, value: string;
    if (entry.kind === 'struct') {
        key = stringArg({ get: n => entry.fields.find(f => f.name === n)?.value ?? { kind: 'empty' }, has: () => true, fields: entry.fields, constructed: () => entry }, 'key');
        const v = entry.fields.find(f => f.name === 'value')?.value;
        value = v?.kind === 'string' ? v.value : '';
    } else {
        const text = stringArg(args, 'entry');
        const i = text.indexOf(':');
        key = text.slice(0, i < 0 ? text.length : i).trim();
        value = i < 0 ? '' : text.slice(i + 1).trim();
    }
    w.headers[key.toLowerCase()] = value;
    w.res.setHeader(key, value);
    return TRUE;
});

registerGate(P, 'ServeLocalDir', async (args, ctx) => {
    const root = resolve(ctx.workspaceDir, stringArg(args, 'dir', '.'));
    const prefix = stringArg(args, 'url', '/');
    const { createServer } = await import('node:http');
    const server = createServer(async (req, res) => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (!path.startsWith(prefix)) { res.statusCode = 404; res.end(); return; }
        let file = join(root, normalize('/' + path.slice(prefix.length)));
        try {
            if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
            res.end(await readFile(file));
        } catch {
            res.statusCode = 404;
            res.end('not found');
        }
    });
    return listen(server, stringArg(args, 'address'), ctx.signal, t => ctx.stderr.write(t));
});
