// Progress of container steps on stderr. On a terminal (stderr is a TTY and CI is not set) the
// running steps are shown as live lines below the log, redrawn in place with their elapsed time
// and erased when they end; elsewhere (CI, pipes, files) each event is one plain line.

export interface ProgressSink {
    /** True when running steps are shown as live lines (so "started" needs no line of its own). */
    readonly live: boolean;
    /** A permanent line (finished, cached, failed, ...). */
    line(text: string): void;
    running(id: string, label: string): void;
    queued(id: string, label: string): void;
    done(id: string): void;
    /** Erases the live lines and stops redrawing. */
    close(): void;
}

export function liveProgressWanted(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
    return stream.isTTY === true && env.CI !== 'true' && env.CI !== '1' && env.TERM !== 'dumb';
}

/** Plain lines; the first of a turn of the event loop at once, the rest of the turn in one write at its end. */
export function plainProgress(write: (text: string) => void): ProgressSink {
    let pending = '';
    let scheduled = false;
    const flush = () => {
        scheduled = false;
        if (pending) { const t = pending; pending = ''; write(t); }
    };
    return {
        live: false,
        line: text => {
            if (scheduled) { pending += text + '\n'; return; }
            scheduled = true;
            setImmediate(flush);
            write(text + '\n');
        },
        running: () => {},
        queued: () => {},
        done: () => {},
        close: flush,
    };
}

const SPIN = ['|', '/', '-', '\\'];

/** Live lines redrawn every 100 ms with ANSI cursor movement (up, erase line). */
export function liveProgress(write: (text: string) => void, columns = () => process.stderr.columns || 100): ProgressSink {
    const steps = new Map<string, { label: string; since: number; queued: boolean }>();
    let drawn = 0;
    let tick = 0;
    let timer: NodeJS.Timeout | undefined;
    const erase = () => {
        // Cursor up over the lines we drew, erasing each (the cursor ends where the block began).
        let s = '';
        for (let i = 0; i < drawn; i++) s += '\x1b[1A\x1b[2K';
        drawn = 0;
        return s;
    };
    const block = () => {
        const width = Math.max(40, columns() - 1);
        let s = '';
        const now = Date.now();
        for (const { label, since, queued } of steps.values()) {
            const secs = ((now - since) / 1000).toFixed(1);
            const text = queued ? `ko: queued   ${label} ${secs} s` : `ko: ${SPIN[tick % SPIN.length]} running ${label} ${secs} s`;
            s += (text.length > width ? text.slice(0, width - 1) + '…' : text) + '\n';
            drawn++;
        }
        return s;
    };
    const redraw = (before = '') => {
        tick++;
        write(erase() + before + block());
    };
    const ensureTimer = () => {
        if (timer || steps.size === 0) return;
        timer = setInterval(() => { if (steps.size) redraw(); }, 100);
        timer.unref();
    };
    const stopTimerIfIdle = () => {
        if (timer && steps.size === 0) { clearInterval(timer); timer = undefined; }
    };
    return {
        live: true,
        line: text => redraw(text + '\n'),
        running: (id, label) => { steps.set(id, { label, since: Date.now(), queued: false }); ensureTimer(); redraw(); },
        queued: (id, label) => { steps.set(id, { label, since: Date.now(), queued: true }); ensureTimer(); redraw(); },
        done: id => { if (steps.delete(id)) { redraw(); stopTimerIfIdle(); } },
        close: () => {
            steps.clear();
            stopTimerIfIdle();
            if (drawn) write(erase());
        },
    };
}
