// Errors the interpreter raises: a Ko panic (a value, recoverable with Recover) and a runtime
// error (a message). Both carry the Ko stack, innermost frame first; never a JavaScript stack.
import { formatKoStack, type KoFrame } from './events.js';
import { printValue, type Value } from './values.js';

export class KoPanic extends Error {
    koStack: KoFrame[] = [];
    constructor(readonly value: Value) {
        super(`unrecovered panic: ${printValue(value)}`);
        this.name = 'KoPanic';
    }
}

export class KoRuntimeError extends Error {
    koStack: KoFrame[] = [];
    constructor(message: string) {
        super(message);
        this.name = 'KoRuntimeError';
    }
}

/** The run was cancelled through its AbortSignal. */
export class KoCancelled extends Error {
    koStack: KoFrame[] = [];
    constructor() {
        super('run cancelled');
        this.name = 'KoCancelled';
    }
}

/** os.Exit: ends the run with an exit code; not a panic, so Recover does not stop it. */
export class KoExit extends Error {
    koStack: KoFrame[] = [];
    constructor(readonly code: number) {
        super(`exit status ${code}`);
        this.name = 'KoExit';
    }
}

export type KoError = KoPanic | KoRuntimeError | KoCancelled | KoExit;

export function isKoError(e: unknown): e is KoError {
    return e instanceof KoPanic || e instanceof KoRuntimeError || e instanceof KoCancelled || e instanceof KoExit;
}

/** A message and the Ko stack, for the CLI and logs. */
export function describeKoError(e: unknown): string {
    if (isKoError(e)) {
        const stack = formatKoStack(e.koStack);
        return stack ? `${e.message}\n${stack}` : e.message;
    }
    return e instanceof Error ? e.message : String(e);
}
