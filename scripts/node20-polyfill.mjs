// Node 20 polyfill for Object.groupBy / Map.groupBy, which chevrotain 13 (Langium 4.4) calls.
// System Node on our machines and in CI is 20; VS Code's extension host (Node 22+) never needs it.
if (typeof Object.groupBy !== 'function') {
    Object.groupBy = function (items, cb) {
        const out = Object.create(null); let i = 0;
        for (const it of items) { const k = cb(it, i++); (out[k] ??= []).push(it); }
        return out;
    };
}
if (typeof Map.groupBy !== 'function') {
    Map.groupBy = function (items, cb) {
        const out = new Map(); let i = 0;
        for (const it of items) { const k = cb(it, i++); if (!out.has(k)) out.set(k, []); out.get(k).push(it); }
        return out;
    };
}
