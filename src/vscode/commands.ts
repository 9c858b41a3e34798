import * as vscode from 'vscode';
import { indexReportText } from '../index';
import { GroundedError } from '../core/errors';
import { showFailure } from './errorNotification';
import type { WorkspaceIndexReport, WorkspaceIndexService } from './workspaceIndexService';

export function registerCommands(index: WorkspaceIndexService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('grounded.rebuildIndex', async () => {
      let report: WorkspaceIndexReport;
      try {
        report = await index.rebuild();
      } catch (e) {
        const error =
          e instanceof GroundedError
            ? e
            : new GroundedError('index', 'Rebuilding the index failed. See the “Grounded” output for details.', {
                cause: e,
              });
        void showFailure(error, log, { what: 'index rebuild' });
        return undefined;
      }
      const { title, items } = indexReportText(report);
      void vscode.window.showInformationMessage(
        items.length > 0 ? vscode.l10n.t('Grounded index rebuilt: {0}.', items.join('; ')) : title,
      );
      return report;
    }),
    vscode.commands.registerCommand('grounded.showLog', () => log.show()),
  ];
}
