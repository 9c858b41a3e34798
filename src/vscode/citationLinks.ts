import * as vscode from 'vscode';
import { passageRef, type Passage } from '../core/passage';
import { openPassage } from './openPassage';
import { parseStoredPassage, toStoredPassage } from './storedPassage';

/** Opens a cited range from a link in a chat answer; not in the palette. */
export const OPEN_CITATION = 'grounded.openCitation';

const escapeMarkdown = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, c => `\\${c}`);

/**
 * The cited ranges as one line of links under a chat answer. Unlike an anchor, whose location is fixed when the
 * answer is written, a link runs `grounded.openCitation`, which finds the cited lines again if the file changed
 * since and says the citation is stale when they are gone. Only that command is enabled in the markdown.
 */
export function citedRangesMarkdown(ranges: readonly Passage[]): vscode.MarkdownString {
  const links = ranges.map(p => {
    const args = encodeURIComponent(JSON.stringify([toStoredPassage(p)]));
    return `[${escapeMarkdown(passageRef(p, p.startLine, p.endLine))}](command:${OPEN_CITATION}?${args})`;
  });
  const markdown = new vscode.MarkdownString(`\n\n**${vscode.l10n.t('Sources')}:** ${links.join(' · ')}`);
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
    return openPassage(passage);
  });
}
