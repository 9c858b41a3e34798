import type { Candidate } from './discovery';
import { readInParts, type IndexHelpers } from './indexParts';
import { readFiles, type FilesToRead, type IndexedFiles, type ReadFilesOptions } from './readFiles';
import type { FileRecord } from './fileTable';

export type { IndexedFiles } from './readFiles';

export interface IndexFilesOptions extends ReadFilesOptions {
  /** Helper threads to share a large batch with (the index worker passes its own script). */
  helpers?: IndexHelpers;
}

/**
 * Brings files up to date against what the index knows: a file with the same (mtime, size) is not read; a file
 * read with the same content hash keeps its chunks; anything else is chunked into a new segment, in candidate
 * order, so document numbers are deterministic. A large batch is shared with helper threads when given some (one
 * new segment per thread).
 */
export async function indexFiles(
  candidates: readonly Candidate[],
  known: (location: string) => FileRecord | undefined,
  options: IndexFilesOptions,
): Promise<IndexedFiles> {
  const toRead: FilesToRead = { candidates: [], known: [] };
  let unchanged = 0;
  for (const c of candidates) {
    const old = known(c.location);
    if (old && old.mtimeMs === c.mtimeMs && old.size === c.size) unchanged++;
    else {
      toRead.candidates.push(c);
      toRead.known.push(old);
    }
  }
  const read = options.helpers ? await readInParts(toRead, options, options.helpers) : await readFiles(toRead, options);
  return { ...read, unchanged };
}

