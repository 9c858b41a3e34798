// The side panel in a real VS Code, as a person uses it: Grounded: Ask… from the palette, the answer growing
// with a cursor, a citation chip selecting the lines its claim was aligned to, Stop, a cut stream and Retry, untrusted text, hiding the
// view and reloading the window, and the light and dark themes' colours (with screenshots).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { askInPanel, panelFrame, quickInputFocused, runCommand } from './panelInWorkbench';
import { openWorkbench, screenshot, type Workbench } from './workbench';

interface PanelColours {
  text: string;
  background: string;
  chipText: string;
  chipBackground: string;
  boxBackground: string;
}

/** The computed colours of the panel's text, its background (the ask bar's), a citation chip and the question box. */
async function panelColours(frame: Frame): Promise<PanelColours> {
  const chip = frame.locator('.turn button.cite:not(.unsupported):not(.partial)').first();
  await chip.waitFor({ state: 'attached', timeout: 10_000 });
  const colour = async (selector: string, property: 'color' | 'backgroundColor') =>
    frame
      .locator(selector)
      .first()
      .evaluate((el, p) => getComputedStyle(el)[p], property);
  return {
    text: await colour('body', 'color'),
    background: await colour('#ask', 'backgroundColor'),
    chipText: await chip.evaluate(el => getComputedStyle(el).color),
    chipBackground: await chip.evaluate(el => getComputedStyle(el).backgroundColor),
    boxBackground: await colour('#question', 'backgroundColor'),
  };
}

/** Switches the colour theme from its picker, and waits until the panel has the theme's kind on its body. */
async function switchTheme(page: Page, theme: string, kind: string): Promise<Frame> {
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10_000 });
  await quickInputFocused(page);
  await page.keyboard.type(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  const frame = await panelFrame(page);
  // VS Code marks the webview's body with the theme's kind when it sends the theme's colours
  await frame.waitForFunction(k => document.body.classList.contains(k), kind, { timeout: 20_000, polling: 100 });
  return frame;
}

/**
 * The contrast ratio of an element's text (or its placeholder) over the first opaque background under it, from the
 * colours the panel rendered; the side bar's colour when the page itself is transparent.
 */
async function renderedContrast(frame: Frame, selector: string, pseudo?: string): Promise<string> {
  return frame
    .locator(selector)
    .first()
    .evaluate((e, pseudo) => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const opaque = (c: string) => c !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(c);
      let background = '';
      for (let n: Element | null = e; n && !background; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor;
        if (opaque(bg)) background = bg;
      }
      if (!background) {
        const probe = document.createElement('div');
        probe.style.backgroundColor = 'var(--vscode-sideBar-background)';
        document.body.append(probe);
        background = getComputedStyle(probe).backgroundColor;
        probe.remove();
      }
      const text = getComputedStyle(e, pseudo).color;
      const lum = ([r = 0, g = 0, b = 0]: number[]) => {
        const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
      };
      const bg = rgb(background);
      const [r = 0, g = 0, b = 0, a = 1] = rgb(text);
      const seen = [r, g, b].map((c, i) => c * a + (bg[i] ?? 0) * (1 - a));
      const [hi = 0, lo = 0] = [lum(seen), lum(bg)].sort((x, y) => y - x);
      return `${((hi + 0.05) / (lo + 0.05)).toFixed(2)} (${text} on ${background})`;
    }, pseudo);
}

/** Relative luminance of a computed `rgb(r, g, b)` or `rgba(…)` colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number).map(c => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
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
    if (this.currentTest?.state === 'failed')
      await screenshot(wb.page, `e2e-fail-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`);
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
    await quickInputFocused(page, { placeholder: 'how is logging configured' });
    await page.keyboard.type('SLOWLY how is the flux capacitor configured?');
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page);
    const turn = frame.locator('.turn').first();
    await turn.waitFor({ timeout: 30_000 });
    // the cursor waits in the panel's question box for the follow-up
    await frame.waitForFunction(() => document.activeElement?.id === 'question', undefined, { timeout: 10_000 });
    // every length the answer takes, and whether the cursor shows with it, recorded in the page as the turn changes
    const seen = await turn.evaluate(
      el =>
        new Promise<{ length: number; cursor: boolean }[]>(resolve => {
          const lengths: { length: number; cursor: boolean }[] = [];
          const record = () => {
            const text = el.querySelector<HTMLElement>('.answer')?.innerText ?? '';
            if (text && lengths.at(-1)?.length !== text.length)
              lengths.push({ length: text.length, cursor: el.querySelectorAll('.cursor').length === 1 });
            if (el.getAttribute('data-status') === 'done') {
              observer.disconnect();
              resolve(lengths);
            }
          };
          const observer = new MutationObserver(record);
          observer.observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
          record();
        }),
    );
    await screenshot(page, 'e2e-panel-answer');
    assert.ok(seen.length >= 4, `grew over ${seen.length} samples`);
    assert.ok(
      seen.slice(0, -1).every(s => s.cursor),
      'the cursor shows while it streams',
    );
    assert.equal(await turn.locator('.cursor').count(), 0, 'and is gone at the end');
    assert.ok(!(await turn.locator('.answer').innerText()).includes('[99]'));
    assert.equal(await turn.locator('.turn-footer .model').innerText(), 'Answered by Grounded Test Model (VS Code)');
    // the sources it cites, under a collapsed heading
    const used = turn.locator('.sources details.used');
    assert.match(await used.locator(':scope > summary').innerText(), /^Used \d+ sources?$/);
    assert.equal(await used.locator('button.source').first().isVisible(), false);

    // the chip names the lines its claim was aligned to, shows them on hover, and selects exactly them
    const chip = turn.locator('.answer button.cite').first();
    // the title: `path:start-end` (one line: `path:56`), a line per qualifier, a blank line, then the cited lines
    // (which may hold blank lines)
    const title = (await chip.getAttribute('title')) ?? '';
    const range = title.split('\n')[0] ?? '';
    const excerpt = title.slice(title.indexOf('\n\n') + 2);
    const [, file = '', from = '', until] = /^(.+):(\d+)(?:-(\d+))?$/.exec(range) ?? [];
    const to = until ?? from;
    assert.equal(file, 'docs/configuration.md', range);
    assert.equal(
      await chip.getAttribute('aria-label'),
      `Source ${await chip.innerText()}, ${from === to ? `line ${from}` : `lines ${from}–${to}`}`,
    );
    const lines = fs
      .readFileSync(path.join(wb.workspace, file), 'utf8')
      .split('\n')
      .slice(Number(from) - 1, Number(to));
    assert.ok(
      excerpt.length > 0 && lines.join('\n').startsWith(excerpt.replace(/…$/, '')),
      `the hover shows the cited lines: ${excerpt}`,
    );
    await chip.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("configuration.md")', { timeout: 20_000 });
    const selected = `Ln ${to}, Col ${(lines.at(-1) ?? '').length + 1} (${lines.join('\n').length} selected)`;
    const selection = page.locator('#status\\.editor\\.selection');
    await page
      .waitForFunction(want => document.getElementById('status.editor.selection')?.innerText === want, selected, {
        timeout: 10_000,
      })
      .catch(() => undefined); // the assertion below says what the status bar shows instead
    assert.equal(await selection.innerText(), selected, `lines ${from}-${to} are selected`);
    // under the sources, the lines the claims cite: the chip's among them
    await used.locator(':scope > summary').click();
    const cited = await used.locator('button.cited-lines').allInnerTexts();
    const chipLines = from === to ? `line ${from}` : `lines ${from}–${to}`;
    // each with the heading its lines are under
    assert.ok(cited.includes(`${chipLines} · Flux capacitor`), cited.join(' | '));
    await screenshot(page, 'e2e-panel-citation-opened');
  });

  it('Stop ends the answer where it is', async () => {
    const frame = await panelFrame(wb.page);
    const turn = await askInPanel(frame, 'SLOWLY where do the logs go?');
    await turn.locator('.answer').getByText('From').waitFor({ timeout: 30_000 });
    await frame.locator('#stop').click();
    await frame.locator('.turn[data-status="stopped"]').waitFor({ timeout: 10_000 });
    const text = await turn.locator('.answer').innerText();
    // A whole answer to the next question streams for longer than the stopped one's next tokens would take to come
    // (150 ms each): had the model gone on, they would arrive meanwhile.
    const next = await askInPanel(frame, 'where do the logs go?');
    await frame
      .locator(`.turn[data-id="${await next.getAttribute('data-id')}"][data-status="done"]`)
      .waitFor({ timeout: 30_000 });
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
    // what the clicks queued in the panel has run (a navigation ends this page: the URL check below says so)
    await frame.evaluate(() => new Promise(resolve => setTimeout(resolve))).catch(() => undefined);
    const risky = await turn.evaluate(
      el =>
        [...el.querySelectorAll('*')].filter(
          e =>
            /^(script|iframe|object|embed|img|svg|style|form|base|meta)$/i.test(e.tagName) ||
            [...e.attributes].some(a => a.name.startsWith('on')),
        ).length,
    );
    assert.equal(risky, 0);
    assert.deepEqual(dialogs, []);
    assert.equal(frame.url(), url, 'the webview did not navigate');
    await screenshot(wb.page, 'e2e-panel-xss');
  });

  it('follows a long answer to its end, and "Jump to latest" brings back a reader who scrolled up', async () => {
    const frame = await panelFrame(wb.page);
    const below = () =>
      frame.evaluate(() => {
        const s = document.scrollingElement ?? document.documentElement;
        return s.scrollHeight - s.clientHeight - s.scrollTop;
      });
    const asked = await askInPanel(frame, 'XSSDEMO list the xsspayload lines again');
    const id = await asked.getAttribute('data-id');
    await frame.locator(`.turn[data-id="${id}"][data-status="done"]`).waitFor({ timeout: 60_000 });
    assert.ok(
      (await frame.evaluate(() => document.documentElement.scrollHeight)) >
        2 * (await frame.evaluate(() => innerHeight)),
    );
    await frame.locator(`.turn[data-id="${id}"] .copy-answer`).waitFor();
    assert.ok((await below()) <= 1, 'the end of the answer, with its footer, is in view');
    await frame.evaluate(() => window.scrollTo(0, 0));
    await frame.locator('#jump').waitFor({ state: 'visible', timeout: 5000 });
    await frame.locator('#jump').click();
    await frame.locator('#jump').waitFor({ state: 'hidden', timeout: 5000 });
    assert.ok((await below()) <= 1, 'back at the newest text');
  });

  it('keeps the conversation when the view is hidden and shown, and after a window reload', async () => {
    const { page } = wb;
    // textContent with whitespace collapsed: innerText depends on layout (a webview not laid out yet gives single line
    // breaks and raw tabs, a laid-out one blank lines between paragraphs), and the words are what must survive
    const words = (t: string | null) => (t ?? '').replace(/\s+/g, ' ').trim();
    const answers = async (frame: Frame) => (await frame.locator('.turn .answer').allTextContents()).map(words);
    const before = await answers(await panelFrame(page));
    /**
     * The answers once the panel shows the same ones as before (or 20 s have passed): a new webview shows the
     * conversation when the host's restore arrives.
     */
    const restored = async (frame: Frame) => {
      await frame
        .waitForFunction(
          want =>
            JSON.stringify(
              [...document.querySelectorAll<HTMLElement>('.turn .answer')].map(a =>
                (a.textContent ?? '').replace(/\s+/g, ' ').trim(),
              ),
            ) === want,
          JSON.stringify(before),
          { timeout: 20_000, polling: 100 },
        )
        .catch(() => undefined); // the assertion says what differs
      return answers(frame);
    };
    await runCommand(page, 'View: Close Primary Side Bar');
    await page.locator('#workbench\\.parts\\.sidebar').waitFor({ state: 'hidden', timeout: 10_000 });
    await runCommand(page, 'Grounded: Focus on Ask View');
    assert.deepEqual(await restored(await panelFrame(page)), before, 'after hide and show');
    const reloaded = page.waitForEvent('load', { timeout: 90_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
    await runCommand(page, 'Grounded: Focus on Ask View');
    const frame = await panelFrame(page, 60_000);
    assert.deepEqual(await restored(frame), before, 'after reload, without asking again');
    assert.equal(await frame.locator('.turn[data-status="streaming"]').count(), 0);
  });

  it('follows the light and dark themes: text, background, citation chip and box each change colour', async () => {
    const { page } = wb;
    const colours: Record<string, PanelColours> = {};
    for (const [theme, kind] of [
      ['Light Modern', 'vscode-light'],
      ['Dark Modern', 'vscode-dark'],
    ] as const) {
      const frame = await switchTheme(page, theme, kind);
      colours[theme] = await panelColours(frame);
      await screenshot(page, `e2e-panel-${theme.toLowerCase().replace(' ', '-')}`);
    }
    const light = colours['Light Modern'],
      dark = colours['Dark Modern'];
    assert.ok(light && dark);
    for (const key of Object.keys(light) as (keyof PanelColours)[])
      assert.notEqual(light[key], dark[key], `${key}: ${light[key]} in both themes`);
    assert.ok(
      luminance(light.text) < luminance(light.background),
      `light: dark text (${light.text}) on a light background (${light.background})`,
    );
    assert.ok(
      luminance(dark.text) > luminance(dark.background),
      `dark: light text (${dark.text}) on a dark background (${dark.background})`,
    );
  });

  it('draws the placeholder and error text at 4.5:1 or more in the light, dark and high-contrast themes', async () => {
    const { page } = wb;
    // an answer whose stream is cut shows an error (a question over the limit no longer leaves the box)
    const failed = await askInPanel(await panelFrame(page), 'CUTOFF how is the flux capacitor configured?');
    await failed.locator('.error-message').waitFor({ timeout: 30_000 });
    const ratios: Record<string, string> = {};
    for (const [theme, kind] of [
      ['Light Modern', 'vscode-light'],
      ['Dark Modern', 'vscode-dark'],
      ['Dark High Contrast', 'vscode-high-contrast'],
    ] as const) {
      const frame = await switchTheme(page, theme, kind);
      ratios[`${theme} placeholder`] = await renderedContrast(frame, '#question', '::placeholder');
      ratios[`${theme} error`] = await renderedContrast(frame, '.turn .error-message');
      await screenshot(page, `e2e-panel-contrast-${kind}`);
    }
    const low = Object.entries(ratios).filter(([, r]) => parseFloat(r) < 4.5);
    assert.deepEqual(low, [], JSON.stringify(ratios, null, 1));
  });
});
