// lib/integer gates: GoFormatInt64 (strconv.FormatInt) and GoPermuteInt64 (a seeded permutation;
// deterministic per seed, though not the same sequence as Go's math/rand).
import { registerGate } from '../gate-registry.js';
import { KoRuntimeError } from '../errors.js';
import { int64, seq, str } from '../values.js';
import { lib, optIntArg } from './args.js';

const P = lib('integer');

registerGate(P, 'GoFormatInt64', args => {
    const n = optIntArg(args, 'int64') ?? 0n;
    const base = Number(optIntArg(args, 'base') ?? 10n);
    if (base < 2 || base > 36) throw new KoRuntimeError(`strconv: illegal base ${base}`);
    return str(n.toString(base));
});

registerGate(P, 'GoPermuteInt64', args => {
    const len = Number(optIntArg(args, 'len') ?? 0n);
    let state = BigInt.asUintN(64, optIntArg(args, 'seed') ?? 0n) || 0x9e3779b97f4a7c15n;
    // xorshift64*: small, seedable, good enough for shuffling test data.
    const next = () => {
        state ^= state >> 12n; state ^= BigInt.asUintN(64, state << 25n); state ^= state >> 27n;
        return BigInt.asUintN(64, state * 0x2545f4914f6cdd1dn);
    };
    const perm = Array.from({ length: Math.max(0, len) }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
        const j = Number(next() % BigInt(i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return seq(perm.map(i => int64(i)));
});
