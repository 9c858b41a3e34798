// The side panel in a real VS Code, as a person uses it: Grounded: Ask… from the palette, the answer growing
// with a cursor, a citation chip selecting the lines its claim was aligned to, Stop, a cut stream and Retry, untrusted text, hiding the
// view and reloading the window, and screenshots in the light and dark themes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openWorkbench, screenshot, type Workbench } from './workbench';

/** Runs a command from the palette, as a person would: types its title and clicks exactly that row. */
async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type(title.replace(/…$/, ''));
    const rows = page.locator('.quick-input-list .monaco-list-row');
    for (let waited = 0; waited < 5000; waited += 100) {
      const labels = (await rows.allInnerTexts()).map(t => t.split('\n')[0]?.trim());
      const i = labels.indexOf(title);
      if (i >= 0) {
        await rows.nth(i).click();
        return;
      }
      await page.waitForTimeout(100);
    }
    await page.keyboard.press('Escape'); // the workbench may still be loading its commands
    if (attempt >= 5) throw new Error(`no command "${title}" in the palette`);
  }
}

/** The panel's document: a webview is an iframe in an iframe. */
async function panelFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    for (const f of page.frames()) {
      if (await f.$('#conversation').catch(() => null)) return f;
    }
    await page.waitForTimeout(100);
  }
  throw new Error('the Grounded panel did not appear');
}

/** Asks in the panel's own box and returns the new turn. */
async function askInPanel(frame: Frame, question: string) {
  const before = await frame.locator('.turn').count();
  await frame.locator('#question').fill(question);
  await frame.locator('#question').press('Enter');
  const turn = frame.locator('.turn').nth(before);
  await turn.waitFor({ timeout: 10_000 });
  return turn;
}

describe('the Grounded side panel in VS Code (browser)', function () {
  let wb: Workbench;
  const dialogs: string[] = [];

  before(async () => {
    wb = await openWorkbench('panel');
    wb.page.on('dialog', d => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, `e2e-fail-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await wb?.close();
  });

  it('answers Grounded: Ask… in the panel, streaming with a cursor, and a citation opens the cited lines', async () => {
    const { page } = wb;
    // open the panel first, so its page is loaded when the answer starts (a first Ask opens it too, later)
    await runCommand(page, 'Grounded: Focus on Ask View');
    await panelFrame(page, 60_000);
    await runCommand(page, 'Grounded: Ask…');
    await page.waitForSelector('.quick-input-widget input[placeholder*="how is logging configured"]', { timeout: 20_000 });
    await page.keyboard.type('SLOWLY how is the flux capacitor configured?');
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page);
    const turn = frame.locator('.turn').first();
    await turn.waitFor({ timeout: 30_000 });
    const seen: { length: number; cursor: boolean }[] = [];
    for (let i = 0; i < 2000; i++) {
      const text = await turn.locator('.answer').innerText();
      const cursor = (await turn.locator('.cursor').count()) === 1;
      if (text && seen.at(-1)?.length !== text.length) seen.push({ length: text.length, cursor });
      if ((await turn.getAttribute('data-status')) === 'done') break;
      await page.waitForTimeout(30);
    }
    await screenshot(page, 'e2e-panel-answer');
    assert.ok(seen.length >= 4, `grew over ${seen.length} samples`);
    assert.ok(seen.slice(0, -1).every(s => s.cursor), 'the cursor shows while it streams');
    assert.equal(await turn.locator('.cursor').count(), 0, 'and is gone at the end');
    assert.ok(!(await turn.locator('.answer').innerText()).includes('[99]'));

    // the chip names the lines its claim was aligned to, shows them on hover, and selects exactly them
    const chip = turn.locator('.answer button.cite').first();
    // the title: `path:start-end`, a line per qualifier, a blank line, then the cited lines (which may hold blank lines)
    const title = (await chip.getAttribute('title')) ?? '';
    const range = title.split('\n')[0] ?? '';
    const excerpt = title.slice(title.indexOf('\n\n') + 2);
    const [, file = '', from = '', to = ''] = /^(.+):(\d+)-(\d+)$/.exec(range) ?? [];
    assert.equal(file, 'docs/configuration.md', range);
    assert.equal(await chip.getAttribute('aria-label'), `Source ${await chip.innerText()}, ${from === to ? `line ${from}` : `lines ${from}–${to}`}`);
    const lines = fs.readFileSync(path.join(wb.workspace, file), 'utf8').split('\n').slice(Number(from) - 1, Number(to));
    assert.ok(excerpt.length > 0 && lines.join('\n').startsWith(excerpt.replace(/…$/, '')), `the hover shows the cited lines: ${excerpt}`);
    await chip.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("configuration.md")', { timeout: 20_000 });
    const selected = `Ln ${to}, Col ${(lines.at(-1) ?? '').length + 1} (${lines.join('\n').length} selected)`;
    const selection = page.locator('#status\\.editor\\.selection');
    for (let waited = 0; waited < 10_000 && (await selection.innerText().catch(() => '')) !== selected; waited += 100) await page.waitForTimeout(100);
    assert.equal(await selection.innerText(), selected, `lines ${from}-${to} are selected`);
    await screenshot(page, 'e2e-panel-citation-opened');
  });

  it('Stop ends the answer where it is', async () => {
    const frame = await panelFrame(wb.page);
    const turn = await askInPanel(frame, 'SLOWLY where do the logs go?');
    await turn.locator('.answer').getByText('From').waitFor({ timeout: 30_000 });
    await frame.locator('#stop').click();
    await frame.locator('.turn[data-status="stopped"]').waitFor({ timeout: 10_000 });
    const text = await turn.locator('.answer').innerText();
    await wb.page.waitForTimeout(600);
    assert.equal(await turn.locator('.answer').innerText(), text, 'nothing more arrives after Stop');
    assert.ok(!text.includes('it says.'));
    assert.match(await turn.locator('.turn-status').innerText(), /Stopped/);
  });

  it('keeps the partial answer of a cut stream, and Retry completes it', async () => {
    const frame = await panelFrame(wb.page);
    const turn = await askInPanel(frame, 'CUTOFF how is the flux capacitor configured?');
    const id = await turn.getAttribute('data-id');
    await frame.locator(`.turn[data-id="${id}"][data-status="interrupted"]`).waitFor({ timeout: 30_000 });
    assert.match(await turn.locator('.answer').innerText(), /^From/, 'the partial answer stays');
    assert.match(await turn.locator('.turn-status').innerText(), /Answer interrupted/);
    await screenshot(wb.page, 'e2e-panel-interrupted');
    await turn.locator('button.retry').click();
    const retried = frame.locator(`.turn[data-id="${id}"]`);
    await frame.locator(`.turn[data-id="${id}"][data-status="done"]`).waitFor({ timeout: 30_000 });
    assert.match(await retried.locator('.answer').innerText(), /it says\./);
    assert.equal(await frame.locator(`.turn[data-id="${id}"]`).count(), 1, 'retried in place');
  });

  it('shows a document and an answer full of XSS payloads as text', async () => {
    const frame = await panelFrame(wb.page);
    const url = frame.url();
    const asked = await askInPanel(frame, 'XSSDEMO show the xsspayload lines');
    const id = await asked.getAttribute('data-id');
    await frame.locator(`.turn[data-id="${id}"][data-status="done"]`).waitFor({ timeout: 60_000 });
    const turn = frame.locator(`.turn[data-id="${id}"]`);
    const text = await turn.locator('.answer').innerText();
    assert.match(text, /xsspayload: <script>alert\('XSS'\)<\/script>/);
    for (const a of await turn.locator('.answer a').all()) await a.click({ timeout: 500 }).catch(() => undefined);
    await wb.page.waitForTimeout(500);
    const risky = await turn.evaluate(el =>
      [...el.querySelectorAll('*')].filter(e => /^(script|iframe|object|embed|img|svg|style|form|base|meta)$/i.test(e.tagName) || [...e.attributes].some(a => a.name.startsWith('on'))).length,
    );
    assert.equal(risky, 0);
    assert.deepEqual(dialogs, []);
    assert.equal(frame.url(), url, 'the webview did not navigate');
    await screenshot(wb.page, 'e2e-panel-xss');
  });

  it('keeps the conversation when the view is hidden and shown, and after a window reload', async () => {
    const { page } = wb;
    const answers = async (frame: Frame) => (await frame.locator('.turn .answer').allInnerTexts()).map(t => t.trim());
    const before = await answers(await panelFrame(page));
    await runCommand(page, 'View: Close Primary Side Bar');
    await page.waitForTimeout(500);
    await runCommand(page, 'Grounded: Focus on Ask View');
    assert.deepEqual(await answers(await panelFrame(page)), before, 'after hide and show');
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(2000);
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
    await runCommand(page, 'Grounded: Focus on Ask View');
    const frame = await panelFrame(page, 60_000);
    await frame.locator('.turn').first().waitFor({ timeout: 20_000 });
    assert.deepEqual(await answers(frame), before, 'after reload, without asking again');
    assert.equal(await frame.locator('.turn[data-status="streaming"]').count(), 0);
  });

  it('follows the light and dark themes (screenshots)', async () => {
    const { page } = wb;
    for (const theme of ['Light Modern', 'Dark Modern']) {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+T');
      await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
      await page.keyboard.type(theme);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(800);
      const frame = await panelFrame(page);
      const colour = await frame.evaluate(() => getComputedStyle(document.body).color);
      await screenshot(page, `e2e-panel-${theme.toLowerCase().replace(' ', '-')}`);
      assert.ok(colour, theme);
    }
  });
});
