import * as vscode from 'vscode';
import type { IndexStats, SyncProgress } from '../index';
import { indexStatusView, type IndexPick, type IndexStatusState } from './indexStatusView';

export interface IndexStatusActions {
  rebuild(): void;
  cancel(): void;
  /** How many workspace folders are open (none: nothing to index). */
  folders(): number;
}

/**
 * The index's one status bar item, on the left: `$(book) Grounded: N files`, or real progress while a sync runs,
 * with accessibility information. A click opens a quick pick with the status line and Rebuild Index (Cancel
 * Indexing while a sync runs), Show Log and Select Model. The texts come from `indexStatusView`.
 */
export class IndexStatusItem implements vscode.Disposable {
  static readonly command = 'grounded.showIndex';
  private readonly item = vscode.window.createStatusBarItem('grounded.index', vscode.StatusBarAlignment.Left, 0);
  private readonly registration: vscode.Disposable;
  private state: IndexStatusState = { kind: 'starting' };
  private lastStats: IndexStats | undefined;
  private syncing = false;

  constructor(private readonly actions: IndexStatusActions) {
    this.item.name = vscode.l10n.t('Grounded Index');
    this.item.command = IndexStatusItem.command;
    this.render();
    this.item.show();
    this.registration = vscode.commands.registerCommand(IndexStatusItem.command, () => this.pick());
  }

  /** A sync started or read more files. */
  progress(progress: SyncProgress): void {
    this.syncing = true;
    this.state = { kind: 'indexing', done: progress.done, total: progress.total, growing: progress.growing === true };
    this.render();
  }

  /** The index changed (an update landed, a merge); while a sync runs, its progress stays on show. */
  update(stats: IndexStats | undefined = this.lastStats): void {
    this.lastStats = stats;
    if (this.syncing) return;
    const folders = this.actions.folders();
    this.state =
      stats || folders === 0
        ? { kind: 'ready', folders, stats: stats ?? { files: 0, chunks: 0, skipped: {}, builtAt: Date.now() } }
        : { kind: 'starting' };
    this.render();
  }

  /** A sync ended, with the index it left (none when it failed before the first one). */
  finished(stats: IndexStats | undefined): void {
    this.syncing = false;
    this.update(stats ?? this.lastStats);
  }

  private render(): void {
    const view = indexStatusView(this.state, vscode.l10n.t);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
  }

  private async pick(): Promise<void> {
    const view = indexStatusView(this.state, vscode.l10n.t);
    const picked = await vscode.window.showQuickPick<IndexPick & vscode.QuickPickItem>(view.picks, {
      title: vscode.l10n.t('Grounded Index'),
      placeHolder: view.picks[0]?.label.replace(/^\$\([^)]*\)\s*/, ''),
    });
    switch (picked?.action) {
      case 'rebuild':
        return this.actions.rebuild();
      case 'cancel':
        return this.actions.cancel();
      case 'showLog':
        return void vscode.commands.executeCommand('grounded.showLog');
      case 'selectModel':
        return void vscode.commands.executeCommand('grounded.selectModel');
      default:
        return undefined;
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.item.dispose();
  }
}
