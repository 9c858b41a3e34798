import type { WorkspaceIndexConfig } from '../index';
import type { LocalRetriever } from '../retrievers/localRetriever';
import { FolderWatcher, foldersToWatch } from './folderWatcher';

/** Progress is said at most this often while the index is built. */
const PROGRESS_EVERY_MS = 1000;
/** Without a watcher (the system's limit of watches reached), the index is brought up to date this often. */
const REFRESH_EVERY_MS = 30_000;
/** The index's changes are gathered this long before the watched folders are worked out again. */
const REWATCH_DELAY_MS = 500;

/** What the keeper needs of the local index: syncs, updates of changed paths, and where its files are. */
export type KeptIndex = Pick<LocalRetriever, 'refresh' | 'update' | 'fileLocations'>;

/**
 * Keeps a long-running command's local index current: the first sync with its progress said, then a watch on the
 * folders the index holds files in (file events become index updates), worked out again as the index changes.
 * When watching fails, the index is synced every REFRESH_EVERY_MS instead.
 */
export class IndexKeeper {
  private local: KeptIndex | undefined;
  private folders: readonly string[] = [];
  private lastProgress = 0;
  /** Progress is said for the first sync only: later ones read few files, and quickly. */
  private firstSync = true;
  private rewatchTimer: NodeJS.Timeout | undefined;
  private refresher: NodeJS.Timeout | undefined;
  private readonly watcher: FolderWatcher;

  /** `say`: progress and status for the client (a failure as an error); `log`: diagnostics for a person (stderr). */
  constructor(
    private readonly say: (level: 'info' | 'error', message: string) => void,
    private readonly log: (message: string) => void,
  ) {
    this.watcher = new FolderWatcher({
      onChange: paths =>
        void this.local?.update(paths).catch((e: unknown) => this.log(`index update failed: ${String(e)}`)),
      onError: reason => {
        this.log(`${reason}; the index is brought up to date every ${REFRESH_EVERY_MS / 1000} s instead`);
        this.refresher = setInterval(() => void this.local?.refresh().catch(() => undefined), REFRESH_EVERY_MS);
      },
    });
  }

  /** What to open the index with, so that the keeper hears its progress and changes. */
  readonly hooks: Pick<WorkspaceIndexConfig, 'onProgress' | 'onChange'> = {
    onProgress: ({ done, total }) => {
      const now = Date.now();
      if (!this.firstSync || (now - this.lastProgress < PROGRESS_EVERY_MS && done < total)) return;
      this.lastProgress = now;
      this.say('info', `indexing: ${done} of ${total} files read`);
    },
    onChange: () => {
      if (this.rewatchTimer) clearTimeout(this.rewatchTimer);
      this.rewatchTimer = setTimeout(() => this.watchIndexedFolders(), REWATCH_DELAY_MS);
      this.rewatchTimer.unref();
    },
  };

  /**
   * Syncs the index, starts watching, then syncs once more to catch what changed before the watch began. Resolves
   * when all of that is done; a failed first sync is said to the client and logged, and nothing is watched.
   */
  async start(local: KeptIndex, folders: readonly string[]): Promise<void> {
    this.local = local;
    this.folders = folders;
    const started = Date.now();
    this.say('info', `indexing ${folders.length === 1 ? 'the folder' : `${folders.length} folders`}…`);
    try {
      const stats = await local.refresh();
      this.say('info', `index ready: ${stats.files} files, ${stats.chunks} chunks (${Date.now() - started} ms)`);
    } catch (e) {
      // the client's agent reads why its searches fail; the person reading stderr too
      const failed = `indexing failed: ${e instanceof Error ? e.message : String(e)}`;
      this.log(failed);
      this.say('error', failed);
      return;
    } finally {
      this.firstSync = false;
    }
    this.watchIndexedFolders();
    await local.refresh().catch(() => undefined);
  }

  dispose(): void {
    if (this.rewatchTimer) clearTimeout(this.rewatchTimer);
    if (this.refresher) clearInterval(this.refresher);
    this.watcher.dispose();
  }

  private watchIndexedFolders(): void {
    if (this.local) this.watcher.watch(foldersToWatch(this.folders, this.local.fileLocations()));
  }
}
