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

// ---------------------------------------------------------------------------------------------
// Run events: `ko run FILE.ko:Func [k=v ...] [word] --events ndjson` writes one JSON object per
// line on stdout (and nothing else on stdout; human output goes to stderr). The VS Code client
// reads them to drive live step status, the Runs output and notifications. Step ids are graph
// node ids (`<packagePath>.<Function>/<label>`), so status attaches to graph nodes directly.
// Times are ISO-8601 strings; durations are milliseconds. Unknown fields must be ignored and
// unknown `type`s skipped, so the format can grow without breaking older clients.

/** Value of the `--events` flag that selects this format. */
export const RunEventsFlag = '--events';
export const RunEventsFormat = 'ndjson';
/** Bumped only on incompatible changes; carried by `run-started`. */
export const RunEventsVersion = 1;

/** Flags the client passes to `ko run` (besides the target and the function's arguments). */
export const RunCliFlags = {
    /** `--until <label>`: run the function only as far as the step (and what it depends on). */
    until: '--until',
    /** `--executor local|kubernetes` */
    executor: '--executor',
    /** `--context <kube context>` and `--namespace <ns>` for the Kubernetes executor. */
    kubeContext: '--context',
    kubeNamespace: '--namespace',
    /** `--package-root <dir>` (repeatable): extra package roots besides the workspace folders. */
    packageRoot: '--package-root',
} as const;

export type RunStepStatus = 'queued' | 'running' | 'cached' | 'succeeded' | 'failed';

interface RunEventBase {
    runId: string;
    /** ISO-8601 time the event happened. */
    time: string;
}

interface StepEventBase extends RunEventBase {
    /** `<packagePath>.<Function>/<label>`; the same id as the step's GraphNode. */
    step: string;
    /** Where the step is written (absolute path and range), when the runtime knows it. */
    file?: string;
    range?: KoRange;
}

export interface RunStartedEvent extends RunEventBase {
    type: 'run-started';
    version: number;
    /** `<packagePath>.<Function>` of the function being run. */
    function: string;
    /** The target as given on the command line, e.g. `pipelines/train.ko:Main`. */
    target: string;
    /** `local` or `kubernetes:<context>/<namespace>`. */
    executor: string;
    /** The `--until` label, when the run stops at a step. */
    until?: string;
}

export interface StepQueuedEvent extends StepEventBase { type: 'step-queued' }

export interface StepStartedEvent extends StepEventBase {
    type: 'step-started';
    /** 1 for the first attempt, more on retries. */
    attempt?: number;
    /** Where it runs: `local:<host>` or `kubernetes:<context>/<namespace>/<job>`. */
    placement?: string;
    /** The content-derived cache key of the step, when it is a cached (container) step. */
    cacheKey?: string;
}

export interface StepLogEvent extends StepEventBase {
    type: 'step-log';
    stream: 'stdout' | 'stderr';
    line: string;
}

/** The step's value came from the store; it did not run. */
export interface StepCachedEvent extends StepEventBase {
    type: 'step-cached';
    cacheKey: string;
    /** One-line summary of the value (shortened by the runtime to at most ~200 characters). */
    value?: string;
}

export interface StepFinishedEvent extends StepEventBase {
    type: 'step-finished';
    durationMs: number;
    /** Exit code of a container step (0); absent for pure steps. */
    exitCode?: number;
    cacheKey?: string;
    value?: string;
}

export interface StepFailedEvent extends StepEventBase {
    type: 'step-failed';
    durationMs: number;
    /** Exit code of a failed container step; absent for evaluation errors. */
    exitCode?: number;
    cacheKey?: string;
    /** One-line error message. */
    error: string;
}

export interface RunFinishedEvent extends RunEventBase {
    type: 'run-finished';
    ok: boolean;
    durationMs: number;
    /** One-line summary of the function's return value, when ok. */
    value?: string;
    /** One-line error, when not ok (also for errors before any step ran, e.g. a compile error). */
    error?: string;
}

export type StepRunEvent =
    | StepQueuedEvent | StepStartedEvent | StepLogEvent | StepCachedEvent | StepFinishedEvent | StepFailedEvent;
export type RunEvent = RunStartedEvent | StepRunEvent | RunFinishedEvent;

// ---------------------------------------------------------------------------------------------
// Graph preview webview <-> extension messages (postMessage payloads). The extension owns the
// state (graph, layout, status); the webview only renders and reports user gestures.

/** Laid-out geometry computed by the extension (elkjs), keyed by graph node id. */
export interface GraphLayoutNode { id: string; x: number; y: number; width: number; height: number }
export interface GraphLayoutEdge { from: string; to: string; points: { x: number; y: number }[] }
export interface GraphLayoutGroup {
    /** The GraphFunction id. */
    id: string;
    label: string;
    x: number; y: number; width: number; height: number;
}
export interface GraphLayout {
    width: number;
    height: number;
    groups: GraphLayoutGroup[];
    nodes: GraphLayoutNode[];
    edges: GraphLayoutEdge[];
}

/** The one-line status a node shows (already formatted by the extension). */
export interface WebviewNodeStatus { status: RunStepStatus; text?: string; stale?: boolean }

export type ToWebviewMessage =
    | { type: 'graph'; uri: string; version: number; graph: GraphResult; layout: GraphLayout; error?: string }
    | { type: 'status'; statuses: Record<string, WebviewNodeStatus> }
    | { type: 'highlight'; nodeId: string | null }
    | { type: 'fit' }
    | { type: 'request-svg' }
    | { type: 'error'; message: string };

export type FromWebviewMessage =
    | { type: 'ready' }
    | { type: 'reveal'; nodeId: string }
    | { type: 'run-to'; nodeId: string }
    | { type: 'svg'; svg: string }
    | { type: 'viewport'; x: number; y: number; scale: number };

/** What the graph panel persists (getState/setState and the panel serializer). */
export interface GraphWebviewState {
    uri: string;
    viewport?: { x: number; y: number; scale: number };
}
