import * as vscode from 'vscode';
import { defaultAskOptions } from '../core/options';
import type { PanelViewProvider } from './panelViewProvider';
import { linesContext } from './selectionContext';

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
      if (question?.trim()) await panel.ask(question.trim(), linesContext(editor.document, editor.selection));
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
