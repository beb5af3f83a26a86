// Inputs shared by the fuzz-style tests: a reproducible PRNG, a token vocabulary that covers
// every lexical class plus common mistakes, and random edits of valid files.

/** A small deterministic PRNG so a failure can be reproduced from its seed. */
export function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

export const FUZZ_TOKENS = ['F', 'G', 'x', 'return', 'import', 'use', 'as', 'true', '_', '(', ')', '[', ']', '{', '}', ':', '.', '-', '?', ',', ';', '\n', '\n',
    '1', '2.5', '.5', '1e3', '0x1', '"s"', '"a\\qb"', '"open', '`raw`', '`open', '// c\n', '/* c */', '/* open', '+', '@', '\'c\'', '日本', ' ', '\t', '\r\n',
    'user', 'assert', '\r'];

/** Up to `maxEdits` random deletions, token insertions and duplicated stretches. */
export function mutate(text: string, random: () => number, maxEdits: number): string {
    const edits = 1 + Math.floor(random() * maxEdits);
    for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * text.length);
        const kind = random();
        if (kind < 0.35) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
        else if (kind < 0.7) text = text.slice(0, at) + FUZZ_TOKENS[Math.floor(random() * FUZZ_TOKENS.length)] + text.slice(at);
        else { const len = Math.floor(random() * 40); text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at); }
    }
    return text;
}
