// Test configuration: unit and integration suites under test/; the Node 20 polyfill lets
// Langium 4.4 (chevrotain 13) build its parser on the machine's Node.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        exclude: ['test/e2e/**', 'node_modules/**'],
        setupFiles: ['./scripts/node20-polyfill.mjs'],
        globalSetup: ['./test/global-setup.ts'],
        testTimeout: 30_000,
        pool: 'forks',
    },
});
