// The first hour in a real VS Code: the Grounded view's Get Started section with its buttons while the conversation is
// empty, its Try @grounded in Chat button leaving `@grounded ` in the chat input, the walkthrough opened from the
// palette with its four steps, and its Ask and Read a Citation steps ticked when a question is asked in the panel and
// its citation opened (Get Started then hides).
import assert from 'node:assert/strict';
import { assertChatInputUnsent, panelFrame, quickInputFocused, runCommand } from './panelInWorkbench';
import { openWorkbench, screenshot, type Workbench } from './workbench';

describe('getting started with Grounded (browser)', function () {
  let wb: Workbench;

  before(async function () {
    wb = await openWorkbench('onboarding');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, 'e2e-fail-onboarding');
  });

  after(async () => {
    await wb?.close();
  });

  it('shows Get Started with its buttons in the empty Grounded view; Try @grounded in Chat types @grounded in chat', async () => {
    const { page } = wb;
    await runCommand(page, 'Grounded: Focus on Get Started View');
    const welcome = page.locator('.welcome-view-content');
    const button = (label: string) => welcome.locator('.monaco-button', { hasText: label }).first();
    for (const label of ['Select Model', 'Try @grounded in Chat', 'Index Status'])
      await button(label).waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-onboarding-get-started');

    await button('Try @grounded in Chat').click();
    // the question is left for the user to finish
    await assertChatInputUnsent(page, '@grounded');
  });

  it('opens the walkthrough from Grounded: Get Started, with its four steps', async () => {
    const { page } = wb;
    await runCommand(page, 'Grounded: Get Started');
    const done = (step: string) => page.locator(`[data-done-step-id$="#${step}"][aria-checked="true"]`).first();
    const titles: string[] = [];
    for (const step of ['chooseModel', 'indexWorkspace', 'ask', 'readCitation']) {
      const title = page.locator(`[x-step-title-for$="#${step}"], [x-step-title-for="${step}"]`).first();
      await title.waitFor({ timeout: 30_000 });
      titles.push((await title.innerText()).trim());
    }
    // ticked once the index is ready, also when it was ready before the walkthrough service started
    await done('indexWorkspace').waitFor({ state: 'attached', timeout: 60_000 });
    await screenshot(page, 'e2e-onboarding-walkthrough');
    assert.deepEqual(titles, [
      'Choose where answers come from',
      'Index the workspace',
      'Ask in chat or in the panel',
      'Read a citation',
    ]);
  });

  it('ticks Ask and Read a Citation when a question is asked in the panel and its citation opened', async () => {
    const { page } = wb;
    const done = (step: string) => page.locator(`[data-done-step-id$="#${step}"][aria-checked="true"]`).first();
    assert.equal(await done('ask').count(), 0, 'the Ask step was ticked before any question');
    await runCommand(page, 'Grounded: Ask…');
    await quickInputFocused(page, { placeholder: 'how is logging configured' });
    await page.keyboard.type('how is the flux capacitor configured?');
    await page.keyboard.press('Enter');
    const frame = await panelFrame(page, 60_000);
    // a question in the panel: the Get Started section gives the panel its place, and the walkthrough ticks Ask
    await page.locator('.welcome-view-content').waitFor({ state: 'detached', timeout: 30_000 });
    const chip = frame.locator('.turn .answer button.cite').first();
    await chip.waitFor({ timeout: 60_000 });
    // opened again: the welcome editor may have gone back from the walkthrough to its overview meanwhile
    await runCommand(page, 'Grounded: Get Started');
    await done('ask').waitFor({ state: 'attached', timeout: 30_000 });
    await chip.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("configuration.md")', { timeout: 20_000 });
    // the cited file took the editor: the walkthrough, opened again, shows the step ticked
    await runCommand(page, 'Grounded: Get Started');
    await done('readCitation').waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await done('ask').count(), 1);
    await screenshot(page, 'e2e-onboarding-steps-done');
  });
});
