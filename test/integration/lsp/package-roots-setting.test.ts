// The ko.packageRoots setting: imports resolve against the extra roots it names, both when it
// is set at start-up and when it changes while the server runs (diagnostics are refreshed).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startKoLsp, type KoLspClient } from './lsp-client.js';

function fixture(): { ws: string; extraRoot: string; main: string; text: string } {
    const base = mkdtempSync(join(tmpdir(), 'ko-roots-'));
    const ws = join(base, 'ws');
    const extraRoot = join(base, 'shared-libs');
    mkdirSync(ws, { recursive: true });
    mkdirSync(join(extraRoot, 'acme', 'util'), { recursive: true });
    writeFileSync(join(extraRoot, 'acme', 'util', 'util.ko'), 'Twice(x?) { return: (x, x) }\n');
    const text = 'import "acme/util"\nMain() { return: util.Twice(1) }\n';
    writeFileSync(join(ws, 'main.ko'), text);
    return { ws, extraRoot, main: pathToFileURL(join(ws, 'main.ko')).toString(), text };
}

let client: KoLspClient | undefined;
afterEach(async () => { await client?.stop(); client = undefined; });

describe('ko.packageRoots', () => {
    it('resolves imports against the configured roots from the start', async () => {
        const f = fixture();
        client = await startKoLsp(f.ws, { ko: { packageRoots: [f.extraRoot] } });
        const waiting = client.waitForDiagnostics(f.main);
        await client.open(f.main, f.text);
        let diagnostics = await waiting;
        // The setting may land just after the first validation: wait for the refreshed result.
        for (let i = 0; i < 20 && diagnostics.length > 0; i++) diagnostics = await client.waitForDiagnostics(f.main, 5000).catch(() => diagnostics);
        expect(diagnostics.map(d => d.code)).toEqual([]);
    }, 60_000);

    it('re-validates open documents when the setting changes', async () => {
        const f = fixture();
        client = await startKoLsp(f.ws);
        const first = client.waitForDiagnostics(f.main);
        await client.open(f.main, f.text);
        expect((await first).map(d => d.code)).toEqual(['unknown-package']);
        const refreshed = client.waitForDiagnostics(f.main);
        await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { ko: { packageRoots: [f.extraRoot] } } });
        expect((await refreshed).map(d => d.code)).toEqual([]);
    }, 60_000);
});
