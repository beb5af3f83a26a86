// Entry of the e2e suites inside the VS Code extension host, with the @vscode/test-electron
// contract (`run()` returning a Promise), so the same bundle runs under code-server (our
// harness) and under desktop VS Code (test-electron's runTests). Prints E2E_RESULT for the
// harness's summary line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
    // Generous per-test timeout: the CI machine has 2 cores shared with other jobs.
    const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000 });
    const grep = process.env.KO_E2E_GREP;
    if (grep) mocha.grep(grep);
    for (const f of fs.readdirSync(__dirname).sort()) if (f.endsWith('.test.cjs')) mocha.addFile(path.join(__dirname, f));
    return new Promise((resolve, reject) => {
        const runner = mocha.run(failures => {
            console.log('E2E_RESULT ' + JSON.stringify({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
            if (failures) reject(new Error(`${failures} tests failed.`)); else resolve();
        });
    });
}
