import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_FILE_BYTES } from './discovery';
import { readFiles, type FilesToRead, type IndexedFiles, type ReadFilesOptions } from './readFiles';
import { Segment } from './segment';
import type { FileRecord } from './segmentedIndex';
import { reviveSegmentData, type PartMessage, type WorkerTask } from './workerMessages';

/** Threads that may read one batch of files (this one included), and the script they run. */
export interface IndexHelpers {
  workerFile: string;
  threads: number;
  /** Smaller batches are read on this thread alone (starting a helper costs tens of ms). */
  minBytes?: number;
  /** The store each helper writes its segment into as soon as it is built (in parallel, while the others work). */
  storeDir?: string;
}

/** At most this many threads read files: each holds its own dictionaries while it works (measured only with 2). */
export const MAX_INDEX_THREADS = 4;
const MIN_PARALLEL_BYTES = 8 * 1024 * 1024;

/** Helpers for a sync in the index worker: as many threads as the machine has cores, up to MAX_INDEX_THREADS. */
export function indexHelpers(workerFile: string): IndexHelpers {
  return { workerFile, threads: Math.min(MAX_INDEX_THREADS, availableParallelism()) };
}

/**
 * Reads files like `readFiles`, on several threads: the batch is dealt into parts (`splitIntoParts`), each read by
 * a helper worker into its own segment (this thread only coordinates: measured, fresh helpers finish their equal
 * parts together, while a part read here lagged ~10% behind). The parts' segments are kept as they are, not
 * merged: scores use index-wide statistics, so they are those of `readFiles` (same chunks); only document numbers
 * follow the parts (merging two 58k-chunk parts cost ~0.6 s of a 9 s build; queries over the two were as fast).
 * A helper that fails to start or dies has its part read here instead; an abort stops the helpers.
 */
export async function readInParts(files: FilesToRead, options: ReadFilesOptions, helpers: IndexHelpers): Promise<IndexedFiles> {
  const parts = splitIntoParts(files, helpers.threads, helpers.minBytes ?? MIN_PARALLEL_BYTES, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (parts.length < 2) return readFiles(files, options);
  const total = files.candidates.length;
  const done = parts.map(() => 0);
  const progress = (part: number) => (p: { done: number }) => {
    done[part] = p.done;
    options.onProgress?.({ done: done.reduce((a, b) => a + b, 0), total });
  };
  const ids = parts.map(() => options.newSegmentId());
  const partOptions = (part: number): ReadFilesOptions => ({ ...options, newSegmentId: () => ids[part] as number, onProgress: progress(part) });
  let readHere = 0;
  const results = await Promise.all(
    parts.map((part, i) =>
      readInHelper(helpers, part, partOptions(i)).catch(() => {
        // The helper could not do its part (no thread, out of memory, a missing script): read it here.
        options.signal?.throwIfAborted();
        readHere++;
        return readFiles(part, partOptions(i));
      }),
    ),
  );
  return { ...combineParts(files, results), threads: parts.length - readHere + (readHere > 0 ? 1 : 0) };
}

/**
 * The batch dealt into parts: blocks of consecutive files in turn, so every part gets a like mix of the tree
 * (node_modules, C headers and prose cost very different amounts per byte). Blocks are as large as balance allows
 * (at least 8 per part, at most MAX_BLOCK_FILES files): neighbouring files share their vocabulary, and a thread
 * that keeps to one package at a time spends less (blocks of 256 instead of 32 files: ~20% less CPU over the
 * bench corpus). One part when the bytes to read are fewer than `minBytes` (a file the walk did not stat counts
 * as UNSTATED_FILE_BYTES).
 */
export function splitIntoParts(files: FilesToRead, threads: number, minBytes: number, maxFileBytes = DEFAULT_MAX_FILE_BYTES): FilesToRead[] {
  const bytes = files.candidates.reduce((n, { size = UNSTATED_FILE_BYTES }) => n + (size <= maxFileBytes ? size : 0), 0);
  const n = files.candidates.length;
  const count = Math.min(threads, n);
  if (count < 2 || bytes < minBytes) return [files];
  const block = Math.max(1, Math.min(MAX_BLOCK_FILES, Math.floor(n / (count * MIN_BLOCKS_PER_PART))));
  const parts = Array.from({ length: count }, (): FilesToRead => ({ candidates: [], known: [] }));
  files.candidates.forEach((c, i) => {
    const part = parts[Math.floor(i / block) % count] as FilesToRead;
    part.candidates.push(c);
    part.known.push(files.known[i]);
  });
  return parts;
}

const MAX_BLOCK_FILES = 256;
/**
 * What a file the walk did not stat counts for (a first build): more than a typical source file (the bench corpus
 * averages 7 KB), since a needless helper costs ~0.1 s and a missing one can cost seconds.
 */
const UNSTATED_FILE_BYTES = 64 * 1024;
const MIN_BLOCKS_PER_PART = 8;

/** One part read by a helper worker running the index worker script. */
function readInHelper(helpers: IndexHelpers, files: FilesToRead, options: ReadFilesOptions): Promise<IndexedFiles> {
  return new Promise<IndexedFiles>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const task: WorkerTask = { kind: 'files', files, segmentId: options.newSegmentId(), maxFileBytes: options.maxFileBytes, storeDir: helpers.storeDir };
    const worker = new Worker(helpers.workerFile, { workerData: task });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const onAbort = (): void => finish(() => reject(new DOMException('The index build was cancelled.', 'AbortError')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: PartMessage) => {
      if (message.type === 'progress') options.onProgress?.(message);
      else if (message.type === 'part-done') {
        const segment = message.segment ? new Segment(reviveSegmentData(message.segment)) : undefined;
        const written = segment && message.written ? [segment.id] : [];
        finish(() => resolve({ segments: segment ? [segment] : [], written, changed: message.changed, restamped: message.restamped, unchanged: 0, threads: 1 }));
      } else finish(() => reject(Object.assign(new Error(message.message), { stack: message.stack })));
    });
    worker.on('error', e => finish(() => reject(e)));
    worker.on('exit', code => finish(() => reject(new Error(`An index helper stopped (exit code ${code}) before it finished.`))));
  });
}

/** The parts' results as one: their segments in part order, the records in the batch's order. */
function combineParts(files: FilesToRead, results: readonly IndexedFiles[]): IndexedFiles {
  const records = new Map<string, { record: FileRecord; restamped: boolean }>();
  for (const r of results) {
    for (const record of r.changed) records.set(record.location, { record, restamped: false });
    for (const record of r.restamped) records.set(record.location, { record, restamped: true });
  }
  const combined: IndexedFiles = { segments: results.flatMap(r => r.segments), written: results.flatMap(r => r.written), changed: [], restamped: [], unchanged: 0, threads: results.length };
  for (const c of files.candidates) {
    const r = records.get(c.location);
    if (r) (r.restamped ? combined.restamped : combined.changed).push(r.record);
  }
  return combined;
}
