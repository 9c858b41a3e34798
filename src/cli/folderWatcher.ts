import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

/**
 * File events are gathered this long from the first, then handed over in one batch (a save writes a file several
 * times). Later events do not put the batch off: a file written without pause (a log, a database) would otherwise
 * hold back every other change for as long as it is written.
 */
const DEBOUNCE_MS = 100;

export interface FolderWatcherOptions {
  /** Changed, created or deleted paths (files or folders), batched. */
  onChange(paths: string[]): void;
  /** Watching failed (too many folders for the system's limit, a folder removed): said once. */
  onError(message: string): void;
  debounceMs?: number;
}

/**
 * Watches the folders it is given, each on its own (one inotify watch a folder). Node's recursive watch is not
 * used: on Linux it reads and watches every file below the root on the main thread, node_modules and .git
 * included. A folder created inside a watched one is reported as a change of that folder, by its path.
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private disposed = false;

  constructor(private readonly options: FolderWatcherOptions) {}

  /** Watches exactly these folders: starts watching new ones, stops watching the rest. */
  watch(folders: Iterable<string>): void {
    if (this.disposed || this.failed) return;
    const wanted = new Set(folders);
    for (const [folder, watcher] of this.watchers)
      if (!wanted.has(folder)) {
        watcher.close();
        this.watchers.delete(folder);
      }
    for (const folder of wanted) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) =>
          this.queue(name ? join(folder, name.toString()) : folder),
        );
        watcher.on('error', () => this.drop(folder));
        this.watchers.set(folder, watcher);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT') continue; // removed since the index read it: its parent's watcher reports it
        this.fail(`cannot watch ${folder} (${code ?? String(e)})`);
        return;
      }
    }
  }

  /** Whether this folder is watched. */
  has(folder: string): boolean {
    return this.watchers.has(folder);
  }

  get watching(): number {
    return this.watchers.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private queue(path: string): void {
    if (this.disposed) return;
    this.pending.add(path);
    if (this.timer) return; // joins the batch the first event started
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const paths = [...this.pending];
      this.pending.clear();
      this.options.onChange(paths);
    }, this.options.debounceMs ?? DEBOUNCE_MS);
  }

  /**
   * Stops watching a folder: one deleted, renamed or made again (a watch follows the folder it began on, so it
   * hears nothing of a new folder at the same path). Its parent's watcher reports the change to the index.
   */
  unwatch(folder: string): void {
    this.drop(folder);
  }

  private drop(folder: string): void {
    this.watchers.get(folder)?.close();
    this.watchers.delete(folder);
  }

  private fail(reason: string): void {
    this.failed = true;
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.options.onError(reason);
  }
}
