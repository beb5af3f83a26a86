// A TEST DOUBLE of the Kubernetes API server (node:http only, no dependencies). It is not a
// Kubernetes distribution: it exists so the Kubernetes executor, the cluster cache and kubectl
// can be exercised for real (HTTP, watches, logs, processes) on a machine without a cluster.
// It keeps namespaces, pods, jobs, configmaps and events in memory with one resourceVersion
// counter and an event history, so list+watch, bookmarks and "410 Gone" behave like the real
// server. A job controller creates one pod per Job attempt and a "kubelet" runs each pod's
// container command as a local process (argv, no shell), mapping PersistentVolumeClaim mounts
// to local directories. Faults (dropped watches, 429/5xx, slow responses, 401/403, image pull
// failures, evictions) are injected through `double.faults` or POST /__double/fault.
//
// Run standalone: node test/kube-double/kube-double.mjs [--port 8001] [--kubeconfig FILE]
//   [--namespace ko-test] [--pvc-root DIR] [--kubelet-process]  (spawn pods from a helper process)
import http from 'node:http';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { createRemoteSpawner } from './kubelet-spawner.mjs';

/** Resource table: what the double serves, for routing, discovery and RBAC messages. */
const RESOURCES = {
    namespaces: { group: '', version: 'v1', kind: 'Namespace', namespaced: false, short: ['ns'] },
    pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true, short: ['po'] },
    configmaps: { group: '', version: 'v1', kind: 'ConfigMap', namespaced: true, short: ['cm'] },
    events: { group: '', version: 'v1', kind: 'Event', namespaced: true, short: ['ev'] },
    jobs: { group: 'batch', version: 'v1', kind: 'Job', namespaced: true, short: [] },
    selfsubjectaccessreviews: { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', namespaced: false, short: [] },
};
const apiVersionOf = (r) => (r.group ? `${r.group}/${r.version}` : r.version);
const now = () => new Date().toISOString();
const clone = (o) => JSON.parse(JSON.stringify(o));
const statusObj = (code, reason, message, details) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) });

/** Parses an equality-based label selector (`a=b,c!=d,e,!f`); set-based forms are not needed here. */
function parseSelector(text) {
    if (!text) return [];
    return text.split(',').map((s) => s.trim()).filter(Boolean).map((term) => {
        let m;
        if ((m = term.match(/^([^!=]+)!=(.*)$/))) return { key: m[1].trim(), op: '!=', value: m[2].trim() };
        if ((m = term.match(/^([^!=]+)==?(.*)$/))) return { key: m[1].trim(), op: '=', value: m[2].trim() };
        if (term.startsWith('!')) return { key: term.slice(1), op: '!' };
        return { key: term, op: 'exists' };
    });
}
function labelsMatch(terms, labels = {}) {
    return terms.every((t) => t.op === '=' ? labels[t.key] === t.value : t.op === '!=' ? labels[t.key] !== t.value
        : t.op === '!' ? !(t.key in labels) : t.key in labels);
}
function fieldsMatch(terms, obj) {
    return terms.every((t) => {
        const v = t.key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
        return t.op === '!=' ? String(v ?? '') !== t.value : String(v ?? '') === t.value;
    });
}
function age(ts) {
    if (!ts) return '<unknown>';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(ts)) / 1000));
    return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

export async function startKubeDouble(options = {}) {
    const opts = {
        port: 0, namespaces: ['default', 'ko-test'], token: undefined, user: 'fake-user',
        pvcRoot: undefined, pvcs: {}, historyLimit: 10_000, bookmarkIntervalMs: 1000,
        jobBackoffMs: 50, deleteGraceMs: 300, gone: 'event', ...options,
    };
    const pvcRoot = opts.pvcRoot ?? mkdtempSync(join(tmpdir(), 'kube-double-pvc-'));
    // `kubeletProcess`: pods are spawned by a helper process, so spawning never blocks the API.
    const remote = opts.kubeletProcess ? createRemoteSpawner(fileURLToPath(new URL('./kubelet-spawner.mjs', import.meta.url)), Number(process.env.KO_DOUBLE_SPAWNERS ?? 2)) : undefined;
    const spawnProc = remote ? remote.spawn : spawn;
    const store = new Map(Object.keys(RESOURCES).map((r) => [r, new Map()]));
    const history = []; // { rv, resource, type, object }
    let rv = 1000;
    let compactedRv = rv; // watches asking for an older resourceVersion get 410 Gone
    const watchers = new Set();
    const requests = [];
    const procs = new Map(); // pod key -> { child, logs: string, followers: Set<res>, done }
    const timers = new Set();
    const faultState = { fail: [], delay: [], deny: [], unauthorized: false, imagePull: [], evict: [], lag: {} };

    const later = (ms, fn) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); return t; };
    const keyOf = (ns, name) => `${ns ?? ''}/${name}`;

    // --- storage and watch fan-out -------------------------------------------------------
    function record(resource, type, obj) {
        const entry = { rv, resource, type, object: clone(obj) };
        history.push(entry);
        if (history.length > opts.historyLimit) compactedRv = history.shift().rv;
        for (const w of watchers) if (w.resource === resource) deliver(w, entry);
    }
    function deliver(w, entry) {
        const o = entry.object;
        if (w.ns && o.metadata.namespace !== w.ns) return;
        if (!labelsMatch(w.labels, o.metadata.labels) || !fieldsMatch(w.fields, o)) return;
        const ev = { type: entry.type, object: w.table ? toTable(w.resource, [o]) : o };
        const lag = faultState.lag[w.resource];
        if (lag) later(lag, () => w.write(ev)); else w.write(ev);
    }
    function put(resource, obj, type) {
        obj.metadata.resourceVersion = String(++rv);
        store.get(resource).set(keyOf(obj.metadata.namespace, obj.metadata.name), obj);
        record(resource, type, obj);
        return obj;
    }
    function remove(resource, obj) {
        if (!store.get(resource).delete(keyOf(obj.metadata.namespace, obj.metadata.name))) return false;
        obj.metadata.resourceVersion = String(++rv);
        record(resource, 'DELETED', obj);
        if (resource === 'pods') killPod(obj, 'SIGTERM');
        // Garbage collector: dependents whose ownerReferences name this uid go too (Background).
        later(0, () => {
            for (const [res, map] of store) for (const dep of [...map.values()])
                if ((dep.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid)) remove(res, dep);
        });
        return true;
    }
    function get(resource, ns, name) { return store.get(resource).get(keyOf(ns, name)); }
    function create(resource, ns, body) {
        const r = RESOURCES[resource];
        const obj = clone(body);
        obj.metadata ??= {};
        if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomBytes(3).toString('hex').slice(0, 5);
        if (!obj.metadata.name) return { error: statusObj(422, 'Invalid', `${resource} "" is invalid: metadata.name: Required value: name or generateName is required`) };
        if (r.namespaced) obj.metadata.namespace = ns;
        if (get(resource, r.namespaced ? ns : undefined, obj.metadata.name)) {
            const gr = r.group ? `${resource}.${r.group}` : resource;
            return { error: statusObj(409, 'AlreadyExists', `${gr} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, group: r.group, kind: resource }) };
        }
        Object.assign(obj.metadata, { uid: randomUUID(), creationTimestamp: now() });
        obj.kind = r.kind; obj.apiVersion = apiVersionOf(r);
        if (resource === 'namespaces') obj.status = { phase: 'Active' };
        if (resource === 'pods') obj.status = { phase: 'Pending', conditions: [] };
        if (resource === 'jobs') {
            obj.status = {};
            obj.spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': obj.metadata.uid } };
        }
        put(resource, obj, 'ADDED');
        if (resource === 'pods') later(1, () => kubelet(obj));
        if (resource === 'jobs') later(1, () => jobStart(obj));
        return { obj };
    }

    // --- events ------------------------------------------------------------------------------
    function event(obj, type, reason, message, component = 'kubelet') {
        const ns = obj.metadata.namespace ?? 'default';
        const e = {
            metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns, uid: randomUUID(), creationTimestamp: now() },
            kind: 'Event', apiVersion: 'v1',
            involvedObject: { kind: obj.kind, name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, apiVersion: obj.apiVersion },
            reason, message, type, count: 1, source: { component }, reportingComponent: component,
            firstTimestamp: now(), lastTimestamp: now(),
        };
        put('events', e, 'ADDED');
    }

    // --- job controller ------------------------------------------------------------------------
    function jobStart(job) {
        if (!get('jobs', job.metadata.namespace, job.metadata.name)) return;
        job.status = { ...job.status, startTime: now(), active: 0, failed: 0, succeeded: 0 };
        put('jobs', job, 'MODIFIED');
        if (job.spec.activeDeadlineSeconds) later(job.spec.activeDeadlineSeconds * 1000, () => jobDeadline(job));
        jobSpawnPod(job);
    }
    function jobSpawnPod(job) {
        if (!get('jobs', job.metadata.namespace, job.metadata.name) || job.status.conditions) return;
        const tpl = clone(job.spec.template ?? {});
        const labels = { ...(tpl.metadata?.labels ?? {}), 'job-name': job.metadata.name, 'batch.kubernetes.io/job-name': job.metadata.name,
            'controller-uid': job.metadata.uid, 'batch.kubernetes.io/controller-uid': job.metadata.uid };
        const pod = { metadata: { ...(tpl.metadata ?? {}), generateName: `${job.metadata.name}-`, labels,
            ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        spec: tpl.spec ?? {} };
        const { obj } = create('pods', job.metadata.namespace, pod);
        job.status.active = 1;
        put('jobs', job, 'MODIFIED');
        event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${obj.metadata.name}`, 'job-controller');
    }
    function jobPodFinished(pod) {
        const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.kind === 'Job');
        if (!owner) return;
        const job = get('jobs', pod.metadata.namespace, owner.name);
        if (!job || job.metadata.uid !== owner.uid || job.status.conditions) return;
        job.status.active = 0;
        if (pod.status.phase === 'Succeeded') {
            job.status.succeeded = (job.status.succeeded ?? 0) + 1;
            job.status.completionTime = now();
            job.status.conditions = [
                { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: now(), reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
                { type: 'Complete', status: 'True', lastTransitionTime: now(), reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }];
            put('jobs', job, 'MODIFIED');
            event(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
            return;
        }
        job.status.failed = (job.status.failed ?? 0) + 1;
        const limit = job.spec.backoffLimit ?? 6;
        if (job.status.failed > limit) {
            job.status.conditions = [
                { type: 'FailureTarget', status: 'True', lastTransitionTime: now(), reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
                { type: 'Failed', status: 'True', lastTransitionTime: now(), reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }];
            put('jobs', job, 'MODIFIED');
            event(job, 'Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 'job-controller');
            return;
        }
        put('jobs', job, 'MODIFIED');
        later(opts.jobBackoffMs, () => jobSpawnPod(job));
    }
    function jobDeadline(job) {
        const cur = get('jobs', job.metadata.namespace, job.metadata.name);
        if (!cur || cur.metadata.uid !== job.metadata.uid || cur.status.conditions) return;
        cur.status.conditions = [{ type: 'Failed', status: 'True', lastTransitionTime: now(), reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }];
        cur.status.active = 0;
        put('jobs', cur, 'MODIFIED');
        event(cur, 'Warning', 'DeadlineExceeded', 'Job was active longer than specified deadline', 'job-controller');
        for (const pod of [...store.get('pods').values()])
            if ((pod.metadata.ownerReferences ?? []).some((r) => r.uid === cur.metadata.uid) && pod.status.phase === 'Running') remove('pods', pod);
    }

    // --- kubelet: run the pod's container as a local process ---------------------------------
    function kubelet(pod) {
        if (!get('pods', pod.metadata.namespace, pod.metadata.name)) return;
        const c = (pod.spec.containers ?? [])[0];
        pod.spec.nodeName = 'double-node';
        pod.status.conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }];
        put('pods', pod, 'MODIFIED');
        event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to double-node`, 'default-scheduler');
        if (!c) return;
        const pullRule = faultState.imagePull.find((p) => c.image?.includes(p));
        if (pullRule !== undefined) {
            const msg = `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`;
            pod.status.containerStatuses = [{ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ErrImagePull', message: msg } } }];
            put('pods', pod, 'MODIFIED');
            event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
            event(pod, 'Warning', 'Failed', msg);
            event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
            later(100, () => {
                if (!get('pods', pod.metadata.namespace, pod.metadata.name)) return;
                pod.status.containerStatuses[0].state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
                put('pods', pod, 'MODIFIED');
                event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
            });
            return;
        }
        // Volume mapping: every mount of a PVC (or emptyDir) becomes a local directory and the
        // mount path is rewritten in argv, env values and workingDir.
        const mappings = [];
        for (const vm of c.volumeMounts ?? []) {
            const vol = (pod.spec.volumes ?? []).find((v) => v.name === vm.name);
            if (!vol) continue;
            let dir;
            if (vol.persistentVolumeClaim) dir = opts.pvcs[vol.persistentVolumeClaim.claimName] ?? join(pvcRoot, vol.persistentVolumeClaim.claimName);
            else dir = mkdtempSync(join(tmpdir(), 'kube-double-vol-'));
            mkdirSync(dir, { recursive: true });
            mappings.push({ from: vm.mountPath.replace(/\/+$/, ''), to: dir });
        }
        mappings.sort((a, b) => b.from.length - a.from.length);
        const mapPath = (s) => {
            for (const m of mappings) {
                const re = new RegExp(`(^|[=:,\\s])${m.from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$|[\\s,:])`, 'g');
                s = s.replace(re, (_x, pre) => pre + m.to);
            }
            return s;
        };
        const argv = [...(c.command ?? []), ...(c.args ?? [])].map(mapPath);
        const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOSTNAME: pod.metadata.name, HOME: tmpdir() };
        for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = mapPath(String(e.value));
        const cwd = c.workingDir ? mapPath(c.workingDir) : tmpdir();
        if (c.workingDir) mkdirSync(cwd, { recursive: true });
        const key = keyOf(pod.metadata.namespace, pod.metadata.name);
        const proc = { child: undefined, logs: '', followers: new Set(), done: false, startedAt: now() };
        procs.set(key, proc);
        event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
        const finish = (exitCode, reason, message) => {
            if (proc.done) return;
            proc.done = true;
            for (const f of proc.followers) f.end();
            proc.followers.clear();
            if (!get('pods', pod.metadata.namespace, pod.metadata.name) || pod.status.phase === 'Failed') return;
            pod.status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
            pod.status.containerStatuses = [{ name: c.name, image: c.image, imageID: `docker.io/${c.image}@sha256:double`, ready: false, restartCount: 0, started: false,
                state: { terminated: { exitCode, reason, ...(message ? { message } : {}), startedAt: proc.startedAt, finishedAt: now(), containerID: `double://${pod.metadata.uid}` } } }];
            pod.status.conditions = [...(pod.status.conditions ?? []).filter((x) => x.type !== 'Ready'), { type: 'Ready', status: 'False', lastTransitionTime: now(), reason: 'PodCompleted' }];
            put('pods', pod, 'MODIFIED');
            jobPodFinished(pod);
        };
        if (argv.length === 0) {
            event(pod, 'Warning', 'Failed', 'Error: no command specified (the double cannot run image entrypoints)');
            return finish(128, 'StartError', 'no command specified');
        }
        let child;
        try {
            child = spawnProc(argv[0], argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (err) {
            return finish(128, 'StartError', String(err));
        }
        proc.child = child;
        const onData = (chunk) => { const s = chunk.toString('utf8'); proc.logs += s; for (const f of proc.followers) f.write(s); };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (err) => {
            const msg = `failed to create containerd task: exec: "${argv[0]}": ${err.code === 'ENOENT' ? 'executable file not found in $PATH' : err.message}`;
            event(pod, 'Warning', 'Failed', `Error: ${msg}`);
            finish(128, 'StartError', msg);
        });
        child.on('spawn', () => {
            event(pod, 'Normal', 'Created', `Created container ${c.name}`);
            event(pod, 'Normal', 'Started', `Started container ${c.name}`);
            pod.status.phase = 'Running';
            pod.status.startTime = proc.startedAt;
            pod.status.podIP = '10.0.0.1';
            pod.status.containerStatuses = [{ name: c.name, image: c.image, imageID: `docker.io/${c.image}@sha256:double`, ready: true, restartCount: 0, started: true, state: { running: { startedAt: proc.startedAt } } }];
            pod.status.conditions = [...pod.status.conditions, { type: 'Ready', status: 'True', lastTransitionTime: now() }];
            put('pods', pod, 'MODIFIED');
            for (const rule of faultState.evict) {
                if (rule.count <= 0 || !labelsMatch(parseSelector(rule.selector), pod.metadata.labels)) continue;
                rule.count--;
                later(rule.afterMs, () => evict(pod, rule.message));
            }
        });
        // 'close' (not 'exit') so the last output is in the log before the pod turns terminal.
        child.on('close', (code, signal) => finish(code ?? (signal === 'SIGKILL' ? 137 : 143), code === 0 ? 'Completed' : 'Error'));
    }
    function killPod(pod, sig) {
        const p = procs.get(keyOf(pod.metadata.namespace, pod.metadata.name));
        if (!p?.child || p.done) return;
        p.child.kill(sig);
        later(opts.deleteGraceMs, () => { if (!p.done) p.child.kill('SIGKILL'); });
    }
    function evict(pod, message = 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.') {
        if (!get('pods', pod.metadata.namespace, pod.metadata.name) || pod.status.phase !== 'Running') return;
        pod.status.phase = 'Failed';
        pod.status.reason = 'Evicted';
        pod.status.message = message;
        pod.status.containerStatuses = [{ ...(pod.status.containerStatuses?.[0] ?? {}), ready: false,
            state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: now() } } }];
        put('pods', pod, 'MODIFIED');
        event(pod, 'Warning', 'Evicted', message);
        killPod(pod, 'SIGKILL');
        jobPodFinished(pod);
    }

    // --- tables for kubectl get ----------------------------------------------------------------
    const COLUMNS = {
        pods: [['Name', 'name'], ['Ready'], ['Status'], ['Restarts', 'integer'], ['Age']],
        jobs: [['Name', 'name'], ['Status'], ['Completions'], ['Duration'], ['Age']],
        configmaps: [['Name', 'name'], ['Data', 'integer'], ['Age']],
        events: [['Last Seen'], ['Type'], ['Reason'], ['Object'], ['Message']],
        namespaces: [['Name', 'name'], ['Status'], ['Age']],
    };
    function cells(resource, o) {
        const m = o.metadata;
        switch (resource) {
        case 'pods': {
            const cs = o.status?.containerStatuses?.[0];
            const st = o.status?.reason ?? cs?.state?.waiting?.reason ?? cs?.state?.terminated?.reason ?? o.status?.phase ?? 'Pending';
            return [m.name, `${cs?.ready ? 1 : 0}/${o.spec?.containers?.length ?? 1}`, st, cs?.restartCount ?? 0, age(m.creationTimestamp)];
        }
        case 'jobs': {
            const cond = (o.status?.conditions ?? []).find((c) => c.type === 'Complete' || c.type === 'Failed');
            const dur = o.status?.startTime ? age(new Date(Date.now() - ((o.status.completionTime ? Date.parse(o.status.completionTime) : Date.now()) - Date.parse(o.status.startTime))).toISOString()) : '';
            return [m.name, cond ? cond.type : 'Running', `${o.status?.succeeded ?? 0}/1`, dur, age(m.creationTimestamp)];
        }
        case 'configmaps': return [m.name, Object.keys(o.data ?? {}).length, age(m.creationTimestamp)];
        case 'events': return [age(o.lastTimestamp), o.type, o.reason, `${o.involvedObject.kind.toLowerCase()}/${o.involvedObject.name}`, o.message];
        case 'namespaces': return [m.name, o.status?.phase ?? 'Active', age(m.creationTimestamp)];
        default: return [m.name];
        }
    }
    function toTable(resource, items, listRv) {
        const cols = COLUMNS[resource] ?? [['Name', 'name']];
        return {
            kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: listRv ?? items[0]?.metadata.resourceVersion ?? String(rv) },
            columnDefinitions: cols.map(([name, format]) => ({ name, type: format === 'integer' ? 'integer' : 'string', format: format === 'name' ? 'name' : '', description: name, priority: 0 })),
            rows: items.map((o) => ({ cells: cells(resource, o), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })),
        };
    }

    // --- authorization ---------------------------------------------------------------------------
    function denied(verb, resource, group, ns, subresource) {
        return faultState.deny.some((d) => (d.verb === '*' || d.verb === verb) && (d.resource === '*' || d.resource === resource || d.resource === `${resource}/${subresource}`)
            && (d.namespace === undefined || d.namespace === ns) && (d.group === undefined || d.group === group));
    }
    function forbidden(verb, resource, group, ns, name, subresource) {
        const gr = group ? `${resource}.${group}` : resource;
        const res = subresource ? `${resource}/${subresource}` : resource;
        return statusObj(403, 'Forbidden', `${gr}${name ? ` "${name}"` : ''} is forbidden: User "${opts.user}" cannot ${verb} resource "${res}" in API group "${group}"${ns ? ` in the namespace "${ns}"` : ' at the cluster scope'}`,
            { name, group, kind: resource });
    }

    // --- HTTP ----------------------------------------------------------------------------------------
    const send = (res, code, obj, headers = {}) => {
        if (res.destroyed) return;
        const b = JSON.stringify(obj);
        res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(b), ...headers });
        res.end(b);
    };
    const matchRule = (rule, req, path) => (!rule.method || rule.method === req.method) && (!rule.path || path.includes(rule.path))
        && (rule.watch === undefined || rule.watch === (new URL(req.url, 'http://x').searchParams.get('watch') === 'true'));

    function discovery(p, res) {
        if (p === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-kube-double', gitCommit: 'double', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' }), true;
        if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }), true;
        const groups = [...new Set(Object.values(RESOURCES).filter((r) => r.group).map((r) => r.group))];
        if (p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })) }), true;
        const gv = p === '/api/v1' ? 'v1' : p.startsWith('/apis/') && p.split('/').length === 4 ? p.slice(6) : undefined;
        if (!gv) return false;
        const list = Object.entries(RESOURCES).filter(([, r]) => apiVersionOf(r) === gv);
        if (!list.length) return false;
        const resources = [];
        for (const [name, r] of list) {
            const verbs = name === 'selfsubjectaccessreviews' ? ['create'] : ['create', 'delete', 'deletecollection', 'get', 'list', 'update', 'watch'];
            resources.push({ name, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs, shortNames: r.short, ...(name === 'pods' || name === 'jobs' ? { categories: ['all'] } : {}) });
            if (name === 'pods') resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
        }
        send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
        return true;
    }

    function route(p) {
        // Returns { resource, group, ns, name, sub } or undefined.
        let m;
        if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)$/))) return { resource: 'namespaces', group: '', name: m[1] };
        if ((m = p.match(/^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/)))
            return RESOURCES[m[2]]?.group === '' ? { resource: m[2], group: '', ns: m[1], name: m[3], sub: m[4] } : undefined;
        if ((m = p.match(/^\/api\/v1\/([^/]+)(?:\/([^/]+))?$/)))
            return RESOURCES[m[1]]?.group === '' ? { resource: m[1], group: '', name: m[2] } : undefined;
        if ((m = p.match(/^\/apis\/([^/]+)\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/)))
            return RESOURCES[m[3]]?.group === m[1] ? { resource: m[3], group: m[1], ns: m[2], name: m[4], sub: m[5] } : undefined;
        if ((m = p.match(/^\/apis\/([^/]+)\/v1\/([^/]+)(?:\/([^/]+))?$/)))
            return RESOURCES[m[2]]?.group === m[1] ? { resource: m[2], group: m[1], name: m[3] } : undefined;
        return undefined;
    }

    function handle(req, res, body) {
        const u = new URL(req.url, 'http://x');
        const p = u.pathname;
        const q = u.searchParams;
        if (p === '/__double/stats' && req.method === 'GET') return send(res, 200, { requests: requests.length, resourceVersion: rv, watchers: watchers.size, cpu: process.cpuUsage() });
        if (p === '/__double/fault' && req.method === 'POST') {
            const f = JSON.parse(body || '{}');
            const fn = faults[f.action];
            if (typeof fn !== 'function') return send(res, 400, statusObj(400, 'BadRequest', `unknown fault ${f.action}`));
            fn(f);
            return send(res, 200, { ok: true });
        }
        if (faultState.unauthorized || (opts.token && req.headers.authorization !== `Bearer ${opts.token}`))
            return send(res, 401, statusObj(401, 'Unauthorized', 'Unauthorized'));
        if (discovery(p, res)) return;
        const r = route(p);
        if (!r) return send(res, 404, statusObj(404, 'NotFound', 'the server could not find the requested resource'));
        const meta = RESOURCES[r.resource];
        const isWatch = q.get('watch') === 'true' || q.get('watch') === '1';
        const verb = req.method === 'GET' ? (isWatch ? 'watch' : r.name ? 'get' : 'list')
            : req.method === 'POST' ? 'create' : req.method === 'PUT' ? 'update' : req.method === 'PATCH' ? 'patch'
                : req.method === 'DELETE' ? (r.name ? 'delete' : 'deletecollection') : req.method.toLowerCase();
        if (denied(verb, r.resource, r.group, r.ns, r.sub)) return send(res, 403, forbidden(verb, r.resource, r.group, r.ns, r.name, r.sub));
        const nsMissing = r.ns && !get('namespaces', undefined, r.ns);

        if (r.resource === 'selfsubjectaccessreviews' && req.method === 'POST') {
            const review = JSON.parse(body || '{}');
            const a = review.spec?.resourceAttributes ?? {};
            const allowed = !denied(a.verb, a.resource, a.group ?? '', a.namespace, a.subresource);
            return send(res, 201, { ...review, kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
                status: { allowed, ...(allowed ? { reason: 'allowed by the kube double' } : { denied: false, reason: 'denied by a fault rule of the kube double' }) } });
        }
        const table = (req.headers.accept ?? '').includes('as=Table');
        const labels = parseSelector(q.get('labelSelector'));
        const fields = parseSelector(q.get('fieldSelector'));
        const scoped = (o) => (!r.ns || o.metadata.namespace === r.ns) && labelsMatch(labels, o.metadata.labels) && fieldsMatch(fields, o);

        if (r.sub === 'log' && r.resource === 'pods' && req.method === 'GET') {
            const pod = get('pods', r.ns, r.name);
            if (!pod) return send(res, 404, statusObj(404, 'NotFound', `pods "${r.name}" not found`));
            const cname = q.get('container') ?? pod.spec.containers?.[0]?.name;
            if (!pod.spec.containers?.some((c) => c.name === cname)) return send(res, 400, statusObj(400, 'BadRequest', `container ${cname} is not valid for pod ${r.name}`));
            const proc = procs.get(keyOf(r.ns, r.name));
            if (!proc) {
                const w = pod.status.containerStatuses?.[0]?.state?.waiting;
                return send(res, 400, statusObj(400, 'BadRequest', `container "${cname}" in pod "${r.name}" is waiting to start: ${w?.reason ?? 'ContainerCreating'}`));
            }
            let text = proc.logs;
            const tail = q.get('tailLines');
            if (tail !== null) { const lines = text.split('\n'); const last = lines.pop(); text = [...lines.slice(-Number(tail)), last].join('\n'); }
            res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
            if (q.get('follow') === 'true' && !proc.done) {
                res.flushHeaders();
                if (text) res.write(text);
                const f = { write: (s) => res.write(s), end: () => res.end() };
                proc.followers.add(f);
                res.on('close', () => proc.followers.delete(f));
                return;
            }
            return res.end(text);
        }
        if (r.sub) return send(res, 404, statusObj(404, 'NotFound', 'the server could not find the requested resource'));

        const map = store.get(r.resource);
        if (req.method === 'GET' && isWatch) return watch(req, res, r, q, labels, fields, table);
        if (req.method === 'GET' && !r.name) {
            const items = [...map.values()].filter(scoped);
            if (table) return send(res, 200, toTable(r.resource, items, String(rv)));
            return send(res, 200, { kind: `${meta.kind}List`, apiVersion: apiVersionOf(meta), metadata: { resourceVersion: String(rv) }, items });
        }
        const gr = meta.group ? `${r.resource}.${meta.group}` : r.resource;
        if (req.method === 'GET') {
            const o = get(r.resource, r.ns, r.name);
            if (!o) return send(res, 404, statusObj(404, 'NotFound', `${gr} "${r.name}" not found`, { name: r.name, group: meta.group, kind: r.resource }));
            return send(res, 200, table ? toTable(r.resource, [o]) : o);
        }
        if (req.method === 'POST' && !r.name) {
            if (nsMissing) return send(res, 404, statusObj(404, 'NotFound', `namespaces "${r.ns}" not found`, { name: r.ns, kind: 'namespaces' }));
            let parsed;
            try { parsed = JSON.parse(body); } catch { return send(res, 400, statusObj(400, 'BadRequest', 'the request body is not valid JSON')); }
            const out = create(r.resource, r.ns, parsed);
            if (out.error) return send(res, out.error.code, out.error);
            return send(res, 201, out.obj);
        }
        if (req.method === 'PUT' && r.name) {
            const cur = get(r.resource, r.ns, r.name);
            if (!cur) return send(res, 404, statusObj(404, 'NotFound', `${gr} "${r.name}" not found`));
            const next = JSON.parse(body);
            if (next.metadata?.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion)
                return send(res, 409, statusObj(409, 'Conflict', `Operation cannot be fulfilled on ${gr} "${r.name}": the object has been modified; please apply your changes to the latest version and try again`));
            next.metadata = { ...cur.metadata, labels: next.metadata?.labels ?? cur.metadata.labels, annotations: next.metadata?.annotations ?? cur.metadata.annotations };
            next.kind = cur.kind; next.apiVersion = cur.apiVersion;
            return send(res, 200, put(r.resource, next, 'MODIFIED'));
        }
        if (req.method === 'DELETE') {
            let propagation = q.get('propagationPolicy');
            if (!propagation && body) { try { propagation = JSON.parse(body).propagationPolicy; } catch { /* no options body */ } }
            const doDelete = (o) => {
                if (propagation === 'Orphan') for (const [, m2] of store) for (const d of m2.values())
                    d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((x) => x.uid !== o.metadata.uid);
                remove(r.resource, o);
            };
            if (!r.name) {
                const items = [...map.values()].filter(scoped);
                items.forEach(doDelete);
                return send(res, 200, { kind: `${meta.kind}List`, apiVersion: apiVersionOf(meta), metadata: { resourceVersion: String(rv) }, items });
            }
            const o = get(r.resource, r.ns, r.name);
            if (!o) return send(res, 404, statusObj(404, 'NotFound', `${gr} "${r.name}" not found`, { name: r.name, group: meta.group, kind: r.resource }));
            doDelete(o);
            if (r.resource === 'jobs' || r.resource === 'configmaps')
                return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: r.name, group: meta.group, kind: r.resource, uid: o.metadata.uid } });
            return send(res, 200, o);
        }
        return send(res, 405, statusObj(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    }

    function watch(req, res, r, q, labels, fields, table) {
        const since = q.get('resourceVersion');
        const sinceNum = since && since !== '0' ? Number(since) : undefined;
        if (sinceNum !== undefined && sinceNum < compactedRv && opts.gone === 'http')
            return send(res, 410, statusObj(410, 'Expired', `too old resource version: ${since} (${compactedRv})`));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders(); // at once: clients treat the headers as "watch established"
        const w = {
            resource: r.resource, ns: r.ns, labels, fields, table, res,
            stalled: false,
            // Events of one turn of the event loop go out as one chunk (one writev, not one per
            // event): with 50 steps in flight the double otherwise spends its time in syscalls.
            pending: [],
            write: (ev) => {
                if (w.stalled || res.destroyed || res.writableEnded) return;
                if (w.pending.push(JSON.stringify(ev) + '\n') === 1) setImmediate(w.flush);
            },
            flush: () => {
                const chunk = w.pending.join('');
                w.pending = [];
                if (chunk && !w.stalled && !res.destroyed && !res.writableEnded) res.write(chunk);
            },
        };
        if (sinceNum !== undefined && sinceNum < compactedRv) {
            w.write({ type: 'ERROR', object: statusObj(410, 'Expired', `too old resource version: ${since} (${compactedRv})`) });
            w.flush();
            return res.end();
        }
        if (sinceNum === undefined) {
            for (const o of store.get(r.resource).values()) deliver(w, { type: 'ADDED', object: o });
        } else {
            for (const e of history) if (e.rv > sinceNum && e.resource === r.resource) deliver(w, e);
        }
        watchers.add(w);
        let bookmark;
        if (q.get('allowWatchBookmarks') === 'true') {
            bookmark = setInterval(() => w.write({ type: 'BOOKMARK', object: { kind: RESOURCES[r.resource].kind, apiVersion: apiVersionOf(RESOURCES[r.resource]), metadata: { resourceVersion: String(rv) } } }), opts.bookmarkIntervalMs);
        }
        const timeout = Number(q.get('timeoutSeconds') ?? 0);
        const tt = timeout > 0 ? setTimeout(() => { if (!w.stalled) { w.flush(); res.end(); } }, timeout * 1000) : undefined;
        res.on('close', () => { watchers.delete(w); clearInterval(bookmark); clearTimeout(tt); });
    }

    // With `tls: { key, cert }` the double serves HTTPS, so TLS verification is exercised too.
    const handler = (req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const path = new URL(req.url, 'http://x').pathname;
            const entry = { method: req.method, url: req.url, path, at: Date.now() };
            requests.push(entry);
            if (!path.startsWith('/__double/')) {
                const fail = faultState.fail.find((f) => f.count > 0 && matchRule(f, req, path));
                if (fail) {
                    fail.count--;
                    entry.injected = fail.status;
                    if (fail.status === 'drop') return req.socket.destroy();
                    const reason = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 401: 'Unauthorized', 403: 'Forbidden', 409: 'AlreadyExists' }[fail.status] ?? 'InternalError';
                    return send(res, fail.status, statusObj(fail.status, reason, fail.message ?? `injected ${fail.status} by the kube double`), fail.retryAfter !== undefined ? { 'Retry-After': String(fail.retryAfter) } : {});
                }
                const slow = faultState.delay.find((d) => d.count > 0 && matchRule(d, req, path));
                if (slow) { slow.count--; return void later(slow.ms, () => handle(req, res, body)); }
            }
            try { handle(req, res, body); } catch (err) { send(res, 500, statusObj(500, 'InternalError', `kube double: ${err.stack ?? err}`)); }
        });
    };
    const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);

    /** Fault injection; each also reachable as POST /__double/fault {action, ...args}. */
    const faults = {
        /** The next `count` requests matching method/path (substring)/watch answer `status` ('drop' closes the socket). */
        failNext: ({ status, count = 1, method, path, watch, retryAfter, message }) => { faultState.fail.push({ status, count, method, path, watch, retryAfter, message }); },
        /** Delays the next `count` matching requests by `ms`. */
        slow: ({ ms, count = 1, method, path, watch }) => { faultState.delay.push({ ms, count, method, path, watch }); },
        /** Closes every open watch stream abruptly (as a dropped connection or an API server restart). */
        dropWatches: ({ resource } = {}) => { for (const w of [...watchers]) if (!resource || w.resource === resource) { watchers.delete(w); w.res.destroy(); } },
        /** Open watch streams go silent and stay open (a connection dead without a FIN): no events, no end. */
        stallWatches: ({ resource } = {}) => { for (const w of watchers) if (!resource || w.resource === resource) w.stalled = true; },
        /** Delivers watch events of one resource `ms` late (a slow stream), so streams race each other. */
        lagWatch: ({ resource, ms }) => { faultState.lag[resource] = ms; },
        /**
         * Forgets all history so far, as etcd compaction after writes elsewhere would: the version
         * moves on by one, so every watch from a version a client has seen gets 410 Gone.
         */
        compact: () => { rv++; compactedRv = rv; history.length = 0; },
        /** RBAC: deny {verb, resource, group?, namespace?} ('*' allowed). */
        deny: ({ verb = '*', resource = '*', group, namespace }) => { faultState.deny.push({ verb, resource, group, namespace }); },
        allowAll: () => { faultState.deny.length = 0; },
        unauthorized: ({ on = true } = {}) => { faultState.unauthorized = on; },
        /** Pods whose image contains `image` fail to pull. */
        imagePullFailure: ({ image }) => { faultState.imagePull.push(image); },
        /** Evicts the next `count` pods matching `selector` `afterMs` after they start. */
        evictPods: ({ selector = '', afterMs = 50, count = 1, message }) => { faultState.evict.push({ selector, afterMs, count, message }); },
        evict: ({ namespace, name, message }) => { const p = get('pods', namespace, name); if (p) evict(p, message); },
        reset: () => { faultState.fail.length = 0; faultState.delay.length = 0; faultState.deny.length = 0; faultState.unauthorized = false; faultState.imagePull.length = 0; faultState.evict.length = 0; faultState.lag = {}; },
    };

    for (const ns of opts.namespaces) create('namespaces', undefined, { metadata: { name: ns } });
    await new Promise((resolve) => server.listen(opts.port, '127.0.0.1', resolve));
    const port = server.address().port;
    const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

    return {
        url, port, server, requests, faults, pvcRoot,
        get resourceVersion() { return rv; },
        /** Live objects of one resource (test inspection). */
        list: (resource, ns) => [...store.get(resource).values()].filter((o) => !ns || o.metadata.namespace === ns),
        watcherCount: (resource) => [...watchers].filter((w) => !resource || w.resource === resource).length,
        /** Writes a kubeconfig pointing at this double. */
        writeKubeconfig(path, { namespace = 'ko-test', token = opts.token ?? 'fake-token-123', context = 'kube-double', caData } = {}) {
            // client-node refuses plain http unless insecure-skip-tls-verify is set; with TLS and a CA, verify for real.
            const trust = caData ? `    certificate-authority-data: ${caData}` : '    insecure-skip-tls-verify: true';
            writeFileSync(path, [
                'apiVersion: v1', 'kind: Config',
                'clusters:', `- name: ${context}`, '  cluster:', `    server: ${url}`, trust,
                'contexts:', `- name: ${context}`, '  context:', `    cluster: ${context}`, '    user: double-user', `    namespace: ${namespace}`,
                `current-context: ${context}`,
                'users:', '- name: double-user', '  user:', `    token: ${token}`, '',
            ].join('\n'));
            return path;
        },
        async close() {
            for (const t of timers) clearTimeout(t);
            timers.clear();
            for (const p of procs.values()) if (p.child && !p.done) p.child.kill('SIGKILL');
            remote?.close();
            for (const w of watchers) w.res.destroy();
            watchers.clear();
            server.closeAllConnections?.();
            await new Promise((resolve) => server.close(() => resolve()));
        },
    };
}

// Standalone mode, for trying kubectl or `ko kube status` by hand.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
    const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
    const double = await startKubeDouble({ port: Number(arg('port', '0')), pvcRoot: arg('pvc-root'), kubeletProcess: process.argv.includes('--kubelet-process') });
    const cfg = arg('kubeconfig');
    if (cfg) double.writeKubeconfig(cfg, { namespace: arg('namespace', 'ko-test') });
    process.stdout.write(`kube double (a TEST DOUBLE, not a cluster) listening on ${double.url}${cfg ? `; kubeconfig written to ${cfg}` : ''}; PVC root ${double.pvcRoot}\n`);
    process.on('SIGINT', () => double.close().then(() => process.exit(0)));
    process.on('SIGTERM', () => double.close().then(() => process.exit(0)));
}
