// A small REST client for the Kubernetes API: node:http(s) with the credentials client-node
// computes from the kubeconfig. Hand-written rather than the generated client because the
// executor needs what the generated client does not give: a connect deadline (an unreachable
// cluster must fail in seconds), retries with backoff on 429/5xx honouring Retry-After, and raw
// streams for watches and followed logs.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeError, KubeUnreachableError, errorFromStatus } from './errors.js';

export interface KubeClientOptions {
    /** Give up on an unreachable server after this long (connect attempts included). */
    unreachableAfterMs?: number;
    /** Attempts for 429/5xx/dropped connections before the error is thrown. */
    maxAttempts?: number;
    /** First backoff delay; doubles each attempt, capped at maxBackoffMs. */
    baseBackoffMs?: number;
    maxBackoffMs?: number;
    /** Deadline for a whole non-streaming request. */
    requestTimeoutMs?: number;
    /** Called before each retry (tests and logs). */
    onRetry?: (info: { method: string; path: string; attempt: number; status?: number; error?: string; delayMs: number }) => void;
}

export interface RequestOptions {
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    accept?: string;
    /** Retry 429/5xx/connection drops (default true). */
    retry?: boolean;
    signal?: AbortSignal;
    /** Namespace the request concerns, for error wording. */
    namespace?: string;
    /** Deadline for this request; when it passes the server counts as unreachable (used by the preflight). */
    probeTimeoutMs?: number;
}

const RETRIABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const TLS_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH/;
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'KO_CONNECT_TIMEOUT']);

export class KubeClient {
    readonly stats = { requests: 0, retries: 0 };
    private readonly opts: Required<Omit<KubeClientOptions, 'onRetry'>> & Pick<KubeClientOptions, 'onRetry'>;

    constructor(readonly kubeConfig: KubeConfig, readonly server: string, readonly contextName: string, options: KubeClientOptions = {}) {
        this.opts = { unreachableAfterMs: 3_500, maxAttempts: 6, baseBackoffMs: 100, maxBackoffMs: 2_000, requestTimeoutMs: 30_000, ...options };
    }

    /** One JSON request with retries; resolves to the parsed body. */
    async request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> {
        const started = Date.now();
        for (let attempt = 1; ; attempt++) {
            let res: { status: number; headers: http.IncomingHttpHeaders; text: string };
            try {
                res = await this.once(method, path, ro);
            } catch (err) {
                if (ro.signal?.aborted) throw err;
                const code = (err as { code?: string }).code ?? '';
                const elapsed = Date.now() - started;
                if (code === 'KO_REQUEST_TIMEOUT' && ro.probeTimeoutMs !== undefined) throw new KubeUnreachableError(this.server, err, elapsed);
                if (TLS_ERROR.test(code)) {
                    // Retrying cannot fix a certificate mismatch; say what to check instead.
                    throw new KubeError(`TLS verification of ${this.server} failed (${code}: ${(err as Error).message}): the kubeconfig's `
                        + 'certificate-authority does not match the server certificate. Check the cluster entry of the context (ko kube status), '
                        + 'or refresh the kubeconfig from the cluster (kind export kubeconfig / minikube update-context / k3d kubeconfig merge).');
                }
                if (CONNECT_ERRORS.has(code)) {
                    // Unreachable: retry only while the "fail within seconds" budget lasts.
                    const delay = this.backoff(attempt);
                    if (elapsed + delay >= this.opts.unreachableAfterMs || code === 'KO_CONNECT_TIMEOUT') throw new KubeUnreachableError(this.server, err, elapsed);
                    this.noteRetry(method, path, attempt, undefined, code, delay);
                    await sleep(delay, ro.signal);
                    continue;
                }
                if (ro.retry === false || attempt >= this.opts.maxAttempts) throw err instanceof KubeApiError ? err : new KubeApiError(`${method} ${path}: ${(err as Error).message}`, 0, code || 'NetworkError', {}, method, path);
                const delay = this.backoff(attempt);
                this.noteRetry(method, path, attempt, undefined, code || (err as Error).message, delay);
                await sleep(delay, ro.signal);
                continue;
            }
            if (res.status >= 200 && res.status < 300) return (res.text ? JSON.parse(res.text) : {}) as T;
            if (RETRIABLE_STATUS.has(res.status) && ro.retry !== false && attempt < this.opts.maxAttempts) {
                const retryAfter = Number(res.headers['retry-after']);
                const delay = Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(retryAfter * 1000, 5_000) : this.backoff(attempt);
                this.noteRetry(method, path, attempt, res.status, undefined, delay);
                await sleep(delay, ro.signal);
                continue;
            }
            throw errorFromStatus(res.status, res.text, method, path, ro.namespace, this.contextName);
        }
    }

    /**
     * Opens a streaming GET (watch, followed log). Resolves once the status line arrived; a non-2xx
     * answer is thrown as a KubeApiError (410 included, so a watch can re-list).
     */
    async stream(path: string, ro: RequestOptions = {}): Promise<http.IncomingMessage> {
        const started = Date.now();
        const req = await this.open('GET', path, ro, true);
        const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
            req.on('response', resolve);
            req.on('error', (err: Error & { code?: string }) => {
                reject(CONNECT_ERRORS.has(err.code ?? '') ? new KubeUnreachableError(this.server, err, Date.now() - started) : err);
            });
            req.end();
        });
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return res;
        const text = await readAll(res);
        throw errorFromStatus(status, text, 'GET', path, ro.namespace, this.contextName);
    }

    private noteRetry(method: string, path: string, attempt: number, status: number | undefined, error: string | undefined, delayMs: number): void {
        this.stats.retries++;
        this.opts.onRetry?.({ method, path, attempt, status, error, delayMs });
    }

    private backoff(attempt: number): number {
        const base = Math.min(this.opts.baseBackoffMs * 2 ** (attempt - 1), this.opts.maxBackoffMs);
        return Math.round(base * (0.75 + Math.random() * 0.5));
    }

    private async once(method: string, path: string, ro: RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
        const req = await this.open(method, path, ro, false);
        return new Promise((resolve, reject) => {
            const timeoutMs = ro.probeTimeoutMs ?? this.opts.requestTimeoutMs;
            const deadline = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'KO_REQUEST_TIMEOUT' })), timeoutMs);
            req.on('response', (res) => {
                readAll(res).then((text) => { clearTimeout(deadline); resolve({ status: res.statusCode ?? 0, headers: res.headers, text }); },
                    (err) => { clearTimeout(deadline); reject(err); });
            });
            req.on('error', (err) => { clearTimeout(deadline); reject(err); });
            if (ro.body !== undefined) req.write(JSON.stringify(ro.body));
            req.end();
        });
    }

    /** Builds the request with the kubeconfig's TLS material and auth headers, and a connect deadline. */
    private async open(method: string, path: string, ro: RequestOptions, streaming: boolean): Promise<http.ClientRequest> {
        this.stats.requests++;
        const url = new URL(this.server + path);
        for (const [k, v] of Object.entries(ro.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
        const options: https.RequestOptions = { method, headers: {} };
        try {
            await this.kubeConfig.applyToHTTPSOptions(options);
        } catch (err) {
            // client-node refuses plain http without insecure-skip-tls-verify, after it has set the auth
            // headers; kubectl does not (e.g. `kubectl proxy` on http://127.0.0.1:8001), so neither do we.
            if (url.protocol !== 'http:' || !/HTTP protocol is not allowed/.test(String(err))) throw err;
        }
        const headers = options.headers as Record<string, string>;
        headers.Accept = ro.accept ?? 'application/json';
        if (ro.body !== undefined) headers['Content-Type'] = 'application/json';
        const isHttps = url.protocol === 'https:';
        // client-node picks the agent: https with the CA/cert/key, http, or a proxy-url agent.
        const req = (isHttps ? https : http).request(url, { ...options, signal: ro.signal });
        // Connect deadline: a black-holed address must not hang for the OS's minutes-long timeout.
        const connectTimer = setTimeout(() => req.destroy(Object.assign(new Error('connect timeout'), { code: 'KO_CONNECT_TIMEOUT' })), this.opts.unreachableAfterMs);
        req.on('socket', (socket) => {
            if (!socket.connecting) clearTimeout(connectTimer);
            else socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
        });
        req.on('close', () => clearTimeout(connectTimer));
        if (streaming) req.setNoDelay(true);
        return req;
    }
}

export function readAll(res: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
    });
}

/** Calls `onLine` for each complete line of a stream; resolves when the stream ends, rejects when it breaks. */
export function forEachLine(res: http.IncomingMessage, onLine: (line: string) => void): Promise<void> {
    return new Promise((resolve, reject) => {
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
            buffered += chunk;
            let nl: number;
            while ((nl = buffered.indexOf('\n')) >= 0) {
                const line = buffered.slice(0, nl);
                buffered = buffered.slice(nl + 1);
                onLine(line);
            }
        });
        res.on('end', () => { if (buffered) onLine(buffered); resolve(); });
        res.on('aborted', () => reject(Object.assign(new Error('stream aborted'), { code: 'ECONNRESET' })));
        res.on('error', reject);
        res.on('close', () => { if (!res.complete) reject(Object.assign(new Error('stream closed early'), { code: 'ECONNRESET' })); });
    });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
        const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = () => { clearTimeout(t); reject(signal?.reason ?? new Error('aborted')); };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
}
