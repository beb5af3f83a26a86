// Graph layout with ELK (layered, top-down): converts each function of a GraphResult into an
// ELK graph, runs the engine given to it (in a worker thread in the extension, directly in
// unit tests) and stacks the functions into one GraphLayout. Pure apart from the engine call.
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

/** Lays out every function and stacks them vertically, each in a titled group box. */
export async function layoutGraph(graph: GraphResult, elk: ElkLike): Promise<GraphLayout> {
    const groups: GraphLayoutGroup[] = [], nodes: GraphLayoutNode[] = [], edges: GraphLayoutEdge[] = [];
    let y = 0, width = 0;
    for (const fn of graph.functions) {
        const input = elkGraphFor(fn);
        const res = await elk.layout(input);
        const ox = PAD, oy = y + GROUP_TITLE;
        const gw = Math.max(res.width ?? 0, fn.name.length * CHAR_W + 40) + 2 * PAD, gh = (res.height ?? 0) + GROUP_TITLE + PAD;
        groups.push({ id: fn.id, label: fn.name, x: 0, y, width: gw, height: gh });
        for (const c of res.children ?? []) nodes.push({ id: c.id, x: (c.x ?? 0) + ox, y: (c.y ?? 0) + oy, width: c.width ?? 0, height: c.height ?? 0 });
        for (const e of res.edges ?? []) {
            const sec = e.sections?.[0];
            if (!sec) continue;
            const pts = [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint].map(p => ({ x: p.x + ox, y: p.y + oy }));
            edges.push({ from: e.sources[0]!, to: e.targets[0]!, points: pts });
        }
        y += gh + GROUP_GAP;
        width = Math.max(width, gw);
    }
    return { width, height: Math.max(0, y - GROUP_GAP), groups, nodes, edges };
}

/**
 * What the layout depends on: node ids, sizes and edges. Edits that keep the shape (a changed
 * literal, a comment) reuse the cached layout, and status updates never trigger a layout.
 */
export function topologyKey(graph: GraphResult): string {
    return JSON.stringify(graph.functions.map(f => [f.id, f.nodes.map(n => [n.id, n.label, n.kind === 'param' ? '' : (n.formula ?? '').length]), f.edges.map(e => [e.from, e.to])]));
}
