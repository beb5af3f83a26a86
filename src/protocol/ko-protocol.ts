// The one catalogue of Ko's custom protocol: requests and notifications between the language
// server, the VS Code client and the webviews. Both sides import these types and method names;
// nothing else may invent a method string. Plain data only (no vscode, no langium imports).

/** A zero-based LSP-style range. */
export interface KoRange {
    start: { line: number; character: number };
    end: { line: number; character: number };
}

// ---------------------------------------------------------------------------------------------
// Graph of a document's functions (server -> client/webview): what the preview panel draws and
// what live run status attaches to. Node ids are stable across edits that keep the step's
// function and label: `<packagePath>.<Function>/<label>` (params: `<pkg>.<Function>/(param)`).

export const GraphRequestMethod = 'ko/graph';

export interface GraphParams {
    uri: string;
    /** Only this function (and nothing else) when given. */
    functionName?: string;
}

export type GraphNodeKind = 'param' | 'step' | 'return';

export type CalleeKind = 'function' | 'builtin' | 'gate' | 'pipeline' | 'unknown';

export interface GraphCallee {
    /** The name as written, e.g. `strings.Join` or `Stage`. */
    text: string;
    kind: CalleeKind;
    /** The package path of the callee function when known (for expanding into it). */
    packagePath?: string;
    functionName?: string;
    /** Where the callee function is defined, when it is Ko source. */
    uri?: string;
    range?: KoRange;
}

export interface GraphNode {
    id: string;
    kind: GraphNodeKind;
    label: string;
    /** Range of the whole step (label and formula) or parameter. */
    range: KoRange;
    /** Range of the label alone (for selecting the step in the editor). */
    labelRange: KoRange;
    /** The formula's source text, shortened to one line. */
    formula?: string;
    /** The first call of the formula, if any (what a viewer can expand). */
    callee?: GraphCallee;
    /** Inline function definitions in this step's formula (expandable like calls). */
    inlineFunctions?: string[];
}

export interface GraphEdge {
    /** The node whose value flows... */
    from: string;
    /** ...into this node. */
    to: string;
    /** The argument name it feeds, when it is passed as `name: value` to a call. */
    argument?: string;
}

export interface GraphFunction {
    /** `<packagePath>.<Function>` */
    id: string;
    name: string;
    packagePath: string;
    uri: string;
    range: KoRange;
    inline: boolean;
    nodes: GraphNode[];
    edges: GraphEdge[];
}

export interface GraphResult {
    uri: string;
    /** The document version the graph was computed from. */
    version: number;
    functions: GraphFunction[];
}
