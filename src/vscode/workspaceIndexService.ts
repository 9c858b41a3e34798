import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  DEFAULT_EXCLUDE_GLOBS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_FILES,
  documentCacheDir,
  documentSettings,
  fileByteLimit,
  fileCountLimit,
  openWorkspaceIndex,
  type DiscoveryRules,
  type IndexReport,
  type IndexStats,
} from '../index';
import { GroundedError } from '../core/errors';
import { LocalRetriever } from '../retrievers/localRetriever';
import { setOnboardingContext } from './onboarding';
import { IndexStatusItem } from './indexStatusItem';
import { diskFolders, filesExclude } from './settings';

/** What `indexReport` adds for the status item and the tests: where the index is kept and what was said. */
export interface WorkspaceIndexReport extends IndexReport {
  chunksDeleted: number;
  segments: number;
  /** The store folder (under `context.storageUri`), when the workspace has one. */
  storeDir?: string;
  /** Notices shown to the user (a damaged store rebuilt, a store that cannot be saved). */
  notices: string[];
}

/**
 * File events are gathered this long from the first, then applied in one update (an edit is searchable well within
 * a second). Later events do not put the update off: a file written without pause (a log, a database) would
 * otherwise hold back every other change for as long as it is written.
 */
const UPDATE_DEBOUNCE_MS = 100;

/**
 * The local index as the extension uses it: held in the index thread, synced from the store on activation (progress
 * in the status bar), kept up to date by the file watcher and save events (debounced, applied in milliseconds),
 * resynced when folders or settings change. `storageUri` is the extension's per-workspace storage; without it the index
 * lives in memory only.
 */
export class WorkspaceIndexService implements vscode.Disposable {
  /** The index as a retriever (what ConfiguredRetriever searches when the local index answers). */
  readonly retriever: LocalRetriever;
  private readonly status: IndexStatusItem;
  private readonly storeDir: string | undefined;
  private readonly notices: string[] = [];
  private readonly pending = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Once disposed (the extension deactivates), what the closing index answers is neither shown nor logged. */
  private disposed = false;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The index changed: a sync finished, an update landed (so did the extracted text of the documents it read). */
  readonly onDidChange = this.changed.event;

  /** Where the index worker keeps PDFs' and Word documents' extracted text (none without a store). */
  get documentCache(): string | undefined {
    return this.storeDir === undefined ? undefined : documentCacheDir(this.storeDir);
  }

  constructor(
    private readonly log: vscode.LogOutputChannel,
    storageUri?: vscode.Uri,
  ) {
    this.storeDir = storageUri ? join(storageUri.fsPath, 'index') : undefined;
    this.status = new IndexStatusItem({
      rebuild: () => void vscode.commands.executeCommand('grounded.rebuildIndex'),
      cancel: () => this.retriever.cancel(),
      folders: () => diskFolders().length,
    });
    // The index lives in its own thread: the extension host, which every extension shares, keeps only the hits.
    const index = openWorkspaceIndex({
      folders: () => diskFolders().map(f => f.uri.fsPath),
      rules: indexRules,
      storeDir: this.storeDir,
      onProgress: progress => this.status.progress(progress),
      onChange: stats => {
        this.status.update(stats);
        setOnboardingContext('indexReady');
        this.changed.fire();
      },
      onNotice: message => this.notice(message),
      // a sync the index starts itself (a big batch of changes, a new folder, a merge) shows progress too: its end
      // puts the file count back
      onSyncing: syncing => {
        if (!syncing) this.status.finished(this.retriever.stats());
      },
    });
    this.retriever = new LocalRetriever(index, this.documentCache);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const changed = (uri: vscode.Uri) => this.queue(uri);
    this.disposables.push(
      this.status,
      this.changed,
      watcher,
      watcher.onDidCreate(changed),
      watcher.onDidChange(changed),
      watcher.onDidDelete(changed),
      vscode.workspace.onDidSaveTextDocument(doc => this.queue(doc.uri)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.sync()),
      vscode.workspace.onDidChangeConfiguration(e => {
        if (e.affectsConfiguration('files.exclude') || e.affectsConfiguration('grounded.index')) void this.sync();
      }),
    );
    if (diskFolders().length > 0) void this.sync();
    else this.status.update();
  }

  /** Waits for the index and tells what is in it. */
  async indexReport(): Promise<WorkspaceIndexReport> {
    const folders = diskFolders().map(f => f.uri.fsPath);
    const base = { storeDir: this.storeDir, notices: [...this.notices], chunksDeleted: 0, segments: 0 };
    if (folders.length === 0) return { folders, files: 0, chunks: 0, skipped: {}, ...base };
    if (!this.retriever.stats()) await this.retriever.ready();
    return this.report(folders, this.retriever.stats());
  }

  /**
   * Reads every file again, ignoring the store (Grounded: Rebuild Index). Rejects when the rebuild does not finish:
   * with a `cancelled` GroundedError when it is cancelled (Cancel Indexing, or a sync that replaced it), so the
   * command never reports the index it had before as rebuilt.
   */
  async rebuild(): Promise<WorkspaceIndexReport> {
    await this.sync({ fromScratch: true }, true);
    return this.indexReport();
  }

  /** `rethrow`: the caller reports a failure itself (no notice here) and hears it as a rejection. */
  private sync(options: { fromScratch?: boolean } = {}, rethrow = false): Promise<IndexStats | undefined> {
    const started = Date.now();
    // the status item shows the progress: a second, window progress item would say the same
    this.status.progress({ done: 0, total: 0, growing: true });
    return this.retriever.refresh(options).then(
      stats => {
        this.status.finished(stats);
        this.log.info(
          `index synced in ${Date.now() - started} ms: ${stats.files} files, ${stats.chunks} chunks, ${stats.filesRead} read`,
        );
        return stats;
      },
      (e: unknown) => {
        // closing the index fails the sync it was running: that is no failure to tell anyone about
        if (this.disposed) return undefined;
        const aborted = e instanceof Error && e.name === 'AbortError';
        if (!aborted) {
          this.log.error('index sync failed', e);
          // with no index to search the user would meet the failure only at their first question: said now
          if (!this.retriever.stats() && !rethrow)
            this.notice(
              vscode.l10n.t('Grounded could not index the workspace: {0}', e instanceof Error ? e.message : String(e)),
            );
        }
        this.status.finished(this.retriever.stats());
        if (rethrow) throw aborted ? new GroundedError('cancelled', 'The index rebuild was cancelled.') : e;
        return undefined;
      },
    );
  }

  private queue(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    this.pending.add(uri.fsPath);
    if (this.flushTimer) return; // joins the batch the first event started
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const paths = [...this.pending];
      this.pending.clear();
      const started = performance.now();
      this.retriever.update(paths).then(
        () => this.log.trace(`index updated in ${(performance.now() - started).toFixed(1)} ms: ${paths.join(', ')}`),
        (e: unknown) => this.log.error('index update failed', e),
      );
    }, UPDATE_DEBOUNCE_MS);
  }

  private notice(message: string): void {
    this.notices.push(message);
    this.log.warn(message);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window.showWarningMessage(message, showLog).then(choice => choice === showLog && this.log.show());
  }

  private report(folders: string[], stats: IndexStats | undefined): WorkspaceIndexReport {
    const base = { storeDir: this.storeDir, notices: [...this.notices] };
    if (!stats) return { folders, files: 0, chunks: 0, skipped: {}, chunksDeleted: 0, segments: 0, ...base };
    return {
      folders,
      files: stats.files,
      chunks: stats.chunks,
      skipped: { ...stats.skipped },
      builtAt: new Date(stats.builtAt),
      buildMs: stats.timings.discoverMs + stats.timings.indexMs,
      chunksDeleted: stats.deletedChunks,
      segments: stats.segments,
      ...base,
    };
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.retriever.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** `grounded.index.exclude` as it applies in one folder, whose own settings may set it. */
const indexExclude = (folder: vscode.WorkspaceFolder): string[] =>
  vscode.workspace.getConfiguration('grounded.index', folder.uri).get<string[]>('exclude', []);

/** `grounded.index.*` and `files.exclude`, read fresh at each sync and update. */
export function indexRules(): DiscoveryRules {
  const folders = diskFolders();
  const c = vscode.workspace.getConfiguration('grounded.index');
  const kb = c.get<number>('maxFileSizeKB', DEFAULT_MAX_FILE_BYTES / 1024);
  return {
    exclude: [...DEFAULT_EXCLUDE_GLOBS],
    // each folder's `files.exclude` and `grounded.index.exclude` (a folder of a multi-root workspace can set its own;
    // the user's and the workspace's apply to every folder) leave out only its files
    folderExclude: Object.fromEntries(folders.map(f => [f.uri.fsPath, [...filesExclude(f), ...indexExclude(f)]])),
    include: c.get<string[]>('include', []),
    // Both are clamped to their maximum again where they are applied (fileByteLimit, fileCountLimit).
    maxFileBytes: fileByteLimit(Math.round(kb * 1024)),
    maxFiles: fileCountLimit(c.get<number>('maxFiles', DEFAULT_MAX_FILES)),
    documents: documentSettings(
      c.get<unknown>('documents'),
      c.get<unknown>('notebookOutputs'),
      c.get<unknown>('maxDocumentSizeMB'),
    ),
  };
}
