// The panel's browser code in Chromium, message by message: streaming, the cursor, citations, input keys,
// errors, restore, and untrusted text that must stay text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markersOf } from '../../src/shared/citationMarkers';
import type { CitationView, SourceView, TurnView } from '../../src/shared/messages';
import { openPanelPage, type PanelPage } from './panelHarness';

const sources: SourceView[] = [
  { n: 1, path: 'docs/configuration.md', startLine: 43, endLine: 104, title: 'Configuration > Flux capacitor' },
  { n: 2, path: 'src/server.ts', startLine: 1, endLine: 16 },
];
const turn = (id: string, over: Partial<TurnView> = {}): TurnView => ({
  id,
  question: 'How is the flux capacitor configured?',
  answer: '',
  sources: [],
  cited: [],
  status: 'streaming',
  ...over,
});

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
    assert.ok(
      lengths.every((n, i) => i === 0 || n > (lengths[i - 1] ?? 0)),
      lengths.join(' → '),
    );
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
    await p.post({
      type: 'error',
      turnId: 't1',
      status: 'interrupted',
      message: 'The answer was cut off.',
      actionTitle: 'Set API Key',
    });
    assert.equal(await p.page.locator('.answer').innerText(), 'Partial 2', 'the partial answer stays');
    assert.match(await p.page.locator('.turn-status').innerText(), /Answer interrupted: The answer was cut off\./);
    await p.page.locator('.answer button.cite').click();
    await p.page.locator('.sources button.source').first().click();
    await p.page.locator('button.retry').click();
    await p.page.locator('button.action').click();
    const posted = (await p.posted()).filter(m => m.type !== 'ready');
    assert.deepEqual(posted, [
      { type: 'openCitation', turnId: 't1', n: 2, ordinal: 0 },
      { type: 'openCitation', turnId: 't1', n: 1 },
      { type: 'retry', turnId: 't1' },
      { type: 'runAction', turnId: 't1' },
    ]);
  });

  it('makes a chip per cited number by its marker ordinal, with the aligned lines on hover and words for what does not hold', async () => {
    const cite = (over: Partial<CitationView>): CitationView => ({
      ordinal: 0,
      n: 1,
      path: 'docs/configuration.md',
      startLine: 56,
      endLine: 60,
      claim: 'Set the level.',
      support: 'supported',
      excerpt: 'flux:\n  level: 88',
      ...over,
    });
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    // the host posts each citation before the token that completes its marker; [9] names no source and has none
    const citations = [
      cite({}),
      cite({
        ordinal: 2,
        n: 2,
        path: 'src/server.ts',
        startLine: 3,
        endLine: 3,
        claim: 'The sky is green.',
        support: 'unsupported',
        excerpt: 'listen(8080)',
      }),
      cite({
        ordinal: 3,
        n: 2,
        path: 'src/server.ts',
        startLine: 5,
        endLine: 6,
        claim: 'Logs go to syslog.',
        movedFrom: 3,
        excerpt: 'log: syslog',
      }),
      cite({ ordinal: 4, startLine: 70, endLine: 71, claim: 'Partly.', support: 'partial', excerpt: 'part' }),
    ];
    const tokens = [
      'Use `arr[1]` then set the level [',
      '1]. Not this [9].\n',
      '\nThe sky is green [2]. Logs go to [syslog](https://x.invalid) [3].',
      ' Partly [1].',
    ];
    for (const [i, token] of tokens.entries()) {
      for (const c of citations.filter(c => [[0], [1], [2, 3], [4]][i]?.includes(c.ordinal)))
        await p.post({ type: 'citation', turnId: 't1', citation: c });
      await p.post({ type: 'tokens', turnId: 't1', text: token });
      await p.page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await p.post({ type: 'done', turnId: 't1', cited: [1, 2, 2, 1] });
    const chips = p.page.locator('.answer button.cite');
    assert.deepEqual(
      await chips.allInnerTexts(),
      ['1', '2', '2', '1'],
      'the moved citation shows its new number; [9] has no chip',
    );
    assert.deepEqual(
      await chips.evaluateAll(bs => bs.map(b => (b as HTMLElement).dataset.ordinal)),
      ['0', '2', '3', '4'],
      'arr[1] in code is not counted, [9] is',
    );
    assert.equal(await p.page.locator('.answer code').innerText(), 'arr[1]');
    assert.equal(await chips.nth(0).getAttribute('title'), 'docs/configuration.md:56-60\n\nflux:\n  level: 88');
    assert.equal(await chips.nth(0).getAttribute('aria-label'), 'Source 1, lines 56–60');
    assert.equal(await chips.nth(1).getAttribute('aria-label'), 'Source 2, line 3');
    const notes = p.page.locator('.answer .cite-note');
    assert.deepEqual(
      await notes.allInnerTexts(),
      ['⚠ not in source', 'moved from [3]', 'partly supported'],
      'said in words, not only by colour',
    );
    assert.match((await notes.nth(0).getAttribute('title')) ?? '', /the cited lines do not say this/);
    assert.match(
      (await chips.nth(1).getAttribute('title')) ?? '',
      /^src\/server\.ts:3-3\nNot in source: the cited lines do not say this\.\n\nlisten\(8080\)$/,
    );
    assert.match(
      (await chips.nth(2).getAttribute('title')) ?? '',
      /Moved from \[3\]: the lines that say this are in source 2\./,
    );
    assert.notEqual(
      await chips.nth(1).evaluate(b => getComputedStyle(b).borderStyle),
      await chips.nth(0).evaluate(b => getComputedStyle(b).borderStyle),
      'an unsupported chip is drawn differently',
    );

    // the model check changes a verdict, then opening a chip finds its lines gone
    await p.post({ type: 'citation', turnId: 't1', citation: cite({ support: 'unsupported' }) });
    await p.post({ type: 'citation', turnId: 't1', citation: { ...(citations[3] as CitationView), stale: true } });
    assert.deepEqual(await notes.allInnerTexts(), [
      '⚠ not in source',
      '⚠ not in source',
      'moved from [3]',
      'partly supported, stale',
    ]);
    assert.deepEqual(await chips.allInnerTexts(), ['1', '2', '2', '1'], 'no chip added or lost');

    await chips.nth(2).click();
    const posted = (await p.posted()).filter(m => m.type === 'openCitation');
    assert.deepEqual(posted, [{ type: 'openCitation', turnId: 't1', n: 2, ordinal: 3 }], 'the ordinal, never a path');

    // the webview's own saved state keeps no excerpt; a chip restored from it shows its claim instead
    const state = await p.page.evaluate(() => sessionStorage.getItem('state') ?? '');
    assert.ok(!state.includes('listen(8080)') && !state.includes('level: 88'), state);
    await p.page.reload();
    await p.page.waitForSelector('.turn[data-id="t1"] .answer button.cite');
    assert.equal(
      await p.page.locator('.answer button.cite').nth(0).getAttribute('title'),
      'docs/configuration.md:56-60\nNot in source: the cited lines do not say this.\n\nClaim: Set the level.',
    );
  });

  it('numbers chips as the core numbers markers: after emphasis, in lists, tables and links, never in code', async () => {
    const answer = [
      'Both [1, 2].',
      '    indented code [1]',
      '[a link [1]](https://x.invalid "title [2]") and a forged \uE0009\uE0012\uE002 mark [1]',
      '```\ncode [2]\n```',
      '- item [2]\n- **bold.**[1]',
      '| a | b |\n|---|---|\n| cell [1] | x |',
    ].join('\n\n');
    const markers = markersOf(answer.replace(/[\uE000-\uE002]/g, ''));
    const citations = markers.map(m => ({
      ordinal: m.ordinal,
      n: m.n,
      path: 'p.md',
      startLine: m.ordinal + 1,
      endLine: m.ordinal + 1,
      claim: 'c',
    }));
    await p.post({
      type: 'restore',
      turns: [turn('t', { answer, sources, cited: [1, 2], citations, status: 'done' })],
    });
    const chips = await p.page
      .locator('.answer button.cite')
      .evaluateAll(bs => bs.map(b => `${(b as HTMLElement).dataset.ordinal}:${b.textContent}`));
    // the core counts the [1] of the indented block and the [2] of the link's title (not the fenced one); neither
    // can be a chip, and the numbers after them keep their ordinals
    const notChips = new Set([2, 4]);
    assert.deepEqual(
      chips,
      markers.filter(m => !notChips.has(m.ordinal)).map(m => `${m.ordinal}:${m.n}`),
    );
    assert.deepEqual(await p.page.locator('.answer pre code').evaluateAll(cs => cs.map(c => c.textContent)), [
      'indented code [1]\n',
      'code [2]\n',
    ]);
    assert.equal(await p.page.locator('.answer a').getAttribute('title'), 'title [2]');
    assert.match(
      await p.page.locator('.answer').innerText(),
      /a forged 92 mark/,
      'a mark in the model’s text is not a chip',
    );
    await p.page.locator('.answer a button.cite').click();
    assert.deepEqual(
      (await p.posted()).filter(m => m.type !== 'ready'),
      [{ type: 'openCitation', turnId: 't', n: 1, ordinal: 3 }],
      'a chip in a link opens its lines',
    );
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
    await p.post({
      type: 'restore',
      turns: [turn('a', { answer: 'Saved **answer** [1]', sources, cited: [1], status: 'done' })],
    });
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
    const evil: SourceView[] = payloads
      .slice(0, 5)
      .map((title, i) => ({ n: i + 1, path: `x/${title}`, startLine: 1, endLine: 2, title }));
    await p.post({ type: 'turnStarted', turn: turn('x', { question: payloads.join('\n') }) });
    await p.post({ type: 'sources', turnId: 'x', sources: evil });
    for (const line of payloads) await p.post({ type: 'tokens', turnId: 'x', text: `${line}\n\n` });
    await p.post({ type: 'done', turnId: 'x', cited: [] });
    // hover and click everything that could carry a handler or a link
    for (const el of await p.page.locator('.turn *').all()) {
      await el.hover({ timeout: 200 }).catch(() => undefined);
    }
    for (const a of await p.page.locator('.turn a').all()) await a.click({ timeout: 500 }).catch(() => undefined);
    // what the hovers and clicks queued in the page has run (a navigation ends it: the URL check below says so)
    await p.page.evaluate(() => new Promise(resolve => setTimeout(resolve))).catch(() => undefined);
    assert.deepEqual(dialogs, []);
    assert.equal(p.page.url(), url, 'no navigation');
    const dom = await p.page.evaluate(() => {
      const all = [...document.querySelectorAll('.turn *')];
      return {
        dangerous: all
          .filter(e =>
            [
              'SCRIPT',
              'IFRAME',
              'OBJECT',
              'EMBED',
              'IMG',
              'SVG',
              'MATH',
              'STYLE',
              'FORM',
              'INPUT',
              'BASE',
              'META',
              'LINK',
            ].includes(e.tagName.toUpperCase()),
          )
          .map(e => e.tagName),
        handlers: all.flatMap(e =>
          [...e.attributes]
            .filter(a => a.name.startsWith('on') || a.name === 'style')
            .map(a => `${e.tagName}.${a.name}`),
        ),
        hrefs: [...document.querySelectorAll('.turn a')].map(a => a.getAttribute('href') ?? ''),
      };
    });
    assert.deepEqual(dom.dangerous, []);
    assert.deepEqual(dom.handlers, []);
    assert.ok(
      dom.hrefs.every(h => /^(https?:|mailto:|)$/.test(h.split('//')[0] ?? '')),
      JSON.stringify(dom.hrefs),
    );
    const posted = (await p.posted()).filter(m => m.type === 'openLink');
    assert.ok(
      posted.every(m => m.type === 'openLink' && /^https?:/.test(m.url)),
      JSON.stringify(posted),
    );
    assert.match(
      await p.page.locator('.turn .question').innerText(),
      /<script>alert\('XSS'\)<\/script>/,
      'the question shows the payload as text',
    );
  });
});
