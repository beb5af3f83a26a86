// Run events and step identities: what the interpreter reports while it evaluates, for the
// CLI, the editor's live status and (later) the debugger. Kept free of interpreter internals.

/** Where a step sits in the source (1-based line and column, like editors show). */
export interface SourcePosition {
    readonly file: string;
    readonly line: number;
    readonly column: number;
}

export interface SourceRange extends SourcePosition {
    readonly endLine: number;
    readonly endColumn: number;
}

/** One frame of the Ko stack: a step of a function being evaluated. */
export interface KoFrame {
    /** Package path of the function ('' for a file outside any package root). */
    readonly pkgPath: string;
    /** Function name (inline definitions have their own name). */
    readonly func: string;
    /** Step label, or '' while binding arguments. */
    readonly step: string;
    readonly position?: SourcePosition;
}

/** The step currently running a gate, with its stable id `<pkgPath>.<Func>/<label>`. */
export interface StepInfo extends KoFrame {
    readonly stepId: string;
    /** Step ids of the enclosing calls, outermost first, ending with this step's id. */
    readonly callPath: readonly string[];
}

export type RunEvent =
    | { kind: 'step-started'; stepId: string; callPath: readonly string[]; func: string; step: string; position?: SourceRange; time: number }
    | { kind: 'step-finished'; stepId: string; callPath: readonly string[]; func: string; step: string; value: string; durationMs: number; time: number }
    | { kind: 'step-failed'; stepId: string; callPath: readonly string[]; func: string; step: string; error: string; durationMs: number; time: number }
    | { kind: 'log'; stream: 'stdout' | 'stderr'; text: string; stepId?: string; time: number }
    /** Free-form events a gate module emits (the pipeline reports container progress this way). */
    | { kind: 'gate'; stepId?: string; name: string; data: unknown; time: number };

/** The stable id of a step: `<pkgPath>.<Func>/<label>` (`<Func>/<label>` without a package path). */
export function stepIdOf(pkgPath: string, func: string, step: string): string {
    return `${pkgPath === '' ? '' : pkgPath + '.'}${func}/${step}`;
}

/** `pkg.F:step (file:line:col)` lines, innermost frame first, as printed after an error. */
export function formatKoStack(frames: readonly KoFrame[]): string {
    return frames.map(f => {
        const where = f.position ? ` (${f.position.file}:${f.position.line}:${f.position.column})` : '';
        const name = `${f.pkgPath === '' ? '' : f.pkgPath + '.'}${f.func}${f.step === '' ? '' : ':' + f.step}`;
        return `    at ${name}${where}`;
    }).join('\n');
}
