// The list of gate modules the interpreter loads: each import registers its gates with the
// gate registry as a side effect. To plug in a new package (e.g. `pipeline`), add one import
// line here; nothing else in the interpreter needs to change. A package with heavy imports is
// registered lazily instead: loaded before a run that imports it (gate-registry.ts).
import './builtins/core.js';
import './builtins/pseudo.js';
import './stdlib/strings.js';
import './stdlib/encoding.js';
import './stdlib/file.js';
import './stdlib/integer.js';
import './stdlib/os.js';
import './stdlib/misc.js';
import './stdlib/http.js';
import { registerLazyGates } from './gate-registry.js';

registerLazyGates('pipeline', () => import('../pipeline/pipeline-gates.js'));
