// Cache-key derivation. The key is never written by users: it is the SHA-256 of a canonical
// encoding of everything that can change a step's result. The components are stored with the
// record so `ko diff` and `ko why` can say which part changed, and so a key can be re-derived.
import { createHash, createHmac } from 'node:crypto';

export const KEY_VERSION = 1;

export interface KeyInput {
    /** Name under $KO_IN. */
    readonly name: string;
    /** Content hash (sha256 hex) of the file value. */
    readonly hash: string;
}

export interface KeyComponents {
    readonly v: number;
    /** Code identity: the normalised callee (`pipeline.Container`) and step formula. */
    readonly callee: string;
    readonly formula: string;
    readonly image: string;
    readonly command: readonly string[];
    readonly args: readonly string[];
    /** Env by name; secret-looking names carry `hmac:<hex>` of the value instead of the value. */
    readonly env: Readonly<Record<string, string>>;
    readonly inputs: readonly KeyInput[];
    readonly workdir: string;
    readonly salt: string;
    /** Set only for `cache: false` steps: makes their key unique to one execution. */
    readonly nonce?: string;
}

/** Deterministic JSON: object keys sorted, no whitespace (Flyte #6517: unordered keys cause misses). */
export function canonicalJson(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
    const obj = value as Record<string, unknown>;
    return '{' + Object.keys(obj).filter(k => obj[k] !== undefined).sort()
        .map(k => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
}

export function sha256(data: string | Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
}

/** Collapses whitespace and drops comments so reformatting a step does not invalidate it. */
export function normaliseFormula(text: string): string {
    const parts: string[] = [];
    let last = '';
    let i = 0;
    let pendingSpace = false;
    const word = /[\w"`]/;
    const push = (s: string) => {
        // A space survives only where it separates two words (`F(a b)`), never around punctuation.
        if (pendingSpace && last !== '' && word.test(last) && word.test(s[0])) parts.push(' ');
        pendingSpace = false;
        parts.push(s);
        last = s[s.length - 1];
    };
    while (i < text.length) {
        const c = text[i];
        if (c === '"' || c === '`') {
            // Strings keep their exact content: whitespace inside them is meaningful.
            let j = i + 1;
            while (j < text.length && text[j] !== c) j += (c === '"' && text[j] === '\\') ? 2 : 1;
            push(text.slice(i, j + 1));
            i = j + 1;
        } else if (c === '/' && text[i + 1] === '/') {
            while (i < text.length && text[i] !== '\n') i++;
            pendingSpace = true;
        } else if (c === '/' && text[i + 1] === '*') {
            const end = text.indexOf('*/', i + 2);
            i = end < 0 ? text.length : end + 2;
            pendingSpace = true;
        } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
            i++;
            pendingSpace = true;
        } else {
            let j = i + 1;
            while (j < text.length && /[\w.]/.test(text[j]) && /[\w.]/.test(c)) j++;
            push(text.slice(i, j));
            i = j;
        }
    }
    return parts.join('');
}

/** Sorted by name so the structure order written in the source does not matter. */
export function sortInputs(inputs: readonly KeyInput[]): KeyInput[] {
    return [...inputs].map(i => ({ name: i.name, hash: i.hash })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function deriveKey(components: KeyComponents): string {
    return sha256('ko-step\0' + canonicalJson(components));
}

/** Names that look like credentials: their values never reach a record, a log or a diff. */
const SECRET_NAME = /(secret|token|passw(or)?d|pwd|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth|session|cookie|signature|_key$|^key$)/i;

export function isSecretName(name: string): boolean {
    return SECRET_NAME.test(name);
}

/**
 * The env as it enters the key: secret values replaced by an HMAC under a per-store random salt,
 * so a changed token still reruns the step but a stored record cannot be brute-forced offline
 * without the salt file (which stays in the store, mode 0600).
 */
export function keyEnv(env: Readonly<Record<string, string>>, secretSalt: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(env).sort()) {
        out[name] = isSecretName(name)
            ? 'hmac:' + createHmac('sha256', secretSalt).update(env[name]).digest('hex').slice(0, 32)
            : env[name];
    }
    return out;
}

/** The env as shown to people: secret values redacted entirely. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(env).sort()) out[name] = isSecretName(name) ? '<redacted>' : env[name];
    return out;
}

/**
 * Secrets written inline in a step (`env: (API_TOKEN: "...")`, `"PASSWORD=..."`) must not reach
 * the stored formula; the value still changes the key through the env's HMAC.
 */
export function redactFormula(formula: string): string {
    return formula
        .replace(/([A-Za-z_][A-Za-z0-9_]*)(\s*:\s*)("(?:[^"\\]|\\.)*"|`[^`]*`)/g,
            (all, name: string, sep: string) => (isSecretName(name) ? `${name}${sep}"<redacted>"` : all))
        .replace(/"([A-Za-z_][A-Za-z0-9_]*)=((?:[^"\\]|\\.)*)"/g,
            (all, name: string) => (isSecretName(name) ? `"${name}=<redacted>"` : all));
}
