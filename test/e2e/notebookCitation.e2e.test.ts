// A notebook citation in the side panel of a real VS Code: a question answered from a cell of
// test/fixtures/workspace/analysis/jukebox.ipynb, its chip naming the cell, and a click that opens the notebook
// editor with that cell focused and the cited lines selected in the cell's editor.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { askInPanel, panelFrame, runCommand } from './panelInWorkbench';
import { openWorkbench, screenshot, type Workbench } from './workbench';

const NOTEBOOK = 'analysis/jukebox.ipynb';

/** A cell's source lines, as the notebook stores them. */
function cellLines(workspace: string, cell: number): string[] {
  const notebook = JSON.parse(fs.readFileSync(path.join(workspace, NOTEBOOK), 'utf8')) as {
    cells: { source: string[] }[];
  };
  return (notebook.cells[cell - 1]?.source ?? []).join('').split('\n');
}

function cellCount(workspace: string): number {
  return (JSON.parse(fs.readFileSync(path.join(workspace, NOTEBOOK), 'utf8')) as { cells: unknown[] }).cells.length;
}

interface DrawnSelection {
  /** The cell's lines (1-based) on which the editor draws a selection. */
  lines: number[];
  startsAtColumnOne: boolean;
  /** Widths of the selection drawn on the last selected line and of that line's text. */
  lastLineSelectedPx: number;
  lastLineTextPx: number;
}

/**
 * In the page: the selection the focused cell's editor draws (its lines, in order from the top, each an overlay row
 * that holds a `.selected-text` box when selected), or null while none is drawn.
 */
function selectionInFocusedCell(): DrawnSelection | null {
  const row = document.querySelector<HTMLElement>('.notebook-editor .monaco-list-row.focused');
  const byTop = (a: HTMLElement, b: HTMLElement) => parseFloat(a.style.top) - parseFloat(b.style.top);
  const overlays = [...(row?.querySelectorAll<HTMLElement>('.view-overlays > div') ?? [])].sort(byTop);
  const texts = [...(row?.querySelectorAll<HTMLElement>('.view-lines > .view-line') ?? [])].sort(byTop);
  const lines = overlays.flatMap((o, i) => (o.querySelector('.selected-text') ? [i + 1] : []));
  if (lines.length === 0) return null;
  const boxes = (line: number) => [...(overlays[line - 1]?.querySelectorAll<HTMLElement>('.selected-text') ?? [])];
  const last = lines[lines.length - 1] ?? 0;
  return {
    lines,
    startsAtColumnOne: boxes(lines[0] ?? 0).some(b => parseFloat(b.style.left) <= 1),
    lastLineSelectedPx: boxes(last).reduce((sum, b) => sum + parseFloat(b.style.width), 0),
    lastLineTextPx: texts[last - 1]?.querySelector<HTMLElement>(':scope > span')?.offsetWidth ?? -1,
  };
}

describe('a notebook citation in the Grounded panel (browser)', function () {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench('notebook-citation');
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, 'e2e-fail-notebook-citation');
  });
  after(async () => {
    await wb?.close();
  });

  it('opens the notebook editor at the cited cell, with the cited lines selected in the cell', async () => {
    const { page } = wb;
    await runCommand(page, 'Grounded: Focus on Ask View');
    const frame = await panelFrame(page, 60_000);
    // only cell 2 holds these names: the scripted model cites it
    const turn = await askInPanel(frame, 'how is by_decade computed from load_spins?');
    const id = await turn.getAttribute('data-id');
    await frame.locator(`.turn[data-id="${id}"][data-status="done"]`).waitFor({ timeout: 60_000 });

    // the chip names the notebook's cell and the lines of the cell's source it cites
    const chip = turn.locator('.answer button.cite').first();
    const range = ((await chip.getAttribute('title')) ?? '').split('\n')[0] ?? '';
    const [, file = '', cell = '', from = '', until] = /^(.+)#cell=(\d+):(\d+)(?:-(\d+))?$/.exec(range) ?? [];
    const to = until ?? from;
    assert.deepEqual([file, cell], [NOTEBOOK, '2'], range);
    const lines = cellLines(wb.workspace, Number(cell)).slice(Number(from) - 1, Number(to));
    assert.ok(
      lines.some(l => l.includes('load_spins') || l.includes('by_decade')),
      lines.join('\n'),
    );

    await chip.click();
    await page.waitForSelector('.tabs-container .tab.active:has-text("jukebox.ipynb")', { timeout: 20_000 });
    // the notebook's focused row is the cited cell, and the keyboard focus is in that cell's editor
    const focused = await page
      .waitForFunction(
        () => {
          const row = document.querySelector<HTMLElement>('.notebook-editor .monaco-list-row.focused');
          return row && row.contains(document.activeElement) ? row.getAttribute('data-index') : null;
        },
        undefined,
        { timeout: 20_000, polling: 100 },
      )
      .then(h => h.jsonValue())
      .catch(() => null);
    assert.equal(focused, String(Number(cell) - 1), 'the cited cell is focused, its editor holding the focus');
    // the status bar names the active cell
    assert.equal(
      await page.locator('[id="notebook.activeCellStatus"]').innerText(),
      `Cell ${cell} of ${cellCount(wb.workspace)}`,
    );
    // the cell's editor draws its selection on exactly the cited lines, from the first column to the last line's end
    const drawn = await page.waitForFunction(selectionInFocusedCell, undefined, { timeout: 10_000, polling: 100 });
    const selection = (await drawn.jsonValue()) as DrawnSelection;
    const wanted = Array.from({ length: Number(to) - Number(from) + 1 }, (_, i) => Number(from) + i);
    assert.deepEqual(selection.lines, wanted, 'the selected lines of the cell');
    assert.ok(selection.startsAtColumnOne, 'from the first column');
    assert.ok(Math.abs(selection.lastLineSelectedPx - selection.lastLineTextPx) <= 1, JSON.stringify(selection));
    await screenshot(page, 'e2e-notebook-citation-opened');
  });
});
