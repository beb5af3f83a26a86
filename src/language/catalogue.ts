// The catalogue of everything Ko knows without a .ko source: global macros, idioms, the
// pseudo-packages (`integer`, `circuit`, `ko`, our `pipeline`) and the Go gates the reference
// registers under its stdlib paths. One declaration per callee, read by the validator, hover,
// completion and the runtime (which must implement exactly these names and arguments).

export type CatalogueKind = 'macro' | 'idiom' | 'gate';

export interface CatalogueEntry {
    /** '' for names reachable bare; otherwise the import path the entry is registered under. */
    readonly pkg: string;
    readonly name: string;
    readonly kind: CatalogueKind;
    /** Argument names the callee reads, in documentation order (the monadic one included). */
    readonly params: readonly string[];
    /** The argument that receives an unnamed (positional) argument, if any. */
    readonly monadic?: string;
    /** True when the callee takes any named arguments (constructor-like macros). */
    readonly open?: boolean;
    /** One line of documentation. */
    readonly doc: string;
}

export const STDLIB_PREFIX = 'github.com/kocircuit/kocircuit/lib/';
/** Import paths that need no directory on a package root (§4.3 and our pipeline package). */
export const PSEUDO_PACKAGES = ['integer', 'circuit', 'ko', 'pipeline'] as const;

type Spec = [name: string, params: string, doc: string];

/** `params` is a space-separated list; `x?` marks the monadic one, `*` means open. */
function entries(pkg: string, kind: CatalogueKind, specs: Spec[]): CatalogueEntry[] {
    return specs.map(([name, params, doc]) => {
        const words = params.split(' ').filter(w => w.length > 0);
        const open = words.includes('*');
        const names = words.filter(w => w !== '*').map(w => w.replace(/\?$/, ''));
        const monadic = words.find(w => w.endsWith('?'))?.replace(/\?$/, '');
        return { pkg, name, kind, params: names, ...(monadic ? { monadic } : {}), ...(open ? { open } : {}), doc };
    });
}

const numeric = (name: string): Spec => [name, 'value?', `Converts the value to ${name} with Go semantics.`];

const GLOBAL_MACROS: Spec[] = [
    ['All', '*', 'A structure of all arguments if every one is non-empty (and there is at least one), otherwise empty.'],
    ['And', 'series?', 'True if every Bool in the sequence is true (an empty sequence gives true).'],
    ['Or', 'series?', 'True if some Bool in the sequence is true (an empty sequence gives false).'],
    ['Xor', 'series?', 'Exclusive or over a sequence of Bools (an empty sequence gives false).'],
    ['Not', 'bool?', 'Negates a Bool.'],
    ['Bool', 'value?', 'Asserts or converts the value to Bool.'],
    ['String', 'value?', 'Asserts or converts the value to String.'],
    ...['Int8', 'Int16', 'Int32', 'Int64', 'Uint8', 'Uint16', 'Uint32', 'Uint64', 'Float32', 'Float64'].map(numeric),
    ['Equal', 'value?', 'True if all elements of the sequence are equal (or there are none); any type.'],
    ['Hash', '*', 'An FNV-based hash string of the constructed value.'],
    ['Len', 'value?', 'Length of a sequence as Int64: empty is 0, a non-sequence is 1.'],
    ['Merge', 'value?', 'Concatenates a sequence of sequences (or singletons).'],
    ['Take', 'value? from', 'Splits a sequence into (first, remainder); empty when the sequence is empty.'],
    ['Range', 'over with start stop', 'Runs with(carry, elem) over `over` from carry `start`, until stop(carry?); returns (image, residue).'],
    ['Loop', 'start step stop', 'Repeats carry = step(carry?) from `start` until stop(carry?) is true; returns the last carry.'],
    ['Sort', 'over less', 'Sorts `over` (dropping empties) with less(left, right) returning Bool.'],
    ['Yield', 'if then else', 'Returns `then` or `else` according to the Bool `if`; all inputs are evaluated.'],
    ['When', 'have? then else', 'If `have` is non-empty calls then(have?), otherwise else().'],
    ['Panic', '*', 'Panics with the constructed value.'],
    ['Recover', 'invoke panic', 'Calls invoke(); on a panic calls panic(<panic value>?).'],
    ['Spin', 'value?', 'Starts the variety as a co-routine and returns (Wait: variety).'],
    ['Parallel', 'value?', 'Invokes the variety with every step running as soon as its inputs are ready.'],
    ['Sequential', 'value?', 'Invokes the variety with its steps run one at a time.'],
    ['Hang', '', 'Never returns.'],
    ['Show', '*', 'Prints the constructed value to stdout and returns it.'],
    ['ShowType', '*', 'Prints the type of the constructed value to stdout and returns the value.'],
    ['Peek', '*', 'Like Show, but logs to stderr with the call stack and source position.'],
    ['PeekType', '*', 'Like ShowType, but logs to stderr with the call stack and source position.'],
    ['Print', 'string?', 'Prints the concatenation of the strings; returns a String.'],
    ['Println', 'string?', 'Prints the concatenation of the strings and a newline; returns a String.'],
    ['Profile', 'value?', 'Invokes the variety and returns (returns, duration) with the duration in nanoseconds.'],
    ['Memory', '', 'Returns (name, Remember(key, value), Recall(key, otherwise), Flush()) over a fresh memory.'],
    ['Sum', 'value?', 'Sum of a non-empty sequence of integers of one type.'],
    ['Prod', 'value?', 'Product of a non-empty sequence of integers of one type.'],
    ['Ratio', 'value?', 'Left fold of integer division over a non-empty sequence.'],
    ['Moduli', 'value?', 'Left fold of integer remainder over a non-empty sequence.'],
    ['Less', 'value?', 'True if the sequence of integers is strictly increasing.'],
    ['Negative', 'value?', 'Negates exactly one integer.'],
    ['Format', 'format args withString withArg', 'Deprecated: splits `format` on %% and maps the varieties over the parts and args.'],
    ['Template', 'template args withString withArg', 'Like Format, with {{a.b}} selectors into the structure `args`.'],
    ['Placeholder', '', 'Panics when invoked.'],
    ['Weave', 'weaver func ctx arg', 'Weaver back-end hook.'],
    ['WeaveFigure', 'int64 string bool float64 transform', 'Weaver figure constructor.'],
    ['WeaveFunc', 'pkg name', 'Weaver function constructor.'],
    ['WeaveOperator', 'pkg name', 'Weaver operator constructor.'],
    ['WeaveTransform', 'operator func', 'Weaver transform constructor.'],
];

const IDIOMS: Spec[] = [
    ['Return', 'pass?', 'Identity; Return[x] is a constant variety.'],
    ['Nothing', '', 'The empty value.'],
    ['Empty', '', 'The empty value.'],
    ['Expect', 'value?', 'Returns the value; panics with (expect: ...) if it is empty.'],
    ['Have', 'value?', 'True if the value is non-empty.'],
    ['Pick', 'either or', '`either` if it is non-empty, else `or`.'],
    ['Invoke', 'variety?', 'Invokes the variety.'],
    ['Branch', 'if then else', 'Chooses the variety for the branch and invokes it.'],
    ['Switch', 'case otherwise', 'Invokes the varieties in `case` in order; the first non-empty result wins, else otherwise().'],
    ['Inc', 'number?', 'Sum(number, 1).'],
];

const INTEGER: Spec[] = [
    ['Equal', 'value?', 'True if all integers are equal; rejects non-integers.'],
    ['Less', 'value?', 'True if the integers are strictly increasing.'],
    ['Moduli', 'value?', 'Left fold of integer remainder.'],
    ['Negative', 'value?', 'Negates exactly one integer.'],
    ['Prod', 'value?', 'Product of integers.'],
    ['Ratio', 'value?', 'Left fold of integer division.'],
    ['Sum', 'value?', 'Sum of integers.'],
];

const PIPELINE: Spec[] = [
    ['Container', 'image command args env inputs workdir timeout retries cache salt',
        'Runs one program (argv, no shell); returns (stdout, exitCode, outputs, key). Cached by content.'],
    ['Shell', 'script? image inputs env workdir timeout retries cache salt',
        'Runs `sh -c script`, for steps that want a shell; returns like Container.'],
    ['File', 'path?', 'A workspace file as a file value, hashed by content.'],
    ['Text', 'name content', 'A file value with the given name and text content.'],
    ['Read', 'file?', 'The content of a file value as a String.'],
];

const lib = (dir: string) => STDLIB_PREFIX + dir;

export const CATALOGUE: readonly CatalogueEntry[] = [
    ...entries('', 'macro', GLOBAL_MACROS),
    ...entries('', 'idiom', IDIOMS),
    ...entries('integer', 'macro', INTEGER),
    ...entries('circuit', 'macro', [['PkgPath', '', 'The package path of the calling function.']]),
    ...entries('ko', 'macro', [['Eval', 'koExpr?', 'Compiles the string as a return formula and evaluates it; returns (eval, error, returned).']]),
    ...entries('pipeline', 'gate', PIPELINE),
    ...entries(lib('encoding/json'), 'gate', [
        ['Marshal', 'value?', 'Encodes the value as JSON.'],
        ['MarshalIndent', 'value? prefix indent', 'Encodes the value as indented JSON.'],
        ['Unmarshal', 'value?', 'Decodes a JSON string into a Ko value.'],
    ]),
    ...entries(lib('encoding/yaml'), 'gate', [['Marshal', 'value?', 'Encodes the value as YAML.']]),
    ...entries(lib('file'), 'gate', [['WriteLocalFile', 'path body', 'Writes `body` to the file at `path`; returns Bool.']]),
    ...entries(lib('file/path'), 'gate', [
        ['Join', 'paths?', 'Joins path elements.'],
        ['Base', 'path?', 'The last element of the path.'],
        ['Dir', 'path?', 'All but the last element of the path.'],
    ]),
    ...entries(lib('integer'), 'gate', [
        ['GoFormatInt64', 'int64? base', 'Formats an Int64 in the given base.'],
        ['GoPermuteInt64', 'len seed', 'A pseudo-random permutation of 0..len-1.'],
    ]),
    ...entries(lib('os'), 'gate', [
        ['Task', 'name binary arg env dir after', 'Runs `binary` with `arg` (no shell, no PATH lookup); returns Bool for exit status 0.'],
        ['Env', 'name?', 'The value of an environment variable.'],
        ['Exit', 'code?', 'Exits the interpreter with the code.'],
        ['Mkdir', 'path?', 'Creates the directory and its parents (0755).'],
        ['TempDir', '', 'The directory for temporary files.'],
    ]),
    ...entries(lib('shell'), 'gate', [['GoShellCopy', 'source sink', 'Copies a file with /bin/sh cp.']]),
    ...entries(lib('strings'), 'gate', [
        ['Join', 'string? delimiter', 'Joins the strings with the delimiter.'],
        ['Split', 'string? separator', 'Splits the string at each separator.'],
        ['Len', 'string?', 'Length of the string in bytes.'],
        ['Equal', 'string?', 'True if all strings are equal.'],
        ['Contains', 'string? subString', 'True if the string contains subString.'],
        ['HasPrefix', 'string? prefix', 'True if the string starts with prefix.'],
        ['HasSuffix', 'string? suffix', 'True if the string ends with suffix.'],
        ['Upper', 'string?', 'Upper-cases the string.'],
        ['Lower', 'string?', 'Lower-cases the string.'],
        ['Quote', 'string?', 'Quotes the string with Go syntax.'],
        ['Tree', 'delimiter prefix middle suffix', 'A string tree for efficient concatenation.'],
        ['Flush', 'tree?', 'Flattens a string tree into a String.'],
    ]),
    ...entries(lib('sync'), 'gate', [
        ['GoMakeRing', 'cap?', 'A ring of `cap` leases.'],
        ['GoRingLease', 'conn?', 'Takes a lease from the ring.'],
    ]),
    ...entries(lib('time'), 'gate', [
        ['GoSleep', 'duration?', 'Sleeps for the duration (nanoseconds).'],
        ['GoSecond', 'scale?', 'scale seconds as a duration.'],
        ['GoMinute', 'scale?', 'scale minutes as a duration.'],
        ['GoHour', 'scale?', 'scale hours as a duration.'],
        ['GoFormatDurationSeconds', 'duration?', 'Formats a duration in seconds.'],
        ['GoFormatDurationMilliseconds', 'duration?', 'Formats a duration in milliseconds.'],
    ]),
    ...entries(lib('web/xml'), 'gate', [
        ['GoRenderElement', 'elem?', 'Renders an XML element.'],
        ['GoTagElement', 'tag attrs children', 'An XML tag element.'],
        ['GoDocTypeElement', 'string?', 'An XML doctype element.'],
        ['GoTextElement', 'string?', 'An XML text element.'],
        ['GoGroupElement', 'elem?', 'A group of XML elements.'],
    ]),
    ...entries(lib('net/http'), 'gate', [
        ['NewClient', '', 'A new HTTP client.'],
        ['Request', 'client method url body', 'Sends an HTTP request; returns the response.'],
        ['BodyAsString', 'response?', 'The response body as a String.'],
        ['BodyAsJSON', 'response?', 'The response body decoded from JSON.'],
        ['Serve', 'address handler', 'Serves HTTP; the handler variety receives ctx.'],
        ['SendJSON', 'ctx statusCode value?', 'Replies with a JSON body.'],
        ['SetHeader', 'ctx entry', 'Sets a response header.'],
        ['ServeLocalDir', 'address dir url', 'Serves a local directory.'],
    ]),
];

/** Entries by package path, then by name. Idioms come before macros for bare names (§3.5). */
const byPackage = new Map<string, Map<string, CatalogueEntry>>();
for (const entry of CATALOGUE) {
    let names = byPackage.get(entry.pkg);
    if (!names) byPackage.set(entry.pkg, names = new Map());
    const existing = names.get(entry.name);
    if (!existing || (entry.kind === 'idiom' && existing.kind !== 'idiom')) names.set(entry.name, entry);
}

export function catalogueEntry(pkg: string, name: string): CatalogueEntry | undefined {
    return byPackage.get(pkg)?.get(name);
}

export function catalogueMembers(pkg: string): readonly CatalogueEntry[] {
    return [...(byPackage.get(pkg)?.values() ?? [])];
}

export function isPseudoPackage(path: string): boolean {
    return (PSEUDO_PACKAGES as readonly string[]).includes(path);
}

/** True when the catalogue registers anything under this import path. */
export function catalogueHasPackage(path: string): boolean {
    return byPackage.has(path) && path !== '';
}

/** A one-line signature such as `Join(string?, delimiter)`. */
export function catalogueSignature(entry: CatalogueEntry): string {
    const params = entry.params.map(p => (p === entry.monadic ? `${p}?` : p));
    if (entry.open) params.push('...');
    return `${entry.name}(${params.join(', ')})`;
}
