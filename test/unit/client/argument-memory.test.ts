// Unit tests of the per-function argument memory and the argv <-> text round trip.
import { describe, expect, it } from 'vitest';
import { ArgumentMemory, joinArgs, type KeyValueStore } from '../../../client/run/argument-memory.js';
import { splitArgs } from '../../../client/run/run-command.js';

function memento(): KeyValueStore {
    const m = new Map<string, unknown>();
    return {
        get: <T>(k: string) => m.get(k) as T | undefined,
        update: async (k: string, v: unknown) => { if (v === undefined) m.delete(k); else m.set(k, v); },
        keys: () => [...m.keys()],
    };
}

describe('ArgumentMemory', () => {
    it('remembers per function and forgets one or all', async () => {
        const store = memento();
        const mem = new ArgumentMemory(store);
        expect(mem.args('p.Greet')).toBeUndefined();
        await mem.remember('p.Greet', 'name="big world" punct=!');
        await mem.remember('p.Other', '');
        await store.update('unrelated', 1);
        expect(mem.args('p.Greet')).toEqual(['name=big world', 'punct=!']);
        expect(mem.args('p.Other')).toEqual([]);
        expect(await mem.forget('p.Other')).toBe(1);
        expect(mem.text('p.Other')).toBeUndefined();
        expect(await mem.forget()).toBe(1);
        expect(store.keys()).toEqual(['unrelated']);
    });
    it('joins argv words so that splitting gives them back', () => {
        const words = ['a=1', 'msg=two words', 'q="x"', 'back\\slash', '', "it's"];
        expect(splitArgs(joinArgs(words))).toEqual(words);
        expect(joinArgs(['n=1', 'word'])).toBe('n=1 word');
    });
});
