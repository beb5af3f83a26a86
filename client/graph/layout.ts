// Graph layout with ELK (layered, top-down): converts each function of a GraphResult into an
// ELK graph, runs the engine given to it (in a worker thread in the extension, directly in
// unit tests) and stacks the functions into one GraphLayout. Big functions use a linear-time
// layered layout instead; every function's layout is cached by its own topology. Pure apart
// from the engine call.
import type { GraphFunction, GraphLayout, GraphLayoutEdge, GraphLayoutGroup, GraphLayoutNode, GraphResult } from '../../src/protocol/ko-protocol.js';

export interface ElkLike {
    layout(graph: ElkGraph): Promise<ElkGraph>;
}
export interface ElkGraph {
    id: string;
    x?: number; y?: number; width?: number; height?: number;
    layoutOptions?: Record<string, string>;
    children?: ElkGraph[];
    edges?: { id: string; sources: string[]; targets: string[]; sections?: { startPoint: Pt; endPoint: Pt; bendPoints?: Pt[] }[] }[];
}
type Pt = { x: number; y: number };

const CHAR_W = 7.2, NODE_H = 44, PAD = 16, GROUP_TITLE = 28, GROUP_GAP = 32;

/** Room on the label line for the status text ("running 12s", "failed (exit 2)"). */
const STATUS_CHARS = 15;

/** Node size from its texts (label + status, shortened formula), so texts fit at the default zoom. */
export function nodeSize(label: string, formula?: string, withStatus = true): { width: number; height: number } {
    const chars = Math.max(label.length + (withStatus ? STATUS_CHARS : 0), Math.min(formula?.length ?? 0, 32));
    return { width: Math.round(Math.max(72, chars * CHAR_W + 24)), height: formula ? NODE_H : 30 };
}

export function elkGraphFor(fn: GraphFunction): ElkGraph {
    const ids = new Set(fn.nodes.map(n => n.id));
    return {
        id: fn.id,
        layoutOptions: {
            'elk.algorithm': 'layered',
            'elk.direction': 'DOWN',
            'elk.edgeRouting': 'ORTHOGONAL',
            'elk.layered.spacing.nodeNodeBetweenLayers': '28',
            'elk.spacing.nodeNode': '20',
            // Keep the picture close to source order so it reads like the code.
            'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
            // The fast profile: big generated pipelines must stay interactive.
            ...(fn.nodes.length > 300 ? { 'elk.layered.thoroughness': '1', 'elk.layered.nodePlacement.strategy': 'SIMPLE' } : {}),
        },
        children: fn.nodes.map(n => ({ id: n.id, ...(n.kind === 'param' ? nodeSize(n.label, undefined, false) : nodeSize(n.label, n.formula)) })),
        edges: fn.edges.filter(e => ids.has(e.from) && ids.has(e.to) && e.from !== e.to)
            .map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
    };
}

/** One function laid out in its own coordinates (origin at its top-left corner). */
export interface FunctionLayout { width: number; height: number; nodes: GraphLayoutNode[]; edges: GraphLayoutEdge[]; engine: 'elk' | 'fast' }

/**
 * ELK (layered, the nicer picture) is used while a file is small: at most this many nodes in
 * the function and in the whole graph. Bigger ones are laid out by `fastLayered` (linear
 * time): on this 2-core machine ELK takes seconds for a thousand nodes, even when they are
 * spread over 20 functions of 50 (long edges make many dummy nodes).
 */
export const FAST_LAYOUT_THRESHOLD = 150;
export const FAST_LAYOUT_GRAPH_THRESHOLD = 300;

export interface LayoutOptions {
    /** Per-function layouts by `functionKey`: an edit re-lays out only the function it changed. */
    cache?: Map<string, FunctionLayout>;
    /** 'auto' (default): ELK up to FAST_LAYOUT_THRESHOLD nodes per function and FAST_LAYOUT_GRAPH_THRESHOLD in all, else the fast layered layout. */
    engine?: 'auto' | 'elk' | 'fast';
    /** Counts of functions computed / served from the cache (read by tests and the bench). */
    stats?: { computed: number; cached: number };
}
const CACHE_LIMIT = 500;

/**
 * Lays out every function separately (each one cached by its own topology) and stacks them
 * vertically, each in a titled group box: composing is linear, so only changed functions cost.
 */
export async function layoutGraph(graph: GraphResult, elk: ElkLike, options: LayoutOptions = {}): Promise<GraphLayout> {
    const groups: GraphLayoutGroup[] = [], nodes: GraphLayoutNode[] = [], edges: GraphLayoutEdge[] = [];
    let y = 0, width = 0;
    const total = graph.functions.reduce((sum, f) => sum + f.nodes.length, 0);
    const engine = options.engine === 'elk' || options.engine === 'fast' ? options.engine : total > FAST_LAYOUT_GRAPH_THRESHOLD ? 'fast' : 'auto';
    for (const fn of graph.functions) {
        const res = await layoutFunction(fn, elk, { ...options, engine });
        const ox = PAD, oy = y + GROUP_TITLE;
        const gw = Math.max(res.width, fn.name.length * CHAR_W + 40) + 2 * PAD, gh = res.height + GROUP_TITLE + PAD;
        groups.push({ id: fn.id, label: fn.name, x: 0, y, width: gw, height: gh });
        for (const n of res.nodes) nodes.push({ ...n, x: n.x + ox, y: n.y + oy });
        for (const e of res.edges) edges.push({ from: e.from, to: e.to, points: e.points.map(p => ({ x: p.x + ox, y: p.y + oy })) });
        y += gh + GROUP_GAP;
        width = Math.max(width, gw);
    }
    return { width, height: Math.max(0, y - GROUP_GAP), groups, nodes, edges };
}

export async function layoutFunction(fn: GraphFunction, elk: ElkLike, options: LayoutOptions = {}): Promise<FunctionLayout> {
    const engine = options.engine === 'elk' || options.engine === 'fast' ? options.engine : fn.nodes.length > FAST_LAYOUT_THRESHOLD ? 'fast' : 'elk';
    const key = options.cache ? `${engine}\n${functionKey(fn)}` : '';
    const hit = options.cache?.get(key);
    if (hit) {
        if (options.stats) options.stats.cached++;
        // Refresh its place in the LRU order.
        options.cache!.delete(key); options.cache!.set(key, hit);
        return hit;
    }
    const res = engine === 'fast' ? fastLayered(fn) : await elkLayout(fn, elk);
    if (options.stats) options.stats.computed++;
    if (options.cache) {
        if (options.cache.size >= CACHE_LIMIT) options.cache.delete(options.cache.keys().next().value!);
        options.cache.set(key, res);
    }
    return res;
}

async function elkLayout(fn: GraphFunction, elk: ElkLike): Promise<FunctionLayout> {
    const res = await elk.layout(elkGraphFor(fn));
    const nodes = (res.children ?? []).map(c => ({ id: c.id, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 }));
    const edges: GraphLayoutEdge[] = [];
    for (const e of res.edges ?? []) {
        const sec = e.sections?.[0];
        if (sec) edges.push({ from: e.sources[0]!, to: e.targets[0]!, points: [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint].map(p => ({ x: p.x, y: p.y })) });
    }
    return { width: res.width ?? 0, height: res.height ?? 0, nodes, edges, engine: 'elk' };
}

const LAYER_GAP = 28, NODE_GAP = 20;

/**
 * A linear-time layered (Sugiyama-style) layout for big functions: longest-path layers from the
 * sources (edges against a cycle are ignored), source order within a layer refined by two
 * barycentre sweeps, layers centred, edges drawn as orthogonal polylines through the gap below
 * their source. Top-down like the ELK layout, so big and small functions read the same way.
 */
export function fastLayered(fn: GraphFunction): FunctionLayout {
    const index = new Map(fn.nodes.map((n, i) => [n.id, i]));
    const n = fn.nodes.length;
    const sizes = fn.nodes.map(x => x.kind === 'param' ? nodeSize(x.label, undefined, false) : nodeSize(x.label, x.formula));
    const edges = fn.edges.map(e => [index.get(e.from), index.get(e.to)] as const)
        .filter((e): e is readonly [number, number] => e[0] !== undefined && e[1] !== undefined && e[0] !== e[1]);
    const outs: number[][] = Array.from({ length: n }, () => []), ins: number[][] = Array.from({ length: n }, () => []);
    const indeg = new Array<number>(n).fill(0);
    for (const [a, b] of edges) { outs[a]!.push(b); ins[b]!.push(a); indeg[b]!++; }
    // Kahn's order; nodes left on a cycle are appended in source order.
    const layer = new Array<number>(n).fill(0), done = new Array<boolean>(n).fill(false);
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
    for (let next = 0; ;) {
        while (next < queue.length) {
            const v = queue[next++]!;
            done[v] = true;
            for (const w of outs[v]!) { if (done[w]) continue; layer[w] = Math.max(layer[w]!, layer[v]! + 1); if (--indeg[w]! === 0) queue.push(w); }
        }
        const stuck = done.indexOf(false);
        if (stuck < 0) break;
        indeg[stuck] = -1; queue.push(stuck);
    }
    const layers: number[][] = Array.from({ length: n ? Math.max(...layer) + 1 : 0 }, () => []);
    for (let i = 0; i < n; i++) layers[layer[i]!]!.push(i);
    const pos = new Array<number>(n).fill(0);
    const renumber = () => { for (const l of layers) l?.forEach((v, i) => { pos[v] = i; }); };
    renumber();
    // Barycentre sweeps: down (by predecessors) then up (by successors); ties keep source order.
    for (const [from, to, step, nb] of [[1, layers.length, 1, ins], [layers.length - 2, -1, -1, outs]] as const) {
        for (let l = from; l !== to; l += step) {
            const L = layers[l];
            if (!L || L.length < 2) continue;
            const bary = new Map(L.map(v => {
                const ns = nb[v]!.filter(u => layer[u] !== l);
                return [v, ns.length ? ns.reduce((s, u) => s + pos[u]!, 0) / ns.length : pos[v]!] as const;
            }));
            L.sort((a, b) => bary.get(a)! - bary.get(b)! || a - b);
            L.forEach((v, i) => { pos[v] = i; });
        }
    }
    const x = new Array<number>(n).fill(0), y = new Array<number>(n).fill(0);
    const widths = layers.map(L => (L ?? []).reduce((s, v) => s + sizes[v]!.width, 0) + NODE_GAP * Math.max(0, (L?.length ?? 0) - 1));
    const width = Math.max(0, ...widths);
    const heights = layers.map(L => Math.max(0, ...(L ?? []).map(v => sizes[v]!.height)));
    let top = 0;
    layers.forEach((L, l) => {
        let left = (width - widths[l]!) / 2;
        for (const v of L ?? []) { x[v] = left; y[v] = top; left += sizes[v]!.width + NODE_GAP; }
        top += heights[l]! + LAYER_GAP;
    });
    const height = Math.max(0, top - LAYER_GAP);
    const out: GraphLayoutEdge[] = edges.map(([a, b]) => {
        const sx = x[a]! + sizes[a]!.width / 2, sy = y[a]! + sizes[a]!.height;
        const tx = x[b]! + sizes[b]!.width / 2, ty = y[b]!;
        // Each source of a layer turns at its own height in the gap, so the horizontal runs of
        // different sources do not merge into one ambiguous line.
        const mid = y[a]! + heights[layer[a]!]! + 6 + (pos[a]! % 5) * 4;
        const points = sx === tx || ty <= sy ? [{ x: sx, y: sy }, { x: tx, y: ty }] : [{ x: sx, y: sy }, { x: sx, y: mid }, { x: tx, y: mid }, { x: tx, y: ty }];
        return { from: fn.nodes[a]!.id, to: fn.nodes[b]!.id, points };
    });
    return {
        width, height, engine: 'fast', edges: out,
        nodes: fn.nodes.map((node, i) => ({ id: node.id, x: x[i]!, y: y[i]!, width: sizes[i]!.width, height: sizes[i]!.height })),
    };
}

/** What one function's layout depends on: node ids, kinds, sizes and edges. */
export function functionKey(fn: GraphFunction): string {
    return JSON.stringify([fn.id, fn.nodes.map(n => [n.id, n.label, n.kind === 'param' ? '' : (n.formula ?? '').length, n.kind === 'param' ? 1 : 0]), fn.edges.map(e => [e.from, e.to])]);
}

/**
 * What the layout depends on: node ids, sizes and edges. Edits that keep the shape (a changed
 * literal, a comment) reuse the cached layout, and status updates never trigger a layout.
 */
export function topologyKey(graph: GraphResult): string {
    return graph.functions.map(functionKey).join('\n');
}
