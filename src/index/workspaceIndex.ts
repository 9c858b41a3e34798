import { stat } from 'node:fs/promises';
import { basename, resolve, sep } from 'node:path';
import { createYielder } from './base/yieldToEventLoop';
import { INSTALL_BUDGET_MS, runSyncTask } from './build/indexWorkerClient';
import { syncInOwnSession } from './build/syncProcess';
import { manifestOf, sameFolders } from './build/syncIndex';
import type { SyncProgress, SyncResult } from './build/syncRequest';
import { transferList } from './build/workerMessages';
import { fileList, updateFiles } from './build/updateFiles';
import { createFileFilter, type AdmittedFile } from './discovery/fileFilter';
import { emptySkipCounts } from './discovery/skipReasons';
import { binaryDocumentKind } from './documents/documents';
import { fileCountLimit, IGNORE_FILES, walkedFolders, type DiscoveryRules } from './discovery/walkFolders';
import { rowCount } from './segments/fileTable';
import { fileLimitNotice, indexStats, type IndexStats } from './segments/indexStats';
import { SegmentedIndex, type IndexHit } from './segments/segmentedIndex';
import { IndexStore, snapshotOf, StoreChangedError } from './store/indexStore';
import { termWeightTable, type TermWeightTable } from './termWeightTable';

export type { IndexStats } from './segments/indexStats';

export interface WorkspaceIndexConfig {
  /** The folders to index (absolute paths), read at each sync. */
  folders: () => readonly string[];
  /** File-selection settings, read at each sync and update. */
  rules?: () => DiscoveryRules;
  /** Where the index is kept between sessions (VS Code: `context.storageUri`); none = memory only. */
  storeDir?: string;
  /** The worker script, or `false` to sync in-process; default: indexWorker.js beside the bundle. */
  workerFile?: string | false;
  /** Files read so far while syncing. */
  onProgress?: (progress: SyncProgress) => void;
  /** The index changed (a sync finished, an update landed, a merge). */
  onChange?: (stats: IndexStats) => void;
  /** Something the user should hear about once: a damaged store that was rebuilt, a store that cannot be saved. */
  onNotice?: (message: string) => void;
  /** How long incremental changes wait before they are saved (they are searchable at once). */
  persistDelayMs?: number;
  /** A sync started (true) or the last one ended (false): syncs the index starts itself too (a big batch, a merge). */
  onSyncing?: (syncing: boolean) => void;
  /** A save of incremental changes began from the index as it is now; `saved` says whether it was written. */
  onSaving?: (saved: Promise<boolean>) => void;
}

/** The folders to index (absolute paths) and the file-selection rules, as the config gives them now. */
export function indexScope(config: Pick<WorkspaceIndexConfig, 'folders' | 'rules'>): {
  folders: string[];
  rules: DiscoveryRules;
} {
  return { folders: config.folders().map(f => resolve(f)), rules: config.rules?.() ?? {} };
}

/**
 * The workspace index as the surfaces use it. Full syncs (first open, Rebuild, settings changes, a big merge)
 * run in a worker against the store; saved files are applied in-process in milliseconds as a small segment plus
 * deletions, searchable at once and saved shortly after; small segments are merged as they pile up. Queries
 * always run in-process against the current in-memory index.
 */
export class WorkspaceIndex {
  private current: SegmentedIndex | undefined;
  private folders: string[] = [];
  private store: IndexStore | undefined;
  private walkSkipped = emptySkipCounts();
  private lastSync: Pick<IndexStats, 'timings' | 'filesRead' | 'filesUnchanged'> = {
    timings: { discoverMs: 0, indexMs: 0, readMs: 0, saveMs: 0, threads: 0 },
    filesRead: 0,
    filesUnchanged: 0,
  };
  private builtAt = 0;
  /** Why the index in use is not in its store: the last save failed (see IndexStats.saveProblem). */
  private saveProblem: string | undefined;
  private syncing: { promise: Promise<IndexStats>; controller: AbortController } | undefined;
  /** Incremental changes not yet written to the store (a sync writes its own result). */
  private unsaved = false;
  /** Files changed while a sync ran: applied on top of its result. */
  private readonly dirty = new Set<string>();
  private updates: Promise<unknown> = Promise.resolve();
  /** The warm-up of the index being served (see `warm`). */
  private warming: Promise<void> = Promise.resolve();
  private persistTimer: NodeJS.Timeout | undefined;
  /** The last save of incremental changes that was started (it may wait for the store's lock). */
  private saving: Promise<void> = Promise.resolve();
  private readonly told = new Set<string>();
  private disposed = false;
  /** Loading the saved index on this thread at the first sync: true once it is installed. */
  private openingSaved: Promise<boolean> | undefined;

  constructor(private readonly config: WorkspaceIndexConfig) {}

  /**
   * The index to search: the saved one as soon as it is loaded (the first sync checks it against the disk
   * meanwhile), else the first sync's result (starting it if needed).
   */
  async ready(): Promise<SegmentedIndex> {
    if (this.current) return this.current;
    const sync = this.syncing?.promise ?? this.sync();
    const saved = this.openingSaved?.then(opened => (opened ? undefined : sync));
    await Promise.race(saved ? [sync, saved] : [sync]);
    if (!this.current) throw new Error('The index is not available.');
    return this.current;
  }

  /** Folders of the current index (0 before the first sync). */
  get folderCount(): number {
    return this.folders.length;
  }

  /** The folders the current index was built from (absolute paths; none before the first sync). */
  get indexedFolders(): readonly string[] {
    return this.folders;
  }

  get isSyncing(): boolean {
    return this.syncing !== undefined;
  }

  /**
   * The counts once the sync in progress has ended, however it ended (at once when none runs). `ready` resolves as
   * soon as the saved index is loaded, while the first sync may still be finding files that appeared since.
   */
  async synced(): Promise<IndexStats | undefined> {
    while (this.syncing) await this.syncing.promise.catch(() => undefined);
    return this.stats();
  }

  /** Brings the index up to date with the disk in the worker; a sync already running is cancelled first. */
  sync(options: { fromScratch?: boolean } = {}): Promise<IndexStats> {
    this.syncing?.controller.abort();
    const controller = new AbortController();
    if (!this.current && !this.openingSaved && !options.fromScratch)
      this.openingSaved = this.openSaved(controller.signal);
    const promise = this.runSync(options.fromScratch ?? false, controller.signal).finally(() => {
      if (this.syncing?.promise !== promise) return;
      this.syncing = undefined;
      this.config.onSyncing?.(false);
      // changes parked for this sync that it did not apply (it was cancelled, or failed) are applied to the index
      // in use: else a file saved meanwhile stays as it was until some later sync. A batch that needs a sync (a new
      // folder, an ignore file, many files) starts none: the sync just stopped would start again, Cancel Indexing
      // undone; the next sync's walk finds those changes.
      if (this.dirty.size > 0 && this.current && !this.disposed) {
        const parked = [...this.dirty];
        this.dirty.clear();
        const run = this.updates.then(() => this.applyUpdates(parked, false));
        this.updates = run.then(
          () => undefined,
          () => undefined,
        );
      }
    });
    this.syncing = { promise, controller };
    this.config.onSyncing?.(true);
    return promise;
  }

  /** Stops a sync in progress; the index in use (if any) stays. */
  cancel(): void {
    this.syncing?.controller.abort();
  }

  /** Re-reads these files (saved, created, deleted, renamed; folders too). Resolves once they are searchable. */
  update(locations: readonly string[]): Promise<void> {
    if (!this.current || this.syncing) {
      this.park(locations);
      // once the sync ends, and the index in use took what it left parked (see `sync`)
      const settled = (): Promise<unknown> => this.updates;
      return this.syncing?.promise.then(settled, settled).then(() => undefined) ?? Promise.resolve();
    }
    // A batch queued behind one that started a sync is parked for that sync, as one that comes while it runs: the sync
    // began after these changes, so its walk finds them, where starting it again would throw away its work.
    const run = this.updates.then(() => (this.syncing ? (this.park(locations), true) : this.applyUpdates(locations)));
    this.updates = run.then(
      () => undefined,
      () => undefined,
    );
    // A batch handed to a sync is searchable once that sync is installed.
    return run.then(handed =>
      handed
        ? this.syncing?.promise.then(
            () => undefined,
            () => undefined,
          )
        : undefined,
    );
  }

  /** Keeps changes for the sync under way (or the first) to apply on top of its result. */
  private park(locations: readonly string[]): void {
    for (const l of locations) this.dirty.add(l);
  }

  /** The k best chunks; empty before the first sync finished. */
  search(query: string, k: number): IndexHit[] {
    return this.current?.search(query, k) ?? [];
  }

  /** Term weights of the index in use, for weighing a claim's terms; undefined before the first sync. */
  termWeights(): Promise<((term: string) => number) | undefined> {
    const current = this.current;
    return Promise.resolve(current && ((term: string) => current.termWeight(term)));
  }

  /**
   * The weights `texts`' terms and the index's most common terms have in the index in use, and what any other
   * term weighs (see termWeightTable); undefined before the first sync. What the index worker sends the host.
   */
  termWeightTable(texts: readonly string[]): TermWeightTable | undefined {
    return this.current && termWeightTable(this.current, texts);
  }

  /**
   * The bytes the index in use holds in WebAssembly memories (its scorers: postings and lengths) and in the other
   * buffers of its arrays (segments, deletions, file table): a sync worker's buffers, transferred, are in no
   * thread's `arrayBuffers`.
   */
  heldBytes(): { wasmBytes: number; bufferBytes: number } {
    const index = this.current;
    if (!index) return { wasmBytes: 0, bufferBytes: 0 };
    const scored = index.segmentList.filter(s => s.scorerByteSize > 0);
    // a readied segment's postings and lengths are views of its scorer's memory
    const memories = new Set<ArrayBufferLike>(scored.map(s => s.data.postings.buffer));
    return {
      wasmBytes: scored.reduce((sum, s) => sum + s.scorerByteSize, 0),
      bufferBytes: transferList(index.snapshot())
        .filter(b => !memories.has(b))
        .reduce((sum, b) => sum + b.byteLength, 0),
    };
  }

  /** The folders a sync's walk would enter now (the roots included), by the same rules: where files can appear. */
  walkedFolders(): Promise<string[]> {
    const { folders, rules } = indexScope(this.config);
    return walkedFolders(folders, rules);
  }

  stats(): IndexStats | undefined {
    if (!this.current) return undefined;
    const stats = indexStats(this.current, this.walkSkipped, { builtAt: this.builtAt, ...this.lastSync });
    return this.saveProblem ? { ...stats, saveProblem: this.saveProblem } : stats;
  }

  /**
   * Saves pending incremental changes now (writes nothing when everything is saved already), after any sync in
   * progress — a background merge runs as one — so that nothing writes to the store once this resolves.
   */
  async flush(): Promise<void> {
    do {
      await this.syncing?.promise.catch(() => undefined);
      await this.saveNow();
    } while (this.syncing || this.persistTimer);
  }

  dispose(): void {
    void this.close();
  }

  /** Like dispose, and resolves once the last save of pending changes has ended (written or not). */
  async close(): Promise<void> {
    this.disposed = true;
    this.syncing?.controller.abort();
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
      await this.persist(); // best effort: the next start re-reads whatever did not make it
    } else await this.saving;
  }

  /**
   * Writes pending incremental changes, after any save under way; loops because an update landing meanwhile schedules
   * another save (or its timer starts one), until no save is pending or running.
   */
  private async saveNow(): Promise<void> {
    for (;;) {
      if (this.persistTimer) clearTimeout(this.persistTimer);
      this.persistTimer = undefined;
      await this.updates;
      const saving = this.saving;
      await saving;
      if (this.unsaved) await this.persist();
      else if (this.saving === saving && !this.persistTimer) return;
    }
  }

  private async runSync(fromScratch: boolean, signal: AbortSignal): Promise<IndexStats> {
    await this.saveNow().catch(() => undefined);
    const { folders, rules } = indexScope(this.config);
    const { storeDir } = this.config;
    const request = { folders, rules, storeDir, fromScratch };
    // A build from nothing reads every file: on Linux it runs in a session of its own (see syncInOwnSession). A
    // check of a saved index against the disk is short, and hands back the whole index it loaded, which a thread
    // passes over without copying it through a process's channel.
    const fromNothing = fromScratch || !storeDir || !(await new IndexStore(storeDir).hasIndex());
    const result = await runSyncTask(request, {
      signal,
      onProgress: this.config.onProgress,
      workerFile: this.config.workerFile,
      ownSession: fromNothing && syncInOwnSession(),
    });
    signal.throwIfAborted();
    const index = await SegmentedIndex.open(result.snapshot, createYielder(signal, INSTALL_BUDGET_MS));
    this.install(index, result, folders);
    this.warm(index, true);
    // updates that land while the batch below is applied are parked in `dirty` too (a sync is still under way)
    while (this.dirty.size > 0 && this.current === index && !signal.aborted) {
      const again = [...this.dirty];
      this.dirty.clear();
      await this.applyUpdates(again);
    }
    return this.stats() as IndexStats;
  }

  /**
   * Loads the saved index here, in steps of a few ms, and serves it until the sync (which reads the same store in
   * the worker, checks it against the disk and reports any damage) hands over its result. Any problem: false.
   */
  private async openSaved(signal: AbortSignal): Promise<boolean> {
    const dir = this.config.storeDir;
    if (!dir) return false;
    try {
      const folders = this.config.folders().map(f => resolve(f));
      const step = createYielder(signal, INSTALL_BUDGET_MS);
      const stored = await new IndexStore(dir).load(step);
      if (!stored || this.current || !sameFolders(stored.manifest.folders, folders)) return false;
      const index = await SegmentedIndex.open(snapshotOf(stored), step);
      if (this.current || this.disposed) return false;
      this.current = index;
      this.folders = folders;
      this.walkSkipped = { ...emptySkipCounts(), ...stored.manifest.walkSkipped };
      this.builtAt = stored.manifest.builtAt;
      this.changed();
      this.warm(index, true);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Readies `index` for fast queries while the host is idle, in steps of a few ms: each segment's WebAssembly scorer
   * (new segments only, after an update), then, with `bounds`, the MaxScore bounds of its common terms. `warmed()`
   * resolves once that is done.
   */
  private warm(index: SegmentedIndex, bounds: boolean): void {
    const step = createYielder(undefined, INSTALL_BUDGET_MS);
    const wanted = (): boolean => this.current === index && !this.disposed;
    const run = this.warming.then(async () => {
      await index.prepareScorers(step, wanted);
      if (bounds) await index.warmBounds(step, wanted);
    });
    this.warming = run.catch(() => undefined);
  }

  /** Resolves once the index is readied for fast queries (see `warm`); queries are exact before, only slower. */
  warmed(): Promise<void> {
    return this.warming;
  }

  private install(index: SegmentedIndex, result: SyncResult, folders: string[]): void {
    this.current = index;
    this.folders = folders;
    this.walkSkipped = result.walkSkipped;
    this.builtAt = result.stats.builtAt;
    this.lastSync = {
      timings: result.stats.timings,
      filesRead: result.stats.filesRead,
      filesUnchanged: result.stats.filesUnchanged,
    };
    this.saveProblem = result.saveProblem;
    const dir = this.config.storeDir;
    this.store =
      dir && !result.storeRefused
        ? new IndexStore(dir, result.saveProblem ? [] : (result.storedSegments ?? []), result.manifestStamp)
        : undefined;
    if (result.storeProblem) this.notice(`Grounded rebuilt the workspace index: ${result.storeProblem}.`);
    if (result.storeRefused && result.saveProblem) this.notice(result.saveProblem);
    else if (result.saveProblem) {
      // the manifest saved before, when the failed save left one, still holds all but what changed since
      const next =
        (result.manifestStamp ?? 'none') === 'none'
          ? 'the next start reads every file again'
          : 'the next start reads the files changed since the index was last saved';
      this.notice(`Grounded could not save the workspace index: ${result.saveProblem}. It works, but ${next}.`);
    }
    const over = result.walkSkipped['file-limit'];
    if (over > 0) this.notice(fileLimitNotice(over), 'file-limit'); // once: the count moves with every sync
    this.changed();
  }

  /**
   * Applies a batch here, or hands it to a sync in the worker (then true): a new folder, many files to read, or a PDF
   * or Word document (extracted only in the worker, never on this thread). Without `mayStartSync` such a batch is
   * left for the next sync to find.
   */
  private async applyUpdates(locations: readonly string[], mayStartSync = true): Promise<boolean> {
    const index = this.current;
    if (!index || this.disposed) return false;
    const rules = this.config.rules?.() ?? {};
    const admit = createFileFilter(this.folders, rules);
    const candidates: AdmittedFile[] = [];
    /** Candidates whose (mtime, size) the index does not hold: the files an update reads. */
    let toRead = 0;
    let documents = false;
    const gone: string[] = [];
    let needsWalk = false;
    for (const location of new Set(locations)) {
      // the batch goes to a sync already: the rest of it is not looked at here (a branch switch reports thousands)
      if (needsWalk || documents || toRead > IN_PROCESS_BATCH) break;
      if ((IGNORE_FILES as readonly string[]).includes(basename(location))) needsWalk = true;
      const admitted = await admit(location);
      if (admitted) {
        candidates.push(admitted);
        const old = index.file(admitted.location);
        // a file the index does not hold may stand where a folder was (deleted, then a file made in its place): the
        // folder's indexed files are gone
        if (!old) gone.push(location);
        if (old?.mtimeMs === admitted.mtimeMs && old.size === admitted.size) continue;
        toRead++;
        documents ||= binaryDocumentKind(admitted.path) !== undefined;
        continue;
      }
      if ((await stat(location).catch(() => undefined))?.isDirectory()) {
        // a folder appeared (created, renamed, moved in): only a walk finds its files, unless the walk does not
        // enter it (a build's out/, an npm install's node_modules/x): then it holds none. A file indexed at its
        // path was replaced by it, and is gone.
        if (index.file(location)) gone.push(location);
        if (await admit.enters(location)) needsWalk = true;
        continue;
      }
      gone.push(location);
    }
    // A walk also keeps to the file limit: new files that may not fit go to one.
    const added = candidates.filter(c => !index.file(c.location)).length;
    const full =
      added > 0 && (this.walkSkipped['file-limit'] > 0 || index.fileCount + added > fileCountLimit(rules.maxFiles));
    if (needsWalk || full || documents || toRead > IN_PROCESS_BATCH) {
      if (!mayStartSync) return false;
      void this.sync().catch(() => undefined);
      return true;
    }
    const removed = await indexedUnder(index, gone, createYielder(undefined, INSTALL_BUDGET_MS));
    const update = await updateFiles(fileList(candidates), l => index.file(l), {
      newSegmentId: () => index.nextSegmentId++,
      maxFileBytes: rules.maxFileBytes,
      documents: rules.documents,
    });
    if (removed.length + rowCount(update.changed) + update.restamped.length > 0) {
      index.replaceFiles(removed, update.changed, update.segments);
      index.restamp(update.restamped);
      // strictly later than the last change, even in the same millisecond: a reader of `builtAt` sees every change
      this.builtAt = Math.max(Date.now(), this.builtAt + 1);
      this.changed();
      this.persistSoon();
      this.warm(index, false);
      setImmediate(() => this.mergeInBackground(index));
    }
    return false;
  }

  /** Small segments are merged here (cheap); a big merge runs in the worker when there is a store to read. */
  private mergeInBackground(index: SegmentedIndex): void {
    if (index !== this.current || this.syncing || this.disposed) return;
    if (index.needsFullMerge() && this.store) {
      void this.sync().catch(() => undefined);
      return;
    }
    const ids = index.needsFullMerge() ? undefined : index.smallSegmentsToMerge();
    if (!ids && !index.needsFullMerge()) return;
    const run = this.updates.then(() => {
      index.merge(ids);
      this.changed();
      this.persistSoon();
      this.warm(index, false);
    });
    this.updates = run.catch(() => undefined);
  }

  private persistSoon(): void {
    if (!this.store) return;
    this.unsaved = true;
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      void this.persist();
    }, this.config.persistDelayMs ?? 500);
  }

  /** Saves the incremental changes now; `saving` is this save until it ends. */
  private persist(): Promise<void> {
    const run = this.save();
    this.saving = run;
    return run;
  }

  private async save(): Promise<void> {
    const index = this.current;
    const store = this.store;
    this.unsaved = false; // with no index or store there is nothing to save (saveNow must not wait for it)
    if (!index || !store) return;
    const save = store.saveUnlessChanged(
      manifestOf(index, this.folders, this.walkSkipped, this.builtAt),
      index.segmentList.map(s => s.data),
    );
    this.config.onSaving?.(
      save.then(
        () => true,
        () => false,
      ),
    );
    try {
      await save;
      this.saveProblem = undefined;
    } catch (e) {
      if (e instanceof StoreChangedError) {
        // Another process saved this store (or is syncing it): its manifest wins, and a sync reads it and checks it
        // against the disk, which holds every change this save had. A sync under way reads it already.
        if (store === this.store && !this.syncing && !this.disposed) void this.sync().catch(() => undefined);
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      this.saveProblem = `the index could not be saved in ${store.dir} (${reason})`;
      this.notice(`Grounded could not save the workspace index in ${store.dir} (${reason}).`);
    }
  }

  private changed(): void {
    const stats = this.stats();
    if (stats) this.config.onChange?.(stats);
  }

  /** Tells the user once per `key` (the message itself by default). */
  private notice(message: string, key = message): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.config.onNotice?.(message);
  }
}

/**
 * Files to read beyond which a batch of changes goes to the worker as a sync (a branch switch, a generated folder):
 * read here, a large batch would hold the host's event loop (a segment is built in one step); as a sync, the host
 * only takes the result in, and the files become searchable a little later.
 */
const IN_PROCESS_BATCH = 256;

/**
 * The indexed files among `gone` (paths that are no longer there: files, or folders with all their files) and the
 * indexed files under any of them. One pass over the index's files at most, in steps (`step`, see createYielder),
 * however many paths are gone: a branch switch or a cleaned build folder reports thousands at once, and a pass per
 * path over a large index would cost thousands of passes.
 */
async function indexedUnder(
  index: SegmentedIndex,
  gone: readonly string[],
  step: () => Promise<void>,
): Promise<string[]> {
  const removed: string[] = [];
  const folders = new Set<string>();
  for (const location of gone) {
    if (index.file(location)) removed.push(location);
    else folders.add(location); // a folder, or a file that was never indexed
  }
  if (folders.size === 0) return removed;
  const shortest = Math.min(...[...folders].map(folder => folder.length));
  let n = 0;
  for (const location of index.fileLocations()) {
    if ((++n & 1023) === 0) await step();
    for (let end = location.lastIndexOf(sep); end >= shortest; end = location.lastIndexOf(sep, end - 1)) {
      if (!folders.has(location.slice(0, end))) continue;
      removed.push(location);
      break;
    }
  }
  return removed;
}
