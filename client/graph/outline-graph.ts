// A GraphResult built from the client's outline, used when the language server cannot answer
// `ko/graph` (not started yet, older server, or a request error). Edges come from the names a
// step's formula mentions that are labels or parameters of the same function. Pure.
import type { GraphEdge, GraphNode, GraphResult } from '../../src/protocol/ko-protocol.js';
import { scanOutline } from '../outline.js';
import { functionId } from '../status/status-reducer.js';

export function outlineGraph(uri: string, version: number, text: string, packagePath: string): GraphResult {
    return {
        uri, version,
        functions: scanOutline(text).map(fn => {
            const id = functionId(packagePath, fn.name);
            const nodes: GraphNode[] = fn.params.map(p => ({
                id: `${id}/(${p})`, kind: 'param', label: p, range: fn.nameRange, labelRange: fn.nameRange,
            }));
            const idOf = new Map<string, string>(fn.params.map(p => [p, `${id}/(${p})`]));
            for (const s of fn.steps) {
                // A step shadowing a parameter: references go to the parameter (language reference §3.4).
                if (!idOf.has(s.label)) idOf.set(s.label, `${id}/${s.label}`);
                const formula = s.text.slice(s.text.indexOf(':') + 1).trim();
                nodes.push({
                    id: `${id}/${s.label}`, kind: s.label === 'return' ? 'return' : 'step', label: s.label,
                    range: s.range, labelRange: s.labelRange, formula: formula.length > 60 ? formula.slice(0, 59) + '…' : formula,
                });
            }
            const edges: GraphEdge[] = [];
            for (const s of fn.steps) {
                const formula = s.text.slice(s.text.indexOf(':') + 1).replace(/"(?:\\.|[^"\\])*"|`[^`]*`/g, ' ');
                const seen = new Set<string>();
                // A name followed by ':' is an argument name, not a reference; `.x` is a field selection.
                for (const m of formula.matchAll(/(?<![\p{L}\p{Nd}_.])([_\p{L}][_\p{L}\p{Nd}]*)(?!\s*:)/gu)) {
                    const from = idOf.get(m[1]!);
                    const to = `${id}/${s.label}`;
                    if (from && from !== to && !seen.has(from)) { seen.add(from); edges.push({ from, to }); }
                }
            }
            return { id, name: fn.name, packagePath, uri, range: fn.range, inline: false, nodes, edges };
        }),
    };
}
