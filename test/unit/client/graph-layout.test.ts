// Unit tests of the outline fallback graph and the ELK layout (run in-process here; the
// extension runs the same code in a worker thread).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { elkGraphFor, fastLayered, layoutGraph, topologyKey, type ElkLike, type FunctionLayout } from '../../../client/graph/layout.js';
import { outlineGraph } from '../../../client/graph/outline-graph.js';

const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => ElkLike;

const src = `Main(n) {
    a: Load(path: "x")
    b: Train(data: a, epochs: n)
    c: Eval(model: b, data: a)
    return: (model: b, score: c)
}
Other() { return: 1 }`;

describe('outline graph', () => {
    const g = outlineGraph('file:///w/p/m.ko', 3, src, 'p');
    it('has parameter, step and return nodes with runtime ids', () => {
        expect(g.functions.map(f => f.id)).toEqual(['p.Main', 'p.Other']);
        expect(g.functions[0]!.nodes.map(n => `${n.kind}:${n.id}`)).toEqual([
            'param:p.Main/(n)', 'step:p.Main/a', 'step:p.Main/b', 'step:p.Main/c', 'return:p.Main/return']);
        expect(g.functions[0]!.nodes[2]!.formula).toBe('Train(data: a, epochs: n)');
    });
    it('derives edges from references, not from argument names or strings', () => {
        const edges = g.functions[0]!.edges.map(e => `${e.from.split('/')[1]}->${e.to.split('/')[1]}`);
        expect(edges.sort()).toEqual(['(n)->b', 'a->b', 'a->c', 'b->c', 'b->return', 'c->return'].sort());
    });
});

describe('layout', () => {
    const g = outlineGraph('file:///w/p/m.ko', 3, src, 'p');
    it('places every node top-down in per-function groups', async () => {
        const layout = await layoutGraph(g, new ELK());
        expect(layout.groups.map(x => x.label)).toEqual(['Main', 'Other']);
        expect(layout.nodes).toHaveLength(6);
        const y = (id: string) => layout.nodes.find(n => n.id === id)!.y;
        expect(y('p.Main/a')).toBeLessThan(y('p.Main/b'));
        expect(y('p.Main/b')).toBeLessThan(y('p.Main/c'));
        expect(y('p.Main/c')).toBeLessThan(y('p.Main/return'));
        expect(layout.groups[1]!.y).toBeGreaterThanOrEqual(layout.groups[0]!.y + layout.groups[0]!.height);
        expect(layout.edges).toHaveLength(6);
        for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
        expect(layout.width).toBeGreaterThan(0);
    });
    it('keys the layout cache by topology only', () => {
        const g2 = outlineGraph('file:///w/p/m.ko', 4, src.replace('"x"', '"y"'), 'p');
        expect(topologyKey(g2)).toBe(topologyKey(g));
        const g3 = outlineGraph('file:///w/p/m.ko', 5, src.replace('data: a)', 'data: b)'), 'p');
        expect(topologyKey(g3)).not.toBe(topologyKey(g));
        expect(elkGraphFor(g.functions[0]!).edges).toHaveLength(6);
    });
    it('lays out a 500-step pipeline in reasonable time', async () => {
        const lines = ['Big() {', '    s0: Load()'];
        for (let i = 1; i < 500; i++) lines.push(`    s${i}: Step(in: s${i - 1}${i % 7 === 0 ? `, side: s${Math.floor(i / 2)}` : ''})`);
        lines.push('    return: s499', '}');
        const big = outlineGraph('file:///big.ko', 1, lines.join('\n'), '');
        const started = Date.now();
        const layout = await layoutGraph(big, new ELK());
        const ms = Date.now() - started;
        console.log(`layout of ${layout.nodes.length} nodes / ${layout.edges.length} edges: ${ms} ms`);
        expect(layout.nodes).toHaveLength(501);
        expect(ms).toBeLessThan(20_000);
    });
    it('lays out a 1,000-node DAG in under a second (the fast layered layout) and every edge goes down', async () => {
        const lines = ['Big() {', '    s0: Load()'];
        for (let i = 1; i < 999; i++) lines.push(`    s${i}: Step(in: s${i - 1}${i % 7 === 0 ? `, side: s${Math.floor(i / 2)}` : ''})`);
        lines.push('    return: s998', '}');
        const big = outlineGraph('file:///big.ko', 1, lines.join('\n'), '');
        const started = performance.now();
        const layout = await layoutGraph(big, new ELK());
        const ms = performance.now() - started;
        console.log(`fast layout of ${layout.nodes.length} nodes / ${layout.edges.length} edges: ${ms.toFixed(0)} ms`);
        expect(layout.nodes).toHaveLength(1000);
        expect(ms).toBeLessThan(1000);
        const at = new Map(layout.nodes.map(n => [n.id, n]));
        for (const e of layout.edges) expect(at.get(e.to)!.y).toBeGreaterThan(at.get(e.from)!.y);
        // No two nodes overlap within a layer.
        const rows = new Map<number, { x: number; width: number }[]>();
        for (const n of layout.nodes) rows.set(n.y, [...(rows.get(n.y) ?? []), n]);
        for (const row of rows.values()) {
            row.sort((a, b) => a.x - b.x);
            for (let i = 1; i < row.length; i++) expect(row[i]!.x).toBeGreaterThanOrEqual(row[i - 1]!.x + row[i - 1]!.width);
        }
    });
    it('the fast layout survives a cycle and puts parallel steps side by side', () => {
        const g = outlineGraph('file:///c.ko', 1, 'Main() {\n    a: F(b)\n    b: G(a)\n    c: H(a)\n    d: H(a)\n    return: (c, d)\n}', '');
        const l = fastLayered(g.functions[0]!);
        expect(l.nodes).toHaveLength(5);
        const c = l.nodes.find(n => n.id === 'Main/c')!, d = l.nodes.find(n => n.id === 'Main/d')!;
        expect(c.y).toBe(d.y);
        expect(c.x).not.toBe(d.x);
    });
    it('re-lays out only the function an edit changed (per-function cache)', async () => {
        const two = 'A() {\n    x: F()\n    return: x\n}\nB() {\n    y: G()\n    return: y\n}';
        const cache = new Map<string, FunctionLayout>();
        const stats = { computed: 0, cached: 0 };
        let calls = 0;
        const elk = new ELK();
        const counting: ElkLike = { layout: g => { calls++; return elk.layout(g); } };
        await layoutGraph(outlineGraph('file:///t.ko', 1, two, ''), counting, { cache, stats });
        expect(stats).toEqual({ computed: 2, cached: 0 });
        await layoutGraph(outlineGraph('file:///t.ko', 2, two.replace('y: G()\n', 'y: G()\n    z: H(y)\n'), ''), counting, { cache, stats });
        expect(stats).toEqual({ computed: 3, cached: 1 });
        expect(calls).toBe(3);
    });
});
