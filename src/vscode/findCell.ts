import { locatePassage, type LocatedPassage, type PassageText } from '../core/locatePassage';
import type { Passage } from '../core/passage';

/** What finding a cell needs of a notebook cell (`vscode.NotebookCell` has it; tests pass plain objects). */
export interface NotebookCellLike {
  readonly document: { getText(): string };
}

/** What finding a cell needs of a notebook (`vscode.NotebookDocument` has it). */
export interface NotebookLike<C extends NotebookCellLike> {
  readonly cellCount: number;
  cellAt(index: number): C;
}

/** A passage in a notebook cell, as opening it needs it. */
export type CellPassage = Pick<Passage, 'path' | 'location' | 'cell' | 'cellOutput'> & PassageText;

/** The cell that holds a cited passage now, and where in it (no lines for a cell's outputs, which have no editor). */
export interface FoundCell<C extends NotebookCellLike> {
  cell: C;
  lines?: LocatedPassage;
  how: 'exact' | 'moved';
}

/**
 * The cell of `notebook` a passage cites: cell `p.cell` when its lines are still there (or moved within it), else the
 * nearest other cell that has them. Outputs are found by their cell only. Undefined when no cell has them.
 */
export function findCell<C extends NotebookCellLike>(
  notebook: NotebookLike<C>,
  p: CellPassage,
): FoundCell<C> | undefined {
  const cited = (p.cell ?? 1) - 1;
  if (p.cellOutput) return cited < notebook.cellCount ? { cell: notebook.cellAt(cited), how: 'exact' } : undefined;
  const order = Array.from({ length: notebook.cellCount }, (_, i) => i).sort(
    (a, b) => Math.abs(a - cited) - Math.abs(b - cited),
  );
  for (const index of order) {
    const cell = notebook.cellAt(index);
    const lines = locatePassage(cell.document.getText(), p);
    if (lines) return { cell, lines, how: index === cited ? lines.how : 'moved' };
  }
  return undefined;
}
