// A person's view of @grounded in the real chat view: the answer grows over several frames, the citation is an
// inline anchor, and clicking it shows the cited file with exactly the line that says the claim selected.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chunkText } from '../../src/index/chunking/chunker';
import { openWorkbench, screenshot, type Workbench } from './workbench';

describe('@grounded in the chat view (browser)', function () {
  let wb: Workbench;

  before(async function () {
    wb = await openWorkbench('chat');
  });

  after(async () => {
    await wb?.close();
  });

  it('streams a cited answer whose anchor opens the cited lines', async () => {
    const { page } = wb;
    await page.keyboard.press('Control+Alt+I');
    await page.waitForSelector('.interactive-input-part .action-label:has-text("Grounded Test Model")', {
      timeout: 60_000,
    });
    const nonce = Date.now().toString(36);
    await page.locator('.interactive-input-part .monaco-editor').first().click();
    await page.keyboard.type(`@grounded SLOWLY how is the flux capacitor configured ${nonce}?`, { delay: 10 });
    await page.keyboard.press('Enter');

    // Watch the answer grow: sample its text on every animation frame until the last words arrive.
    const answer = page.locator('.interactive-item-container.interactive-response').last();
    await answer.getByText('From the workspace').waitFor({ timeout: 60_000 });
    const lengths: number[] = [];
    for (let i = 0; i < 400; i++) {
      const text = await answer.innerText();
      if (lengths[lengths.length - 1] !== text.length) lengths.push(text.length);
      if (text.includes('it says.')) break;
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
    await screenshot(page, 'e2e-chat-answer');
    assert.ok(lengths.length >= 4, `the answer grew over ${lengths.length} distinct frames: ${lengths.join(' → ')}`);
    const text = await answer.innerText();
    assert.match(text, /it says\./);
    assert.ok(!text.includes('[99]'), 'the invented citation is not rendered');

    // The [n] marker became an inline anchor naming the file and the line that says the claim. The test model quotes
    // the section's heading ("Flux capacitor"); headings are never a citation's lines, so the anchor selects the
    // first line under it that says it.
    const anchor = answer.locator('.chat-inline-anchor-widget').first();
    await anchor.waitFor({ timeout: 10_000 });
    const claim = claimLine();
    await anchor.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("configuration.md")', { timeout: 20_000 });
    const selection = page.locator('#status\\.editor\\.selection');
    await selection.waitFor({ timeout: 10_000 });
    const status = await selection.innerText();
    await screenshot(page, 'e2e-chat-citation-opened');
    // The selection is that one line, whole: from its start to its end (the cursor ends there).
    const line = Number(/Ln (\d+)/.exec(status)?.[1]);
    const selected = Number(/\((\d+) selected\)/.exec(status)?.[1]);
    assert.equal(line, claim.line, `cursor at Ln ${line}; the claim is on line ${claim.line} (${status})`);
    assert.equal(selected, claim.text.length, `the whole line and nothing more is selected: ${status}`);
    const chunk = fluxChunk();
    assert.ok(chunk.endLine - chunk.startLine > 3, 'the chunk is longer than the line the citation selects');
  });
});

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/workspace/docs/configuration.md');

/** The fixture line that says the test model's claim, 1-based. */
function claimLine(): { line: number; text: string } {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split(/\r?\n/);
  const i = lines.findIndex(l => l.startsWith('The flux capacitor'));
  assert.ok(i >= 0);
  return { line: i + 1, text: lines[i] ?? '' };
}

/** The chunk of the fixture that holds the answer, as Grounded's own chunker cuts it. */
function fluxChunk() {
  const chunk = chunkText('docs/configuration.md', fs.readFileSync(FIXTURE, 'utf8')).find(c =>
    c.text.includes('`flux.level` to 88'),
  );
  assert.ok(chunk);
  return chunk;
}
