import * as vscode from 'vscode';
import { locatePassage, type PassageText } from '../core/locatePassage';
import type { Passage } from '../core/passage';
import { passageUri } from './locations';

/**
 * Opens a cited passage with its lines selected. The file may have changed since indexing: the passage is
 * found again where it moved, or the file opens without a selection and the user is told the citation is stale.
 * A passage of a restored conversation has only its text's fingerprint, which finds the lines as well.
 */
export async function openPassage(p: Pick<Passage, 'path' | 'location'> & PassageText): Promise<'exact' | 'moved' | 'stale'> {
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(passageUri(p));
  } catch {
    void vscode.window.showWarningMessage(`${p.path} no longer exists; the citation is out of date. Ask again to refresh it.`);
    return 'stale';
  }
  const found = locatePassage(doc.getText(), p);
  if (!found) {
    await vscode.window.showTextDocument(doc, { preview: true });
    void vscode.window.showWarningMessage(`${p.path} changed since it was indexed and the cited lines are gone. Ask again to refresh the answer.`);
    return 'stale';
  }
  const range = new vscode.Range(found.startLine - 1, 0, found.endLine - 1, doc.lineAt(found.endLine - 1).text.length);
  const editor = await vscode.window.showTextDocument(doc, { selection: range, preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return found.how;
}
