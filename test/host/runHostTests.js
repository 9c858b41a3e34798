// The extension-host suite: installs the packaged grounded.vsix into a fresh extensions folder of the real
// VS Code server (code-server, see setup.sh), then runs out/test/host/suite in its extension host through
// @vscode/test-electron's runTests, with the `code` executable replaced by code-shim.js. The test-only
// fake-lm fixture extension is loaded as the development extension; Grounded itself is the installed VSIX.
// Run from the repository root after `npm run package` and `tsc -p .`.
const fs = require('fs'),
  path = require('path');
const { execFileSync } = require('child_process');
const { H, NODE24, ENTRY, req } = require('./lib');
const { runTests } = req('@vscode/test-electron');

const root = path.resolve(__dirname, '../..');
const vsix = path.join(root, 'grounded.vsix');
const run = path.join(root, '.vscode-test', 'run-host');

(async () => {
  if (!fs.existsSync(vsix)) throw new Error('grounded.vsix is missing: run `npm run package` first');
  fs.rmSync(run, { recursive: true, force: true });
  const ext = path.join(run, 'extensions'),
    udd = path.join(run, 'user-data'),
    ws = path.join(run, 'workspace');
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), ws, { recursive: true });
  const t0 = Date.now();
  execFileSync(NODE24, [ENTRY, '--extensions-dir', ext, '--user-data-dir', udd, '--install-extension', vsix], {
    env: { ...process.env, XDG_CONFIG_HOME: path.join(H, 'xdg/config'), XDG_DATA_HOME: path.join(H, 'xdg/data') },
    stdio: 'inherit',
  });
  console.log(`[host] installed ${path.basename(vsix)} in ${Date.now() - t0} ms`);
  await runTests({
    vscodeExecutablePath: path.join(__dirname, 'code-shim.js'),
    extensionDevelopmentPath: [path.join(root, 'test/fixtures/fake-lm')],
    extensionTestsPath: path.join(root, 'out/test/host/suite/index.js'),
    launchArgs: [ws, `--extensions-dir=${ext}`, `--user-data-dir=${udd}`],
    extensionTestsEnv: { GROUNDED_TEST_EXTENSIONS_DIR: ext },
  });
})().catch(e => {
  console.error('[host] FAILED:', e.message);
  process.exit(1);
});
