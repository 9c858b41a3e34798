import * as vscode from 'vscode';
import { locatePassage, type PassageText } from '../core/locatePassage';
import type { Passage } from '../core/passage';
import { headingsInFile } from '../core/searchResults';
import { binaryDocumentKind } from '../index';
import { isWebUrl } from '../retrievers/citablePath';
import { openableHere } from '../retrievers/realPathInside';
import { extractedTextUri, isExtractedDocument } from './documentView';
import { VIEW_HEADER_LINES, viewedDocx } from './extractedTextView';
import { passageUri } from './locations';
import { findCell, type CellPassage } from './findCell';
import { setOnboardingContext } from './onboarding';

/**
 * What opening a passage did: selected its lines (`exact`: where cited; `moved`: found again elsewhere, at `startLine`
 * to `endLine` of the passage's file, page or cell, in cell `cell` of a notebook; a cell's outputs' lines are lines of
 * their text), found them gone or the file gone (`stale`), or could not open a file that is there (`unopened`: a
 * binary file, one too large for the editor, one it may not read; the user is told why, and the citation is not out of
 * date). Lines that moved in a file read as text or in a Word document's text say where they are now in `under`: the
 * heading trail of the chunk the index would make of them (`title`, the source's title) and their own heading
 * (`heading`, a chip's), each absent where there is none. `under` is absent where headings are not read again: a
 * notebook's cells, and a PDF's page, the only heading its lines have (which does not change).
 */
export type Opened =
  | { how: 'exact' | 'stale' | 'unopened' }
  | {
      how: 'moved';
      lines: { startLine: number; endLine: number };
      cell?: number;
      under?: { title?: string; heading?: string };
    };

const EXACT: Opened = { how: 'exact' };
const STALE: Opened = { how: 'stale' };

/**
 * Opens a cited passage with its lines selected. The file may have changed since indexing: the passage is
 * found again where it moved, or the file opens without a selection and the user is told the citation is stale.
 * A passage of a restored conversation has only its text's fingerprint, which finds the lines as well. A PDF's or
 * Word document's passage opens in the read-only view of its extracted text (a PDF's: of its page). A remote index's
 * row that names a web page opens it in the browser. A file opens only while its real path lies in a workspace folder:
 * one replaced by a link leading out since the answer (or a link that names another file) is not opened.
 */
export async function openPassage(
  p: Pick<Passage, 'path' | 'location' | 'cell' | 'cellOutput' | 'page'> & PassageText,
): Promise<Opened> {
  setOnboardingContext('openedCitation');
  if (isWebUrl(p.location)) {
    await vscode.env.openExternal(vscode.Uri.parse(p.location));
    return EXACT;
  }
  if (!(await insideWorkspace(p.location))) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} no longer lies in the workspace folders (a link leads out of them), so it is not opened. Ask again to refresh the answer.',
        p.path,
      ),
    );
    return STALE;
  }
  if (p.cell !== undefined) return openCellPassage(p);
  // A PDF's or Word document's lines are lines of its extracted text, shown in a read-only view below a title. The
  // view opens whether or not the file can be read (it would say it cannot): a file that is gone, or that the file
  // system will not stat, is told first.
  const extracted = isExtractedDocument(p);
  if (extracted) {
    const unreadable = await statError(passageUri(p));
    if (unreadable !== undefined) return notOpened(p, unreadable);
  }
  const uri = extracted ? extractedTextUri(p) : passageUri(p);
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch (e) {
    return notOpened(p, e);
  }
  const found = locatePassage(doc.getText(), extracted ? { ...p, startLine: p.startLine + VIEW_HEADER_LINES } : p);
  if (!found) {
    await vscode.window.showTextDocument(doc, { preview: true });
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} changed since it was indexed and the cited lines are gone. Ask again to refresh the answer.',
        p.path,
      ),
    );
    return STALE;
  }
  const range = new vscode.Range(found.startLine - 1, 0, found.endLine - 1, doc.lineAt(found.endLine - 1).text.length);
  const editor = await vscode.window.showTextDocument(doc, { selection: range, preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (found.how === 'exact') return EXACT;
  // the file as it is now is at hand: the headings the lines are under are read from it, as the index would chunk it
  if (!extracted) {
    const lines = { startLine: found.startLine, endLine: found.endLine };
    return { how: 'moved', lines, under: headingsInFile(p.path, doc.getText(), found.startLine) };
  }
  // a document view's lines are the page's (or the Word document's text's) below the view's title
  const lines = { startLine: found.startLine - VIEW_HEADER_LINES, endLine: found.endLine - VIEW_HEADER_LINES };
  if (binaryDocumentKind(p.path) !== 'docx') return { how: 'moved', lines };
  // a Word document's view shows its whole extracted text, which the index chunks by its markdown headings
  const document = viewedDocx(doc.getText());
  return { how: 'moved', lines, under: headingsInFile(p.path, document.text, lines.startLine, document) };
}

/** Why the file system cannot stat `uri`'s file; undefined when it can. */
const statError = (uri: vscode.Uri): Thenable<unknown> =>
  vscode.workspace.fs.stat(uri).then(
    () => undefined,
    (e: unknown) => e ?? new Error('unknown error'),
  );

/** Whether an error says the file is not there: VS Code's `FileNotFound`, or Node's `ENOENT`/`ENOTDIR` passed on. */
function isNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === 'FileNotFound' || code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * After `p`'s file failed to open with `e`: a file the file system does not find is gone, so the citation is stale;
 * any other failure (binary, too large for the editor, not readable) is told as it is, and says nothing of the lines.
 */
async function notOpened(p: Pick<Passage, 'path' | 'location'>, e: unknown, asNotebook = false): Promise<Opened> {
  const unreadable = isNotFound(e) ? e : await statError(passageUri(p));
  if (unreadable !== undefined && isNotFound(unreadable)) return gone(p);
  const why = e instanceof Error ? e.message : String(e);
  void vscode.window.showWarningMessage(
    asNotebook
      ? vscode.l10n.t('{0} cannot be opened as a notebook in this editor ({1}).', p.path, why)
      : vscode.l10n.t('{0} cannot be opened in the editor ({1}).', p.path, why),
  );
  return { how: 'unopened' };
}

/** Tells the user that the cited file is gone. */
function gone(p: Pick<Passage, 'path'>): Opened {
  void vscode.window.showWarningMessage(
    vscode.l10n.t('{0} no longer exists; the citation is out of date. Ask again to refresh it.', p.path),
  );
  return STALE;
}

/** Whether a passage's file may be opened: its location is a path (no other scheme's URI) `openableHere` admits. */
async function insideWorkspace(location: string): Promise<boolean> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return false;
  const folders = (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file').map(f => f.uri.fsPath);
  return openableHere(location, folders);
}

/**
 * Opens a notebook passage: the notebook in its editor with the cell revealed and selected, then the cited lines
 * selected in the cell's editor (a cell's outputs have no editor: the cell is revealed). The cell is found again
 * when cells moved (see `findCell`); lines found elsewhere are said, of the outputs' text too.
 */
async function openCellPassage(p: CellPassage): Promise<Opened> {
  let notebook: vscode.NotebookDocument;
  try {
    notebook = await vscode.workspace.openNotebookDocument(passageUri(p));
  } catch (e) {
    // a notebook that is there would be cited again by asking again: VS Code opens no nbformat 3 notebook, which the
    // index reads, and no notebook its serializer rejects
    return notOpened(p, e, true);
  }
  const found = findCell(notebook, p);
  if (!found) {
    await vscode.window.showNotebookDocument(notebook, { preview: true });
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} changed since it was indexed and the cited cell lines are gone. Ask again to refresh the answer.',
        p.path,
      ),
    );
    return STALE;
  }
  const cells = new vscode.NotebookRange(found.cell.index, found.cell.index + 1);
  const editor = await vscode.window.showNotebookDocument(notebook, { selections: [cells], preview: true });
  editor.revealRange(cells, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  // a cell's outputs have no editor to select their lines in: the cell is revealed
  if (!p.cellOutput) {
    const doc = found.cell.document;
    const { startLine, endLine } = found.lines;
    const range = new vscode.Range(startLine - 1, 0, endLine - 1, doc.lineAt(endLine - 1).text.length);
    const cellEditor = await vscode.window.showTextDocument(doc, { selection: range, preview: true });
    cellEditor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  if (found.how === 'exact') return EXACT;
  const { startLine, endLine } = found.lines;
  return { how: 'moved', cell: found.cell.index + 1, lines: { startLine, endLine } };
}
