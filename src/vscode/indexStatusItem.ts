import * as vscode from 'vscode';
import type { IndexReportText, IndexStats } from '../index';

export interface IndexStatusActions {
  /** The report the details message shows. */
  details(): Promise<IndexReportText>;
  rebuild(): void;
  cancel(): void;
  isSyncing(): boolean;
}

/**
 * The index in the status bar: files and chunks (or files read / total while a sync runs), last update in the
 * tooltip; a click shows the details, with Rebuild (or Cancel while building).
 */
export class IndexStatusItem implements vscode.Disposable {
  static readonly command = 'grounded.showIndex';
  private readonly item = vscode.window.createStatusBarItem('grounded.index', vscode.StatusBarAlignment.Right, 100);
  private readonly registration: vscode.Disposable;

  constructor(private readonly actions: IndexStatusActions) {
    this.item.name = 'Grounded Index';
    this.item.command = IndexStatusItem.command;
    this.item.text = '$(search) Grounded';
    this.item.tooltip = 'Grounded: the workspace index is not built yet.';
    this.item.show();
    this.registration = vscode.commands.registerCommand(IndexStatusItem.command, () => this.showDetails());
  }

  progress(done: number, total: number): void {
    this.item.text = `$(sync~spin) Grounded ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    this.item.tooltip = `Grounded is indexing the workspace: ${done} of ${total} files read. Click for details or to cancel.`;
  }

  update(stats: IndexStats): void {
    const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
    this.item.text = `$(search) ${stats.files.toLocaleString('en-US')} files`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**Grounded index**: ${stats.files.toLocaleString('en-US')} files, ${stats.chunks.toLocaleString('en-US')} chunks` +
          (skipped ? `, ${skipped.toLocaleString('en-US')} skipped` : ''),
        `Last update: ${new Date(stats.builtAt).toLocaleString()}`,
        'Click for details.',
      ].join('\n\n'),
    );
  }

  private async showDetails(): Promise<void> {
    const syncing = this.actions.isSyncing();
    const action = syncing ? 'Cancel Indexing' : 'Rebuild Index';
    const report: IndexReportText = syncing
      ? { title: 'Grounded is indexing the workspace.', items: [] }
      : await this.actions.details();
    const detail = [...report.items.map(item => `• ${item}`), ...(report.advice ? [report.advice] : [])].join('\n');
    const choice = await vscode.window.showInformationMessage(report.title, { modal: true, detail }, action);
    if (choice === 'Cancel Indexing') this.actions.cancel();
    else if (choice === 'Rebuild Index') this.actions.rebuild();
  }

  dispose(): void {
    this.registration.dispose();
    this.item.dispose();
  }
}
