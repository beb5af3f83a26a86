// The Kubernetes executor: each container step becomes a batch/v1 Job. Retries are the Job's
// backoffLimit, the timeout its activeDeadlineSeconds, argv goes to command/args (no shell).
// Every Job is owned by a per-run ConfigMap, so deleting that one object removes a whole run.
// Status comes from two list+watch streams (jobs and pods of this executor), never polling;
// logs are followed from the pod and turned into the same StepEvents as local runs; stdout is
// the final pod's log. File values travel through a PersistentVolumeClaim mounted in every pod.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { copyFileSync, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { expandPlaceholders, type Executor, type StepEvent, type StepOutputFile, type StepResult, type StepSpec } from '../executor.js';
import { ClusterCacheStore } from './cache-store.js';
import { forEachLine, sleep, type KubeClient } from './client.js';
import { KubeApiError, KubeConfigError, KubeError, KubeStepError } from './errors.js';
import { MANAGED_BY, labelValue, nameFragment, shortHash } from './names.js';
import { ListWatch, type KubeObject } from './watch.js';
import { publishBytes, publishFiles } from './volume-objects.js';

/** The engine keeps stdout up to this size inline in the record, larger stdout as an object. */
const INLINE_STDOUT = 64 * 1024;

/** A PersistentVolumeClaim shared by all step pods, for file inputs and outputs. */
export interface PvcConfig {
    claimName: string;
    /** Where pods see it (default /ko-data). */
    mountPath?: string;
    /**
     * Where THIS machine sees the same volume (a hostPath/NFS share, or a kind extraMount), to
     * stage inputs and collect outputs. Required when steps have file inputs or outputs.
     */
    localPath?: string;
}

export interface KubernetesExecutorOptions {
    client: KubeClient;
    namespace: string;
    contextName: string;
    pvc?: PvcConfig;
    /** Where combined step logs are written on this machine. */
    logDir?: string;
    /** Seconds after which the API server re-opens our watches (default 300). */
    watchTimeoutSeconds?: number;
}

const PLACEHOLDER = /\$(?:\{KO_(?:IN|OUT)\}|KO_(?:IN|OUT)(?![A-Za-z0-9_]))/;
const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError']);

interface Tracker {
    step: StepSpec;
    jobName: string;
    onEvent: (e: StepEvent) => void;
    resolve: (r: StepResult) => void;
    reject: (e: Error) => void;
    pods: string[];
    following: Map<string, Promise<void>>;
    /** What the followed log streams delivered, per pod: the fallback when a pod is already gone. */
    streamed: Map<string, string>;
    lastFailure?: string;
    finishing: boolean;
    log: WriteStream;
    logPath: string;
    startedAt: string;
    outDir?: string;
}

export class KubernetesExecutor implements Executor {
    readonly name = 'kubernetes' as const;
    /** Distinguishes this runner's Jobs from other runners' in the same namespace. */
    readonly session = randomUUID().slice(0, 8);
    private readonly client: KubeClient;
    private readonly ns: string;
    private readonly trackers = new Map<string, Tracker>();
    private readonly runOwners = new Map<string, Promise<{ name: string; uid: string }>>();
    private jobWatch?: ListWatch;
    private podWatch?: ListWatch;
    private started?: Promise<void>;
    private closed = false;
    private sequence = 0;
    private readonly streams = new AbortController();

    constructor(private readonly opts: KubernetesExecutorOptions) {
        this.client = opts.client;
        this.ns = opts.namespace;
        // Every followed log stream listens on it: one per running step, so no fixed limit.
        setMaxListeners(0, this.streams.signal);
    }

    /** Watch statistics (reconnects, relists) for tests and `ko` diagnostics. */
    get watchStats() {
        return { jobs: this.jobWatch?.stats, pods: this.podWatch?.stats };
    }

    async run(step: StepSpec, signal: AbortSignal, onEvent: (event: StepEvent) => void): Promise<StepResult> {
        if (this.closed) throw new KubeError('the Kubernetes executor is closed');
        if (signal.aborted) throw abortError();
        onEvent({ kind: 'queued', id: step.id });
        const pvc = this.checkVolume(step);
        await this.ensureWatching();
        const owner = await this.runOwner(step.runId);
        // Unique per call: running the same step again (a re-run in the editor) must not adopt the old Job.
        const jobName = `ko-${nameFragment(step.stepName, 40)}-${shortHash(`${this.session}/${step.id}/${++this.sequence}`, 10)}`;
        const stepDir = pvc ? `runs/${nameFragment(step.runId, 60)}-${shortHash(step.runId)}/${jobName}` : undefined;
        if (pvc?.localPath && stepDir) this.stageInputs(step, pvc.localPath, stepDir);
        const logDir = this.opts.logDir ?? join(tmpdir(), 'ko-kube-logs');
        mkdirSync(logDir, { recursive: true });
        const logPath = join(logDir, `${jobName}.log`);

        const result = new Promise<StepResult>((resolve, reject) => {
            this.trackers.set(jobName, {
                step, jobName, onEvent, resolve, reject, pods: [], following: new Map(), streamed: new Map(), finishing: false,
                log: createWriteStream(logPath), logPath, startedAt: new Date().toISOString(),
                outDir: pvc?.localPath && stepDir ? join(pvc.localPath, stepDir, 'out') : undefined,
            });
        });
        // Settled possibly before it is awaited (abort during the create): never an unhandled rejection.
        result.catch(() => undefined);
        const onAbort = () => {
            const t = this.trackers.get(jobName);
            if (!t) return;
            this.settle(t, abortError());
            // Background propagation: the API answers at once and the garbage collector removes the pods.
            void this.deleteJob(jobName).catch(() => undefined);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) onAbort(); // aborted while we were setting up: the event has already fired
        try {
            await this.createJob(this.jobManifest(step, jobName, owner, pvc, stepDir));
            // Cancelled while the create was in flight: the earlier delete may have found nothing yet.
            if (signal.aborted) await this.deleteJob(jobName).catch(() => undefined);
            // A watch that died before this step was registered would leave it waiting forever.
            const dead = this.jobWatch?.failed ?? this.podWatch?.failed;
            if (dead) throw dead;
            // Watch events may have arrived before the tracker could act on them (fast pods).
            const cached = this.jobWatch?.cache.get(`${this.ns}/${jobName}`);
            if (cached) this.onJob(cached);
            for (const pod of this.podWatch?.cache.values() ?? []) if (pod.metadata.labels?.['job-name'] === jobName) this.onPod(pod);
        } catch (err) {
            const t = this.trackers.get(jobName);
            if (t) this.settle(t, err as Error);
        }
        try {
            return await result;
        } finally {
            signal.removeEventListener('abort', onAbort);
        }
    }

    /** The cluster cache of the same cluster and namespace, sharing this executor's client. */
    cacheStore(): ClusterCacheStore {
        return new ClusterCacheStore(this.client, this.ns, this.opts.pvc?.localPath);
    }

    /** Deletes every Job of a run (and through them their pods), e.g. when a whole run is cancelled. */
    async cancelRun(runId: string): Promise<void> {
        await this.client.request('DELETE', `/apis/batch/v1/namespaces/${this.ns}/jobs`, {
            query: { labelSelector: `ko.dev/run=${labelValue(runId)}`, propagationPolicy: 'Background' }, namespace: this.ns,
        });
    }

    /** Deletes the run's owner ConfigMap; the garbage collector then removes its Jobs and pods. */
    async deleteRun(runId: string): Promise<void> {
        const owner = await this.runOwners.get(runId);
        if (!owner) return;
        await this.client.request('DELETE', `/api/v1/namespaces/${this.ns}/configmaps/${owner.name}`, { query: { propagationPolicy: 'Background' }, namespace: this.ns });
        this.runOwners.delete(runId);
    }

    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        this.streams.abort(new Error('executor closed'));
        for (const t of [...this.trackers.values()]) this.settle(t, new KubeError('the Kubernetes executor was closed while the step ran'));
        await Promise.all([this.jobWatch?.stop(), this.podWatch?.stop()]);
    }

    // --- set-up ---------------------------------------------------------------------------------

    private checkVolume(step: StepSpec): PvcConfig | undefined {
        const pvc = this.opts.pvc;
        const usesFiles = step.inputs.length > 0 || step.args.some((a) => PLACEHOLDER.test(a));
        if (usesFiles && !pvc) {
            throw new KubeConfigError(`step ${step.stepName} passes files ($KO_IN/$KO_OUT), which reach Kubernetes pods through a shared volume, and none is configured.\n`
                + 'Create a PersistentVolumeClaim (ReadWriteMany, or ReadWriteOnce on a one-node kind/minikube/k3d cluster) and pass it with '
                + 'KO_PVC=<claim>:<where this machine sees the volume> (or the pvc run setting, same form); see docs/kubernetes.md, "Shared volume".');
        }
        if (usesFiles && pvc && !pvc.localPath) {
            throw new KubeConfigError(`step ${step.stepName} passes files but the volume ${pvc.claimName} has no local path on this machine to stage inputs and collect outputs: `
                + `give it as KO_PVC=${pvc.claimName}:<local path> (see docs/kubernetes.md, "Shared volume").`);
        }
        return pvc;
    }

    private ensureWatching(): Promise<void> {
        if (this.jobWatch?.failed || this.podWatch?.failed) {
            void this.jobWatch?.stop();
            void this.podWatch?.stop();
            this.started = undefined;
        }
        this.started ??= (async () => {
            const selector = `app.kubernetes.io/managed-by=ko,ko.dev/session=${this.session}`;
            const common = { labelSelector: selector, namespace: this.ns, timeoutSeconds: this.opts.watchTimeoutSeconds, onError: (e: Error) => this.failAll(e) };
            this.jobWatch = new ListWatch(this.client, `/apis/batch/v1/namespaces/${this.ns}/jobs`, (type, job) => { if (type !== 'DELETED') this.onJob(job); else this.onJobDeleted(job); }, common);
            this.podWatch = new ListWatch(this.client, `/api/v1/namespaces/${this.ns}/pods`, (type, pod) => { if (type !== 'DELETED') this.onPod(pod); }, common);
            await Promise.all([this.jobWatch.start(), this.podWatch.start()]);
        })().catch((err) => { this.started = undefined; throw err; });
        return this.started;
    }

    /** The run's owner ConfigMap, created once (create-if-absent, so concurrent steps share it). */
    private runOwner(runId: string): Promise<{ name: string; uid: string }> {
        let owner = this.runOwners.get(runId);
        if (!owner) {
            const name = `ko-run-${nameFragment(runId, 40)}-${shortHash(runId)}`;
            owner = (async () => {
                const path = `/api/v1/namespaces/${this.ns}/configmaps`;
                let cm: KubeObject;
                try {
                    cm = await this.client.request<KubeObject>('POST', path, { namespace: this.ns, body: {
                        apiVersion: 'v1', kind: 'ConfigMap',
                        metadata: { name, labels: { ...MANAGED_BY, 'ko.dev/kind': 'run', 'ko.dev/run': labelValue(runId) }, annotations: { 'ko.dev/run-id': runId } },
                        data: { runId, startedAt: new Date().toISOString() },
                    } });
                } catch (err) {
                    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
                    cm = await this.client.request<KubeObject>('GET', `${path}/${name}`, { namespace: this.ns });
                }
                return { name, uid: cm.metadata.uid ?? '' };
            })();
            owner.catch(() => this.runOwners.delete(runId));
            this.runOwners.set(runId, owner);
        }
        return owner;
    }

    private stageInputs(step: StepSpec, localPath: string, stepDir: string): void {
        const inDir = join(localPath, stepDir, 'in');
        mkdirSync(inDir, { recursive: true });
        mkdirSync(join(localPath, stepDir, 'out'), { recursive: true });
        for (const input of step.inputs) {
            // Content-addressed on the volume: each object is copied once, whatever step needs it.
            const object = join(localPath, 'objects', input.hash.slice(0, 2), input.hash);
            if (!existsSync(object)) {
                mkdirSync(dirname(object), { recursive: true });
                const tmp = `${object}.${process.pid}.tmp`;
                copyFileSync(input.objectPath, tmp);
                renameSync(tmp, object);
            }
            const target = join(inDir, ...input.name.split('/'));
            mkdirSync(dirname(target), { recursive: true });
            if (!existsSync(target)) {
                try { linkSync(object, target); } catch { copyFileSync(object, target); }
            }
        }
    }

    private jobManifest(step: StepSpec, jobName: string, owner: { name: string; uid: string }, pvc: PvcConfig | undefined, stepDir: string | undefined): object {
        const labels = {
            ...MANAGED_BY,
            'ko.dev/session': this.session,
            'ko.dev/run': labelValue(step.runId),
            'ko.dev/step': labelValue(step.stepName),
            'ko.dev/key': labelValue(step.key),
        };
        const mountPath = (pvc?.mountPath ?? '/ko-data').replace(/\/+$/, '');
        // The same variables as a local run; the directories are the in-pod paths on the volume.
        const vars: Record<string, string> = { ...step.env, KO_STEP: step.stepName, KO_RUN_ID: step.runId, KO_KEY: step.key };
        let args = [...step.args];
        if (pvc && stepDir) {
            vars.KO_IN = `${mountPath}/${stepDir}/in`;
            vars.KO_OUT = `${mountPath}/${stepDir}/out`;
            args = expandPlaceholders(step.args, vars.KO_IN, vars.KO_OUT);
        }
        const env = Object.entries(vars).map(([name, value]) => ({ name, value }));
        const container: Record<string, unknown> = {
            name: 'main', image: step.image, env,
            ...(step.command.length ? { command: [...step.command] } : {}),
            ...(args.length ? { args } : {}),
            ...(step.workdir ? { workingDir: step.workdir } : {}),
            ...(pvc ? { volumeMounts: [{ name: 'ko-data', mountPath }] } : {}),
        };
        return {
            apiVersion: 'batch/v1', kind: 'Job',
            metadata: {
                name: jobName, labels,
                annotations: { 'ko.dev/step-id': step.id, 'ko.dev/step-name': step.stepName, 'ko.dev/key': step.key, 'ko.dev/run-id': step.runId },
                ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, blockOwnerDeletion: false }],
            },
            spec: {
                backoffLimit: Math.max(0, step.retries),
                ...(step.timeoutSeconds ? { activeDeadlineSeconds: Math.ceil(step.timeoutSeconds) } : {}),
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: 'Never',
                        containers: [container],
                        ...(pvc ? { volumes: [{ name: 'ko-data', persistentVolumeClaim: { claimName: pvc.claimName } }] } : {}),
                    },
                },
            },
        };
    }

    private async createJob(manifest: object): Promise<void> {
        const name = (manifest as KubeObject).metadata.name;
        for (let attempt = 0; ; attempt++) {
            try {
                await this.client.request('POST', `/apis/batch/v1/namespaces/${this.ns}/jobs`, { body: manifest, namespace: this.ns });
                return;
            } catch (err) {
                if (!(err instanceof KubeApiError && err.code === 409)) throw err;
            }
            // A create retried after a 5xx may have landed the first time: adopt it if it is ours.
            let existing: KubeObject | undefined;
            try {
                existing = await this.client.request<KubeObject>('GET', `/apis/batch/v1/namespaces/${this.ns}/jobs/${name}`, { namespace: this.ns });
            } catch (err) {
                // Gone again (deleted meanwhile): create once more.
                if (err instanceof KubeApiError && err.code === 404 && attempt < 2) continue;
                throw err;
            }
            if (existing.metadata.labels?.['ko.dev/session'] === this.session) return;
            throw new KubeApiError(`Job ${name} already exists in namespace ${this.ns} and was not created by this run; `
                + `delete it (kubectl delete job -n ${this.ns} ${name}) and run again`, 409, 'AlreadyExists', { name }, 'POST', 'jobs');
        }
    }

    // --- following ----------------------------------------------------------------------------

    private onJob(job: KubeObject): void {
        const t = this.trackers.get(job.metadata.name);
        if (!t || t.finishing) return;
        const conditions: { type: string; status: string; reason?: string; message?: string }[] = job.status?.conditions ?? [];
        const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True');
        const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
        if (complete || failed) void this.finish(t, job, !!complete, failed);
    }

    private onJobDeleted(job: KubeObject): void {
        const t = this.trackers.get(job.metadata.name);
        if (t && !t.finishing) this.settle(t, new KubeStepError(`the Job ${job.metadata.name} of step ${t.step.stepName} was deleted (the run was cancelled, or someone deleted it with kubectl)`, t.step.id, 'Deleted'));
    }

    private onPod(pod: KubeObject): void {
        const t = this.trackers.get(pod.metadata.labels?.['job-name'] ?? '');
        if (!t) return;
        const name = pod.metadata.name;
        if (!t.pods.includes(name)) {
            t.pods.push(name);
            const attempt = t.pods.length;
            if (attempt > 1) t.onEvent({ kind: 'retrying', id: t.step.id, attempt, reason: t.lastFailure ?? 'the previous attempt failed' });
            t.onEvent({ kind: 'started', id: t.step.id, attempt });
            t.log.write(`--- attempt ${attempt}: pod ${name}\n`);
        }
        const status = pod.status ?? {};
        const cs = status.containerStatuses?.[0];
        const waiting = cs?.state?.waiting;
        if (waiting && IMAGE_ERRORS.has(waiting.reason) && !t.finishing) {
            void this.failForPod(t, name, waiting.reason, waiting.message);
            return;
        }
        if (status.reason === 'Evicted') {
            const msg = `pod ${name} was evicted: ${status.message ?? 'no message'}`;
            if (t.lastFailure !== msg) {
                t.lastFailure = msg;
                this.emitLine(t, 'stderr', `ko: ${msg}`);
            }
        } else if (status.phase === 'Failed' && cs?.state?.terminated) {
            t.lastFailure = `pod ${name} exited with code ${cs.state.terminated.exitCode}`;
        }
        if ((status.phase === 'Running' || status.phase === 'Succeeded' || status.phase === 'Failed') && status.reason !== 'Evicted' && !t.following.has(name)) {
            t.following.set(name, this.followLog(t, name));
        }
    }

    /** Streams the pod's log into StepEvents until the container ends. */
    private async followLog(t: Tracker, pod: string): Promise<void> {
        for (let attempt = 0; attempt < 5 && !t.finishing; attempt++) {
            try {
                const res = await this.client.stream(`/api/v1/namespaces/${this.ns}/pods/${pod}/log`, {
                    query: { container: 'main', follow: 'true' }, accept: '*/*', namespace: this.ns, signal: this.streams.signal,
                });
                t.streamed.set(pod, '');
                await forEachLine(res, (line) => {
                    t.streamed.set(pod, `${t.streamed.get(pod)}${line}\n`);
                    this.emitLine(t, 'stdout', line);
                });
                return;
            } catch (err) {
                // A dropped log stream is not fatal: the final log is read again when the Job ends.
                if (this.closed || (err instanceof KubeApiError && err.code === 404)) return;
                await sleep(100 * 2 ** attempt).catch(() => undefined);
            }
        }
    }

    private emitLine(t: Tracker, stream: 'stdout' | 'stderr', line: string): void {
        if (this.trackers.get(t.jobName) !== t) return; // settled: late lines of a cancelled step
        t.log.write(line + '\n');
        t.onEvent({ kind: 'log', id: t.step.id, stream, line });
    }

    private async failForPod(t: Tracker, pod: string, reason: string, waitingMessage?: string): Promise<void> {
        t.finishing = true;
        const message = (await this.eventMessage(pod, 'Warning').catch(() => undefined)) ?? waitingMessage ?? reason;
        this.emitLine(t, 'stderr', `ko: ${reason}: ${message}`);
        await this.deleteJob(t.jobName).catch(() => undefined);
        this.settle(t, new KubeStepError(`step ${t.step.stepName} could not start on Kubernetes (${reason}): ${message}`, t.step.id, reason));
    }

    /** The newest event message of the given type for an object (image pull, eviction detail). */
    private async eventMessage(objectName: string, type: 'Warning' | 'Normal'): Promise<string | undefined> {
        const list = await this.client.request<{ items: { type: string; reason: string; message: string; lastTimestamp?: string }[] }>(
            'GET', `/api/v1/namespaces/${this.ns}/events`, { query: { fieldSelector: `involvedObject.name=${objectName}` }, namespace: this.ns });
        const items = list.items.filter((e) => e.type === type && !/^Error: /.test(e.message));
        return items.at(-1)?.message;
    }

    /**
     * Jobs and pods come on separate streams, so a Job can report its end before the last events of
     * its pods arrived. When the pods seen do not account for the Job's count, or the newest is not
     * terminated yet, list them once.
     */
    private async catchUpPods(t: Tracker, job: KubeObject): Promise<void> {
        const counted = (job.status?.succeeded ?? 0) + (job.status?.failed ?? 0);
        const newest = t.pods.at(-1);
        const cached = newest ? this.podWatch?.cache.get(`${this.ns}/${newest}`) : undefined;
        const terminal = cached?.status?.containerStatuses?.[0]?.state?.terminated || cached?.status?.reason === 'Evicted';
        if (t.pods.length >= counted && terminal) return;
        const list = await this.client.request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${this.ns}/pods`, {
            query: { labelSelector: `job-name=${t.jobName}` }, namespace: this.ns });
        const pods = list.items.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
        for (const pod of pods) {
            this.podWatch?.cache.set(`${this.ns}/${pod.metadata.name}`, pod);
            this.onPod(pod);
        }
    }

    private async finish(t: Tracker, job: KubeObject, succeeded: boolean, failed?: { reason?: string; message?: string }): Promise<void> {
        t.finishing = true;
        try {
            await this.catchUpPods(t, job);
            const lastPod = t.pods.at(-1);
            // Let the followed log drain (it ends with the container), but never wait long for it.
            if (lastPod) await Promise.race([t.following.get(lastPod), sleep(2_000)]);
            let stdout = '';
            let exitCode = succeeded ? 0 : 1;
            if (lastPod) {
                // The watch usually has the terminated pod already; read it only when it does not. A pod
                // killed at the deadline (or garbage-collected) is gone: then the watch's last view is all there is.
                const cached = this.podWatch?.cache.get(`${this.ns}/${lastPod}`);
                const pod = cached?.status?.containerStatuses?.[0]?.state?.terminated || cached?.status?.reason === 'Evicted' ? cached
                    : await this.client.request<KubeObject>('GET', `/api/v1/namespaces/${this.ns}/pods/${lastPod}`, { namespace: this.ns })
                        .catch((err: unknown) => {
                            if (err instanceof KubeApiError && err.code === 404) return cached ?? { metadata: { name: lastPod } };
                            throw err;
                        });
                const term = pod.status?.containerStatuses?.[0]?.state?.terminated;
                if (pod.status?.reason === 'Evicted' && !succeeded) {
                    throw new KubeStepError(`step ${t.step.stepName} failed on Kubernetes: pod ${lastPod} was evicted: ${pod.status.message ?? ''}`.trim(), t.step.id, 'Evicted');
                }
                if (term) exitCode = term.exitCode;
                stdout = await this.readLog(lastPod).catch((err: unknown) => {
                    if (err instanceof KubeApiError && (err.code === 404 || err.code === 400)) return t.streamed.get(lastPod) ?? '';
                    throw err;
                });
            }
            if (failed?.reason === 'DeadlineExceeded') {
                this.emitLine(t, 'stderr', `ko: step exceeded its timeout of ${t.step.timeoutSeconds}s (Job DeadlineExceeded)`);
                exitCode = 124;
            } else if (!succeeded && exitCode === 0) {
                exitCode = 1;
            }
            const outputs = t.outDir && exitCode === 0 ? listFiles(t.outDir) : [];
            const volume = this.opts.pvc?.localPath;
            if (volume && exitCode === 0) {
                // Kept content-addressed on the volume, so other machines can adopt this step's outcome.
                await publishFiles(volume, outputs.map((o) => o.localPath));
                if (Buffer.byteLength(stdout) > INLINE_STDOUT) publishBytes(volume, stdout);
            }
            t.onEvent({ kind: 'finished', id: t.step.id, exitCode });
            this.settle(t, {
                exitCode, stdout, logPath: t.logPath, outputs,
                attempts: Math.max(1, t.pods.length), startedAt: t.startedAt, finishedAt: new Date().toISOString(),
                placement: `kubernetes:${this.opts.contextName}/${this.ns}/${t.jobName}`,
            });
        } catch (err) {
            this.settle(t, err as Error);
        }
    }

    private async readLog(pod: string): Promise<string> {
        const res = await this.client.stream(`/api/v1/namespaces/${this.ns}/pods/${pod}/log`, { query: { container: 'main' }, accept: '*/*', namespace: this.ns });
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString('utf8');
    }

    private async deleteJob(name: string): Promise<void> {
        try {
            await this.client.request('DELETE', `/apis/batch/v1/namespaces/${this.ns}/jobs/${name}`, {
                query: { propagationPolicy: 'Background' }, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }, namespace: this.ns,
            });
        } catch (err) {
            if (!(err instanceof KubeApiError && err.code === 404)) throw err;
        }
    }

    private settle(t: Tracker, outcome: StepResult | Error): void {
        if (this.trackers.get(t.jobName) !== t) return;
        this.trackers.delete(t.jobName);
        t.finishing = true;
        t.log.end();
        if (outcome instanceof Error) t.reject(outcome);
        else t.resolve(outcome);
    }

    private failAll(err: Error): void {
        for (const t of [...this.trackers.values()]) this.settle(t, err);
        this.started = undefined;
    }
}

function abortError(): Error {
    const e = new Error('the step was cancelled; its Kubernetes Job is being deleted');
    e.name = 'AbortError';
    return e;
}

function listFiles(root: string): StepOutputFile[] {
    const out: StepOutputFile[] = [];
    const walk = (dir: string) => {
        if (!existsSync(dir)) return;
        for (const entry of readdirSync(dir)) {
            const p = join(dir, entry);
            if (statSync(p).isDirectory()) walk(p);
            else out.push({ name: relative(root, p).split(sep).join('/'), localPath: p });
        }
    };
    walk(root);
    return out.sort((a, b) => a.name.localeCompare(b.name));
}
