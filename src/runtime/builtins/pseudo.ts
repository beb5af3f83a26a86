// The builtin pseudo-packages (§4.3): `integer` (integer-only arithmetic), `circuit`
// (PkgPath of the caller) and `ko` (Eval compiles a string as a return formula).
import { registerGate } from '../gate-registry.js';
import type { Internal } from '../interpreter.js';
import { KoLoadError } from '../loader.js';
import { isKoError, KoPanic } from '../errors.js';
import { EMPTY, printValue, str, struct } from '../values.js';
import { INTEGER_MACROS } from './integer.js';

for (const [name, impl] of Object.entries(INTEGER_MACROS)) registerGate('integer', name, impl);

registerGate('circuit', 'PkgPath', (_args, ctx) => str(ctx.stepInfo.pkgPath));

registerGate('ko', 'Eval', async (args, ctx) => {
    const expr = args.get('koExpr');
    if (expr.kind !== 'string') return ctx.fail(`ko.Eval expects a String, got ${printValue(expr)}`);
    try {
        const returned = await (ctx.internal as Internal).evalExpression(expr.value);
        return struct([{ name: 'eval', value: expr }, { name: 'returned', value: returned }]);
    } catch (e) {
        const message = e instanceof KoLoadError ? `parsing (${e.message})`
            : e instanceof KoPanic ? e.message : isKoError(e) ? e.message : String(e);
        return struct([{ name: 'eval', value: expr }, { name: 'error', value: str(message) }, { name: 'returned', value: EMPTY }]);
    }
});
