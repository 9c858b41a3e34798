// What a person meets in a real VS Code when the index loads and when the endpoint is down: one status item on the
// left whose click opens a quick pick (not a modal), and a refused connection whose notification names the endpoint
// and offers Show Log, which opens a log that holds the cause.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { runCommand } from './panelInWorkbench';
import { openWorkbench, root, screenshot, type Workbench } from './workbench';

/** A port nothing listens on: one that was just listened on and closed. */
const refusedPort = () =>
  new Promise<number>(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

describe('errors and the status item (browser)', function () {
  let wb: Workbench;

  before(async function () {
    wb = await openWorkbench('errors');
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await screenshot(wb.page, `e2e-fail-errors-${this.currentTest.title.slice(0, 20).replace(/\W+/g, '-')}`);
    // what the status bar and the notifications held, to tell a missing element from a changed one
    const seen = await wb.page.evaluate(() =>
      ['.part.statusbar', '.notifications-toasts', '.notifications-center'].map(
        s => `${s}: ${(document.querySelector(s) as HTMLElement | null)?.innerText ?? '(none)'}`,
      ),
    );
    console.log(seen.join('\n'));
  });

  after(async () => {
    await wb?.close();
  });

  it('shows one Grounded item on the left with the file count, whose click opens a quick pick', async () => {
    const { page } = wb;
    // Grounded activates when startup has finished and indexes the workspace at once
    const item = page.locator('.statusbar-item', { hasText: /Grounded:\s*\d+\s*files?/ });
    await item.first().waitFor({ timeout: 90_000 });
    assert.ok(await item.first().evaluate(e => e.classList.contains('left')), 'on the left');
    assert.equal(await page.locator('.statusbar-item', { hasText: /Grounded:/ }).count(), 1, 'one Grounded item');
    const label = await item
      .first()
      .evaluate(e => e.getAttribute('aria-label') ?? e.querySelector('[aria-label]')?.getAttribute('aria-label'));
    assert.match(label ?? '', /^Grounded index: \d+ files?, \d+ chunks/);
    await item.first().click();
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 20_000 });
    const texts = (await rows.allInnerTexts()).map(t => t.trim());
    assert.equal(texts.length, 4, JSON.stringify(texts));
    assert.match(texts[0] ?? '', /^\d+ files?, \d+ chunks/);
    ['Rebuild Index', 'Show Log', 'Select Model'].forEach((title, i) =>
      assert.ok(texts[i + 1]?.startsWith(title), JSON.stringify(texts)),
    );
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no modal dialog');
    await screenshot(page, 'e2e-status-quick-pick');
    await page.keyboard.press('Escape');
  });

  it('says which endpoint refused the connection, offers Show Log, and the log holds the cause', async () => {
    const { page } = wb;
    const port = await refusedPort();
    const settings = {
      'workbench.startupEditor': 'none',
      'chat.setupFromDialog': false,
      'grounded.model.provider': 'openai-compatible',
      'grounded.model.preset': 'ollama',
      'grounded.model.baseUrl': `http://127.0.0.1:${port}/v1`,
      'grounded.model.name': 'llama3.1',
    };
    // machine-scoped settings: the server's user and machine settings both say them
    const userData = path.join(root, '.vscode-test', 'run-errors', 'user-data');
    for (const folder of ['User', 'Machine']) {
      fs.mkdirSync(path.join(userData, folder), { recursive: true });
      fs.writeFileSync(path.join(userData, folder, 'settings.json'), JSON.stringify(settings));
    }
    // as a toast, or in the notification center when the toast is not shown
    const toast = page.locator('.notification-list-item', { hasText: 'ECONNREFUSED' });
    // the settings reach the extension host after the file watcher sees them: test until the message names the port
    for (let attempt = 0; attempt < 8 && !(await toast.count()); attempt++) {
      await runCommand(page, 'Grounded: Test Connection');
      const shown = await toast
        .first()
        .waitFor({ timeout: 8_000 })
        .then(() => true)
        .catch(() => false);
      if (!shown) await runCommand(page, 'Notifications: Show Notifications');
    }
    const message = await toast.first().innerText();
    assert.match(message, new RegExp(`http://127\\.0\\.0\\.1:${port}: the connection was refused \\(ECONNREFUSED\\)`));
    const buttons = (await toast.first().locator('.monaco-button').allInnerTexts()).map(t => t.trim());
    assert.ok(buttons.includes('Show Log') && buttons.includes('Open Setting'), JSON.stringify(buttons));
    await screenshot(page, 'e2e-refused-connection');
    await toast.first().locator('.monaco-button', { hasText: 'Show Log' }).click();
    await page.waitForFunction(
      p =>
        [...document.querySelectorAll('.part.panel .monaco-editor .view-lines')].some(e =>
          (e.textContent ?? '').replace(/\s+/g, ' ').includes(`connect ECONNREFUSED 127.0.0.1:${p}`),
        ),
      port,
      { timeout: 30_000 },
    );
    await screenshot(page, 'e2e-refused-connection-log');
  });
});
