import * as vscode from 'vscode';
import type { Passage } from '../core/passage';
import { isWebUrl } from '../retrievers/citablePath';
import { extractedTextUri, isExtractedDocument } from './documentView';
import { VIEW_HEADER_LINES } from './extractedTextView';
import { findCell } from './findCell';
import { loadedNotebook } from './notebookCells';

export function passageUri(p: Pick<Passage, 'location'>): vscode.Uri {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p.location) ? vscode.Uri.parse(p.location) : vscode.Uri.file(p.location);
}

/** The passage's exact lines: from the start of its first line to the end of its last. */
export function passageRange(p: Pick<Passage, 'startLine' | 'endLine' | 'text'>): vscode.Range {
  const lastLine = p.text.split('\n').pop() ?? '';
  return new vscode.Range(p.startLine - 1, 0, p.endLine - 1, lastLine.replace(/\r$/, '').length);
}

/**
 * Where a chat anchor or reference points: for a remote index's row that names a web page, its URL, which VS Code
 * opens in the browser as `openPassage` does (never a document view of a local path spelled by the URL); else the
 * passage's lines in its file, in the view of a PDF's page or Word document's extracted text, or in its notebook
 * cell's document (the notebook must be loaded, see `withNotebooksLoaded`; if it is not, or the cell is gone, the
 * notebook's start).
 */
export function passageLocation(p: Passage): vscode.Location | vscode.Uri {
  if (isWebUrl(p.location)) return vscode.Uri.parse(p.location);
  if (isExtractedDocument(p)) {
    const shifted = { ...p, startLine: p.startLine + VIEW_HEADER_LINES, endLine: p.endLine + VIEW_HEADER_LINES };
    return new vscode.Location(extractedTextUri(p), passageRange(shifted));
  }
  if (p.cell === undefined) return new vscode.Location(passageUri(p), passageRange(p));
  const notebook = loadedNotebook(passageUri(p));
  const found = notebook && findCell(notebook, p);
  if (!found) return new vscode.Location(passageUri(p), new vscode.Position(0, 0));
  const { cell, lines } = found;
  // an output's lines are lines of the outputs' text, not of the cell's document: the anchor is the cell's start
  const range = p.cellOutput
    ? new vscode.Range(0, 0, 0, 0)
    : passageRange({ ...p, startLine: lines.startLine, endLine: lines.endLine });
  return new vscode.Location(cell.document.uri, range);
}
