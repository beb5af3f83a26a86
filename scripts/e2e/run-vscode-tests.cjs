#!/usr/bin/env node
// Runs @vscode/test-electron-style extension tests (a module exporting run()) inside a real
// VS Code: code-server's Node extension host, with the web workbench opened in headless
// Debian Chromium by playwright-core. The dev extension and the tests go in through the
// workbench `payload` URL, which the built workbench honours only with the smoke-test driver
// on. Prints `vscode-e2e: N passed, N failed`; exit 0 pass, 1 fail, 2 harness error, 124 timeout.
// Env: CODE_SERVER, NODE24_DIR, EXT_DIR, TESTS, WORKSPACE, TIMEOUT_MS, SHOT (final screenshot),
//      SHOT_DIR (screenshots the suites ask for with `E2E_SHOT <name>`), VERBOSE, KO_E2E_GREP, CHROMIUM.
// The suites can also ask for the elements of the webviews (`E2E_QUERY <n> <selector>`), answered
// in $KO_E2E_PROBE_DIR/<n>.json (a directory the harness creates and passes to code-server).
'use strict';
const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const fs = require('fs'), os = require('os'), path = require('path'), http = require('http'), net = require('net'), util = require('util');

const env = (k, d) => process.env[k] || d;
const root = path.resolve(__dirname, '../..');
const CODE_SERVER = env('CODE_SERVER'), NODE24_DIR = env('NODE24_DIR');
const EXT_DIR = path.resolve(env('EXT_DIR', root));
const TESTS = path.resolve(env('TESTS', path.join(root, 'out/e2e/suite/index.cjs')));
const WORKSPACE = path.resolve(env('WORKSPACE', path.join(root, 'out/e2e/ws')));
const TIMEOUT_MS = Number(env('TIMEOUT_MS', 300000));
const t0 = Date.now(), el = () => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`;

const freePort = () => new Promise((res, rej) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); s.on('error', rej); });
const healthy = port => new Promise(r => http.get(`http://127.0.0.1:${port}/healthz`, x => { x.resume(); r(x.statusCode === 200); }).on('error', () => r(false)));
// Offline noise from the workbench (gallery lookups, auth providers, missing vsda) is dropped.
const NOISE = /ENOTFOUND|authentication provider|Failed to load resource|vsda|^(Resolv|Creat|Updat|\[reconnection|\[Service Worker|\[AgentHost|\[AccountPolicy)/;

let cs, browser, run, probeDir;

/** The elements matching `selector` in every frame of the page (webviews are nested iframes). */
async function queryFrames(page, selector) {
    const items = [];
    for (const frame of page.frames()) {
        const found = await frame.evaluate(sel => [...document.querySelectorAll(sel)].map(e => {
            const r = e.getBoundingClientRect();
            return { id: e.getAttribute('data-id'), cls: e.getAttribute('class') || '', text: (e.textContent || '').trim().slice(0, 200), width: r.width, height: r.height };
        }), selector).catch(() => []);
        items.push(...found);
    }
    return { frames: page.frames().length, items };
}
function cleanup() {
    // The whole process group: server, extension host, file watcher, agent host, language server, runs.
    if (cs && cs.pid) { try { process.kill(-cs.pid, 'SIGKILL'); } catch { /* gone */ } cs = undefined; }
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

(async () => {
    if (!CODE_SERVER || !fs.existsSync(CODE_SERVER)) throw new Error(`code-server not found (${CODE_SERVER}); run scripts/e2e/setup.sh`);
    const port = await freePort();
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'ko-vscode-e2e-'));
    fs.mkdirSync(path.join(run, 'data/User'), { recursive: true });
    probeDir = path.join(run, 'probe');
    fs.mkdirSync(probeDir);
    fs.writeFileSync(path.join(run, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    fs.writeFileSync(path.join(run, 'data/User/settings.json'), JSON.stringify({
        'workbench.startupEditor': 'none', 'chat.disableAIFeatures': true, 'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'update.mode': 'none', 'workbench.enableExperiments': false,
        'git.enabled': false, 'files.autoSave': 'off', 'security.workspace.trust.enabled': false,
    }));
    const log = fs.openSync(path.join(run, 'code-server.log'), 'w');
    cs = spawn(CODE_SERVER, ['--config', path.join(run, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
        '--user-data-dir', path.join(run, 'data'), '--extensions-dir', path.join(run, 'exts'),
        '--vscode-option', 'enable-smoke-test-driver'],
        { detached: true, stdio: ['ignore', log, log],
          env: { ...process.env, KO_E2E_PROBE_DIR: probeDir, PATH: `${NODE24_DIR}:${process.env.PATH}`, XDG_CONFIG_HOME: path.join(run, 'xdg'), XDG_DATA_HOME: path.join(run, 'xdg') } });

    for (let i = 0; !(await healthy(port)); i++) { if (i > 600) throw new Error('code-server did not start'); await new Promise(r => setTimeout(r, 100)); }
    console.log(el(), `code-server listening on 127.0.0.1:${port} (logs: ${run})`);

    browser = await chromium.launch({ executablePath: env('CHROMIUM', '/usr/bin/chromium'), headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish; const finished = new Promise(r => (finish = r));
    let result = null;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
        const msg = util.format(...args);
        const m = msg.match(/^E2E_RESULT (\{.*\})$/); if (m) result = JSON.parse(m[1]);
        // A suite can ask for a screenshot of the workbench: console.log('E2E_SHOT <name>').
        const shot = msg.match(/^E2E_SHOT ([\w.-]+)$/);
        if (shot && process.env.SHOT_DIR) {
            fs.mkdirSync(process.env.SHOT_DIR, { recursive: true });
            return page.screenshot({ path: path.join(process.env.SHOT_DIR, `${shot[1]}.png`) }).catch(() => {});
        }
        // A suite can ask what the user sees in the webviews: console.log('E2E_QUERY <n> <css selector>');
        // the matching elements of every frame are written to $KO_E2E_PROBE_DIR/<n>.json.
        const query = msg.match(/^E2E_QUERY ([\w-]+) (.+)$/);
        if (query) return queryFrames(page, query[2]).then(r => { const f = path.join(probeDir, `${query[1]}.json`); fs.writeFileSync(`${f}.tmp`, JSON.stringify(r)); fs.renameSync(`${f}.tmp`, f); });
        if (process.env.VERBOSE || (!NOISE.test(msg) && type !== 'warn')) console.log(msg);
    });
    await page.exposeFunction('codeAutomationExit', code => finish(code));
    const remote = p => `vscode-remote://127.0.0.1:${port}${p}`; // authority = the host:port the page was opened with
    const payload = [['extensionDevelopmentPath', remote(EXT_DIR)], ['extensionTestsPath', remote(TESTS)], ['skipWelcome', 'true']];
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(WORKSPACE)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    console.log(el(), 'workbench loading');
    const code = await Promise.race([finished, new Promise(r => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
    if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT }).catch(() => {});
    await browser.close().catch(() => {});
    cleanup();
    if (code === 'timeout') console.log(el(), `TIMEOUT after ${TIMEOUT_MS} ms; see ${run}/code-server.log and ${run}/data/logs`);
    else console.log(el(), `extension host test runner exit code ${code}`);
    console.log(`vscode-e2e: ${result ? result.passes : 0} passed, ${result ? result.failures : (code === 0 ? 0 : 1)} failed${result && result.pending ? `, ${result.pending} skipped` : ''}`);
    if (code === 0 && result) fs.rmSync(run, { recursive: true, force: true });
    process.exit(code === 'timeout' ? 124 : code !== 0 ? 1 : result ? 0 : 1);
})().catch(e => {
    console.error('vscode-e2e harness error:', e);
    console.log('vscode-e2e: 0 passed, 1 failed');
    if (browser) browser.close().catch(() => {});
    cleanup();
    process.exit(2);
});
