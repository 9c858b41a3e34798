// The panel's browser code in Chromium, message by message: streaming, the cursor, citations, input keys,
// errors, restore, and untrusted text that must stay text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceView, TurnView } from '../../src/shared/messages';
import { openPanelPage, type PanelPage } from './panelHarness';

const sources: SourceView[] = [
  { n: 1, path: 'docs/configuration.md', startLine: 43, endLine: 104, title: 'Configuration > Flux capacitor' },
  { n: 2, path: 'src/server.ts', startLine: 1, endLine: 16 },
];
const turn = (id: string, over: Partial<TurnView> = {}): TurnView => ({ id, question: 'How is the flux capacitor configured?', answer: '', sources: [], cited: [], status: 'streaming', ...over });

describe('panel webview (component, Chromium)', function () {
  let p: PanelPage;
  beforeEach(async () => {
    p = await openPanelPage();
  });
  afterEach(async () => {
    await p?.close();
  });

  it('grows the answer over frames with a cursor, then renders citations and drops invented ones', async () => {
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'step', turnId: 't1', detail: 'Grading 8 passages for relevance' });
    assert.equal(await p.page.locator('.turn .step').innerText(), 'Grading 8 passages for relevance');
    await p.post({ type: 'sources', turnId: 't1', sources });
    const lengths: number[] = [];
    for (const token of ['Set `flux.level` ', 'to 88 [1]', ' in acme.json', '.\n\nThat is all [9].']) {
      await p.post({ type: 'tokens', turnId: 't1', text: token });
      await p.page.evaluate(() => new Promise(requestAnimationFrame));
      lengths.push((await p.page.locator('.turn .answer').innerText()).length);
      assert.equal(await p.page.locator('.turn .answer .cursor').count(), 1, 'cursor while streaming');
    }
    assert.ok(lengths.every((n, i) => i === 0 || n > (lengths[i - 1] ?? 0)), lengths.join(' → '));
    await p.post({ type: 'done', turnId: 't1', cited: [1] });
    assert.equal(await p.page.locator('.cursor').count(), 0, 'cursor gone at the end');
    assert.equal(await p.page.locator('.turn .step').isVisible(), false);
    assert.deepEqual(await p.page.locator('.answer button.cite').allInnerTexts(), ['1']);
    assert.ok(!(await p.page.locator('.answer').innerText()).includes('[9]'));
    assert.deepEqual(await p.page.locator('.sources button.source').allInnerTexts(), [
      '[1] docs/configuration.md:43-104 — Configuration > Flux capacitor',
      '[2] src/server.ts:1-16',
    ]);
  });

  it('sends only ids when a citation, a source, Retry or the fix is clicked', async () => {
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Partial [2]' });
    await p.post({ type: 'error', turnId: 't1', status: 'interrupted', message: 'The answer was cut off.', actionTitle: 'Set API Key' });
    assert.equal(await p.page.locator('.answer').innerText(), 'Partial 2', 'the partial answer stays');
    assert.match(await p.page.locator('.turn-status').innerText(), /Answer interrupted: The answer was cut off\./);
    await p.page.locator('.answer button.cite').click();
    await p.page.locator('.sources button.source').first().click();
    await p.page.locator('button.retry').click();
    await p.page.locator('button.action').click();
    const posted = (await p.posted()).filter(m => m.type !== 'ready');
    assert.deepEqual(posted, [
      { type: 'openCitation', turnId: 't1', n: 2 },
      { type: 'openCitation', turnId: 't1', n: 1 },
      { type: 'retry', turnId: 't1' },
      { type: 'runAction', turnId: 't1' },
    ]);
  });

  it('sends on Enter, keeps Shift+Enter as a new line, stops on Esc, and ignores an empty question', async () => {
    const box = p.page.locator('#question');
    await box.click();
    await p.page.keyboard.press('Enter');
    await p.page.keyboard.type('first line');
    await p.page.keyboard.press('Shift+Enter');
    await p.page.keyboard.type('second line');
    await p.page.keyboard.press('Enter');
    await p.page.keyboard.press('Escape');
    assert.equal(await box.inputValue(), '');
    const posted = (await p.posted()).filter(m => m.type !== 'ready');
    assert.deepEqual(posted, [{ type: 'ask', question: 'first line\nsecond line' }, { type: 'stop' }]);
  });

  it('restores a conversation from the host, and from its own state after a reload', async () => {
    await p.post({ type: 'restore', turns: [turn('a', { answer: 'Saved **answer** [1]', sources, cited: [1], status: 'done' })] });
    assert.equal(await p.page.locator('.answer strong').innerText(), 'answer');
    await p.page.reload();
    await p.page.waitForSelector('.turn[data-id="a"]');
    assert.equal(await p.page.locator('.answer').innerText(), 'Saved answer 1');
    await p.post({ type: 'cleared' });
    assert.equal(await p.page.locator('.turn').count(), 0);
    assert.equal(await p.page.locator('#empty').isVisible(), true);
  });

  it('renders every XSS payload as text: no dialog, no script, no navigation, no command link', async () => {
    const payloads = fs
      .readFileSync(path.resolve(__dirname, '../../../test/fixtures/xss/payloads.txt'), 'utf8')
      .split('\n')
      .filter(l => l && !l.startsWith('#'));
    const dialogs: string[] = [];
    p.page.on('dialog', d => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const url = p.page.url();
    const evil: SourceView[] = payloads.slice(0, 5).map((title, i) => ({ n: i + 1, path: `x/${title}`, startLine: 1, endLine: 2, title }));
    await p.post({ type: 'turnStarted', turn: turn('x', { question: payloads.join('\n') }) });
    await p.post({ type: 'sources', turnId: 'x', sources: evil });
    for (const line of payloads) await p.post({ type: 'tokens', turnId: 'x', text: `${line}\n\n` });
    await p.post({ type: 'done', turnId: 'x', cited: [] });
    // hover and click everything that could carry a handler or a link
    for (const el of await p.page.locator('.turn *').all()) {
      await el.hover({ timeout: 200 }).catch(() => undefined);
    }
    for (const a of await p.page.locator('.turn a').all()) await a.click({ timeout: 500 }).catch(() => undefined);
    await p.page.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
    assert.equal(p.page.url(), url, 'no navigation');
    const dom = await p.page.evaluate(() => {
      const all = [...document.querySelectorAll('.turn *')];
      return {
        dangerous: all.filter(e => ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'IMG', 'SVG', 'MATH', 'STYLE', 'FORM', 'INPUT', 'BASE', 'META', 'LINK'].includes(e.tagName.toUpperCase())).map(e => e.tagName),
        handlers: all.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on') || a.name === 'style').map(a => `${e.tagName}.${a.name}`)),
        hrefs: [...document.querySelectorAll('.turn a')].map(a => a.getAttribute('href') ?? ''),
      };
    });
    assert.deepEqual(dom.dangerous, []);
    assert.deepEqual(dom.handlers, []);
    assert.ok(dom.hrefs.every(h => /^(https?:|mailto:|)$/.test(h.split('//')[0] ?? '')), JSON.stringify(dom.hrefs));
    const posted = (await p.posted()).filter(m => m.type === 'openLink');
    assert.ok(posted.every(m => m.type === 'openLink' && /^https?:/.test(m.url)), JSON.stringify(posted));
    assert.match(await p.page.locator('.turn .question').innerText(), /<script>alert\('XSS'\)<\/script>/, 'the question shows the payload as text');
  });
});
