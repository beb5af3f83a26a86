import { describe, expect, it } from 'vitest';
import { evalKo, runKo } from './helpers.js';

describe('smoke', () => {
    it('evaluates literals and calls', async () => {
        expect(await evalKo('Sum(1, 2, 3)')).toBe('6');
        expect(await evalKo('(a: 1, b: "x")')).toBe('(a: 1, b: "x")');
        expect(await evalKo('(1, 2)')).toBe('(1, 2)');
    });
    it('fib(20) quickly', async () => {
        const src = `
Fib(n?) {
	return: Yield(if: Less(n, 2), then: Return[n], else: fibSum[n: n])()
}
fibSum(n) {
	a: Fib(Sum(n, -1))
	b: Fib(Sum(n, -2))
	return: Sum(a, b)
}
Main() { return: Fib(20) }
`;
        const t0 = performance.now();
        const r = await runKo(src);
        const ms = performance.now() - t0;
        console.log('fib(20) ms', ms);
        expect(r.printed).toBe('6765');
    });
});
