#!/usr/bin/env bash
# `npm test`: every suite CI runs, in order — static checks (WebAssembly up to date, no import cycles in src, types,
# lint), build + package, unit (plain Node), extension host (the packaged VSIX in a real VS Code), browser e2e
# (Debian chromium). Each suite records its counts; the last line is their sum, `N passed, N failed`. Exits
# non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export VSH_DIR=${VSH_DIR:-$PWD/.vscode-test/host}
rm -rf test-artifacts/results
status=0
step() { local s=$SECONDS; echo "[test] >>> $1"; shift; "$@"; local rc=$?; echo "[test] <<< ${rc} in $(( SECONDS - s )) s"; [ $rc -eq 0 ] || status=1; return $rc; }
suites=(static unit host e2e)
static() {
  if node scripts/buildWasm.mjs --check >&2 && node scripts/checkCycles.mjs >&2 && npx tsc -p . && npm run --silent lint; then echo '{"name":"static","passed":0,"failed":0,"ms":0}'; else echo '{"name":"static","passed":0,"failed":1,"ms":0}'; fi \
    > test-artifacts/results/static.json
}
mkdir -p test-artifacts/results
step "types + lint" static
if step "build + package" npm run --silent package; then
  step "unit" node test/mochaRun.js unit 10000 out/test/unit
  if [ ! -x /usr/bin/chromium ]; then
    echo "[test] /usr/bin/chromium is missing: apt-get install -y chromium (the host and e2e suites drive it)"; status=1
  elif step "VS Code host install (first time ≈4 min)" bash test/host/setup.sh; then
    step "extension host" node test/host/runHostTests.js
    step "browser e2e" node test/mochaRun.js e2e 180000 out/test/e2e
  fi
fi
node test/summary.js "${suites[@]}" || status=1
exit $status
