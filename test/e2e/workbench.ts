// A real VS Code in the browser for e2e tests: code-server (installed by test/host/setup.sh) with the packaged
// grounded.vsix installed in a fresh extensions folder, the fake-lm fixture as development extension (left out for a
// VS Code without any language model), a copy of the fixture workspace, and headless Debian chromium driven by
// playwright-core.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const root = path.resolve(__dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(path.join(root, 'test/host/lib.js')) as {
  H: string;
  NODE24: string;
  ENTRY: string;
  launch(tag: string): Promise<BrowserContext>;
};
export const artifacts = path.join(root, 'test-artifacts');

export interface Workbench {
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

export interface WorkbenchOptions {
  /** Loads the fake-lm fixture, the one language model the workbench has; false opens a VS Code with none. */
  languageModel?: boolean;
}

export async function openWorkbench(name: string, options: WorkbenchOptions = {}): Promise<Workbench> {
  const { languageModel = true } = options;
  const run = path.join(root, '.vscode-test', `run-${name}`);
  fs.rmSync(run, { recursive: true, force: true });
  const ext = path.join(run, 'extensions'),
    udd = path.join(run, 'user-data'),
    workspace = path.join(run, 'workspace');
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
  fs.mkdirSync(path.join(udd, 'User'), { recursive: true });
  // No welcome page or walkthrough over the editor; a theme the screenshots can rely on.
  fs.writeFileSync(
    path.join(udd, 'User/settings.json'),
    JSON.stringify({ 'workbench.startupEditor': 'none', 'chat.setupFromDialog': false }),
  );
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(run, 'xdg/config'),
    XDG_DATA_HOME: path.join(run, 'xdg/data'),
  };
  execFileSync(
    lib.NODE24,
    [
      lib.ENTRY,
      '--extensions-dir',
      ext,
      '--user-data-dir',
      udd,
      '--install-extension',
      path.join(root, 'grounded.vsix'),
    ],
    { env, stdio: 'ignore' },
  );
  const port = await freePort();
  const log = fs.openSync(path.join(run, 'code-server.log'), 'w');
  const server: ChildProcess = spawn(
    lib.NODE24,
    [
      lib.ENTRY,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--vscode-option',
      'enable-smoke-test-driver',
      '--user-data-dir',
      udd,
      '--extensions-dir',
      ext,
      '--config',
      path.join(run, 'cs-config.yaml'),
    ],
    { detached: true, stdio: ['ignore', log, log], env },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${endpoint}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 600) throw new Error(`code-server did not start; see ${run}/code-server.log`);
    await new Promise(r => setTimeout(r, 100));
  }
  const context = await lib.launch(`e2e-${name}`);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', e => console.log('[browser] PAGEERROR', e.message));
  const payload = JSON.stringify([
    ...(languageModel
      ? [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${path.join(root, 'test/fixtures/fake-lm')}`]]
      : []),
    ['skipWelcome', 'true'],
  ]);
  await page.goto(`${endpoint}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
  await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
  return {
    page,
    workspace,
    close: async () => {
      await context.close();
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}
