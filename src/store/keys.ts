// Cache-key derivation. The key is never written by users: it is the SHA-256 of a canonical
// encoding of everything that can change a step's result. The components are stored with the
// record so `ko diff` and `ko why` can say which part changed, and so a key can be re-derived.
import * as crypto from 'node:crypto';
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
    // Key components are built in sorted order, so the native serialiser usually gives the same text.
    return inCanonicalOrder(value) ? JSON.stringify(value) : sortedJson(value);
}

function sortedJson(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + sortedJson(value[i]);
        return out + ']';
    }
    const obj = value as Record<string, unknown>;
    let out = '{';
    for (const k of Object.keys(obj).sort()) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + sortedJson(v);
    }
    return out + '}';
}

/**
 * True when JSON.stringify(value) is already canonical: strings, numbers, booleans, null, arrays
 * and plain objects whose keys come in sorted order (no undefined, functions or toJSON to treat
 * differently).
 */
function inCanonicalOrder(value: unknown): boolean {
    if (value === null) return true;
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') return true;
    if (type !== 'object') return false;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!inCanonicalOrder(value[i])) return false;
        return true;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    let previous: string | undefined;
    for (const k of Object.keys(value as object)) {
        if (previous !== undefined && !(previous < k)) return false;
        previous = k;
        if (!inCanonicalOrder((value as Record<string, unknown>)[k])) return false;
    }
    return true;
}

/** One-shot `crypto.hash` (Node 20.12+): a cached rerun hashes every key and record, and a Hash object per call costs far more. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

export function sha256(data: string | Uint8Array): string {
    return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

/** Strings (kept as written) or runs of whitespace and comments (dropped, or one space between words). */
const STRING_OR_GAP = /"(?:[^"\\]|\\[\s\S])*"?|`[^`]*`?|(?:[ \t\n\r]|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))+/g;

/** [A-Za-z0-9_"`]: characters a word or string starts or ends with. */
function isWordEdge(c: number): boolean {
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 34 || c === 96;
}

/**
 * Collapses whitespace and drops comments so reformatting a step does not invalidate it. A gap
 * becomes one space only where it separates two words (`F(a b)`), never around punctuation.
 * One regular expression over the formula (every step of a run normalises its own).
 */
export function normaliseFormula(text: string): string {
    return text.replace(STRING_OR_GAP, (m: string, at: number) => {
        const first = m.charCodeAt(0);
        // Strings keep their exact content: whitespace inside them is meaningful.
        if (first === 34 || first === 96) return m;
        const end = at + m.length;
        return at > 0 && end < text.length && isWordEdge(text.charCodeAt(at - 1)) && isWordEdge(text.charCodeAt(end)) ? ' ' : '';
    });
}

/** Sorted by name so the structure order written in the source does not matter (fields in canonical order). */
export function sortInputs(inputs: readonly KeyInput[]): KeyInput[] {
    return inputs.map(i => ({ hash: i.hash, name: i.name })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
