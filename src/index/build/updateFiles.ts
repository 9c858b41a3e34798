import type { Candidate } from '../discovery/walkFolders';
import { hasExtractionSync } from '../documents/documentCache';
import { binaryDocumentKind } from '../documents/documents';
import type { FileRecord } from '../segments/fileTable';
import { FileFeed, readFeed, type IndexHelpers } from './helperThreads';
import type { IndexedFiles, ReadFilesOptions } from './segmentReader';

export type { IndexedFiles } from './segmentReader';

export interface UpdateFilesOptions extends ReadFilesOptions {
  /** Helper threads to share a large batch with (the index worker passes its own script). */
  helpers?: IndexHelpers;
}

/** Calls `found` with each file to bring up to date: a list, or a walk still under way while the first files are read. */
export type FileSource = (found: (candidate: Candidate) => void) => Promise<void>;

/** The files of a list, as a FileSource. */
export const fileList =
  (candidates: readonly Candidate[]): FileSource =>
  async found => {
    for (const c of candidates) found(c);
  };

/**
 * Whether `old` is a PDF or Word document the index holds whose extracted text is no longer in the document cache (a
 * cleaned cache folder, or one an older extractor wrote): its passages cannot be read back until it is read and
 * chunked again. A skipped document is not: its text is never read back, and a timeout is never cached, so it would
 * be extracted again on every sync.
 */
function extractionLost(old: FileRecord, options: UpdateFilesOptions): boolean {
  const kind = options.extractor && options.documentCache && !old.skip && old.hash && binaryDocumentKind(old.path);
  return !!kind && !hasExtractionSync(options.documentCache as string, kind, old.hash);
}

/**
 * Brings files up to date against what the index knows: a file with the same (mtime, size) is not read; a file
 * read with the same content hash keeps its chunks; anything else is chunked into a new segment, in candidate
 * order, so document numbers are deterministic. A large batch is shared with helper threads when given some (one
 * new segment per thread), which start on the first files while `source` is still finding the rest.
 */
export async function updateFiles(
  source: FileSource,
  known: (location: string) => FileRecord | undefined,
  options: UpdateFilesOptions,
): Promise<IndexedFiles> {
  const feed = new FileFeed(options.helpers?.threads ?? 1, options.maxFileBytes);
  const reading = readFeed(feed, options, options.helpers);
  reading.catch(() => undefined); // awaited below, unless finding the files failed first
  let unchanged = 0;
  try {
    await source(c => {
      const old = known(c.location);
      const lost = old !== undefined && extractionLost(old, options);
      if (old && old.mtimeMs === c.mtimeMs && old.size === c.size && !lost) unchanged++;
      // a document extracted again is chunked again: the same bytes may give other text (another extractor version)
      else feed.add(c, lost ? undefined : old);
    });
  } finally {
    feed.close();
  }
  return { ...(await reading), unchanged };
}
