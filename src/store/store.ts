// The workspace store (`.ko/` by default): objects, step records, runs and evidence, plus the
// scratch space executors use (work/, tmp/) so outputs can be renamed into objects/ on the same
// filesystem. Located by KO_STORE, else the nearest `.ko` directory above the current one.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { createExclusive } from './atomic.js';
import { ObjectStore } from './object-store.js';
import { StepRecords } from './step-records.js';

export class Store {
    readonly objects: ObjectStore;
    readonly steps: StepRecords;
    readonly runsDir: string;
    readonly tmpDir: string;
    readonly workDir: string;
    private salt: string | undefined;

    constructor(readonly root: string) {
        this.tmpDir = join(root, 'tmp');
        this.workDir = join(root, 'work');
        this.runsDir = join(root, 'runs');
        mkdirSync(this.tmpDir, { recursive: true });
        this.objects = new ObjectStore(join(root, 'objects'), this.tmpDir);
        this.steps = new StepRecords(join(root, 'steps'), this.tmpDir, join(root, 'evidence'));
    }

    /** Per-store random salt for secret env values in keys (see keys.ts keyEnv). */
    secretSalt(): string {
        if (this.salt) return this.salt;
        const path = join(this.root, 'secret-salt');
        if (!existsSync(path)) {
            // Two runners may create it at once: link() lets exactly one value win.
            if (createExclusive(path, randomBytes(32).toString('hex'), this.tmpDir)) chmodSync(path, 0o600);
        }
        this.salt = readFileSync(path, 'utf8').trim();
        return this.salt;
    }
}

/** KO_STORE, else the nearest ancestor with a `.ko` directory, else `<cwd>/.ko`. */
export function locateStore(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
    if (env.KO_STORE) return resolve(cwd, env.KO_STORE);
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
        if (existsSync(join(dir, '.ko', 'objects')) || existsSync(join(dir, '.ko', 'steps'))) return join(dir, '.ko');
        if (dirname(dir) === dir) break;
    }
    return join(resolve(cwd), '.ko');
}

export function openStore(root = locateStore()): Store {
    return new Store(root);
}
