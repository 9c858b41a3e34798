import * as vscode from 'vscode';
import { openPassage } from './openPassage';
import { OPEN_CITATION, sourcesMarkdown, type CitedRange } from './sourcesMarkdown';
import { parseStoredPassage } from './storedPassage';

export { OPEN_CITATION };

/**
 * The cited ranges as one line of links under a chat answer. Unlike an anchor, whose location is fixed when the
 * answer is written, a link runs `grounded.openCitation`, which finds the cited lines again if the file changed
 * since and says the citation is stale when they are gone; a range whose lines do not support what cites it says so
 * after its link. Only that command is enabled in the markdown.
 */
export function citedRangesMarkdown(ranges: readonly CitedRange[]): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(sourcesMarkdown(ranges, vscode.l10n.t('Sources')));
  markdown.isTrusted = { enabledCommands: [OPEN_CITATION] };
  return markdown;
}

export function registerOpenCitation(): vscode.Disposable {
  return vscode.commands.registerCommand(OPEN_CITATION, async (value: unknown) => {
    const passage = parseStoredPassage(value);
    if (!passage) {
      void vscode.window.showWarningMessage(vscode.l10n.t('This citation link is malformed; ask again to refresh it.'));
      return undefined;
    }
    return (await openPassage(passage)).how;
  });
}
