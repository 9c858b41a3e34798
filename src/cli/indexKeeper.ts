import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { GroundedError } from '../core/errors';
import { IGNORE_FILES, type IndexStats, type SyncProgress, type WorkspaceIndexConfig } from '../index';
import type { LocalRetriever } from '../retrievers/localRetriever';
import { FolderWatcher } from './folderWatcher';
import { cliMessage, MCP_SERVER } from './terminalError';

/** Progress is said at most this often while the index is built. */
const PROGRESS_EVERY_MS = 1000;
/** Without a watcher (the system's limit of watches reached), the index is brought up to date this often. */
const REFRESH_EVERY_MS = 30_000;

/** What the keeper needs of the local index: syncs, updates of changed paths, its counts, and where files can appear. */
export type KeptIndex = Pick<LocalRetriever, 'refresh' | 'update' | 'stats' | 'walkedFolders' | 'hasSavedIndex'>;

/** The time the keeper reads, and the repeating timer it sets (tests give their own). */
export interface KeeperClock {
  now(): number;
  /** Calls `tick` every `ms` until the function returned is called. */
  every(ms: number, tick: () => void): () => void;
}

export const realKeeperClock: KeeperClock = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

/**
 * Keeps a long-running command's local index current: the first sync with its progress said, then a watch on
 * every folder the index's walk enters (file events become index updates), walked again when a folder appears or
 * an ignore file changes. When watching fails, the index is synced every REFRESH_EVERY_MS instead.
 */
export class IndexKeeper {
  private local: KeptIndex | undefined;
  private lastProgress = -Infinity;
  /** The first sync's progress while it runs (later syncs read few files, and quickly: they are not said). */
  private firstBuild: SyncProgress | undefined;
  /** Whether the store held a saved index when the keeper started. */
  private savedIndex: Promise<boolean> = Promise.resolve(false);
  private walking: Promise<void> | undefined;
  private walkAgain = false;
  private stopRefresher: (() => void) | undefined;
  private disposed = false;
  private readonly watcher: FolderWatcher;

  /** `say`: progress and status for the client (a failure as an error); `log`: diagnostics for a person (stderr). */
  constructor(
    private readonly say: (level: 'info' | 'error', message: string) => void,
    private readonly log: (message: string) => void,
    private readonly clock: KeeperClock = realKeeperClock,
  ) {
    this.watcher = new FolderWatcher({
      onChange: paths => {
        void this.local?.update(paths).catch((e: unknown) => this.log(`index update failed: ${String(e)}`));
        if (this.changesFolders(paths)) void this.watchWalkedFolders();
      },
      onError: reason => {
        this.log(`${reason}; the index is brought up to date every ${REFRESH_EVERY_MS / 1000} s instead`);
        this.stopRefresher = this.clock.every(
          REFRESH_EVERY_MS,
          () => void this.local?.refresh().catch(() => undefined),
        );
      },
    });
  }

  /** What to open the index with, so that the keeper hears its progress. */
  readonly hooks: Pick<WorkspaceIndexConfig, 'onProgress'> = {
    onProgress: progress => {
      if (!this.firstBuild) return;
      this.firstBuild = progress;
      // no file to read (an unchanged folder, or none found yet): "index ready" says the end, with the counts
      if (progress.total === 0) return;
      const now = this.clock.now();
      if (now - this.lastProgress < PROGRESS_EVERY_MS && progress.done < progress.total) return;
      this.lastProgress = now;
      // `growing`: the walk still finds files, so the total is the files found so far
      this.say('info', `indexing: ${progress.done} of ${progress.total}${progress.growing ? '+' : ''} files read`);
    },
  };

  /**
   * Syncs the index, starts watching, then syncs once more to catch what changed before the watch began. Resolves
   * when all of that is done; a failed first sync is said to the client and logged, and nothing is watched.
   */
  async start(local: KeptIndex, folders: readonly string[]): Promise<void> {
    this.local = local;
    this.savedIndex = local.hasSavedIndex().catch(() => false);
    const started = this.clock.now();
    this.say('info', `indexing ${folders.length === 1 ? 'the folder' : `${folders.length} folders`}…`);
    this.firstBuild = { done: 0, total: 0 };
    let stats: IndexStats;
    try {
      stats = await local.refresh();
    } catch (e) {
      if (this.disposed) return; // stopped because the client left: nothing failed, and nobody is there to hear it
      // the client's agent reads why its searches fail; the person reading stderr too
      const failed = `indexing failed: ${e instanceof GroundedError ? cliMessage(e, MCP_SERVER) : e instanceof Error ? e.message : String(e)}`;
      this.log(failed);
      this.say('error', failed);
      return;
    } finally {
      this.firstBuild = undefined;
    }
    this.say(
      'info',
      `index ready: ${counted(stats.files, 'file')}, ${counted(stats.chunks, 'chunk')} (${this.clock.now() - started} ms)`,
    );
    await this.watchWalkedFolders();
    await local.refresh().catch(() => undefined);
  }

  /**
   * The first sync's progress while it builds the index from nothing and there is nothing to search yet; undefined
   * otherwise. A saved index is loaded in moments and searched while the sync checks it against the disk, so with
   * one there is no build to report: a search waits for it to load.
   */
  async building(): Promise<SyncProgress | undefined> {
    if (await this.savedIndex) return undefined;
    if (!this.firstBuild || (this.local?.stats()?.chunks ?? 0) > 0) return undefined;
    return this.firstBuild;
  }

  dispose(): void {
    this.disposed = true;
    this.stopRefresher?.();
    this.watcher.dispose();
  }

  /**
   * Whether the walk's folders may differ: a folder appeared (created, renamed, moved in), or an ignore file
   * changed. A watched folder its parent names was deleted, renamed or made again, and its watch, which follows the
   * folder it began on, is dropped: the walk watches whatever folder is at that path now.
   */
  private changesFolders(paths: readonly string[]): boolean {
    let changes = false;
    for (const path of paths) {
      if (this.watcher.has(path)) {
        this.watcher.unwatch(path);
        changes = true;
      } else if (!changes) changes = this.appeared(path);
    }
    return changes;
  }

  private appeared(path: string): boolean {
    if ((IGNORE_FILES as readonly string[]).includes(basename(path))) return true;
    try {
      return statSync(path).isDirectory();
    } catch {
      return false; // gone again
    }
  }

  /**
   * Watches the folders the index's walk enters. A walk asked for while one runs is done once more after it.
   * Folders watched for the first time after the start are handed to the index too: a file saved in one before
   * its watch began raised no event.
   */
  private watchWalkedFolders(): Promise<void> {
    if (this.walking) {
      this.walkAgain = true;
      return this.walking;
    }
    const walk = async (): Promise<void> => {
      for (let first = this.watcher.watching === 0; ; first = false) {
        this.walkAgain = false;
        const local = this.local;
        if (!local || this.disposed) return;
        const folders = await local.walkedFolders().catch((e: unknown) => {
          this.log(`the folders to watch could not be listed: ${String(e)}`);
          return undefined; // the folders watched stay as they are
        });
        if (this.disposed) return;
        if (folders) {
          const added = first ? [] : folders.filter(folder => !this.watcher.has(folder));
          this.watcher.watch(folders);
          if (added.length > 0)
            void local.update(added).catch((e: unknown) => this.log(`index update failed: ${String(e)}`));
        }
        if (!this.walkAgain) return;
      }
    };
    this.walking = walk().finally(() => (this.walking = undefined));
    return this.walking;
  }
}

/** `1 file`, `2 files`. */
const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
