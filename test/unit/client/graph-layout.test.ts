// Unit tests of the outline fallback graph and the ELK layout (run in-process here; the
// extension runs the same code in a worker thread).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { elkGraphFor, layoutGraph, topologyKey, type ElkLike } from '../../../client/graph/layout.js';
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
});
