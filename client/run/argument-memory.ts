// Remembers the arguments typed for each function (per workspace), so a function with
// parameters is asked once and re-run without a prompt. Pure: the storage is any Memento-like
// object (VS Code's workspaceState in the extension, a Map in tests).
import { splitArgs } from './run-command.js';

export interface KeyValueStore {
    get<T>(key: string): T | undefined;
    update(key: string, value: unknown): Thenable<void> | Promise<void>;
    keys(): readonly string[];
}

const PREFIX = 'ko.args:';

export class ArgumentMemory {
    constructor(private readonly store: KeyValueStore) {}

    /** The text remembered for the function, if any. */
    text(functionId: string): string | undefined { return this.store.get<string>(PREFIX + functionId); }

    /** The remembered arguments as argv words, if any. */
    args(functionId: string): string[] | undefined {
        const t = this.text(functionId);
        return t === undefined ? undefined : splitArgs(t);
    }

    async remember(functionId: string, text: string): Promise<void> { await this.store.update(PREFIX + functionId, text); }

    /** Forgets one function's arguments, or all. */
    async forget(functionId?: string): Promise<number> {
        const keys = functionId ? [PREFIX + functionId] : this.store.keys().filter(k => k.startsWith(PREFIX));
        for (const k of keys) await this.store.update(k, undefined);
        return keys.length;
    }
}

/** Joins argv words back into text that splitArgs() reads as the same words. */
export function joinArgs(words: readonly string[]): string {
    return words.map(w => (w === '' ? '""' : /[\s"'\\]/.test(w) ? `"${w.replace(/["\\]/g, m => '\\' + m)}"` : w)).join(' ');
}
