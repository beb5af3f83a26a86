// Every callee the catalogue declares (the validator, hover and completion read it) is
// implemented by the runtime with the same monadic argument.
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../src/language/catalogue.js';
import '../../../src/runtime/interpreter.js';
import { lookupGate } from '../../../src/runtime/gate-registry.js';

describe('catalogue coverage', () => {
    it('registers every catalogue entry with its monadic argument', () => {
        const missing: string[] = [];
        const wrongMonadic: string[] = [];
        for (const entry of CATALOGUE) {
            const gate = lookupGate(entry.pkg, entry.name);
            if (!gate) { missing.push(`${entry.pkg}.${entry.name}`); continue; }
            if ((gate.monadic ?? '') !== (entry.monadic ?? '')) wrongMonadic.push(`${entry.pkg}.${entry.name}: ${gate.monadic} vs ${entry.monadic}`);
        }
        expect(missing).toEqual([]);
        expect(wrongMonadic).toEqual([]);
    });
});
