import { resolve } from 'node:path';
import { emptySkipCounts, type SkipReason } from '../discovery/skipReasons';
import { walkFolders, type Candidate } from '../discovery/walkFolders';
import { noFiles, rowCount } from '../segments/fileTable';
import { indexStats } from '../segments/indexStats';
import { SegmentedIndex } from '../segments/segmentedIndex';
import { StoreFormatError } from '../store/binaryFormat';
import { IndexStore, manifestStamp, snapshotOf, type StoredIndex } from '../store/indexStore';
import type { Manifest } from '../store/manifestCodec';
import { isTransientFsError } from '../store/readFileBytes';
import { claimStoreFolder, StoreFolderError } from '../store/storeFolder';
import { lockStore } from '../store/storeLock';
import { documentCacheDir, pruneExtractions, type DocumentExtractor } from '../documents/documentCache';
import { binaryDocumentKind } from '../documents/documents';
import type { IndexHelpers } from './helperThreads';
import type { SyncProgress, SyncRequest, SyncResult } from './syncRequest';
import { updateFiles } from './updateFiles';

/**
 * The whole index update, as the worker runs it: load the store (checking it), walk the folders, skip unchanged
 * files by (mtime, size) then content hash, chunk the rest into a new segment, delete what disappeared, merge
 * when deletions pile up, save. Pure Node: runs the same in-process (tests, fallback) and in a worker thread.
 */
export async function syncIndex(request: SyncRequest, options: SyncOptions = {}): Promise<SyncResult> {
  // one sync of a store at a time, across processes: a second one waits and then reads what the first saved
  const release = request.storeDir ? await lockIfOurs(request.storeDir, options.signal) : undefined;
  try {
    await syncHold.whileLocked();
    return await syncLocked(request, options);
  } finally {
    await release?.();
  }
}

/**
 * Where a sync may be held: once it holds the store's lock, before it reads the store and the folders. Nothing is
 * held here; a test's worker script (test/fakes/heldSyncWorker.ts) fills it, to act while a sync is surely under way.
 */
export const syncHold: { whileLocked: () => Promise<void> | void } = { whileLocked: () => undefined };

interface SyncOptions {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  helpers?: IndexHelpers;
  /** Extracts PDFs' and Word documents' text (the index worker's); without one they are read as binaries. */
  extractor?: DocumentExtractor;
}

/**
 * The store's lock, once its folder is Grounded's (claimed: made and marked, as the first save would); undefined
 * for a folder Grounded may not write in (the sync then keeps the index in memory, or fails to save, and says so).
 * Only a cancelled wait throws.
 */
async function lockIfOurs(dir: string, signal?: AbortSignal): Promise<(() => Promise<void>) | undefined> {
  try {
    await claimStoreFolder(dir);
    return await lockStore(dir, signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    return undefined;
  }
}

async function syncLocked(request: SyncRequest, options: SyncOptions): Promise<SyncResult> {
  const t0 = performance.now();
  const folders = request.folders.map(f => resolve(f));
  let store = request.storeDir ? new IndexStore(request.storeDir) : undefined;
  let storeProblem: string | undefined;
  let refused: StoreFolderError | undefined;
  let unreadable: string | undefined;
  let stored: StoredIndex | undefined;
  try {
    stored = await store?.load();
  } catch (e) {
    if (e instanceof StoreFolderError) {
      refused = e;
      store = undefined; // memory only: the folder is not touched
    } else if (isTransientFsError(e)) {
      // Still failing after a few tries, but nothing says the saved index is damaged: it is kept as it is (this sync
      // writes nothing there, not even a helper's segment, which could take the name of one it holds).
      unreadable = `the saved index in ${request.storeDir} could not be read (${errorText(e)}); it is kept as it was, and the index was built in memory`;
      store = undefined;
    } else {
      storeProblem =
        e instanceof StoreFormatError
          ? e.reason === 'old-version'
            ? `the saved index was written by another version of Grounded (${e.message})`
            : `the saved index was unusable (${e.message})`
          : `the saved index could not be read (${errorText(e)})`;
      await store?.clear().catch(() => undefined);
    }
  }
  const reuse = stored !== undefined && !request.fromScratch && sameFolders(stored.manifest.folders, folders);
  const index = new SegmentedIndex(
    reuse && stored
      ? snapshotOf(stored)
      : { segments: [], deletions: [], files: noFiles(), nextSegmentId: stored?.manifest.nextSegmentId ?? 1 },
  );
  // Without a stored index every file is read, and reading learns its size and mtime: the walk need not stat.
  // Files are read (by helpers, for a large batch) while the walk is still finding the rest.
  let walked: Awaited<ReturnType<typeof walkFolders>> = { candidates: [], skipped: emptySkipCounts() };
  let t1 = t0;
  const walk = async (found: (c: Candidate) => void): Promise<void> => {
    walked = await walkFolders(folders, {
      ...request.rules,
      signal: options.signal,
      statFiles: reuse,
      onCandidate: found,
    });
    t1 = performance.now();
  };
  // Extracted documents are kept in the store's folder, once it is claimed (nothing is written to a folder before).
  const documentCache = store
    ? await store.claimFolder().then(
        () => documentCacheDir(store.dir),
        () => undefined,
      )
    : undefined;
  const update = await updateFiles(walk, location => index.file(location), {
    newSegmentId: () => index.nextSegmentId++,
    maxFileBytes: request.rules.maxFileBytes,
    documents: request.rules.documents,
    extractor: options.extractor,
    documentCache,
    signal: options.signal,
    onProgress: options.onProgress,
    helpers: options.helpers && store ? { ...options.helpers, storeDir: store.dir } : options.helpers,
  });
  const { candidates, skipped: walkSkipped } = walked;
  const present = new Set(candidates.map(c => c.location));
  const removed = [...index.fileLocations()].filter(location => !present.has(location));
  store?.markWritten(update.written);
  const t2 = performance.now();
  index.replaceFiles(removed, update.changed, update.segments);
  index.restamp(update.restamped);
  const unmerged = segmentIds(index);
  if (index.needsFullMerge()) index.merge();
  else {
    const small = index.smallSegmentsToMerge();
    if (small) index.merge(small);
  }
  // a merge (the one a live index asks a sync for, when its deletions pile up) changes no file but the segments: they
  // are saved too, or the index handed back would hold segments its store does not, which the next save names
  const merged = segmentIds(index) !== unmerged;
  const changed = !reuse || removed.length > 0 || rowCount(update.changed) > 0 || update.restamped.length > 0;
  if (documentCache && changed) await pruneExtractions(documentCache, documentHashes(index));
  const builtAt = changed ? Date.now() : (stored?.manifest.builtAt ?? Date.now());
  let saveProblem: string | undefined;
  const t3 = performance.now();
  if (store && (changed || merged || storeProblem)) {
    try {
      await store.save(
        manifestOf(index, folders, walkSkipped, builtAt),
        index.segmentList.map(s => s.data),
      );
    } catch (e) {
      saveProblem = `the index could not be saved in ${store.dir} (${errorText(e)})`;
    }
  }
  const t4 = performance.now();
  const timings = { discoverMs: t1 - t0, indexMs: t4 - t1, readMs: t2 - t1, saveMs: t4 - t3, threads: update.threads };
  const stats = indexStats(index, walkSkipped, {
    builtAt,
    timings,
    filesRead: rowCount(update.changed) + update.restamped.length,
    filesUnchanged: update.unchanged,
  });
  const result: SyncResult = { snapshot: index.snapshot(), walkSkipped, stats };
  if (storeProblem) result.storeProblem = storeProblem;
  if (saveProblem) result.saveProblem = saveProblem;
  if (unreadable) result.saveProblem = unreadable;
  if (refused) {
    result.saveProblem = refused.message;
    result.storeRefused = true;
  }
  // the stamp of a kept store that could not be read lets the index's next save replace it, with every file
  const stampDir = store?.dir ?? (unreadable ? request.storeDir : undefined);
  const stamp = stampDir && (await manifestStamp(stampDir).catch(() => undefined));
  if (stamp) result.manifestStamp = stamp;
  if (store && !saveProblem) {
    const live = new Set(index.segmentList.map(s => s.id));
    result.storedSegments = store.storedSegments().filter(([id]) => live.has(id));
  }
  return result;
}

const segmentIds = (index: SegmentedIndex): string => index.segmentList.map(s => s.id).join(',');

/** The hashes of the bytes of the PDFs and Word documents the index holds (skipped ones too: their entry says why). */
function documentHashes(index: SegmentedIndex): Set<string> {
  const hashes = new Set<string>();
  for (const location of index.fileLocations()) {
    const file = index.file(location);
    if (file && binaryDocumentKind(file.path) !== undefined) hashes.add(file.hash);
  }
  return hashes;
}

export function manifestOf(
  index: SegmentedIndex,
  folders: readonly string[],
  walkSkipped: Record<SkipReason, number>,
  builtAt: number,
): Manifest {
  const snapshot = index.snapshot();
  return {
    folders: [...folders],
    segmentIds: snapshot.segments.map(s => s.id),
    deletions: snapshot.deletions,
    files: snapshot.files,
    nextSegmentId: snapshot.nextSegmentId,
    walkSkipped: { ...emptySkipCounts(), ...walkSkipped },
    builtAt,
  };
}

export const sameFolders = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((f, i) => f === b[i]);

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
