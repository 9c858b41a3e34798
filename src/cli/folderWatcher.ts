import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';

/** File events are gathered this long, then handed over in one batch (a save writes a file several times). */
const DEBOUNCE_MS = 100;

export interface FolderWatcherOptions {
  /** Changed, created or deleted paths (files or folders), batched. */
  onChange(paths: string[]): void;
  /** Watching failed (too many folders for the system's limit, a folder removed): said once. */
  onError(message: string): void;
  debounceMs?: number;
}

/**
 * Watches the folders the index holds files in, each on its own (one inotify watch a folder). Node's recursive
 * watch is not used: on Linux it reads and watches every file below the root on the main thread, node_modules and
 * .git included. A folder created inside a watched one is reported as a change of that folder (the index walks it)
 * and is watched once the index holds its files.
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const paths = [...this.pending];
      this.pending.clear();
      this.options.onChange(paths);
    }, this.options.debounceMs ?? DEBOUNCE_MS);
  }

  /** A watched folder went away (deleted, renamed): its parent's watcher reports that to the index. */
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

/** The roots, and every folder between a root and a file below it: where a new or changed file shows up. */
export function foldersToWatch(roots: readonly string[], files: Iterable<string>): Set<string> {
  const folders = new Set(roots);
  for (const file of files) {
    const root = roots.find(r => isInside(file, r));
    if (root === undefined) continue;
    for (let dir = dirname(file); dir !== root && !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  return folders;
}

const isInside = (path: string, root: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
};
