import { locatePassage, type LocatedPassage, type PassageText } from '../core/locatePassage';
import type { Passage } from '../core/passage';
import { joinedOutputs } from '../index';

/** One output item of a cell, as VS Code holds it (`vscode.NotebookCellOutputItem`). */
export interface CellOutputItemLike {
  readonly mime: string;
  readonly data: Uint8Array;
}

/** What finding a cell needs of a notebook cell (`vscode.NotebookCell` has it; tests pass plain objects). */
export interface NotebookCellLike {
  readonly document: { getText(): string };
  readonly outputs?: readonly { readonly items: readonly CellOutputItemLike[] }[];
}

/** What finding a cell needs of a notebook (`vscode.NotebookDocument` has it). */
export interface NotebookLike<C extends NotebookCellLike> {
  readonly cellCount: number;
  cellAt(index: number): C;
}

/** A passage in a notebook cell, as opening it needs it. */
export type CellPassage = Pick<Passage, 'path' | 'location' | 'cell' | 'cellOutput'> & PassageText;

/**
 * The cell that holds a cited passage now, and where in it: lines of its source, or of its outputs' text (as the index
 * reads it) for a passage of its outputs.
 */
export interface FoundCell<C extends NotebookCellLike> {
  cell: C;
  lines: LocatedPassage;
  how: 'exact' | 'moved';
}

/**
 * The cell of `notebook` a passage cites: cell `p.cell` when its lines are still there (or moved within it), else the
 * nearest other cell that has them. Cited outputs are looked for in the cells' outputs' text, read as the index reads
 * them. Undefined when no cell has them.
 */
export function findCell<C extends NotebookCellLike>(
  notebook: NotebookLike<C>,
  p: CellPassage,
): FoundCell<C> | undefined {
  const cited = (p.cell ?? 1) - 1;
  const order = Array.from({ length: notebook.cellCount }, (_, i) => i).sort(
    (a, b) => Math.abs(a - cited) - Math.abs(b - cited),
  );
  for (const index of order) {
    const cell = notebook.cellAt(index);
    const lines = locatePassage(p.cellOutput ? outputsText(cell) : cell.document.getText(), p);
    if (!lines) continue;
    return { cell, lines, how: index === cited ? lines.how : 'moved' };
  }
  return undefined;
}

const STREAM_MIMES = new Set(['application/vnd.code.notebook.stdout', 'application/vnd.code.notebook.stderr']);
const ERROR_MIME = 'application/vnd.code.notebook.error';
const decoder = new TextDecoder();

/**
 * A cell's outputs' text as the index extracted it from the file: stream text, an error's name and message, a result's
 * `text/plain` (never images or other data).
 */
function outputsText(cell: NotebookCellLike): string {
  return joinedOutputs((cell.outputs ?? []).map(output => outputPiece(output.items)));
}

function outputPiece(items: readonly CellOutputItemLike[]): string {
  const stream = items.filter(item => STREAM_MIMES.has(item.mime));
  if (stream.length > 0) return stream.map(item => decoder.decode(item.data)).join('');
  const error = items.find(item => item.mime === ERROR_MIME);
  if (error) {
    try {
      const { name, message } = JSON.parse(decoder.decode(error.data)) as { name?: unknown; message?: unknown };
      return [name, message].filter(v => typeof v === 'string').join(': ');
    } catch {
      return '';
    }
  }
  const plain = items.find(item => item.mime === 'text/plain');
  return plain ? decoder.decode(plain.data) : '';
}
