// Where the steps of a loaded program sit in the source, for breakpoints: a breakpoint on any
// line of a step stops before that step runs, and a line between steps moves to the nearest
// step line (an editor shows the breakpoint where it will really stop).
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Program } from '../runtime/interpreter.js';

export interface StepLocation {
    /** Absolute path of the file (symbolic links resolved). */
    readonly file: string;
    readonly pkgPath: string;
    readonly func: string;
    readonly step: string;
    readonly line: number;
    readonly column: number;
    readonly endLine: number;
    readonly endColumn: number;
    /** The text of the step (`label: formula`), for the Step scope. */
    readonly text: string;
}

/** A key that identifies a step of a function: what breakpoints and hook frames are matched on. */
export function stepKey(pkgPath: string, func: string, step: string): string {
    return `${pkgPath}\u0000${func}\u0000${step}`;
}

/** Resolves symbolic links (e.g. /tmp on macOS) so editor paths and loader paths compare equal. */
export function canonicalPath(file: string): string {
    const abs = resolve(file);
    try { return realpathSync.native(abs); } catch { return abs; }
}

export class StepLocations {
    private readonly byFile = new Map<string, StepLocation[]>();
    private readonly byStep = new Map<string, StepLocation>();
    /** Function names as `Name` and `pkg.Name`, for function breakpoints. */
    readonly functions = new Set<string>();

    constructor(program: Program) {
        for (const [pkgPath, funcs] of program.funcs) {
            for (const func of funcs.values()) {
                this.functions.add(func.name);
                if (pkgPath !== '') this.functions.add(`${pkgPath}.${func.name}`);
                const file = canonicalPath(func.unit.path);
                let list = this.byFile.get(file);
                if (!list) this.byFile.set(file, list = []);
                for (const s of func.steps) {
                    const loc: StepLocation = {
                        file, pkgPath, func: func.name, step: s.label,
                        line: s.range.line, column: s.range.column, endLine: s.range.endLine, endColumn: s.range.endColumn,
                        text: s.term.$cstNode?.text ?? s.label,
                    };
                    list.push(loc);
                    this.byStep.set(stepKey(pkgPath, func.name, s.label), loc);
                }
            }
        }
        for (const list of this.byFile.values()) list.sort((a, b) => a.line - b.line || a.column - b.column);
    }

    hasFile(file: string): boolean {
        return this.byFile.has(canonicalPath(file));
    }

    step(pkgPath: string, func: string, step: string): StepLocation | undefined {
        return this.byStep.get(stepKey(pkgPath, func, step));
    }

    /**
     * The step a breakpoint on `line` stops at: the innermost step whose text spans the line
     * (inline functions nest inside a step), else the step starting nearest to it (the later
     * one on a tie, since a breakpoint above a step usually means "before this one").
     */
    resolveLine(file: string, line: number): StepLocation | undefined {
        const list = this.byFile.get(canonicalPath(file));
        if (!list || list.length === 0) return undefined;
        let best: StepLocation | undefined;
        for (const loc of list) {
            if (loc.line <= line && line <= loc.endLine) {
                if (!best || loc.endLine - loc.line < best.endLine - best.line) best = loc;
            }
        }
        if (best) return best;
        for (const loc of list) {
            const d = Math.abs(loc.line - line), bd = best ? Math.abs(best.line - line) : Infinity;
            if (d < bd || (d === bd && best && loc.line > best.line)) best = loc;
        }
        return best;
    }
}
