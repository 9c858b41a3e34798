import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_FILE_BYTES } from './discovery';
import { readFiles, type FilesToRead, type IndexedFiles, type ReadFilesOptions } from './readFiles';
import { Segment } from './segment';
import type { FileRecord } from './fileTable';
import { reviveSegmentData, type HelperCommand, type PartMessage, type WorkerTask } from './workerMessages';

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
 * Reads files like `readFiles`, on several threads: the batch is cut into blocks (`splitIntoBlocks`) and each
 * helper worker is handed the next block whenever it has finished one, reading them all into its own segment
 * (this thread only coordinates: measured, a part read here lagged ~10% behind the helpers). Handing blocks out
 * as helpers ask evens out their finish (dealt in advance, one part finished up to 0.5 s after the other over the
 * bench corpus). The helpers' segments are kept as they are, not merged: scores use index-wide statistics, so
 * they are those of `readFiles` (same chunks); only document numbers follow the helpers (merging two 58k-chunk
 * parts cost ~0.4 s of an 8 s build, and queries over both are as fast). A helper that fails to start or dies
 * has its blocks, and those nobody took yet, read here instead; an abort stops the helpers.
 */
export async function readInParts(files: FilesToRead, options: ReadFilesOptions, helpers: IndexHelpers): Promise<IndexedFiles> {
  const blocks = splitIntoBlocks(files, helpers.threads, helpers.minBytes ?? MIN_PARALLEL_BYTES, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  const count = Math.min(helpers.threads, blocks.length);
  if (count < 2) return readFiles(files, options);
  const total = files.candidates.length;
  const done = new Array<number>(count + 1).fill(0);
  const progress = (part: number) => (read: number) => {
    done[part] = read;
    options.onProgress?.({ done: done.reduce((a, b) => a + b, 0), total });
  };
  const ids = Array.from({ length: count }, () => options.newSegmentId());
  const queue = [...blocks];
  const failed: FilesToRead[] = [];
  const results = await Promise.all(
    ids.map(async (id, i) => {
      const taken: FilesToRead[] = [];
      try {
        return await readInHelper(helpers, id, queue, taken, options, progress(i));
      } catch {
        // The helper could not do its part (no thread, out of memory, a missing script): its blocks are read here.
        options.signal?.throwIfAborted();
        progress(i)(0);
        failed.push(...taken, ...queue.splice(0));
        return undefined;
      }
    }),
  );
  const read = results.filter((r): r is IndexedFiles => r !== undefined);
  const helped = read.length;
  if (failed.length > 0) {
    const unusedId = ids[results.indexOf(undefined)] as number; // a failed helper's segment never came
    read.push(await readFiles(joinBlocks(failed), { ...options, newSegmentId: () => unusedId, onProgress: p => progress(count)(p.done) }));
  }
  return { ...combineParts(files, read), threads: helped + (failed.length > 0 ? 1 : 0) };
}

/**
 * The batch cut into blocks of consecutive files, as large as balance allows (at least 8 per thread, at most
 * MAX_BLOCK_FILES files): neighbouring files share their vocabulary, and a thread that keeps to one package at a
 * time spends less (blocks of 256 instead of 32 files: ~20% less CPU over the bench corpus). One block when the
 * bytes to read are fewer than `minBytes` (a file the walk did not stat counts as UNSTATED_FILE_BYTES).
 */
export function splitIntoBlocks(files: FilesToRead, threads: number, minBytes: number, maxFileBytes = DEFAULT_MAX_FILE_BYTES): FilesToRead[] {
  const bytes = files.candidates.reduce((n, { size = UNSTATED_FILE_BYTES }) => n + (size <= maxFileBytes ? size : 0), 0);
  const n = files.candidates.length;
  if (Math.min(threads, n) < 2 || bytes < minBytes) return [files];
  const size = Math.max(1, Math.min(MAX_BLOCK_FILES, Math.floor(n / (threads * MIN_BLOCKS_PER_THREAD))));
  const blocks: FilesToRead[] = [];
  for (let from = 0; from < n; from += size) blocks.push({ candidates: files.candidates.slice(from, from + size), known: files.known.slice(from, from + size) });
  return blocks;
}

const MAX_BLOCK_FILES = 256;
const MIN_BLOCKS_PER_THREAD = 8;
/**
 * What a file the walk did not stat counts for (a first build): more than a typical source file (the bench corpus
 * averages 7 KB), since a needless helper costs ~0.1 s and a missing one can cost seconds.
 */
const UNSTATED_FILE_BYTES = 64 * 1024;
/** Blocks a helper holds at once: the one it reads and the next, so it never waits for a message. */
const BLOCKS_IN_FLIGHT = 2;

const joinBlocks = (blocks: readonly FilesToRead[]): FilesToRead => ({ candidates: blocks.flatMap(b => b.candidates), known: blocks.flatMap(b => b.known) });

/**
 * One helper worker reading blocks from `queue` into segment `segmentId` until the queue is empty; every block
 * sent is also put in `taken` (if the helper fails, they are what it leaves undone). `onRead` hears how many files
 * it has read, after each block.
 */
function readInHelper(
  helpers: IndexHelpers,
  segmentId: number,
  queue: FilesToRead[],
  taken: FilesToRead[],
  options: Pick<ReadFilesOptions, 'maxFileBytes' | 'signal'>,
  onRead: (done: number) => void,
): Promise<IndexedFiles> {
  return new Promise<IndexedFiles>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const task: WorkerTask = { kind: 'reader', segmentId, maxFileBytes: options.maxFileBytes, storeDir: helpers.storeDir };
    const worker = new Worker(helpers.workerFile, { workerData: task });
    let settled = false;
    let ended = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    const sendNext = (): void => {
      const block = queue.shift();
      if (block) {
        taken.push(block);
        worker.postMessage({ type: 'files', files: block } satisfies HelperCommand);
      } else if (!ended) {
        ended = true;
        worker.postMessage({ type: 'end' } satisfies HelperCommand);
      }
    };
    const onAbort = (): void => finish(() => reject(new DOMException('The index build was cancelled.', 'AbortError')));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: PartMessage) => {
      if (message.type === 'next') {
        onRead(message.done);
        sendNext();
      } else if (message.type === 'part-done') {
        const segment = message.segment ? new Segment(reviveSegmentData(message.segment)) : undefined;
        const written = segment && message.written ? [segment.id] : [];
        finish(() => resolve({ segments: segment ? [segment] : [], written, changed: message.changed, restamped: message.restamped, unchanged: 0, threads: 1 }));
      } else finish(() => reject(Object.assign(new Error(message.message), { stack: message.stack })));
    });
    worker.on('error', e => finish(() => reject(e)));
    worker.on('exit', code => finish(() => reject(new Error(`An index helper stopped (exit code ${code}) before it finished.`))));
    for (let i = 0; i < BLOCKS_IN_FLIGHT; i++) sendNext();
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
