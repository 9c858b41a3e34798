import * as vscode from 'vscode';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { DEFAULT_EXCLUDE_GLOBS } from '../index/ignoreRules';
import { LocalRetriever } from '../retrievers/localRetriever';
import type { IndexReport } from './indexReport';
import { filesExclude } from './settings';

/**
 * The local index as the extension uses it: built on the first question with progress in the status bar,
 * marked stale when files change or folders are added, and rebuilt lazily by the next question.
 */
export class WorkspaceIndexService implements Retriever, vscode.Disposable {
  private retriever = this.create();
  private stale = false;
  private report: ((p: { done: number; total: number }) => void) | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    const markStale = () => {
      this.stale = true;
    };
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate(markStale),
      watcher.onDidChange(markStale),
      watcher.onDidDelete(markStale),
      vscode.workspace.onDidSaveTextDocument(markStale),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.replace()),
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('files.exclude')) this.replace();
      }),
    );
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    if (this.stale) {
      this.stale = false;
      this.replace();
    }
    return this.retriever.stats() ? this.retriever.search(query, options) : this.withProgress(() => this.retriever.search(query, options));
  }

  /** Builds if needed and tells what is indexed. */
  async indexReport(): Promise<IndexReport> {
    const folders = (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath);
    if (folders.length === 0) return { folders, files: 0, chunks: 0, skipped: {} };
    const stats = this.retriever.stats() ?? (await this.withProgress(() => this.retriever.refresh()));
    return { folders, files: stats.files, chunks: stats.chunks, skipped: stats.skipped, builtAt: new Date(stats.builtAt), buildMs: stats.timings.discoverMs + stats.timings.indexMs };
  }

  rebuild(): Promise<IndexReport> {
    this.replace();
    return this.indexReport();
  }

  private withProgress<T>(work: () => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Grounded: indexing' }, async progress => {
      const started = Date.now();
      this.report = ({ done, total }) => progress.report({ message: `${done}/${total} files` });
      try {
        const result = await work();
        this.log.info(`index built in ${Date.now() - started} ms`, this.retriever.stats() ?? '');
        return result;
      } finally {
        this.report = undefined;
      }
    });
  }

  private replace(): void {
    this.retriever.dispose();
    this.retriever = this.create();
  }

  private create(): LocalRetriever {
    const folders = () => (vscode.workspace.workspaceFolders ?? []).map(f => f.uri.fsPath);
    const exclude = [...new Set([...DEFAULT_EXCLUDE_GLOBS, ...(vscode.workspace.workspaceFolders ?? []).flatMap(filesExclude)])];
    return new LocalRetriever({ folders, exclude, onProgress: p => this.report?.(p) });
  }

  dispose(): void {
    this.retriever.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
