import { availableParallelism } from 'node:os';
import { fileByteLimit } from '../discovery/fileReading';
import type { Candidate } from '../discovery/walkFolders';
import { joinColumns, type FileRecord } from '../segments/fileTable';
import { Segment } from '../segments/segment';
import type { StoredSegment } from '../store/indexStore';
import { quietWorker } from './quietWorker';
import { readFiles, type FilesToRead, type IndexedFiles, type ReadFilesOptions } from './segmentReader';
import { HELPER_HEAP_MB, isOutOfMemory, outOfMemory } from './workerLimits';
import {
  errorOf,
  reviveFileColumns,
  reviveSegmentData,
  type HelperCommand,
  type PartMessage,
  type WorkerTask,
} from './workerMessages';

/** Threads that may read one batch of files (this one included), and the script they run. */
export interface IndexHelpers {
  workerFile: string;
  threads: number;
  /** Smaller batches are read on this thread alone (starting a helper costs more than it would save). */
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
 * Files to read, as they are found: a walk adds them while helpers already read the first blocks, so the helpers
 * do not wait for the walk of a first build. Blocks are runs of consecutive files — neighbouring files share their
 * vocabulary, and a thread that keeps to one package at a time spends less CPU, so blocks are long:
 * MAX_BLOCK_FILES while files keep coming, the rest cut
 * when the feed closes into blocks small enough that the whole batch makes at least MIN_BLOCKS_PER_THREAD per
 * thread, so that the helpers finish together.
 */
export class FileFeed {
  /** Every file added, in order. */
  readonly files: FilesToRead = { candidates: [], known: [] };
  private readonly blocks: FilesToRead[] = [];
  private blockCount = 0;
  /** Files in the blocks not taken yet. */
  private untaken = 0;
  private cutUpTo = 0;
  private readBytes = 0;
  private closed = false;
  private readonly maxFileBytes: number;
  private listeners: (() => void)[] = [];
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly threads: number,
    maxFileBytes?: number,
  ) {
    this.maxFileBytes = fileByteLimit(maxFileBytes);
    this.closedPromise = new Promise(resolve => (this.resolveClosed = resolve));
  }

  add(candidate: Candidate, known: FileRecord | undefined): void {
    this.files.candidates.push(candidate);
    this.files.known.push(known);
    const { size = UNSTATED_FILE_BYTES } = candidate;
    if (size <= this.maxFileBytes) this.readBytes += size; // a file over the limit is not read
    if (this.files.candidates.length - this.cutUpTo === MAX_BLOCK_FILES) this.cut(MAX_BLOCK_FILES);
  }

  /** No more files: the rest is cut into blocks. */
  close(): void {
    if (this.closed) return;
    const n = this.files.candidates.length;
    const size = Math.max(1, Math.min(MAX_BLOCK_FILES, Math.floor(n / (this.threads * MIN_BLOCKS_PER_THREAD))));
    while (this.cutUpTo < n) this.cut(size);
    this.closed = true;
    this.resolveClosed();
    this.notify();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the files will take to read (a file the walk did not stat counts as UNSTATED_FILE_BYTES). */
  get bytes(): number {
    return this.readBytes;
  }

  /** Blocks cut so far, taken or not. */
  get cutBlocks(): number {
    return this.blockCount;
  }

  /** The next block to read, or undefined when none is ready yet (or ever, once closed). */
  take(): FilesToRead | undefined {
    const block = this.blocks[0];
    if (!block) return undefined;
    // Once every file is known, blocks shrink towards the end (guided scheduling: a block is at most 1/(2·threads)
    // of the files left), so the helpers finish together: with full blocks to the end, the others would sit idle
    // while one reads its last block.
    const size = this.closed ? Math.max(1, Math.ceil(this.untaken / (2 * this.threads))) : Infinity;
    const n = block.candidates.length;
    if (n <= size) {
      this.blocks.shift();
      this.untaken -= n;
      return block;
    }
    this.blocks[0] = { candidates: block.candidates.slice(size), known: block.known.slice(size) };
    this.untaken -= size;
    return { candidates: block.candidates.slice(0, size), known: block.known.slice(0, size) };
  }

  /** The blocks nobody took. */
  takeAll(): FilesToRead[] {
    this.untaken = 0;
    return this.blocks.splice(0);
  }

  /** Calls `listener` once, at the next block cut or when the feed closes. */
  whenMore(listener: () => void): void {
    this.listeners.push(listener);
  }

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** True once the files add up to `minBytes` (at least two of them); false if the feed closes before. */
  async reaches(minBytes: number): Promise<boolean> {
    const enough = (): boolean => this.readBytes >= minBytes && this.files.candidates.length >= 2;
    while (!enough() && !this.closed) await new Promise<void>(resolve => this.whenMore(resolve));
    return enough();
  }

  private cut(size: number): void {
    const from = this.cutUpTo;
    const to = Math.min(this.files.candidates.length, from + size);
    this.blocks.push({ candidates: this.files.candidates.slice(from, to), known: this.files.known.slice(from, to) });
    this.blockCount++;
    this.untaken += to - from;
    this.cutUpTo = to;
    this.notify();
  }

  private notify(): void {
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}

/**
 * Reads the files of `feed` like `readFiles`, on several threads when `helpers` are given and the files add up to
 * their `minBytes`: each helper worker is handed the next block whenever it has finished one (as the feed fills, if
 * it is still open), reading them all into its own segment (this thread only coordinates: a part read here would
 * fall behind the helpers', since this thread also serves them). Handing blocks out as helpers ask evens out their
 * finish, where blocks dealt in advance leave one part finishing late. The helpers' segments are kept as they are,
 * not merged: scores use index-wide statistics, so they are those of `readFiles` (same chunks); only document
 * numbers follow the helpers (a merge would add to the build, and queries over several segments are as fast). A
 * helper that fails to start or dies has its blocks read here once the feed is closed; an
 * abort stops the helpers. Progress counts files read out of files found so far.
 */
export async function readFeed(
  feed: FileFeed,
  options: ReadFilesOptions,
  helpers?: IndexHelpers,
): Promise<IndexedFiles> {
  const parallel =
    helpers !== undefined && helpers.threads >= 2 && (await feed.reaches(helpers.minBytes ?? MIN_PARALLEL_BYTES));
  const count = !parallel ? 0 : feed.isClosed ? Math.min(helpers.threads, feed.cutBlocks) : helpers.threads;
  if (!parallel || count < 2) {
    await feed.whenClosed();
    return readFiles(feed.files, options);
  }
  const done = new Array<number>(count + 1).fill(0);
  const progress = (part: number) => (read: number) => {
    done[part] = read;
    options.onProgress?.({
      done: done.reduce((a, b) => a + b, 0),
      total: feed.files.candidates.length,
      // while the walk goes on, the total is the files found so far
      ...(feed.isClosed ? {} : { growing: true as const }),
    });
  };
  const ids = Array.from({ length: count }, () => options.newSegmentId());
  const taken = ids.map((): FilesToRead[] => []);
  const results = await Promise.all(
    ids.map(async (id, i) => {
      try {
        return await readInHelper(helpers, id, feed, taken[i] as FilesToRead[], options, progress(i));
      } catch {
        // The helper could not do its part (no thread, out of memory, a missing script): its blocks are read here.
        options.signal?.throwIfAborted();
        progress(i)(0);
        return undefined;
      }
    }),
  );
  await feed.whenClosed(); // when every helper failed, the walk may still be adding files
  const read = results.filter((r): r is IndexedFiles => r !== undefined);
  const helped = read.length;
  const failed = [...taken.filter((_, i) => results[i] === undefined).flat(), ...feed.takeAll()];
  if (failed.length > 0) {
    const unusedId = ids[results.indexOf(undefined)] as number; // a failed helper's segment never came
    read.push(
      await readFiles(joinBlocks(failed), {
        ...options,
        newSegmentId: () => unusedId,
        onProgress: p => progress(count)(p.done),
      }),
    );
  }
  return { ...combineParts(read), threads: helped + (failed.length > 0 ? 1 : 0) };
}

/** A whole batch cut as a FileFeed cuts it, or kept whole when it is too small to share (see `readFeed`). */
export function splitIntoBlocks(
  files: FilesToRead,
  threads: number,
  minBytes: number,
  maxFileBytes?: number,
): FilesToRead[] {
  const feed = new FileFeed(threads, maxFileBytes);
  files.candidates.forEach((c, i) => feed.add(c, files.known[i]));
  feed.close();
  if (Math.min(threads, files.candidates.length) < 2 || feed.bytes < minBytes) return [files];
  return feed.takeAll();
}

const MAX_BLOCK_FILES = 256;
const MIN_BLOCKS_PER_THREAD = 8;
/**
 * What a file the walk did not stat counts for (a first build): more than a typical source file, since a needless
 * helper costs little and a missing one can cost seconds.
 */
const UNSTATED_FILE_BYTES = 64 * 1024;
/** Blocks a helper holds at once: the one it reads and the next, so it never waits for a message. */
const BLOCKS_IN_FLIGHT = 2;

const joinBlocks = (blocks: readonly FilesToRead[]): FilesToRead => ({
  candidates: blocks.flatMap(b => b.candidates),
  known: blocks.flatMap(b => b.known),
});

/**
 * One helper worker reading blocks from `feed` into segment `segmentId` until the feed is closed and empty; every
 * block sent is also put in `taken` (if the helper fails, they are what it leaves undone). `onRead` hears how many
 * files it has read, after each block.
 */
function readInHelper(
  helpers: IndexHelpers,
  segmentId: number,
  feed: FileFeed,
  taken: FilesToRead[],
  options: Pick<ReadFilesOptions, 'maxFileBytes' | 'documents' | 'signal'>,
  onRead: (done: number) => void,
): Promise<IndexedFiles> {
  return new Promise<IndexedFiles>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const task: WorkerTask = {
      kind: 'reader',
      segmentId,
      maxFileBytes: options.maxFileBytes,
      documents: options.documents,
      storeDir: helpers.storeDir,
    };
    const worker = quietWorker(helpers.workerFile, {
      workerData: task,
      resourceLimits: { maxOldGenerationSizeMb: HELPER_HEAP_MB },
    });
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
      if (settled) return;
      const block = feed.take();
      if (block) {
        taken.push(block);
        worker.postMessage({ type: 'files', files: block } satisfies HelperCommand);
      } else if (!feed.isClosed) feed.whenMore(sendNext);
      else if (!ended) {
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
        const written: StoredSegment[] =
          segment && message.written !== undefined ? [[segment.id, message.written]] : [];
        const changed = reviveFileColumns(message.changed);
        finish(() =>
          resolve({
            segments: segment ? [segment] : [],
            written,
            changed,
            restamped: message.restamped,
            unchanged: 0,
            threads: 1,
          }),
        );
      } else finish(() => reject(errorOf(message)));
    });
    worker.on('error', e => finish(() => reject(isOutOfMemory(e) ? outOfMemory(HELPER_HEAP_MB, e) : e)));
    worker.on('exit', code =>
      finish(() => reject(new Error(`An index helper stopped (exit code ${code}) before it finished.`))),
    );
    for (let i = 0; i < BLOCKS_IN_FLIGHT; i++) sendNext();
  });
}

/** The parts' results as one, in part order: their segments, and their records (as columns, one part's after the other's). */
function combineParts(results: readonly IndexedFiles[]): IndexedFiles {
  return {
    segments: results.flatMap(r => r.segments),
    written: results.flatMap(r => r.written),
    changed: joinColumns(results.map(r => r.changed)),
    restamped: results.flatMap(r => r.restamped),
    unchanged: 0,
    threads: results.length,
  };
}
