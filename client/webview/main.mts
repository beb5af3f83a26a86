// The graph webview (runs in the browser, bundled by client/build.mjs to dist/client/webview.js).
// It only draws what the extension sends (graph + precomputed layout + status) and reports
// gestures: click -> reveal, pan/zoom/fit, SVG export. Node texts are set with textContent
// only: labels and formulas come from user files.
import type { FromWebviewMessage, GraphLayout, GraphResult, GraphWebviewState, ToWebviewMessage, WebviewNodeStatus } from '../../src/protocol/ko-protocol.js';

interface VsCodeApi { postMessage(m: FromWebviewMessage): void; getState(): GraphWebviewState | undefined; setState(s: GraphWebviewState): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const canvas = document.getElementById('canvas') as unknown as SVGSVGElement;
const viewport = document.getElementById('viewport') as unknown as SVGGElement;
const message = document.getElementById('message')!;

let state: GraphWebviewState | undefined = vscode.getState();
let view = state?.viewport ?? { x: 0, y: 0, scale: 1 };
let current: { uri: string; layout: GraphLayout; graph: GraphResult } | undefined;
let statuses: Record<string, WebviewNodeStatus> = {};
let highlighted: string | null = null;
const nodeEls = new Map<string, SVGGElement>();

const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    parent?.appendChild(e);
    return e;
};

function applyView(persist = true): void {
    viewport.setAttribute('transform', `translate(${view.x} ${view.y}) scale(${view.scale})`);
    if (persist && current) {
        state = { uri: current.uri, viewport: { ...view } };
        vscode.setState(state);
        schedule(() => vscode.postMessage({ type: 'viewport', ...view }));
    }
}
let timer: number | undefined;
const schedule = (f: () => void) => { if (timer !== undefined) clearTimeout(timer); timer = setTimeout(f, 200) as unknown as number; };

function fit(): void {
    if (!current) return;
    const { width, height } = current.layout;
    const box = canvas.getBoundingClientRect();
    const top = 40; // keep clear of the toolbar
    const availW = Math.max(50, box.width - 20), availH = Math.max(50, box.height - top - 10);
    const scale = Math.min(2, Math.max(0.05, Math.min(availW / Math.max(1, width), availH / Math.max(1, height))));
    view = { scale, x: (box.width - width * scale) / 2, y: top + (availH - height * scale) / 2 };
    applyView();
}

function zoomAt(factor: number, cx: number, cy: number): void {
    const scale = Math.min(4, Math.max(0.05, view.scale * factor));
    const k = scale / view.scale;
    view = { scale, x: cx - (cx - view.x) * k, y: cy - (cy - view.y) * k };
    applyView();
}

function render(graph: GraphResult, layout: GraphLayout): void {
    viewport.replaceChildren();
    nodeEls.clear();
    const byId = new Map(graph.functions.flatMap(f => f.nodes).map(n => [n.id, n]));
    for (const g of layout.groups) {
        const group = el('g', { class: 'group', 'data-id': g.id }, viewport);
        el('rect', { x: g.x, y: g.y, width: g.width, height: g.height, rx: 6 }, group);
        el('text', { x: g.x + 10, y: g.y + 18 }, group).textContent = g.label;
    }
    for (const e of layout.edges) {
        const d = e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x} ${p.y}`).join(' ');
        el('path', { class: 'edge', d, 'marker-end': 'url(#arrow)', 'data-from': e.from, 'data-to': e.to }, viewport);
    }
    for (const n of layout.nodes) {
        const info = byId.get(n.id);
        const g = el('g', { class: `node ${info?.kind ?? 'step'}`, 'data-id': n.id, transform: `translate(${n.x} ${n.y})`, tabindex: 0, role: 'button' }, viewport);
        // VS Code's webview context menu (contributes.menus["webview/context"]) receives this object.
        if (info?.kind !== 'param') g.setAttribute('data-vscode-context', JSON.stringify({ webviewSection: 'node', nodeId: n.id, preventDefaultContextMenuItems: true }));
        el('title', {}, g).textContent = info?.formula ? `${info.label}: ${info.formula}` : (info?.label ?? n.id);
        el('rect', { width: n.width, height: n.height, rx: 4 }, g);
        el('text', { class: 'label', x: 10, y: 19 }, g).textContent = info?.label ?? n.id;
        if (info?.formula && info.kind !== 'param') {
            const f = info.formula.length > 32 ? info.formula.slice(0, 31) + '…' : info.formula;
            el('text', { class: 'formula', x: 10, y: 36 }, g).textContent = f;
        }
        el('text', { class: 'status', x: n.width - 6, y: 19, 'text-anchor': 'end' }, g);
        nodeEls.set(n.id, g);
    }
    paintStatus();
    paintHighlight();
}

function paintStatus(): void {
    for (const [id, g] of nodeEls) {
        const s = statuses[id];
        for (const c of [...g.classList]) if (c.startsWith('status-') || c === 'stale') g.classList.remove(c);
        if (s) { g.classList.add(`status-${s.status}`); if (s.stale) g.classList.add('stale'); }
        const t = g.querySelector('.status');
        if (t) t.textContent = s?.text ?? '';
    }
}

function paintHighlight(): void {
    for (const [id, g] of nodeEls) g.classList.toggle('highlighted', id === highlighted);
}

function exportSvg(): string {
    // A standalone SVG: the drawing with the current theme's colours resolved inline.
    const clone = canvas.cloneNode(true) as SVGSVGElement;
    const vp = clone.querySelector('#viewport')!;
    vp.removeAttribute('transform');
    const live = canvas.querySelectorAll('#viewport *');
    const copies = clone.querySelectorAll('#viewport *');
    live.forEach((node, i) => {
        const cs = getComputedStyle(node as Element);
        const copy = copies[i] as SVGElement;
        for (const p of ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight']) {
            const v = cs.getPropertyValue(p);
            if (v) copy.setAttribute(p, v);
        }
        copy.removeAttribute('tabindex'); copy.removeAttribute('role');
    });
    clone.querySelectorAll('.arrowhead').forEach(a => a.setAttribute('fill', getComputedStyle(canvas.querySelector('.arrowhead')!).fill));
    const w = current?.layout.width ?? 0, h = current?.layout.height ?? 0;
    clone.setAttribute('viewBox', `-8 -8 ${w + 16} ${h + 16}`);
    clone.setAttribute('width', String(w + 16)); clone.setAttribute('height', String(h + 16));
    clone.removeAttribute('id'); clone.removeAttribute('tabindex'); clone.removeAttribute('class');
    const bg = getComputedStyle(document.body).backgroundColor;
    const rect = document.createElementNS(SVG, 'rect');
    for (const [k, v] of Object.entries({ x: -8, y: -8, width: w + 16, height: h + 16, fill: bg })) rect.setAttribute(k, String(v));
    clone.insertBefore(rect, clone.firstChild);
    return new XMLSerializer().serializeToString(clone);
}

window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => {
    const m = e.data;
    switch (m.type) {
        case 'graph': {
            const sameDoc = current?.uri === m.uri || (!current && state?.uri === m.uri && state.viewport !== undefined);
            current = { uri: m.uri, layout: m.layout, graph: m.graph };
            render(m.graph, m.layout);
            message.textContent = m.error ?? (m.graph.functions.length ? '' : 'No functions in this file.');
            message.classList.toggle('error', !!m.error);
            // Live updates keep the user's view; a new document starts fitted.
            if (sameDoc) applyView(); else fit();
            break;
        }
        case 'status': statuses = m.statuses; paintStatus(); break;
        case 'highlight': highlighted = m.nodeId; paintHighlight(); break;
        case 'fit': fit(); break;
        case 'request-svg': vscode.postMessage({ type: 'svg', svg: exportSvg() }); break;
        case 'error': message.textContent = m.message; message.classList.add('error'); break;
    }
});

// Pan by dragging the background, zoom with the wheel (around the pointer), keys for a11y.
let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | undefined;
canvas.addEventListener('pointerdown', e => {
    if ((e.target as Element).closest('.node')) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
    canvas.classList.add('panning');
    canvas.setPointerCapture(e.pointerId);
});
canvas.addEventListener('pointermove', e => {
    if (!drag) return;
    view = { ...view, x: drag.vx + e.clientX - drag.x, y: drag.vy + e.clientY - drag.y };
    drag.moved = true;
    applyView(false);
});
canvas.addEventListener('pointerup', () => { if (drag?.moved) applyView(); drag = undefined; canvas.classList.remove('panning'); });
canvas.addEventListener('wheel', e => {
    e.preventDefault();
    const box = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - box.left, e.clientY - box.top);
}, { passive: false });
canvas.addEventListener('click', e => {
    const node = (e.target as Element).closest('.node');
    const id = node?.getAttribute('data-id');
    if (id) vscode.postMessage({ type: 'reveal', nodeId: id });
});
canvas.addEventListener('keydown', e => {
    const node = (e.target as Element).closest?.('.node');
    const id = node?.getAttribute('data-id');
    if (id && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); vscode.postMessage({ type: 'reveal', nodeId: id }); return; }
    const box = canvas.getBoundingClientRect();
    if (e.key === '+' || e.key === '=') zoomAt(1.2, box.width / 2, box.height / 2);
    else if (e.key === '-') zoomAt(1 / 1.2, box.width / 2, box.height / 2);
    else if (e.key === '0') fit();
});
document.getElementById('fit')!.addEventListener('click', () => fit());
document.getElementById('zoom-in')!.addEventListener('click', () => { const b = canvas.getBoundingClientRect(); zoomAt(1.25, b.width / 2, b.height / 2); });
document.getElementById('zoom-out')!.addEventListener('click', () => { const b = canvas.getBoundingClientRect(); zoomAt(0.8, b.width / 2, b.height / 2); });
document.getElementById('export')!.addEventListener('click', () => vscode.postMessage({ type: 'svg', svg: exportSvg() }));

applyView(false);
vscode.postMessage({ type: 'ready' });
