// The Grounded panel in a real VS Code (see workbench.ts), as a person reaches it: commands from the palette, the
// panel's webview frame, a question typed in its box.
import type { Frame, Page } from 'playwright-core';

/** Runs a command from the palette, as a person would: types its title and clicks exactly that row. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    // type only once the palette's own box has the keyboard: a webview that had the focus (the panel's question box)
    // may not have handed it over yet, and a palette still closing from the last command is no place to type
    const paletteFocused = await quickInputFocused(page, { value: '>', timeoutMs: 5000 }).then(
      () => true,
      () => false,
    );
    if (!paletteFocused) {
      await page.keyboard.press('Escape');
      if (attempt >= 5) throw new Error(`the command palette did not take the keyboard for "${title}"`);
      continue;
    }
    await page.keyboard.type(title.replace(/…$/, ''));
    // the row whose label is exactly the title (1-based, so that the first row counts as found)
    const row = await page
      .waitForFunction(
        t =>
          [...document.querySelectorAll<HTMLElement>('.quick-input-list .monaco-list-row')].findIndex(
            r => r.innerText.split('\n')[0]?.trim() === t,
          ) + 1,
        title,
        { timeout: 5000 },
      )
      .then(found => found.jsonValue())
      .catch(() => 0);
    if (row > 0) {
      await page
        .locator('.quick-input-list .monaco-list-row')
        .nth(row - 1)
        .click();
      return;
    }
    await page.keyboard.press('Escape'); // the workbench may still be loading its commands
    if (attempt >= 5) throw new Error(`no command "${title}" in the palette`);
  }
}

/**
 * Waits until a quick input (the palette, an input box, a picker) has the keyboard: its placeholder holding
 * `placeholder`, its text exactly `value` when given. Visible is not enough, since a webview that had the focus may not
 * have handed it over yet.
 */
export async function quickInputFocused(
  page: Page,
  { placeholder = '', value, timeoutMs = 20_000 }: { placeholder?: string; value?: string; timeoutMs?: number } = {},
): Promise<void> {
  await page.waitForFunction(
    ({ placeholder, value }) => {
      const active = document.activeElement;
      return (
        active instanceof HTMLInputElement &&
        !!active.closest('.quick-input-widget') &&
        active.placeholder.includes(placeholder) &&
        (value === undefined || active.value === value)
      );
    },
    { placeholder, value },
    { timeout: timeoutMs },
  );
}

/** The panel's document: a webview is an iframe in an iframe. Waits in every frame, those attached later too. */
export async function panelFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const holdsPanel = (f: Frame) =>
    f.waitForSelector('#conversation', { state: 'attached', timeout: timeoutMs }).then(() => f);
  let onFrame = (_f: Frame): void => undefined;
  const inNewFrame = new Promise<Frame>(resolve => {
    onFrame = f => void holdsPanel(f).then(resolve, () => undefined);
    page.on('frameattached', onFrame);
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the Grounded panel did not appear')), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.any(page.frames().map(holdsPanel)).catch(() => inNewFrame),
      inNewFrame,
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
    page.off('frameattached', onFrame);
  }
}

/**
 * Asks in the panel's own box and returns the new turn. The panel's script empties the box when it sends the question;
 * a panel whose script is still loading leaves it there (Enter only adds a line), so the question is typed and sent
 * again until it is taken.
 */
export async function askInPanel(frame: Frame, question: string) {
  const before = await frame.locator('.turn').count();
  const box = frame.locator('#question');
  for (let attempt = 0; ; attempt++) {
    await box.fill(question);
    await box.press('Enter');
    const taken = await frame
      .waitForFunction(() => document.querySelector<HTMLTextAreaElement>('#question')?.value === '', undefined, {
        timeout: 1000,
      })
      .then(
        () => true,
        () => false,
      );
    if (taken) break;
    if (attempt >= 20) throw new Error('the panel did not take the question');
  }
  const turn = frame.locator('.turn').nth(before);
  await turn.waitFor({ timeout: 10_000 });
  return turn;
}

/** Waits until one of the chat view's input boxes holds `text` (spaces as typed, whatever the layout). */
export async function chatInputHolds(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    wanted =>
      [...document.querySelectorAll('.interactive-input-part .monaco-editor .view-lines')].some(e =>
        (e.textContent ?? '').replace(/\s+/g, ' ').includes(wanted),
      ),
    text,
    { timeout: timeoutMs },
  );
}

/**
 * Checks that the chat view's input holds `prefix` for the person to finish, unsent: what they type lands after it in
 * the same box (a send empties the box), and once their keys show there the chat holds no request, which a send
 * made before them would have rendered by then.
 */
export async function assertChatInputUnsent(page: Page, prefix: string): Promise<void> {
  await chatInputHolds(page, prefix);
  await page.locator('.interactive-input-part .monaco-editor .view-lines').first().click();
  await page.keyboard.press('End');
  await page.keyboard.type('flux');
  await chatInputHolds(page, `${prefix} flux`);
  const requests = await page.locator('.interactive-item-container.interactive-request').count();
  if (requests !== 0) throw new Error(`the chat holds ${requests} request(s): ${prefix} was sent`);
}
