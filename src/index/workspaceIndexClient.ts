import { existsSync } from 'node:fs';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { GroundedError, type ErrorKind } from '../core/errors';
import { DEFAULT_WORKER_FILE } from './build/indexWorkerClient';
import type {
  ErrorData,
  IndexEvent,
  IndexRequest,
  IndexThreadConfig,
  IndexThreadMemory,
  IndexThreadState,
} from './build/indexThreadMessages';
import { quietWorker } from './build/quietWorker';
import { dropLockOf } from './store/storeLock';
import { INDEX_WORKER_HEAP_MB, isOutOfMemory, outOfMemory } from './build/workerLimits';
import type { WorkerTask } from './build/workerMessages';
import { walkedFolders } from './discovery/walkFolders';
import type { IndexStats } from './segments/indexStats';
import type { IndexHit } from './segments/segmentedIndex';
import { weightLookup, type TermWeightTable } from './termWeightTable';
import { indexScope, WorkspaceIndex, type WorkspaceIndexConfig } from './workspaceIndex';

/** The workspace index as its users see it, held on this thread (WorkspaceIndex) or in the index thread (the client). */
export interface WorkspaceIndexHandle {
  ready(): Promise<unknown>;
  /** The counts once the sync in progress has ended, however it ended (at once when none runs). */
  synced(): Promise<IndexStats | undefined>;
  sync(options?: { fromScratch?: boolean }): Promise<IndexStats>;
  cancel(): void;
  update(locations: readonly string[]): Promise<void>;
  search(query: string, k: number): IndexHit[] | Promise<IndexHit[]>;
  termWeights(texts: readonly string[]): Promise<((term: string) => number) | undefined>;
  walkedFolders(): Promise<string[]>;
  stats(): IndexStats | undefined;
  flush(): Promise<void>;
  dispose(): void;
  readonly folderCount: number;
  readonly indexedFolders: readonly string[];
  readonly isSyncing: boolean;
}

export interface WorkspaceIndexClientConfig extends WorkspaceIndexConfig {
  /** The worker script (default: indexWorker.js beside the bundle); the index thread's syncs run it too. */
  workerFile?: string;
  /** Starts a worker thread; tests wrap it to reach the thread. */
  spawn?: (file: string, options: Omit<WorkerOptions, 'stdout'>) => Worker;
}

/** A crashed index thread is started again this many times in a row (without answering a request between) at most. */
const MAX_RESTARTS = 3;
/** How long a closing index thread may take to save its pending changes before it is stopped. */
const CLOSE_TIMEOUT_MS = 10_000;

type RequestBody = {
  [T in IndexRequest['type']]: Omit<Extract<IndexRequest, { type: T }>, 'id'>;
}[IndexRequest['type']];

/**
 * The workspace index held in an index thread (a worker that lives as long as this client): the host keeps only
 * what it is sent — the hits of a query, the counts — and not the postings, dictionary and file table. Requests go
 * by message with ids; the counts, the folders indexed and whether a sync runs are mirrored from what the thread
 * posts when they change, so they are answered at once. The folders and rules are read here (they are the host's
 * settings) and sent with each request that may sync.
 *
 * If the thread dies (a crash, running out of memory), every request in flight fails with a clear error, the user
 * is told once, and a new thread loads the store and syncs it with the disk; the files updated since the last save
 * (kept here) are sent to it again, and queries wait until they are searchable. Nothing is lost: what is not in
 * the store is re-read from the disk.
 */
export class WorkspaceIndexClient implements WorkspaceIndexHandle {
  /** The index thread, started by the first request (a window without folders starts none). */
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();
  private state: IndexThreadState = { stats: undefined, folders: [], syncing: false };
  /** Syncs requested and not answered yet (the thread's `syncing` arrives a message later). */
  private readonly syncs = new Set<object>();
  /** Paths updated and not yet saved by the thread, with the request that sent them last. */
  private readonly unsaved = new Map<string, number>();
  /** After a crash: resolves once the new thread answers as the old one would have. */
  private restarting: Promise<void> | undefined;
  private restarts = 0;
  private broken: GroundedError | undefined;
  private disposed = false;
  private readonly told = new Set<string>();
  private readonly file: string;
  private stop!: () => void;
  /** Resolves once the index thread has stopped after `dispose`. */
  readonly stopped = new Promise<void>(resolve => (this.stop = resolve));

  constructor(private readonly config: WorkspaceIndexClientConfig) {
    this.file = config.workerFile ?? DEFAULT_WORKER_FILE;
  }

  ready(): Promise<unknown> {
    return this.request({ type: 'ready', config: this.threadConfig() });
  }

  get folderCount(): number {
    return this.state.folders.length;
  }

  get indexedFolders(): readonly string[] {
    return this.state.folders;
  }

  get isSyncing(): boolean {
    return this.state.syncing || this.syncs.size > 0;
  }

  synced(): Promise<IndexStats | undefined> {
    return this.request<IndexStats | undefined>({ type: 'synced' });
  }

  async sync(options: { fromScratch?: boolean } = {}): Promise<IndexStats> {
    const token = {};
    this.syncs.add(token);
    try {
      return await this.request<IndexStats>({
        type: 'sync',
        config: this.threadConfig(),
        fromScratch: options.fromScratch ?? false,
      });
    } finally {
      this.syncs.delete(token);
    }
  }

  cancel(): void {
    if (!this.disposed) this.worker?.postMessage({ type: 'cancel' });
  }

  async update(locations: readonly string[]): Promise<void> {
    if (this.restarting) await this.restarting;
    await this.send({ type: 'update', config: this.threadConfig(), locations: [...locations] }, id => {
      for (const location of locations) this.unsaved.set(location, id);
    });
    this.restarts = 0;
  }

  search(query: string, k: number): Promise<IndexHit[]> {
    return this.request<IndexHit[]>({ type: 'search', query, k });
  }

  /** The weights of `texts`' terms, the index's common terms and any other term, from one reply (see TermWeightTable). */
  async termWeights(texts: readonly string[]): Promise<((term: string) => number) | undefined> {
    const table = await this.request<TermWeightTable | undefined>({ type: 'termWeights', texts: [...texts] });
    return table && weightLookup(table);
  }

  walkedFolders(): Promise<string[]> {
    const { folders, rules } = indexScope(this.config);
    return walkedFolders(folders, rules);
  }

  stats(): IndexStats | undefined {
    return this.state.stats;
  }

  flush(): Promise<void> {
    return this.request({ type: 'flush' });
  }

  /** Resolves once the index in use is readied for fast queries (see WorkspaceIndex.warmed). */
  warmed(): Promise<void> {
    return this.request({ type: 'warmed' });
  }

  /** What the index thread holds (its isolate's heap and buffers, its WebAssembly memories). */
  memoryUsage(): Promise<IndexThreadMemory> {
    return this.request({ type: 'memory' });
  }

  /** Saves pending changes (best effort, for a few seconds at most) and stops the index thread. */
  dispose(): void {
    if (this.disposed) return;
    if (this.broken || !this.worker) {
      this.disposed = true;
      return this.stop(); // no thread was started, or the last one has stopped already
    }
    const worker = this.worker;
    const closing = this.send({ type: 'close' });
    this.disposed = true;
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    void closing
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        void worker.terminate();
      });
  }

  private threadConfig(): IndexThreadConfig {
    return indexScope(this.config);
  }

  private start(): Worker {
    const task: WorkerTask = {
      kind: 'index',
      options: { storeDir: this.config.storeDir, persistDelayMs: this.config.persistDelayMs },
    };
    const spawn = this.config.spawn ?? quietWorker;
    const worker = spawn(this.file, {
      workerData: task,
      resourceLimits: { maxOldGenerationSizeMb: INDEX_WORKER_HEAP_MB },
    });
    worker.unref(); // the index thread never keeps a process running by itself
    worker.on('message', (event: IndexEvent) => {
      if (worker === this.worker) this.receive(event);
    });
    worker.on('error', e => this.onStopped(worker, e));
    worker.on('exit', () => this.onStopped(worker));
    return worker;
  }

  private receive(event: IndexEvent): void {
    switch (event.type) {
      case 'reply':
      case 'failed': {
        const waiting = this.pending.get(event.id);
        this.pending.delete(event.id);
        if (event.type === 'reply') waiting?.resolve(event.value);
        else waiting?.reject(errorOf(event.error));
        return;
      }
      case 'state': {
        const changed = event.state.stats !== undefined && event.changed;
        const wasSyncing = this.state.syncing;
        this.state = event.state;
        if (changed && event.state.stats) this.config.onChange?.(event.state.stats);
        // syncs the thread starts itself (a big batch, a new folder, a merge) are told only by these changes
        if (event.state.syncing !== wasSyncing) this.config.onSyncing?.(event.state.syncing);
        return;
      }
      case 'progress':
        return this.config.onProgress?.(event.progress);
      case 'notice':
        return this.notice(event.message);
      case 'saved':
        for (const [location, seq] of this.unsaved) if (seq <= event.seq) this.unsaved.delete(location);
        return;
    }
  }

  /** Sends a request once a restart (if any) is done; rejects if the thread dies before it answers. */
  private async request<T>(body: RequestBody): Promise<T> {
    if (this.restarting) await this.restarting;
    const value = await this.send<T>(body);
    this.restarts = 0; // the thread answers what it is asked: a later crash starts the count again
    return value;
  }

  /** Posts a request now; `posted` hears its id (ids grow in the order requests are posted). */
  private send<T>(body: RequestBody, posted?: (id: number) => void): Promise<T> {
    if (this.disposed) return Promise.reject(new GroundedError('index', 'The index was closed.'));
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: value => resolve(value as T), reject });
      this.worker ??= this.start();
      this.worker.postMessage({ ...body, id } as IndexRequest);
      posted?.(id);
    });
  }

  /** The thread `worker` stopped: after `dispose`, as asked; else it crashed, and is started again. */
  private onStopped(worker: Worker, error?: unknown): void {
    if (worker !== this.worker) return; // one already handled (an 'error' is followed by an 'exit')
    const failure = this.disposed
      ? new GroundedError('index', 'The index was closed.')
      : isOutOfMemory(error)
        ? outOfMemory(INDEX_WORKER_HEAP_MB, error)
        : new GroundedError('index', 'The index stopped unexpectedly; it is restarting. Ask again in a moment.', {
            cause: error,
          });
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.syncs.clear();
    const wasSyncing = this.state.syncing;
    this.state = { ...this.state, syncing: false };
    for (const w of waiting) w.reject(failure);
    if (wasSyncing) this.config.onSyncing?.(false);
    if (this.disposed) return this.stop();
    if (++this.restarts > MAX_RESTARTS) {
      this.broken = new GroundedError(
        'index',
        'The index stopped unexpectedly several times in a row, so it was not restarted. Reload the window to try again.',
        { cause: error },
      );
      this.notice(this.broken.message);
      return;
    }
    this.notice(
      'The workspace index stopped unexpectedly; Grounded restarted it from its saved copy and the files changed since.',
    );
    this.worker = undefined;
    this.restarting = this.restart().finally(() => (this.restarting = undefined));
  }

  /**
   * The new thread loads the store and syncs it with the disk; the files updated since the last save are sent
   * again. Queries wait until those are searchable (or, with none, until the saved index is loaded).
   */
  private async restart(): Promise<void> {
    // the stopped thread's sync could not release the store's lock, and this process lives on: nobody else would
    // take the lock over for a minute, so it goes before the new thread starts (a process runs one index thread per
    // store, so no live thread of it holds that lock now)
    if (this.config.storeDir) await dropLockOf(this.config.storeDir);
    if (this.disposed) return;
    this.worker ??= this.start();
    const config = this.threadConfig();
    void this.send<IndexStats>({ type: 'sync', config, fromScratch: false }).catch(() => undefined);
    const locations = [...this.unsaved.keys()];
    const searchable =
      locations.length > 0
        ? this.send({ type: 'update', config, locations }, id => locations.forEach(l => this.unsaved.set(l, id)))
        : this.send({ type: 'ready', config });
    await searchable.catch(() => undefined);
  }

  /** Tells the user once per message (a new thread would tell what the old one told again). */
  private notice(message: string): void {
    if (this.told.has(message)) return;
    this.told.add(message);
    this.config.onNotice?.(message);
  }
}

/** An error the index thread sent as data, as an Error again: a GroundedError keeps its kind, an AbortError its name. */
function errorOf(data: ErrorData): Error {
  if (data.kind) return new GroundedError(data.kind as ErrorKind, data.message);
  const error = new Error(data.message);
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}

/**
 * The workspace index for the extension: in an index thread, so that the extension host keeps only the hits; on
 * this thread when the worker script is missing (an unusual bundle) or `workerFile` is false (tests).
 */
export function openWorkspaceIndex(config: WorkspaceIndexConfig): WorkspaceIndexHandle {
  const file = config.workerFile ?? DEFAULT_WORKER_FILE;
  if (file === false || !existsSync(file)) return new WorkspaceIndex(config);
  return new WorkspaceIndexClient({ ...config, workerFile: file });
}
