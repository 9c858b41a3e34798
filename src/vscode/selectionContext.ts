import * as vscode from 'vscode';
import type { SelectionContext } from '../core/events';
import { MAX_CONTEXT_CHARS } from '../core/options';
import { realPathInside } from '../retrievers/realPathInside';
import { sliceWhole } from '../shared/wholeCharacters';
import { DOCUMENT_SCHEME, originalFileUri } from './documentView';
import { VIEW_HEADER_LINES } from './extractedTextView';
import { diskFolders } from './settings';

/** A reference attached to a chat request (`#selection`, `#file:a.ts`), as `vscode.ChatPromptReference` has it. */
export interface PromptReference {
  /** What kind of reference it is (`vscode.file`, `vscode.selection`, `vscode.implicit.file`, …). */
  id?: string;
  /** Where the reference's text is in the prompt, [start, end); unset when it was attached without text. */
  range?: [start: number, end: number];
  value: unknown;
}

/**
 * The question without the text of its references (`#selection`, `#file:a.ts`): they name what the answer is about,
 * and searched as words they would rank files by the words "file" and "selection".
 */
export function questionWithoutReferences(prompt: string, references: readonly PromptReference[]): string {
  const ranges = references
    .flatMap(r => (r.range ? [r.range] : []))
    .filter(([start, end]) => start >= 0 && end > start && end <= prompt.length)
    .sort((a, b) => b[0] - a[0]);
  let question = prompt;
  let before = prompt.length;
  // from the last one back, so the earlier ranges still hold; overlapping ranges are taken once
  // the spaces around a reference's text become one; the rest (a pasted snippet's indentation) stays as typed
  for (const [start, end] of ranges) {
    if (end > before) continue;
    const head = question.slice(0, start);
    const tail = question.slice(end);
    question = /[ \t]$/.test(head) ? head.replace(/[ \t]+$/, ' ') + tail.replace(/^[ \t]+/, '') : head + tail;
    before = start;
  }
  return question.trim();
}

/**
 * What VS Code attaches on its own for the active editor when nothing in it is selected: its whole file, or the lines
 * in view. The editor that happens to be open is not what a question about the workspace is about, and its text would
 * be searched with the question; the user's selection (`vscode.implicit.selection`) is.
 */
const OPEN_EDITOR = new Set(['vscode.implicit.file', 'vscode.implicit.viewport']);

/**
 * The first reference that names lines of a workspace file (`#selection`, a location) or a workspace file
 * (`#file:a.ts`), and its lines as the context an answer is asked about, as *Ask Grounded about Selection* gives
 * them. A file whose real path is outside the workspace folders (a link leading out) is never read; neither are
 * folders, other schemes' files, values of other kinds (a chat variable's text), or the open editor VS Code attaches
 * on its own (`OPEN_EDITOR`). None usable: undefined.
 */
export async function referencedContext(
  references: readonly PromptReference[],
): Promise<{ context: SelectionContext; reference: PromptReference } | undefined> {
  for (const reference of references) {
    if (reference.id !== undefined && OPEN_EDITOR.has(reference.id)) continue;
    const { value } = reference;
    const place =
      value instanceof vscode.Location
        ? { uri: value.uri, range: value.range as vscode.Range | undefined }
        : value instanceof vscode.Uri
          ? { uri: value, range: undefined }
          : undefined;
    if (!place || !(await insideWorkspace(place.uri))) continue;
    try {
      const document = await vscode.workspace.openTextDocument(place.uri);
      return { context: linesContext(document, place.range), reference };
    } catch {
      // a folder, a binary file or one that is gone: nothing to give the model
    }
  }
  return undefined;
}

/** The lines of `range` (every line when unset) of a document, as the model is shown a selection. */
export function linesContext(document: vscode.TextDocument, range: vscode.Range | undefined): SelectionContext {
  const { path, headerLines } = selectionPlace(document);
  // a whole view of a document's text starts after its header, which is none of the document's
  const start = range?.start ?? new vscode.Position(Math.min(headerLines, document.lineCount - 1), 0);
  const end = range?.end ?? document.lineAt(document.lineCount - 1).range.end;
  const whole = document.getText(range ?? new vscode.Range(start, end));
  // only this much reaches the model; the rest would be kept in the saved conversation for nothing
  const text = sliceWhole(whole, 0, MAX_CONTEXT_CHARS);
  // a range that ends at column 0 does not include that line; a text cut short ends at the last line it reaches, so
  // the model (and the panel's "about") is told which lines it is shown, not lines it never sees
  const lastLine =
    text.length < whole.length
      ? start.line + lineBreaks(text.replace(/(?:\r\n?|\n)$/, ''))
      : end.character === 0 && end.line > start.line
        ? end.line - 1
        : end.line;
  // a line of a view's header is none of the document's: the document's first line
  const line = (n: number) => Math.max(1, n + 1 - headerLines);
  return { path, startLine: line(start.line), endLine: line(lastLine), text };
}

/** How many line breaks `text` holds: CRLF, LF or a lone CR. */
const lineBreaks = (text: string): number => text.match(/\r\n?|\n/g)?.length ?? 0;

/**
 * Where a selection is, as citations name places: the file relative to the workspace; for a notebook cell, the
 * notebook and the cell (`nb.ipynb#cell=3`, 1-based), whose lines the selection's are; for the view of a PDF page's
 * or Word document's extracted text, the document (and the page: `doc.pdf#page=4`), whose lines are the view's
 * after its header (`headerLines`).
 */
function selectionPlace(document: vscode.TextDocument): { path: string; headerLines: number } {
  const { uri } = document;
  if (uri.scheme === 'vscode-notebook-cell') {
    for (const notebook of vscode.workspace.notebookDocuments) {
      const cell = notebook.getCells().find(c => c.document === document);
      if (cell)
        return { path: `${vscode.workspace.asRelativePath(notebook.uri)}#cell=${cell.index + 1}`, headerLines: 0 };
    }
  }
  if (uri.scheme === DOCUMENT_SCHEME) {
    const page = new URLSearchParams(uri.query).get('page');
    const path = vscode.workspace.asRelativePath(originalFileUri(uri));
    return { path: page ? `${path}#page=${page}` : path, headerLines: VIEW_HEADER_LINES };
  }
  return { path: vscode.workspace.asRelativePath(uri), headerLines: 0 };
}

/**
 * A file of a workspace folder on disk whose real path is inside one, a cell of a notebook that is, or the view of the
 * extracted text of a document that is.
 */
async function insideWorkspace(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme === 'vscode-notebook-cell') return insideWorkspace(uri.with({ scheme: 'file', fragment: '' }));
  if (uri.scheme === DOCUMENT_SCHEME) return insideWorkspace(originalFileUri(uri));
  if (uri.scheme !== 'file') return false;
  const folders = diskFolders().map(f => f.uri.fsPath);
  return (await realPathInside(uri.fsPath, folders)) !== undefined;
}
