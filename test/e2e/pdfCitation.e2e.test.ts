// A PDF citation in the side panel of a real VS Code: a PDF written into the workspace is read by the packaged index
// worker, a question is answered from its second page, the chip names the page, and a click opens the read-only view
// of that page's extracted text with the cited lines selected.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pdfOfPages, REPORT_PAGES } from '../unit/index/documents/pdfFixtures';
import { askInPanel, panelFrame, runCommand } from './panelInWorkbench';
import { openWorkbench, screenshot, type Workbench } from './workbench';

const PDF = 'reports/annual.pdf';

describe('a PDF citation in the Grounded panel (browser)', function () {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench('pdf-citation');
    fs.mkdirSync(path.join(wb.workspace, 'reports'), { recursive: true });
    fs.writeFileSync(path.join(wb.workspace, PDF), await pdfOfPages(REPORT_PAGES));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, 'e2e-fail-pdf-citation');
  });
  after(async () => {
    await wb?.close();
  });

  it('opens the cited page’s text, read-only, with the cited line selected', async () => {
    const { page } = wb;
    await runCommand(page, 'Grounded: Focus on Ask View');
    const frame = await panelFrame(page, 60_000);
    // the PDF is indexed by the watcher once written: ask until the answer cites it
    let range = '';
    for (let attempt = 0; attempt < 10 && !range.startsWith(`${PDF}#page=`); attempt++) {
      const turn = await askInPanel(frame, `why customers churned pricing ${attempt}`);
      const id = await turn.getAttribute('data-id');
      await frame.locator(`.turn[data-id="${id}"][data-status="done"]`).waitFor({ timeout: 60_000 });
      const chip = turn.locator('.answer button.cite').first();
      range = (await chip.count()) > 0 ? (((await chip.getAttribute('title')) ?? '').split('\n')[0] ?? '') : '';
    }
    const [, file = '', pageNo = ''] = /^(.+)#page=(\d+):\d+(?:-\d+)?$/.exec(range) ?? [];
    assert.deepEqual([file, pageNo], [PDF, '2'], range);

    await frame.locator('.turn').last().locator('.answer button.cite').first().click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("annual.pdf")', { timeout: 20_000 });
    // the view's first line names the page, and the selection is the cited line, whole
    const editor = page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.locator('.view-line', { hasText: 'page 2 of 3' }).first().waitFor({ timeout: 20_000 });
    const selection = page.locator('#status\\.editor\\.selection');
    await selection.waitFor({ timeout: 10_000 });
    const status = await selection.innerText();
    const selected = Number(/\((\d+) selected\)/.exec(status)?.[1]);
    assert.equal(selected, 'Customers who churned cited pricing.'.length, `the cited line is selected: ${status}`);
    await screenshot(page, 'e2e-pdf-citation-opened');
  });
});
