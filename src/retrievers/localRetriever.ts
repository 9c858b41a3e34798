import { asError, GroundedError, OPEN_FOLDER } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import {
  documentCacheDir,
  IndexStore,
  WorkspaceIndex,
  WorkspaceIndexClient,
  type IndexStats,
  type WorkspaceIndexConfig,
  type WorkspaceIndexHandle,
} from '../index';
import { PassageReader } from './passageReader';

export type LocalRetrieverOptions = WorkspaceIndexConfig;

/**
 * The default retriever: the embedded, persistent BM25 index of the workspace folders. The first search waits
 * for the first sync (concurrent first searches share it); passages are read from the files and checked against
 * what was indexed, so a file changed behind the index's back is re-indexed before it is cited.
 */
export class LocalRetriever implements Retriever {
  private readonly index: WorkspaceIndexHandle;
  private readonly reader: PassageReader;
  /** Where the index is saved (with an index of its own made here from `options`). */
  private readonly storeDir: string | undefined;

  /**
   * The index held on this thread (`options`), or the one given: in the index thread (see openWorkspaceIndex) or
   * here. `documentCache`: where the index worker keeps extracted PDFs and Word documents (with an index given).
   */
  constructor(options: LocalRetrieverOptions | WorkspaceIndexHandle, documentCache?: string) {
    this.index = isIndex(options) ? options : new WorkspaceIndex(options);
    const storeDir = isIndex(options) ? undefined : options.storeDir;
    this.storeDir = storeDir;
    this.reader = new PassageReader(
      documentCache ?? (storeDir === undefined ? undefined : documentCacheDir(storeDir)),
      () => this.index.indexedFolders,
    );
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    options.signal?.throwIfAborted();
    await raceAbort(this.ensureSearchable(), options.signal);
    for (let attempt = 0; ; attempt++) {
      const { passages, stale } = await this.reader.read(await this.index.search(query, options.k));
      if (stale.length === 0 || attempt > 0) return passages;
      await raceAbort(this.index.update(stale), options.signal);
    }
  }

  termWeights(texts: readonly string[]): Promise<((term: string) => number) | undefined> {
    return this.index.termWeights(texts).catch(() => undefined);
  }

  /**
   * Whether its store holds a saved index: the first sync then loads it in moments and it is searched while the sync
   * checks it against the disk. False with an index given, whose store is its own.
   */
  hasSavedIndex(): Promise<boolean> {
    return this.storeDir === undefined ? Promise.resolve(false) : new IndexStore(this.storeDir).hasIndex();
  }

  /** The folders the index's walk enters, as absolute paths (what a watcher of the folders needs to watch). */
  walkedFolders(): Promise<string[]> {
    return this.index.walkedFolders();
  }

  /** The current index's counts, or undefined before the first sync finishes. */
  stats(): IndexStats | undefined {
    return this.index.stats();
  }

  /** Brings the index up to date with the disk (unchanged files are not read again). */
  refresh(options: { fromScratch?: boolean } = {}): Promise<IndexStats> {
    return this.index.sync(options);
  }

  /** Waits for the sync in progress (the first one, on opening), and tells what is in the index then. */
  async ready(): Promise<IndexStats | undefined> {
    await this.index.ready();
    return this.index.stats();
  }

  get isSyncing(): boolean {
    return this.index.isSyncing;
  }

  /** Re-reads these files (changed, created or deleted) into the index. */
  update(paths: readonly string[]): Promise<void> {
    return this.index.update(paths);
  }

  /** Stops a sync in progress. */
  cancel(): void {
    this.index.cancel();
  }

  /** Writes changes not yet saved to the store (a CLI command does this before it exits). */
  flush(): Promise<void> {
    return this.index.flush();
  }

  /** Stops a sync in progress and saves pending changes (best effort). */
  dispose(): void {
    this.index.dispose();
  }

  /** Waits for the first sync; an empty index is synced once more (files may have appeared) before giving up. */
  private async ensureSearchable(): Promise<void> {
    if (this.index.stats() === undefined) await this.index.ready();
    if ((this.index.stats()?.chunks ?? 0) > 0) return;
    // the saved index may be empty while the sync in progress finds files that appeared since it was saved
    const stats = this.index.isSyncing ? await this.index.synced() : await this.index.sync();
    if (stats && stats.chunks > 0) return;
    if ((stats?.files ?? 0) === 0 && noFolders(this.index))
      throw new GroundedError(
        'index',
        'No folder is open, so there is nothing to search. Open a folder (File › Open Folder…) and ask again.',
        { action: OPEN_FOLDER },
      );
    const skipped = Object.values(stats?.skipped ?? {}).reduce((a, b) => a + b, 0);
    throw new GroundedError(
      'index',
      `Found no text files to search in the workspace${skipped ? ` (${skipped} skipped as binary, too large or unreadable)` : ''}. ` +
        // what leaves files out on every surface (DEFAULT_EXCLUDE_GLOBS, the ignore files), then VS Code's settings
        // in a sentence of their own, which the CLI and the MCP server, having no flags for them, leave out
        'Check the ignore files (.gitignore, .groundedignore): the files they list are left out, as are node_modules and version-control folders (.git, .svn, .hg). ' +
        'Check grounded.index.include, grounded.index.exclude and files.exclude too.',
    );
  }
}

const isIndex = (options: LocalRetrieverOptions | WorkspaceIndexHandle): options is WorkspaceIndexHandle =>
  options instanceof WorkspaceIndex || options instanceof WorkspaceIndexClient;

const noFolders = (index: WorkspaceIndexHandle): boolean => index.folderCount === 0;

/** Resolves as `promise` does, or rejects with an AbortError as soon as `signal` aborts (the promise keeps running). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      v => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(e));
      },
    );
  });
}
