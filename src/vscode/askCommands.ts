import * as vscode from 'vscode';
import type { SelectionContext } from '../core/events';
import { defaultAskOptions, MAX_CONTEXT_CHARS } from '../core/options';
import type { PanelViewProvider } from './panelViewProvider';

/** *Grounded: Ask…*, *Ask Grounded about Selection* and *New Conversation*: all answer in the side panel. */
export function registerAskCommands(panel: PanelViewProvider): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('grounded.ask', async (preset?: unknown) => {
      const question = typeof preset === 'string' ? preset : await askBox(vscode.l10n.t('Ask about your workspace'));
      if (question?.trim()) await panel.ask(question.trim());
    }),
    vscode.commands.registerCommand('grounded.askAboutSelection', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Select some text in an editor first, then ask Grounded about it.'),
        );
        return;
      }
      const question = await askBox(
        vscode.l10n.t('Ask about the selected lines of {0}', vscode.workspace.asRelativePath(editor.document.uri)),
      );
      if (question?.trim()) await panel.ask(question.trim(), selectionContext(editor));
    }),
    vscode.commands.registerCommand('grounded.newConversation', () => panel.controller.newConversation()),
  ];
}

function askBox(prompt: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    prompt,
    placeHolder: vscode.l10n.t('e.g. how is logging configured?'),
    ignoreFocusOut: true,
    validateInput: value =>
      value.length > defaultAskOptions.maxQuestionChars
        ? vscode.l10n.t(
            'The question is {0} characters long; the limit is {1}.',
            value.length.toLocaleString('en-US'),
            defaultAskOptions.maxQuestionChars.toLocaleString('en-US'),
          )
        : undefined,
  });
}

function selectionContext(editor: vscode.TextEditor): SelectionContext {
  const { start, end } = editor.selection;
  // a selection that ends at column 0 does not include that line
  const lastLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return {
    path: selectionPlace(editor.document),
    startLine: start.line + 1,
    endLine: lastLine + 1,
    // only this much reaches the model; the rest would be kept in the saved conversation for nothing
    text: editor.document.getText(editor.selection).slice(0, MAX_CONTEXT_CHARS),
  };
}

/**
 * Where a selection is, as citations name places: the file relative to the workspace, or for a notebook cell, the
 * notebook and the cell (`nb.ipynb#cell=3`, 1-based), whose lines the selection's are.
 */
function selectionPlace(document: vscode.TextDocument): string {
  if (document.uri.scheme === 'vscode-notebook-cell') {
    for (const notebook of vscode.workspace.notebookDocuments) {
      const cell = notebook.getCells().find(c => c.document === document);
      if (cell) return `${vscode.workspace.asRelativePath(notebook.uri)}#cell=${cell.index + 1}`;
    }
  }
  return vscode.workspace.asRelativePath(document.uri);
}
