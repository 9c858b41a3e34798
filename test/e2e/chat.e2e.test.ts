// A person's view of @grounded in the real chat view: the answer grows over several frames, the citation is an
// inline anchor, and clicking it shows the cited file with the cited lines selected.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chunkText } from '../../src/index/chunker';
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
    await page.waitForSelector('.interactive-input-part .action-label:has-text("Grounded Test Model")', { timeout: 60_000 });
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

    // The [n] marker became an inline anchor naming the file and lines.
    const anchor = answer.locator('.chat-inline-anchor-widget').first();
    await anchor.waitFor({ timeout: 10_000 });
    const flux = fluxChunk();
    // The Location's range is the whole chunk: from its first line to the end of its last.
    await anchor.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("configuration.md")', { timeout: 20_000 });
    const selection = page.locator('#status\\.editor\\.selection');
    await selection.waitFor({ timeout: 10_000 });
    const status = await selection.innerText();
    await screenshot(page, 'e2e-chat-citation-opened');
    const line = Number(/Ln (\d+)/.exec(status)?.[1]);
    assert.ok([flux.startLine, flux.endLine].includes(line), `cursor at Ln ${line}; chunk is ${flux.startLine}-${flux.endLine} (${status})`);
    assert.match(status, /\(\d+ selected\)/, `lines are selected: ${status}`);
  });
});

/** The chunk of the fixture that holds the answer, as Grounded's own chunker cuts it. */
function fluxChunk() {
  const file = path.resolve(__dirname, '../../../test/fixtures/workspace/docs/configuration.md');
  const chunk = chunkText('docs/configuration.md', fs.readFileSync(file, 'utf8')).find(c => c.text.includes('`flux.level` to 88'));
  assert.ok(chunk);
  return chunk;
}
