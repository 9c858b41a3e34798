// The panel's browser code in Chromium, message by message: streaming, the cursor, citations, input keys,
// errors, restore, and untrusted text that must stay text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { markersOf } from '../../src/shared/citationMarkers';
import type { CitationView, SourceView, TurnView } from '../../src/shared/messages';
import { reduceTurn, type TurnMessage } from '../../src/shared/panelTurns';
import { openPanelPage, type PanelPage } from './panelHarness';
import { THEMES, type ThemeKind } from './panelThemes';

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
    // the invented [9] goes with the space before it
    assert.match(await p.page.locator('.answer').innerText(), /That is all\.$/);
    await p.page.locator('.sources summary').first().click();
    assert.deepEqual(await p.page.locator('.sources button.source.cited').allInnerTexts(), [
      '[1] docs/configuration.md:43-104 — Configuration > Flux capacitor',
    ]);
  });

  it('links a reference-style link whose definition came blocks later, once the answer is done', async () => {
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    for (const text of [
      'Set it as the [flux guide][guide] says [1].\n\n',
      'More on that [2].\n\n',
      '[guide]: https://example.com/flux\n',
    ]) {
      await p.post({ type: 'tokens', turnId: 't1', text });
      await p.page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await p.post({ type: 'done', turnId: 't1', cited: [1, 2] });
    await p.page.locator('.turn[data-status="done"]').waitFor();
    const links = await p.page
      .locator('.answer a')
      .evaluateAll(as => as.map(a => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(links, [['flux guide', 'https://example.com/flux']]);
    assert.equal(await p.page.locator('.answer').innerText(), 'Set it as the flux guide says 1.\n\nMore on that 2.');
    // rendered again whole, each chip keeps its marker's ordinal
    const ordinals = await p.page.locator('.answer button.cite').evaluateAll(bs => bs.map(b => b.dataset.ordinal));
    assert.deepEqual(ordinals, ['0', '1']);
  });

  it('sends only ids when a citation, a source, Retry or a fix is clicked', async () => {
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Partial [2]' });
    await p.post({
      type: 'error',
      turnId: 't1',
      status: 'interrupted',
      message: 'The answer was cut off.',
      actionTitles: ['Open Setting', 'Show Log'],
    });
    assert.equal(await p.page.locator('.answer').innerText(), 'Partial 2', 'the partial answer stays');
    assert.match(await p.page.locator('.turn-status').innerText(), /Answer interrupted: The answer was cut off\./);
    await p.page.locator('.answer button.cite').click();
    await p.page.getByText('2 passages retrieved, not cited').click();
    await p.page.locator('.sources button.source').first().click();
    await p.page.locator('button.retry').click();
    const fixes = p.page.locator('.turn-status button.action');
    assert.deepEqual(await fixes.allInnerTexts(), ['Open Setting', 'Show Log']);
    await fixes.nth(1).click();
    await fixes.nth(0).click();
    const posted = (await p.posted()).filter(m => m.type !== 'ready');
    assert.deepEqual(posted, [
      { type: 'openCitation', turnId: 't1', n: 2, ordinal: 0 },
      { type: 'openCitation', turnId: 't1', n: 1 },
      { type: 'retry', turnId: 't1' },
      { type: 'runAction', turnId: 't1', index: 1 },
      { type: 'runAction', turnId: 't1', index: 0 },
    ]);
  });

  it('names each fix button by its fix and the question, and offers none for a stopped answer', async () => {
    await p.post({ type: 'turnStarted', turn: turn('f') });
    await p.post({
      type: 'error',
      turnId: 'f',
      status: 'failed',
      message: 'Could not reach the model endpoint.',
      actionTitles: ['Open Setting', 'Show Log'],
    });
    const failed = p.page.locator('.turn[data-id="f"]');
    assert.deepEqual(
      await failed
        .getByRole('button', { name: /^(Open Setting|Show Log):/ })
        .evaluateAll(bs => bs.map(b => b.getAttribute('aria-label'))),
      ['Open Setting: How is the flux capacitor configured?', 'Show Log: How is the flux capacitor configured?'],
    );
    await p.post({ type: 'turnStarted', turn: turn('s') });
    await p.post({ type: 'error', turnId: 's', status: 'stopped', message: 'Stopped.' });
    assert.equal(await p.page.locator('.turn[data-id="s"] button.action').count(), 0);
  });

  it('saves the question being written and nothing of the conversation, on each keystroke and while text streams', async () => {
    const long = 'The flux capacitor is configured in acme.json [1]. '.repeat(400);
    await p.post({
      type: 'restore',
      turns: Array.from({ length: 10 }, (_, i) => turn(`a${i}`, { answer: long, sources, cited: [1], status: 'done' })),
    });
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'tokens', turnId: 't1', text: long });
    await p.post({ type: 'done', turnId: 't1', cited: [] });
    const state = () => p.page.evaluate(() => JSON.parse(sessionStorage.getItem('state') || 'null') as object | null);
    assert.equal(await state(), null, 'nothing saved as the conversation came and streamed');
    await p.page.locator('#question').click();
    await p.page.keyboard.type('Where');
    const saved = await state();
    assert.deepEqual(saved && Object.keys(saved), ['draft']);
    assert.deepEqual(saved, { draft: 'Where' });
  });

  it('takes only the draft from state an earlier version saved with the conversation; the host restores the turns', async () => {
    const saved = { ...turn('old', { status: 'failed' }), error: { message: 'No API key is set.' } };
    await p.page.evaluate(s => sessionStorage.setItem('state', JSON.stringify({ turns: [s], draft: 'Why' })), saved);
    await p.page.reload();
    await p.page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    assert.equal(await p.page.locator('#question').inputValue(), 'Why');
    assert.equal(await p.page.locator('.turn').count(), 0);
    assert.equal(await p.page.locator('#empty').isVisible(), false, 'not said empty before the host has said');
    await p.post({ type: 'restore', turns: [saved] });
    assert.equal(await p.page.locator('.turn[data-id="old"]').count(), 1);
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
      cite({
        ordinal: 4,
        startLine: 70,
        endLine: 71,
        claim: 'Partly.',
        support: 'partial',
        excerpt: 'part',
        heading: 'Destination',
      }),
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
      /^src\/server\.ts:3\nNot in source: the cited lines do not say this\.\n\nlisten\(8080\)$/,
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

    // under each cited source, the lines its claims cite, with the verdicts in words: what its chips open
    await p.page.locator('.sources details.used > summary').click();
    const ranges = p.page.locator('.sources ul.cited-ranges');
    assert.deepEqual(await ranges.evaluateAll(uls => uls.map(ul => ul.getAttribute('aria-label'))), [
      'Lines cited from source 1',
      'Lines cited from source 2',
    ]);
    assert.deepEqual(await p.page.locator('.sources button.cited-lines').allInnerTexts(), [
      'lines 56–60 — not in the source',
      'lines 70–71 · Destination — partly supported — changed since the answer',
      'line 3 — not in the source',
      'lines 5–6',
    ]);

    await chips.nth(2).click();
    await p.page.locator('.sources button.cited-lines').nth(1).click();
    const posted = (await p.posted()).filter(m => m.type === 'openCitation');
    assert.deepEqual(
      posted,
      [
        { type: 'openCitation', turnId: 't1', n: 2, ordinal: 3 },
        { type: 'openCitation', turnId: 't1', n: 1, ordinal: 4 },
      ],
      'the ordinal, never a path',
    );

    // workspace state keeps no excerpt: a chip the host restores after a reload shows its claim instead
    await p.page.reload();
    const restored: CitationView = { ...cite({ support: 'unsupported' }), excerpt: undefined };
    await p.post({
      type: 'restore',
      turns: [turn('t1', { answer: tokens.join(''), sources, cited: [1, 2], status: 'done', citations: [restored] })],
    });
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
      '[a link [1]](https://x.invalid "title [2]") and a forged \uFDD09\uFDD12\uFDD2 mark [1]',
      // written as character references: markdown-it decodes them, never into a marker
      'forged as entities &#xFDD0;8&#xFDD1;2&#xFDD2; and &#xE000;7&#xE001;1&#xE002; and &#64976;6&#64977;1&#64978;',
      '```\ncode [2]\n```',
      '- item [2]\n- **bold.**[1]',
      '| a | b |\n|---|---|\n| cell [1] | x |',
    ].join('\n\n');
    const markers = markersOf(answer.replace(/[\uFDD0-\uFDD2]/g, ''));
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
    // the core counts neither the [2] of the link's title nor the indented or fenced code's: every marker it counts
    // is a chip, with its ordinal
    assert.deepEqual(
      markers.map(m => `${m.ordinal}:${m.n}`),
      ['0:1', '1:2', '2:1', '3:1', '4:2', '5:1', '6:1'],
    );
    assert.deepEqual(
      chips,
      markers.map(m => `${m.ordinal}:${m.n}`),
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
      [{ type: 'openCitation', turnId: 't', n: 1, ordinal: 2 }],
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
    // Esc stops wherever the focus is in the panel
    await p.page.locator('#send').focus();
    await p.page.keyboard.press('Escape');
    assert.equal((await p.posted()).filter(m => m.type === 'stop').length, 2);
  });

  it('puts the cursor in the question box when the control it was on goes away: Stop, Retry, Undo', async () => {
    const focusedId = () => p.page.evaluate(() => document.activeElement?.id || document.activeElement?.className);
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Partial' });
    await p.page.locator('#stop').focus();
    await p.page.keyboard.press('Enter');
    await p.post({ type: 'error', turnId: 't1', status: 'stopped', message: 'Stopped.' });
    // each wait is for what the message renders: the focus moves in the same task
    await p.page.locator('#stop').waitFor({ state: 'hidden' });
    assert.equal(await focusedId(), 'question', 'after Stop');
    await p.page.locator('button.retry').focus();
    await p.page.keyboard.press('Enter');
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.page.locator('.turn[data-status="streaming"]').waitFor();
    assert.equal(await focusedId(), 'question', 'after Retry');
    await p.post({ type: 'done', turnId: 't1', cited: [] });
    await p.post({ type: 'cleared', undoable: true });
    await p.page.locator('#undo').focus();
    await p.page.keyboard.press('Enter');
    await p.post({ type: 'restore', turns: [turn('t1', { status: 'done', answer: 'Whole' })] });
    await p.page.locator('.turn').waitFor();
    assert.equal(await focusedId(), 'question', 'after Undo');
    // a control that stays keeps the focus
    await p.page.locator('button.copy-answer').focus();
    await p.post({ type: 'turnStarted', turn: turn('t2') });
    await p.page.locator('.turn[data-id="t2"]').waitFor();
    assert.equal(await focusedId(), 'copy-answer');
  });

  it('keeps the keyboard on a chip of the text still streaming, as that text is rendered again', async () => {
    const focused = () => p.page.evaluate(() => (document.activeElement as HTMLElement).dataset.ordinal);
    const frame = () => p.page.evaluate(() => new Promise(requestAnimationFrame));
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Set it to 88 [1] and' });
    await frame();
    await p.page.locator('.answer .tail button.cite').focus();
    for (const text of [' restart [2]', ' the server.', '\n\nThen check it.']) {
      await p.post({ type: 'tokens', turnId: 't1', text });
      await frame();
      assert.equal(await focused(), '0', `after ${JSON.stringify(text)}`);
    }
    assert.equal(
      await p.page.locator('.answer .blocks button.cite[data-ordinal="0"]').count(),
      1,
      'now kept in a block',
    );
    await p.page.keyboard.press('Tab');
    assert.equal(await focused(), '1');
    await p.post({
      type: 'citation',
      turnId: 't1',
      citation: {
        ordinal: 1,
        n: 2,
        path: 'src/server.ts',
        startLine: 3,
        endLine: 3,
        claim: 'Restart the server.',
        support: 'partial',
      },
    });
    await p.post({ type: 'done', turnId: 't1', cited: [1, 2] });
    await p.page.locator('.turn[data-status="done"]').waitFor();
    assert.equal(await focused(), '1', 'its citation checked again');
  });

  it('restores a conversation from the host, and says the panel is empty once it is cleared', async () => {
    await p.post({
      type: 'restore',
      turns: [turn('a', { answer: 'Saved **answer** [1]', sources, cited: [1], status: 'done' })],
    });
    assert.equal(await p.page.locator('.answer strong').innerText(), 'answer');
    assert.equal(await p.page.locator('.answer').innerText(), 'Saved answer 1');
    assert.equal(await p.page.locator('#empty').isVisible(), false);
    await p.post({ type: 'cleared' });
    assert.equal(await p.page.locator('.turn').count(), 0);
    assert.equal(await p.page.locator('#empty').isVisible(), true);
  });

  it('keeps the question being written when the view is hidden and shown again, and forgets it once sent', async () => {
    const box = p.page.locator('#question');
    await box.click();
    await p.page.keyboard.type('Where is the flux');
    await p.page.keyboard.press('Shift+Enter');
    await p.page.keyboard.type('capacitor configured');
    // hiding the view throws the page away; shown again, it starts from its saved state
    await p.page.reload();
    await p.page.waitForSelector('#question');
    assert.equal(await box.inputValue(), 'Where is the flux\ncapacitor configured');
    const lines = await box.evaluate(q => q.scrollHeight <= q.clientHeight && q.clientHeight > 40);
    assert.ok(lines, 'the box is as tall as its text');
    await box.press('Enter');
    await p.page.reload();
    await p.page.waitForSelector('#question');
    assert.equal(await box.inputValue(), '');
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

/** WCAG relative luminance of an sRGB colour (0-255 channels). */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
}

/** The contrast ratio of a text colour over its background, both as the browser computed them (`rgb(a)(...)`). */
function contrast(text: string, background: string): number {
  const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const bg = parse(background);
  const [r = 0, g = 0, b = 0, a = 1] = parse(text);
  // a translucent text colour is seen mixed with what is under it
  const seen = [r, g, b].map((c, i) => c * a + (bg[i] ?? 0) * (1 - a));
  const [hi, lo] = [luminance(seen), luminance(bg)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** The colour an element's text is drawn in, and the first opaque background under it. */
function coloursOf({ selector, pseudo }: { selector: string; pseudo?: string }) {
  const e = document.querySelector(selector);
  if (!e) throw new Error(`no ${selector}`);
  const text = getComputedStyle(e, pseudo).color;
  for (let n: Element | null = e; n; n = n.parentElement) {
    const bg = getComputedStyle(n).backgroundColor;
    if (!/^rgba\(.*,\s*0\)$/.test(bg) && bg !== 'transparent') return { text, background: bg };
  }
  return { text, background: 'rgb(255, 255, 255)' };
}

describe('panel webview: the first hour (component, Chromium)', function () {
  let p: PanelPage;
  beforeEach(async () => {
    p = await openPanelPage();
  });
  afterEach(async () => {
    await p?.close();
  });
  const frames = (n = 2) =>
    p.page.evaluate(
      k =>
        new Promise<void>(resolve => {
          const step = (left: number) => (left ? requestAnimationFrame(() => step(left - 1)) : resolve());
          step(k);
        }),
      n,
    );
  const belowView = () =>
    p.page.evaluate(() => {
      const s = document.scrollingElement ?? document.documentElement;
      return s.scrollHeight - s.clientHeight - s.scrollTop;
    });
  /** scrollY once it has held still for five frames: a wheel scrolls smoothly, and mouse.wheel does not wait for it. */
  const settledScrollY = () =>
    p.page.evaluate(
      () =>
        new Promise<number>(resolve => {
          let last = window.scrollY;
          let still = 0;
          const step = () => {
            if (window.scrollY !== last) [last, still] = [window.scrollY, 0];
            else if (++still >= 5) return resolve(last);
            requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        }),
    );
  /**
   * Records every label the button `selector` shows from now on, so a label shown only for a moment ("Copied") is
   * seen however slowly the test runs; `labels` reads them.
   */
  const recordLabels = (selector: string) =>
    p.page.locator(selector).evaluate(b => {
      const seen: string[] = [];
      new MutationObserver(() => seen.push(b.textContent ?? '')).observe(b, { childList: true, characterData: true });
      (b as HTMLElement & { seen?: string[] }).seen = seen;
    });
  const labels = (selector: string) =>
    p.page.locator(selector).evaluate(b => (b as HTMLElement & { seen?: string[] }).seen ?? []);
  const paragraphs = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `Paragraph ${from + i} of a long answer that keeps coming.\n\n`).join('');

  it('follows a streaming answer, stops following when scrolled up, and "Jump to latest" brings the reader back', async () => {
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    for (let i = 0; i < 6; i++) {
      await p.post({ type: 'tokens', turnId: 't1', text: paragraphs(i * 10, 10) });
      await frames();
    }
    assert.ok((await belowView()) <= 1, 'the newest text is in view');
    assert.equal(await p.page.locator('#jump').isVisible(), false);

    // the reader scrolls up to read the beginning
    await p.page.mouse.move(300, 300);
    await p.page.mouse.wheel(0, -2000);
    await p.page.waitForFunction(() => window.scrollY < 200);
    const readingAt = await settledScrollY();
    await p.post({ type: 'tokens', turnId: 't1', text: paragraphs(60, 10) });
    await frames(3);
    assert.equal(await p.page.evaluate(() => window.scrollY), readingAt, 'the text the reader reads stays put');
    assert.equal(await p.page.locator('#jump').isVisible(), true);
    assert.equal(await p.page.locator('#jump').innerText(), 'Jump to latest ↓');

    // from the keyboard: the button goes away under it, and the cursor goes to the question box
    await p.page.locator('#jump').focus();
    await p.page.keyboard.press('Enter');
    await frames();
    assert.ok((await belowView()) <= 1, 'back at the newest text');
    assert.equal(await p.page.locator('#jump').isVisible(), false);
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'question');
    await p.post({ type: 'tokens', turnId: 't1', text: paragraphs(70, 10) });
    await frames(3);
    assert.ok((await belowView()) <= 1, 'and following it again');

    // the end of the answer (its footer and sources) comes into view with it
    await p.post({ type: 'tokens', turnId: 't1', text: 'The end [1].' });
    await p.post({ type: 'done', turnId: 't1', cited: [1] });
    await frames();
    assert.ok((await belowView()) <= 1, 'the footer and sources are in view');
    assert.equal(await p.page.locator('.copy-answer').isVisible(), true);
    // opening the sources of a finished answer does not move the page
    const before = await p.page.evaluate(() => window.scrollY);
    await p.page.locator('.sources details.used > summary').click();
    await frames(3);
    assert.equal(await p.page.evaluate(() => window.scrollY), before);
    assert.equal(await p.page.locator('button.source.cited').isVisible(), true);
  });

  it('lists only cited sources under a collapsed "Used N sources", the others behind it labelled not cited', async () => {
    const three: SourceView[] = [...sources, { n: 3, path: 'README.md', startLine: 1, endLine: 9, title: 'Readme' }];
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources: three });
    assert.equal(await p.page.locator('.sources summary').innerText(), 'Retrieved 3 passages');
    await p.post({ type: 'tokens', turnId: 't1', text: 'Set it to 88 [2].' });
    await p.post({ type: 'done', turnId: 't1', cited: [2] });
    const used = p.page.locator('.sources details.used');
    assert.equal(await used.locator(':scope > summary').innerText(), 'Used 1 source');
    assert.equal(await used.getAttribute('open'), null, 'collapsed');
    assert.equal(await p.page.locator('button.source').first().isVisible(), false);
    await used.locator(':scope > summary').click();
    assert.deepEqual(await used.locator(':scope > ol button.source').allInnerTexts(), ['[2] src/server.ts:1-16']);
    const uncited = used.locator('details.uncited');
    assert.equal(await uncited.locator('summary').innerText(), '2 passages retrieved, not cited');
    assert.equal(await uncited.locator('button.source').first().isVisible(), false, 'collapsed too');
    await uncited.locator('summary').click();
    assert.deepEqual(await uncited.locator('button.source').allInnerTexts(), [
      '[1] docs/configuration.md:43-104 — Configuration > Flux capacitor',
      '[3] README.md:1-9 — Readme',
    ]);
    assert.equal(await uncited.locator('ol').getAttribute('aria-label'), 'Retrieved, not cited');
    // a stale source re-renders the list: what the reader opened stays open
    await p.post({ type: 'citationStale', turnId: 't1', n: 3 });
    await uncited.locator('button.source.stale').waitFor({ state: 'attached' });
    assert.equal(await uncited.locator('button.source.stale').isVisible(), true);
  });

  it('names the lines a source and a chip were found at when their file changed, with the heading they are under now', async () => {
    const citation: CitationView = {
      ordinal: 0,
      n: 1,
      path: 'docs/configuration.md',
      startLine: 56,
      endLine: 56,
      claim: 'Set the level.',
      heading: 'Flux capacitor',
    };
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({ type: 'citation', turnId: 't1', citation });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Set the level [1].' });
    await p.post({ type: 'done', turnId: 't1', cited: [1] });
    await p.page.locator('.sources details.used > summary').click();
    const source = p.page.locator('.sources button.source.cited');
    const lines = p.page.locator('.sources button.cited-lines');
    assert.equal(await source.innerText(), '[1] docs/configuration.md:43-104 — Configuration > Flux capacitor');
    assert.equal(await lines.innerText(), 'line 56 · Flux capacitor');
    // the host found the source's passage, then the chip's line, further down (under a section of its own)
    const title = 'Configuration > Flux capacitor; Configuration > Level';
    const moved = sources.map(s => (s.n === 1 ? { ...s, startLine: 45, endLine: 106, title } : s));
    await p.post({ type: 'sources', turnId: 't1', sources: moved });
    await p.post({
      type: 'citation',
      turnId: 't1',
      citation: { ...citation, startLine: 60, endLine: 60, heading: 'Level' },
    });
    assert.equal(await source.innerText(), `[1] docs/configuration.md:45-106 — ${title}`);
    assert.equal(await lines.innerText(), 'line 60 · Level');
    assert.equal(await p.page.locator('.sources details.used').getAttribute('open'), '', 'the list stays open');
    const unheaded: CitationView = { ...citation, startLine: 61, endLine: 61 };
    delete unheaded.heading;
    await p.post({ type: 'citation', turnId: 't1', citation: unheaded });
    assert.equal(await lines.innerText(), 'line 61', 'under no heading now');
    const untitled = moved.map(s => (s.n === 1 ? { n: 1, path: s.path, startLine: 45, endLine: 106 } : s));
    await p.post({ type: 'sources', turnId: 't1', sources: untitled });
    assert.equal(await source.innerText(), '[1] docs/configuration.md:45-106', 'the source under no heading now');
  });

  it('lists what an interrupted answer cited so far as used once it breaks, as it does after a reload', async () => {
    const messages: TurnMessage[] = [
      { type: 'sources', turnId: 't1', sources },
      {
        type: 'citation',
        turnId: 't1',
        citation: { ordinal: 0, n: 2, path: 'src/server.ts', startLine: 3, endLine: 3, claim: 'Set it to 88.' },
      },
      { type: 'tokens', turnId: 't1', text: 'Set it to 88 [2]' },
      { type: 'error', turnId: 't1', status: 'interrupted', message: 'The answer was cut off.' },
    ];
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    for (const m of messages) await p.post(m);
    await p.page.locator('.turn[data-status="interrupted"]').waitFor();
    const summaries = () => p.page.locator('.sources summary').allTextContents();
    const listed = await summaries();
    assert.deepEqual(listed, ['Used 1 source', '1 passage retrieved, not cited']);
    await p.page.reload();
    // the host's copy of the turn, reduced from the same messages, is what it restores
    await p.post({ type: 'restore', turns: [messages.reduce(reduceTurn, turn('t1'))] });
    await p.page.waitForSelector('.turn .sources summary');
    assert.deepEqual(await summaries(), listed);
  });

  it('shows who answered, copies the answer through the host with "Copied" feedback, and copies a code block', async () => {
    const answer = 'Set `flux.level` to 88 [1].\n\n```json\n{ "level": 88 }\n```';
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({ type: 'tokens', turnId: 't1', text: answer });
    assert.equal(await p.page.locator('.copy-answer').count(), 0, 'no Copy while the answer streams');
    await p.post({ type: 'done', turnId: 't1', cited: [1], model: 'GPT-4o (VS Code)' });
    assert.equal(await p.page.locator('.turn-footer .model').innerText(), 'Answered by GPT-4o (VS Code)');
    const copy = p.page.locator('button.copy-answer');
    assert.equal(await copy.getAttribute('aria-label'), 'Copy the answer to: How is the flux capacitor configured?');
    // "Copied" shows for a moment, then the label again: what the buttons showed is recorded, not read at one instant
    await recordLabels('button.copy-answer');
    await copy.click();
    await p.page.waitForFunction(() => document.querySelector('button.copy-answer')?.textContent === 'Copy');
    assert.deepEqual(await labels('button.copy-answer'), ['Copied', 'Copy']);
    await recordLabels('pre button.copy');
    await p.page.locator('pre button.copy').click();
    await p.page.waitForFunction(() => document.querySelector('pre button.copy')?.textContent === 'Copy');
    assert.deepEqual(await labels('pre button.copy'), ['Copied', 'Copy']);
    assert.deepEqual(
      (await p.posted()).filter(m => m.type === 'copy'),
      [
        { type: 'copy', text: `${answer}\n\nSources:\n[1] docs/configuration.md:43-104\n` },
        { type: 'copy', text: '{ "level": 88 }\n' },
      ],
    );
  });

  it('offers Undo after New Conversation, and shows the conversation the host brings back', async () => {
    const saved = turn('a', { answer: 'Saved answer', status: 'done' });
    await p.post({ type: 'restore', turns: [saved] });
    await p.post({ type: 'cleared', undoable: true });
    assert.equal(await p.page.locator('.turn').count(), 0);
    assert.equal(await p.page.locator('#cleared').isVisible(), true);
    await p.page.locator('#undo').click();
    assert.deepEqual(
      (await p.posted()).filter(m => m.type === 'undoClear'),
      [{ type: 'undoClear' }],
    );
    await p.post({ type: 'restore', turns: [saved] });
    assert.equal(await p.page.locator('.turn .answer').innerText(), 'Saved answer');
    assert.equal(await p.page.locator('#cleared').isVisible(), false);
    // clearing an empty conversation (nothing to bring back) offers nothing
    await p.post({ type: 'cleared' });
    assert.equal(await p.page.locator('#cleared').isVisible(), false);
    // shown again after New Conversation (the view was hidden), Undo is still offered
    await p.post({ type: 'restore', turns: [], undoable: true });
    assert.equal(await p.page.locator('#cleared').isVisible(), true);
  });

  it('keeps a question over the limit in the box and says why, sending nothing', async () => {
    const box = p.page.locator('#question');
    await box.fill('x'.repeat(8_001));
    await box.press('Enter');
    assert.equal((await box.inputValue()).length, 8_001, 'the text stays to be shortened');
    assert.match(await p.page.locator('#too-long').innerText(), /8,001 characters long; the limit is 8,000/);
    assert.deepEqual(
      (await p.posted()).filter(m => m.type === 'ask'),
      [],
    );
    await box.fill('x'.repeat(8_000));
    assert.equal(await p.page.locator('#too-long').isVisible(), false);
    await box.press('Enter');
    assert.equal((await p.posted()).filter(m => m.type === 'ask').length, 1);
  });

  it('keeps the turns the host keeps (the newest 30), dropping the oldest from the page', async () => {
    for (let i = 0; i < 32; i++) await p.post({ type: 'turnStarted', turn: turn(`t${i}`, { status: 'done' }) });
    const ids = await p.page.locator('.turn').evaluateAll(nodes => nodes.map(n => (n as HTMLElement).dataset.id));
    assert.deepEqual(
      ids,
      Array.from({ length: 30 }, (_, i) => `t${i + 2}`),
    );
  });

  it('puts the cursor in the question box when asked to and when the view gets focus; the box grows with its text', async () => {
    const box = p.page.locator('#question');
    await p.post({ type: 'focusInput' });
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'question');
    await p.page.evaluate(() => (document.activeElement as HTMLElement).blur());
    await p.page.evaluate(() => window.dispatchEvent(new FocusEvent('focus')));
    assert.equal(await p.page.evaluate(() => document.activeElement?.id), 'question', 'the view got focus');

    // in a narrow side bar the placeholder fits the empty box
    await p.page.setViewportSize({ width: 260, height: 600 });
    const fits = await box.evaluate((q: HTMLTextAreaElement) => {
      const style = getComputedStyle(q);
      const ctx = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const room = q.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text: ctx.measureText(q.placeholder).width, room, cut: q.scrollHeight > q.clientHeight };
    });
    assert.ok(fits.text <= fits.room && !fits.cut, JSON.stringify(fits));
    const oneLine = (await box.boundingBox())?.height ?? 0;
    await box.click();
    await p.page.keyboard.type('first');
    for (const line of ['second', 'third', 'fourth']) {
      await p.page.keyboard.press('Shift+Enter');
      await p.page.keyboard.type(line);
    }
    const fourLines = (await box.boundingBox())?.height ?? 0;
    assert.ok(fourLines > oneLine * 2, `${oneLine} px → ${fourLines} px`);
    assert.equal(await box.evaluate(q => q.scrollHeight <= q.clientHeight), true, 'every line shows');
    for (let i = 0; i < 40; i++) await p.page.keyboard.press('Shift+Enter');
    const capped = (await box.boundingBox())?.height ?? 0;
    assert.ok(capped <= 600 * 0.4 + 1, `at most 40% of the view: ${capped} px`);
    await p.page.keyboard.press('Enter');
    assert.equal((await box.boundingBox())?.height, oneLine, 'back to one line once sent');
  });

  it('wraps a long word wherever it is shown, so a narrow panel never scrolls sideways', async () => {
    await p.page.setViewportSize({ width: 300, height: 600 });
    const long = `https://example.com/${'a'.repeat(300)}`;
    const path = `src/${'nested'.repeat(40)}/file.ts`;
    await p.post({
      type: 'restore',
      turns: [
        turn('t1', {
          question: `Why does ${long} fail?`,
          about: `${path}:1-2`,
          answer: `See ${long} [1].\n\n\`\`\`\n${'x'.repeat(300)}\n\`\`\``,
          sources: [{ n: 1, path, startLine: 1, endLine: 2, title: 'T'.repeat(200) }],
          cited: [1],
          status: 'failed',
          error: { message: `Cannot read ${path}` },
        }),
      ],
    });
    await p.page.evaluate(() => document.querySelectorAll('details').forEach(d => (d.open = true)));
    const widths = await p.page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: document.documentElement.clientWidth,
    }));
    assert.equal(widths.page, widths.view, JSON.stringify(widths));
    // the code block scrolls on its own
    assert.ok(await p.page.locator('.answer pre').evaluate(pre => pre.scrollWidth > pre.clientWidth));
  });

  it('numbers the no-model search results 1., 2., 3. and offers Select Model', async () => {
    const results = [1, 2, 3]
      .map(n => `${n}. \`docs/f${n}.md:1-3\` — F${n} [${n}]\n\n\`\`\`\nline ${n}\n\`\`\``)
      .join('\n\n');
    const answer = `**No language model is available, so these are search results, not an answer:**\n\n${results}`;
    const three = [1, 2, 3].map(n => ({ n, path: `docs/f${n}.md`, startLine: 1, endLine: 3 }));
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources: three });
    await p.post({ type: 'tokens', turnId: 't1', text: answer });
    await p.post({ type: 'done', turnId: 't1', cited: [1, 2, 3], searchOnly: true });
    assert.deepEqual(
      await p.page.locator('.answer ol').evaluateAll(ols => ols.map(o => (o as HTMLOListElement).start)),
      [1, 2, 3],
    );
    await p.page.locator('button.select-model').click();
    assert.deepEqual(
      (await p.posted()).filter(m => m.type === 'selectModel'),
      [{ type: 'selectModel' }],
    );
  });

  it('says Stopped as a muted state, and an error with an icon; turns and Retry are named by their question', async () => {
    await p.setTheme('vscode-light');
    await p.post({ type: 'turnStarted', turn: turn('s', { question: 'Where are logs written?' }) });
    await p.post({ type: 'tokens', turnId: 's', text: 'From' });
    await p.post({ type: 'error', turnId: 's', status: 'stopped', message: 'Stopped.' });
    const stopped = p.page.locator('.turn[data-id="s"]');
    assert.equal(await stopped.locator('.state-message').innerText(), 'Stopped.');
    assert.equal(await stopped.locator('.error-message, .error-icon').count(), 0);
    const colours = await p.page.evaluate(() => ({
      state: getComputedStyle(document.querySelector('.state-message') as Element).color,
      muted: getComputedStyle(document.querySelector('#empty') as Element).color,
    }));
    assert.equal(colours.state, colours.muted, 'the muted description colour, not the error colour');
    assert.equal(await stopped.getAttribute('aria-label'), 'Question: Where are logs written?');
    assert.equal(await stopped.evaluate(e => e.tagName), 'ARTICLE');
    assert.equal(await stopped.locator('button.retry').getAttribute('aria-label'), 'Retry: Where are logs written?');

    await p.post({ type: 'turnStarted', turn: turn('f') });
    await p.post({
      type: 'error',
      turnId: 'f',
      status: 'failed',
      message: 'The model endpoint refused the connection.',
    });
    const failed = p.page.locator('.turn[data-id="f"]');
    assert.equal(await failed.locator('.error-icon').getAttribute('aria-hidden'), 'true');
    assert.equal(
      await failed.locator('button.retry').getAttribute('aria-label'),
      'Retry: How is the flux capacitor configured?',
    );
  });

  it('gives every control a target of at least 24×24 px: chips, sources, Retry, the fixes, Copy, Select Model', async () => {
    const tooSmall = () =>
      p.page.evaluate(() =>
        [...document.querySelectorAll('button, summary')]
          .map(e => ({ e, r: e.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.width < 24 || r.height < 24))
          .map(({ e, r }) => `${e.className || e.id || e.tagName} "${e.textContent}" ${r.width}×${r.height}`),
      );
    await p.post({ type: 'cleared', undoable: true });
    assert.equal(await p.page.locator('#undo').isVisible(), true);
    assert.deepEqual(await tooSmall(), []);
    await p.post({ type: 'turnStarted', turn: turn('t1') });
    await p.post({ type: 'sources', turnId: 't1', sources });
    await p.post({
      type: 'citation',
      turnId: 't1',
      citation: { ordinal: 0, n: 1, path: 'docs/configuration.md', startLine: 56, endLine: 56, claim: 'Set it' },
    });
    await p.post({ type: 'tokens', turnId: 't1', text: 'Set it [1] and [2].\n\n```\ncode\n```' });
    await p.post({ type: 'done', turnId: 't1', cited: [1], model: 'M', searchOnly: true });
    await p.post({ type: 'turnStarted', turn: turn('t2') });
    await p.post({
      type: 'error',
      turnId: 't2',
      status: 'failed',
      message: 'No key.',
      actionTitles: ['Set API Key', 'Show Log'],
    });
    for (const summary of await p.page.locator('summary').all()) await summary.click();
    assert.equal(await p.page.locator('button.source').first().isVisible(), true);
    assert.equal(await p.page.locator('button.cited-lines').isVisible(), true);
    assert.equal(await p.page.locator('.answer button.cite').count(), 2);
    assert.deepEqual(await tooSmall(), []);
  });

  for (const kind of Object.keys(THEMES) as ThemeKind[]) {
    it(`draws the placeholder and error text at 4.5:1 or more in ${THEMES[kind].name}`, async () => {
      await p.setTheme(kind);
      await p.post({ type: 'turnStarted', turn: turn('f') });
      await p.post({
        type: 'error',
        turnId: 'f',
        status: 'interrupted',
        message: 'The model endpoint refused the connection.',
      });
      await p.post({ type: 'turnStarted', turn: turn('s') });
      await p.post({ type: 'error', turnId: 's', status: 'stopped', message: 'Stopped.' });
      const measured = {
        placeholder: await p.page.evaluate(coloursOf, { selector: '#question', pseudo: '::placeholder' }),
        error: await p.page.evaluate(coloursOf, { selector: '.error-message' }),
        stopped: await p.page.evaluate(coloursOf, { selector: '.state-message' }),
      };
      for (const [what, { text, background }] of Object.entries(measured)) {
        const ratio = contrast(text, background);
        assert.ok(ratio >= 4.5, `${what}: ${text} on ${background} is ${ratio.toFixed(2)}:1`);
      }
    });
  }
});
