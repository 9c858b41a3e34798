// A real VS Code with no language model at all (no fake-lm): the Get Started view says the panel still lists the
// passages that match and its Try @grounded in Chat still types @grounded in the chat view; Grounded: Ask… in the
// panel answers with the passages that match, labelled as search results and numbered, and its Select Model button
// opens Grounded's Select Model quick pick. In that order: asking in the panel hides Get Started.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRESET_IDS, PRESETS } from '../../src/providers/presets';
import { assertChatInputUnsent, panelFrame, quickInputFocused, runCommand } from './panelInWorkbench';
import { openWorkbench, screenshot, type Workbench } from './workbench';

/** Text as words: textContent with whitespace collapsed, the same whatever the layout. */
const words = (t: string | null) => (t ?? '').replace(/\s+/g, ' ').trim();

describe('Grounded without any language model (browser)', function () {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench('no-model', { languageModel: false });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await screenshot(wb.page, `e2e-fail-no-model-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`);
  });
  after(async () => {
    await wb?.close();
  });

  it('says in Get Started that the panel still lists matches, and Try @grounded in Chat types @grounded in chat', async () => {
    const { page } = wb;
    // Get Started shows while the conversation is empty: before the panel is asked anything
    await runCommand(page, 'Grounded: Focus on Get Started View');
    const welcome = page.locator('.welcome-view-content');
    const tryInChat = welcome.locator('.monaco-button', { hasText: 'Try @grounded in Chat' }).first();
    await tryInChat.waitFor({ timeout: 30_000 });
    assert.ok(
      words(await welcome.textContent()).includes('Without a model, the panel still lists the passages that match.'),
      words(await welcome.textContent()),
    );
    // VS Code opens its chat view without a model; Grounded leaves `@grounded ` there for the question. (VS Code calls
    // no participant without a chat model, so what a sent question shows is VS Code's, not Grounded's.)
    await tryInChat.click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.interactive-input-part .monaco-editor .view-lines')].some(
          e => (e.textContent ?? '').replace(/\s+/g, ' ').trim() === '@grounded',
        ),
      undefined,
      { timeout: 30_000 },
    );
    await screenshot(page, 'e2e-no-model-try-in-chat');
    await assertChatInputUnsent(page, '@grounded');
  });

  it('answers Grounded: Ask… in the panel with numbered search results, and Select Model opens its quick pick', async () => {
    const { page } = wb;
    // open the panel first, so its page is loaded when the answer starts
    await runCommand(page, 'Grounded: Focus on Ask View');
    await panelFrame(page, 60_000);
    await runCommand(page, 'Grounded: Ask…');
    await quickInputFocused(page, { placeholder: 'how is logging configured' });
    await page.keyboard.type('how is the flux capacitor configured?');
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page);
    const turn = frame.locator('.turn').first();
    await frame.locator('.turn[data-status="done"]').first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'e2e-no-model-panel');

    // the label, then one paragraph per result: its number, `path:start-end` (one line: `path:56`) and the heading
    // it is under
    const paragraphs = (await turn.locator('.answer p').allTextContents()).map(words);
    assert.equal(paragraphs[0], 'No language model is available, so these are search results, not an answer:');
    const results = paragraphs.slice(1).map(p => /^(\d+)\. (\S+):(\d+)(?:-(\d+))?(?: · .+)?$/.exec(p));
    assert.ok(results.length >= 2, `several results: ${JSON.stringify(paragraphs)}`);
    results.forEach((r, i) => {
      assert.ok(r, `a result: ${paragraphs[i + 1]}`);
      const [, n = '', file = '', from = '', until] = r;
      const to = until ?? from;
      assert.equal(Number(n), i + 1, 'numbered 1., 2., 3. …');
      const lines = fs.readFileSync(path.join(wb.workspace, file), 'utf8').split('\n').length;
      assert.ok(
        1 <= Number(from) && Number(from) <= Number(to) && Number(to) <= lines,
        `${file} has lines ${from}-${to}`,
      );
    });
    assert.ok(
      results.some(r => r?.[2] === 'docs/configuration.md'),
      `the file that says it is among them: ${JSON.stringify(paragraphs)}`,
    );
    // no model wrote it: the footer says answers need one, and offers one
    assert.equal(await turn.locator('.turn-footer .model').count(), 0, 'no "Answered by"');
    assert.equal(words(await turn.locator('.turn-footer .model-note').textContent()), 'Answers need a language model:');
    const select = turn.locator('.turn-footer button.select-model');
    assert.equal(words(await select.textContent()), 'Select Model');

    await select.click();
    const title = page.locator('.quick-input-widget .quick-input-title');
    await page.waitForFunction(
      () => document.querySelector('.quick-input-widget .quick-input-title')?.textContent === 'Grounded: Select Model',
      undefined,
      { timeout: 20_000 },
    );
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const labels = PRESET_IDS.map(id => PRESETS[id].label);
    // the rows render after the title: wait for the labels (the assertion below says what differs)
    const rowLabels = () =>
      rows.evaluateAll(rs =>
        rs.map(r =>
          (r.querySelector('.quick-input-list-label .label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
        ),
      );
    await page
      .waitForFunction(
        want =>
          [...document.querySelectorAll('.quick-input-widget .quick-input-list .monaco-list-row')]
            .map(r =>
              (r.querySelector('.quick-input-list-label .label-name')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
            )
            .join('\n') === want,
        labels.join('\n'),
        { timeout: 20_000 },
      )
      .catch(() => undefined);
    const texts = (await rows.allTextContents()).map(words);
    await screenshot(page, 'e2e-no-model-select-model');
    assert.equal(words(await title.textContent()), 'Grounded: Select Model');
    assert.equal(
      await page.locator('.quick-input-widget input').getAttribute('placeholder'),
      'Where answers come from',
    );
    // no VS Code language model to offer: the rows are the OpenAI-compatible presets, in order
    assert.deepEqual(await rowLabels(), labels, JSON.stringify(texts));
    // the presets' heading is over the first row: the VS Code models' group, empty, is not shown
    assert.equal(
      words(await rows.first().locator('.quick-input-list-separator').first().textContent()),
      'OpenAI-compatible endpoints',
    );
    await page.keyboard.press('Escape');
    await title.waitFor({ state: 'hidden', timeout: 10_000 });
  });
});
