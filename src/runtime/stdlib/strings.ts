// lib/strings gates (§5): Join, Split, Len, Equal, Contains, HasPrefix, HasSuffix, Upper, Lower,
// Quote, and string trees (Tree/Flush) for cheap concatenation.
import { registerGate } from '../gate-registry.js';
import { KoRuntimeError } from '../errors.js';
import { bool, goQuote, int64, lift, opaque, seq, str, type Value } from '../values.js';
import { lib, optStringArg, stringArg, stringsArg } from './args.js';

const P = lib('strings');

registerGate(P, 'Join', args => str(stringsArg(args, 'string').join(stringArg(args, 'delimiter'))));
registerGate(P, 'Split', args => seq(stringArg(args, 'string').split(optStringArg(args, 'separator') ?? '/').map(str)));
registerGate(P, 'Len', args => int64(stringsArg(args, 'string').reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0)));
registerGate(P, 'Equal', args => { const s = stringsArg(args, 'string'); return bool(s.every(x => x === s[0])); });
registerGate(P, 'Contains', args => bool(stringArg(args, 'string').includes(stringArg(args, 'subString'))));
registerGate(P, 'HasPrefix', args => bool(stringArg(args, 'string').startsWith(stringArg(args, 'prefix'))));
registerGate(P, 'HasSuffix', args => bool(stringArg(args, 'string').endsWith(stringArg(args, 'suffix'))));
registerGate(P, 'Upper', args => str(stringArg(args, 'string').toUpperCase()));
registerGate(P, 'Lower', args => str(stringArg(args, 'string').toLowerCase()));
registerGate(P, 'Quote', args => str(goQuote(stringArg(args, 'string'))));

interface StringTree { delimiter: string; prefix: string[]; middle: StringTree[]; suffix: string[] }

function treeOf(v: Value): StringTree {
    if (v.kind === 'opaque' && v.typeName === 'strings.Tree') return v.value as StringTree;
    throw new KoRuntimeError('expecting a string tree (strings.Tree)');
}

registerGate(P, 'Tree', args => {
    const tree: StringTree = {
        delimiter: stringArg(args, 'delimiter'), prefix: stringsArg(args, 'prefix'),
        middle: lift(args.get('middle')).map(treeOf), suffix: stringsArg(args, 'suffix'),
    };
    return opaque('strings.Tree', tree, () => `strings.Tree(${goQuote(flush(tree))})`);
});

function flush(tree: StringTree): string {
    return tree.prefix.join('') + tree.middle.map(flush).join(tree.delimiter) + tree.suffix.join('');
}

registerGate(P, 'Flush', args => str(lift(args.get('tree')).map(v => flush(treeOf(v))).join('')));
