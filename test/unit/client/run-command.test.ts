// Unit tests of the `ko run` command line the extension builds and the argument splitter.
import { describe, expect, it } from 'vitest';
import { argsPlaceholder, executorLabel, runArgv, splitArgs } from '../../../client/run/run-command.js';

describe('runArgv', () => {
    it('builds a local run with events and package roots', () => {
        expect(runArgv({ file: 'p/main.ko', functionName: 'Main', args: ['n=1', 'word'] }, { executor: 'local', packageRoots: ['/r1'] }))
            .toEqual(['run', 'p/main.ko:Main', 'n=1', 'word', '--events', 'ndjson', '--executor', 'local', '--package-root', '/r1']);
    });
    it('adds --until and the kubernetes context/namespace', () => {
        expect(runArgv({ file: 'm.ko', functionName: 'F', args: [], until: 'train' },
            { executor: 'kubernetes', kubeContext: 'kind', kubeNamespace: 'ml' }))
            .toEqual(['run', 'm.ko:F', '--events', 'ndjson', '--until', 'train', '--executor', 'kubernetes', '--context', 'kind', '--namespace', 'ml']);
        expect(runArgv({ file: 'm.ko', functionName: 'F', args: [] }, { executor: 'local', kubeContext: 'kind' })).not.toContain('--context');
    });
});

describe('splitArgs', () => {
    it('splits on whitespace with quotes and escapes, no expansion', () => {
        expect(splitArgs('  a=1  b="two words" \'c=$HOME\' d\\ e  ')).toEqual(['a=1', 'b=two words', 'c=$HOME', 'd e']);
        expect(splitArgs('x="say \\"hi\\""')).toEqual(['x=say "hi"']);
        expect(splitArgs('empty=""')).toEqual(['empty=']);
        expect(splitArgs('')).toEqual([]);
    });
    it('formats the placeholder and the status bar label', () => {
        expect(argsPlaceholder(['name', 'n'])).toBe('name=… n=…');
        expect(executorLabel({ executor: 'local' })).toBe('Ko: local');
        expect(executorLabel({ executor: 'kubernetes', kubeContext: 'kind', kubeNamespace: 'ml' })).toBe('Ko: k8s kind/ml');
        expect(executorLabel({ executor: 'kubernetes' })).toBe('Ko: k8s current context');
    });
});
