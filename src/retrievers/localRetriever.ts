import { GroundedError } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { WorkspaceIndex, type IndexStats, type WorkspaceIndexOptions } from '../index/workspaceIndex';

export interface LocalRetrieverOptions extends Omit<WorkspaceIndexOptions, 'signal'> {
  /** The workspace folders (absolute paths), read at each build so `refresh` picks up a changed workspace. */
  folders: () => readonly string[];
}

/**
 * The default retriever: the embedded BM25 index over the workspace folders. The index is built on the first
 * search (concurrent first searches share one build) and rebuilt by `refresh()`.
 */
export class LocalRetriever implements Retriever {
  private building: Promise<WorkspaceIndex> | undefined;
  private index: WorkspaceIndex | undefined;
  private readonly lifetime = new AbortController();

  constructor(private readonly options: LocalRetrieverOptions) {}

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    options.signal?.throwIfAborted();
    const index = await raceAbort(this.ready(), options.signal);
    return index.search(query, options.k);
  }

  /** The current index's counts, or undefined before the first build finishes. */
  stats(): IndexStats | undefined {
    return this.index?.stats();
  }

  /** Rebuilds the index from disk; searches meanwhile wait for the new one. */
  refresh(): Promise<IndexStats> {
    this.building = undefined;
    return this.ready().then(index => index.stats());
  }

  /** Stops a build in progress; later searches fail as cancelled. */
  dispose(): void {
    this.lifetime.abort();
  }

  private ready(): Promise<WorkspaceIndex> {
    this.building ??= this.startBuild();
    return this.building;
  }

  private startBuild(): Promise<WorkspaceIndex> {
    const build = this.build();
    build.then(
      index => {
        if (this.building === build) this.index = index;
      },
      () => {
        if (this.building === build) this.building = undefined; // the next search tries again
      },
    );
    return build;
  }

  private async build(): Promise<WorkspaceIndex> {
    const folders = this.options.folders();
    if (folders.length === 0)
      throw new GroundedError('index', 'No folder is open, so there is nothing to search. Open a folder and ask again.');
    const index = await WorkspaceIndex.build(folders, { ...this.options, signal: this.lifetime.signal });
    const stats = index.stats();
    if (stats.chunks === 0) {
      const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
      throw new GroundedError(
        'index',
        `Found no text files to search in the workspace${skipped ? ` (${skipped} skipped as binary, too large or unreadable)` : ''}. ` +
          'Check .gitignore, .groundedignore and files.exclude.',
      );
    }
    return index;
  }
}

/** Resolves as `promise` does, or rejects with an AbortError as soon as `signal` aborts (the promise keeps running). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new DOMException('Aborted', 'AbortError'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      v => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
