// The graph webview bundle in headless Chromium (playwright-core + Debian's /usr/bin/chromium)
// with a stubbed VS Code API: it loads under the real CSP, renders the graph, paints status,
// highlights, reports clicks, pans/zooms and persists the viewport, and exports SVG.
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutGraph, type ElkLike } from '../../../client/graph/layout.js';
import { outlineGraph } from '../../../client/graph/outline-graph.js';
import { graphWebviewHtml } from '../../../client/graph/webview-html.js';
import type { GraphLayout, GraphResult } from '../../../src/protocol/ko-protocol.js';

// Browser globals used inside page.evaluate callbacks (the root tsconfig has no DOM lib;
// these module-scoped declarations keep it that way for everyone else).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare function getComputedStyle(e: unknown): { stroke: string };

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ORIGIN = 'https://webview.test';
const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => ElkLike;

const src = `Main(n) {
    a: Load(path: "<img src=x onerror=alert(1)>")
    b: Train(data: a, epochs: n)
    return: b
}`;

describe.skipIf(!existsSync(CHROMIUM))('graph webview in Chromium', () => {
    let browser: Browser, page: Page, dir: string;
    let graph: GraphResult, layout: GraphLayout;
    const violations: string[] = [];

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'ko-webview-'));
        await build({ entryPoints: ['client/webview/main.mts'], outfile: join(dir, 'webview.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', logLevel: 'warning' });
        graph = outlineGraph('file:///w/p/m.ko', 1, src, 'p');
        layout = await layoutGraph(graph, new ELK());
        browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
        page = await browser.newPage({ viewport: { width: 900, height: 700 } });
        const html = graphWebviewHtml({ cspSource: ORIGIN, nonce: 'testnonce123', scriptUri: `${ORIGIN}/webview.js` })
            .replace('<body>', '<body class="vscode-dark">');
        const theme = ':root{--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#d4d4d4;--vscode-testing-iconPassed:#73c991;--vscode-testing-iconFailed:#f14c4c;--vscode-focusBorder:#007fd4;--vscode-editorWidget-background:#252526}';
        await page.route(`${ORIGIN}/**`, route => {
            const url = new URL(route.request().url());
            if (url.pathname === '/webview.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync(join(dir, 'webview.js')) });
            // Mimic VS Code: theme variables are set by the host page on the document.
            return route.fulfill({ contentType: 'text/html', body: html.replace('</head>', `<style nonce="testnonce123">${theme}</style></head>`) });
        });
        await page.addInitScript(() => {
            const w = window as unknown as { __posted: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown };
            w.__posted = []; w.__state = undefined;
            let acquired = false;
            w.acquireVsCodeApi = () => {
                if (acquired) throw new Error('acquireVsCodeApi called twice');
                acquired = true;
                return { postMessage: (m: unknown) => w.__posted.push(m), getState: () => w.__state, setState: (s: unknown) => { w.__state = s; } };
            };
            document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
        });
        page.on('console', m => { if (m.text().startsWith('CSP violation')) violations.push(m.text()); });
        page.on('pageerror', e => violations.push(`page error: ${e.message}`));
        await page.goto(`${ORIGIN}/index.html`);
    }, 60_000);

    afterAll(async () => { await browser?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); });

    const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
    const send = (m: unknown) => page.evaluate((msg: unknown) => window.postMessage(msg, '*'), m);

    it('loads under the CSP and says ready', async () => {
        await expect.poll(posted).toContainEqual({ type: 'ready' });
        expect(violations).toEqual([]);
    });

    it('renders groups, nodes and edges; labels are text, never markup', async () => {
        await send({ type: 'graph', uri: graph.uri, version: 1, graph, layout });
        await expect.poll(() => page.locator('.node').count()).toBe(4);
        expect(await page.locator('.edge').count()).toBe(layout.edges.length);
        expect(await page.locator('.group text').textContent()).toBe('Main');
        expect(await page.locator('img').count()).toBe(0);
        expect(await page.locator('.node[data-id="p.Main/a"] .formula').textContent()).toContain('<img');
        expect(violations).toEqual([]);
    });

    it('paints status and stale nodes with theme colours', async () => {
        await send({ type: 'status', statuses: { 'p.Main/a': { status: 'succeeded', text: 'done in 1.2s' }, 'p.Main/b': { status: 'failed', text: 'failed (exit 2)', stale: true } } });
        const a = page.locator('.node[data-id="p.Main/a"]');
        await expect.poll(() => a.getAttribute('class')).toContain('status-succeeded');
        expect(await a.locator('.status').textContent()).toBe('done in 1.2s');
        expect(await page.locator('.node[data-id="p.Main/b"]').getAttribute('class')).toMatch(/status-failed.*stale|stale.*status-failed/);
        const stroke = await a.locator('rect').evaluate(r => getComputedStyle(r).stroke);
        expect(stroke).toBe('rgb(115, 201, 145)');
        await send({ type: 'status', statuses: {} });
        await expect.poll(() => a.getAttribute('class')).not.toContain('status-');
    });

    it('a status update repaints in place: no re-render, no node moves (layout is never redone for status)', async () => {
        const snapshot = () => page.evaluate(() => [...document.querySelectorAll('.node')].map((n: any) => `${n.getAttribute('data-id')}@${n.getAttribute('transform')}`));
        const before = await snapshot();
        await page.evaluate(() => { document.querySelectorAll('.node, .edge').forEach((n: any) => { n.__koMark = true; }); });
        const started = Date.now();
        for (let i = 0; i < 50; i++) await send({ type: 'status', statuses: { 'p.Main/a': { status: i % 2 ? 'running' : 'succeeded', text: `running ${i}s` } } });
        await expect.poll(() => page.locator('.node[data-id="p.Main/a"] .status').textContent()).toBe('running 49s');
        console.log(`50 status updates painted in ${Date.now() - started} ms`);
        // The same DOM elements (a re-render would replace them) at the same places.
        expect(await page.evaluate(() => [...document.querySelectorAll('.node, .edge')].every((n: any) => n.__koMark === true))).toBe(true);
        expect(await snapshot()).toEqual(before);
        await send({ type: 'status', statuses: {} });
    });

    it('highlights the node under the cursor and reports clicks', async () => {
        await send({ type: 'highlight', nodeId: 'p.Main/b' });
        await expect.poll(() => page.locator('.node.highlighted').getAttribute('data-id')).toBe('p.Main/b');
        await page.locator('.node[data-id="p.Main/a"] rect').click();
        await expect.poll(posted).toContainEqual({ type: 'reveal', nodeId: 'p.Main/a' });
        // The node context menu (webview/context "Run up to Here") gets the node from data-vscode-context.
        const ctx = JSON.parse((await page.locator('.node[data-id="p.Main/a"]').getAttribute('data-vscode-context'))!);
        expect(ctx).toEqual({ webviewSection: 'node', nodeId: 'p.Main/a', preventDefaultContextMenuItems: true });
        expect(await page.locator('.node.param').getAttribute('data-vscode-context')).toBeNull();
    });

    it('pans and zooms, persists the viewport, and keeps it across live updates', async () => {
        const transform = () => page.locator('#viewport').getAttribute('transform');
        const before = await transform();
        await page.mouse.move(850, 650);
        await page.mouse.wheel(0, -400);
        await expect.poll(transform).not.toBe(before);
        await page.mouse.move(850, 600); await page.mouse.down(); await page.mouse.move(800, 560, { steps: 4 }); await page.mouse.up();
        const after = await transform();
        const state = await page.evaluate(() => (window as unknown as { __state: { uri: string; viewport: { scale: number } } }).__state);
        expect(state.uri).toBe(graph.uri);
        expect(state.viewport.scale).toBeGreaterThan(0);
        // A live update of the same document keeps the view.
        await send({ type: 'graph', uri: graph.uri, version: 2, graph, layout });
        await expect.poll(() => page.locator('.node').count()).toBe(4);
        expect(await transform()).toBe(after);
        await page.click('#fit');
        await expect.poll(transform).not.toBe(after);
    });

    it('exports a standalone SVG with resolved colours', async () => {
        await send({ type: 'request-svg' });
        await expect.poll(async () => (await posted()).some(m => m.type === 'svg')).toBe(true);
        const svg = (await posted()).filter(m => m.type === 'svg').pop() as unknown as { svg: string };
        expect(svg.svg).toMatch(/^<svg/);
        expect(svg.svg).toContain('>Train(data: a, epochs: n)<');
        expect(svg.svg).toContain('&lt;img');
        expect(svg.svg).not.toContain('var(--vscode');
        expect(violations).toEqual([]);
    });
});
