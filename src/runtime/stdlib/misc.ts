// lib/sync (rings of sequential leases), lib/time (durations in nanoseconds, Sleep) and
// lib/web/xml (XML element trees rendered like the reference's Go gates).
import { registerGate } from '../gate-registry.js';
import { KoCancelled, KoRuntimeError } from '../errors.js';
import { int64, lift, opaque, str, type Value } from '../values.js';
import { lib, optIntArg, stringArg, stringsArg } from './args.js';

// ---- sync: a ring hands out lease numbers 0, 1, 2, ... in order.
registerGate(lib('sync'), 'GoMakeRing', args => {
    const ring = { cap: Number(optIntArg(args, 'cap') ?? 0n), next: 0n };
    return opaque('sync.Ring', ring, () => `sync.Ring(cap: ${ring.cap})`);
});
registerGate(lib('sync'), 'GoRingLease', args => {
    const conn = args.get('conn');
    if (conn.kind !== 'opaque' || conn.typeName !== 'sync.Ring') throw new KoRuntimeError('GoRingLease expects a ring');
    const ring = conn.value as { next: bigint };
    return int64(ring.next++);
});

// ---- time: durations are Int64 nanoseconds.
const T = lib('time');
const SECOND = 1_000_000_000n;
registerGate(T, 'GoSleep', (args, ctx) => {
    const d = optIntArg(args, 'duration') ?? 0n;
    return new Promise<Value>((resolve, reject) => {
        const timer = setTimeout(() => resolve(int64(d)), Number(d / 1_000_000n));
        ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(new KoCancelled()); }, { once: true });
    });
});
registerGate(T, 'GoSecond', args => int64((optIntArg(args, 'scale') ?? 1n) * SECOND));
registerGate(T, 'GoMinute', args => int64((optIntArg(args, 'scale') ?? 1n) * 60n * SECOND));
registerGate(T, 'GoHour', args => int64((optIntArg(args, 'scale') ?? 1n) * 3600n * SECOND));
registerGate(T, 'GoFormatDurationSeconds', args => str(String(Number(optIntArg(args, 'duration') ?? 0n) / 1e9)));
registerGate(T, 'GoFormatDurationMilliseconds', args => str(String(Number(optIntArg(args, 'duration') ?? 0n) / 1e6)));

// ---- web/xml
type XmlNode =
    | { kind: 'tag'; tag: string; attrs: string[]; children: XmlNode[] }
    | { kind: 'doctype'; text: string }
    | { kind: 'text'; text: string }
    | { kind: 'group'; elems: XmlNode[] };

const X = lib('web/xml');
const xmlValue = (node: XmlNode) => opaque('xml.Element', node, () => `xml.Element(${JSON.stringify(render(node))})`);
function nodes(v: Value): XmlNode[] {
    return lift(v).map(x => {
        if (x.kind === 'opaque' && x.typeName === 'xml.Element') return x.value as XmlNode;
        throw new KoRuntimeError('expecting an XML element');
    });
}
function escapeText(s: string): string {
    return s.replace(/[&<>"'\t\n\r]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c]!);
}
function render(n: XmlNode): string {
    switch (n.kind) {
        case 'tag':
            return n.children.length === 0
                ? `<${n.tag} ${n.attrs.join(' ')} />`
                : `<${n.tag} ${n.attrs.join(' ')}>${n.children.map(render).join(' ')}</${n.tag}>`;
        case 'doctype': return `<!DOCTYPE ${n.text}>`;
        case 'text': return escapeText(n.text);
        case 'group': return n.elems.map(render).join(' ');
    }
}
registerGate(X, 'GoTagElement', args => xmlValue({ kind: 'tag', tag: stringArg(args, 'tag'), attrs: stringsArg(args, 'attrs'), children: nodes(args.get('children')) }));
registerGate(X, 'GoDocTypeElement', args => xmlValue({ kind: 'doctype', text: stringArg(args, 'string') }));
registerGate(X, 'GoTextElement', args => xmlValue({ kind: 'text', text: stringArg(args, 'string') }));
registerGate(X, 'GoGroupElement', args => xmlValue({ kind: 'group', elems: nodes(args.get('elem')) }));
registerGate(X, 'GoRenderElement', args => str(nodes(args.get('elem')).map(render).join('')));
