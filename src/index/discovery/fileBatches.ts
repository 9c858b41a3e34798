import { createYielder } from '../base/yieldToEventLoop';
import { readAsIndexed } from '../documents/hostFileReading';
import type { SkipReason } from './skipReasons';
import { walkFolders, type Candidate, type DiscoveredFile, type DiscoveryOptions } from './walkFolders';

/** Files read at once: enough to keep the disk busy, few enough that a batch of texts is small. */
const READ_CONCURRENCY = 8;

/** Files read per batch unless asked otherwise: the texts a caller holds at once are those of one batch. */
export const DEFAULT_BATCH_FILES = 64;

export interface FileBatchOptions extends DiscoveryOptions {
  /** Files read per batch (default DEFAULT_BATCH_FILES). */
  batchFiles?: number;
  /** Which listed files to read (default: all); the others are listed in `candidates` only. */
  wanted?: (candidate: Candidate) => boolean;
  /** Reads one file as the index does (default `readAsIndexed`; tests count what is read). */
  read?: typeof readAsIndexed;
}

export interface FileBatches {
  /** Every file the walk listed, read or not (with its size and mtime). */
  candidates: readonly Candidate[];
  /** The listed files that `wanted` chose: the ones the batches read (skipped ones are counted, not given). */
  wanted: readonly Candidate[];
  /** The files read, a batch at a time; a batch's texts are the caller's to drop before it asks for the next. */
  batches: AsyncGenerator<DiscoveredFile[], void, undefined>;
  /** Files skipped (by the walk, then as batches are read). */
  skipped: Record<SkipReason, number>;
  /** PDFs and Word documents left out so far because the document cache holds no extraction of their bytes. */
  readonly notExtracted: number;
  /** Their paths (as `DiscoveredFile.path`). */
  readonly notExtractedPaths: readonly string[];
}

/**
 * Walks the folders (see `walkFolders`), then reads the wanted files a batch at a time, so that a caller which
 * handles one batch before asking for the next holds at most one batch of texts, however large the workspace. Skips
 * (oversized, binary, unreadable) are counted. Cooperative: yields to the event loop every ~10 ms and stops with an
 * AbortError when `signal` aborts.
 */
export async function discoverFileBatches(
  folders: readonly string[],
  options: FileBatchOptions = {},
): Promise<FileBatches> {
  const { candidates, skipped } = await walkFolders(folders, options);
  const wanted = options.wanted ? candidates.filter(options.wanted) : candidates;
  const size = Math.max(1, options.batchFiles ?? DEFAULT_BATCH_FILES);
  const read = options.read ?? readAsIndexed;
  const step = createYielder(options.signal);
  const counts = { done: 0 };
  const notExtracted: string[] = [];
  const total = wanted.length;

  async function readBatch(batch: readonly Candidate[]): Promise<DiscoveredFile[]> {
    const results: (DiscoveredFile | undefined)[] = new Array(batch.length);
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < batch.length) {
        const i = next++;
        const candidate = batch[i];
        if (!candidate) continue;
        await step();
        const { path, location, mtimeMs = 0 } = candidate; // this walk stats every file
        const content = await read(location, path, options);
        if (content.kind === 'skip') skipped[content.reason]++;
        else if (content.kind === 'not-extracted') notExtracted.push(path);
        else {
          const { text, size: bytes, hash, document } = content;
          results[i] = document
            ? { path, location, mtimeMs, size: bytes, text, hash, document }
            : { path, location, mtimeMs, size: bytes, text, hash };
        }
        options.onProgress?.({ done: ++counts.done, total });
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, batch.length) }, reader));
    return results.filter((f): f is DiscoveredFile => f !== undefined);
  }

  async function* batches(): AsyncGenerator<DiscoveredFile[], void, undefined> {
    options.onProgress?.({ done: 0, total });
    // the next batch is read only when the caller asks for it, after it handled (and dropped) this one
    for (let start = 0; start < total; start += size) yield await readBatch(wanted.slice(start, start + size));
  }

  return {
    candidates,
    wanted,
    batches: batches(),
    skipped,
    get notExtracted() {
      return notExtracted.length;
    },
    notExtractedPaths: notExtracted,
  };
}
