import { chunkText } from './chunker';
import { DEFAULT_MAX_FILE_BYTES, type Candidate } from './discovery';
import { readFileContentSync, type FileContent } from './fileReading';
import type { Segment } from './segment';
import { SegmentBuilder } from './segmentBuilder';
import type { FileRecord } from './segmentedIndex';
import { createYielder } from './yieldToEventLoop';

export interface IndexFilesOptions {
  segmentId: number;
  maxFileBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface IndexedFiles {
  /** The chunks of the new or changed files (undefined when none has any). */
  segment?: Segment;
  /** New records for new or changed files (their old chunks must be deleted). */
  changed: FileRecord[];
  /** Files whose bytes are unchanged though their mtime or size moved: same chunks, new stat. */
  restamped: FileRecord[];
  /** Files skipped by (mtime, size) without being read. */
  unchanged: number;
}

/**
 * Brings files up to date against what the index knows: a file with the same (mtime, size) is not read; a file
 * read with the same content hash keeps its chunks; anything else is chunked into one new segment, in candidate
 * order, so document numbers are deterministic. Files are read synchronously (each is at most `maxFileBytes`; the
 * yielder still lets the event loop run every few ms when this runs in-process).
 */
export async function indexFiles(
  candidates: readonly Candidate[],
  known: (location: string) => FileRecord | undefined,
  options: IndexFilesOptions,
): Promise<IndexedFiles> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const step = createYielder(options.signal);
  const builder = new SegmentBuilder();
  const result: IndexedFiles = { changed: [], restamped: [], unchanged: 0 };
  const toRead = candidates.filter(c => {
    const old = known(c.location);
    if (old && old.mtimeMs === c.mtimeMs && old.size === c.size) {
      result.unchanged++;
      return false;
    }
    return true;
  });
  const total = toRead.length;
  options.onProgress?.({ done: 0, total });
  for (let i = 0; i < total; i++) {
    await step();
    const candidate = toRead[i] as Candidate;
    const content: FileContent =
      candidate.size > maxBytes ? { kind: 'skip', reason: 'too-large', hash: '', size: candidate.size } : readFileContentSync(candidate.location);
    const old = known(candidate.location);
    const record: FileRecord = { path: candidate.path, location: candidate.location, mtimeMs: candidate.mtimeMs, size: content.size, hash: content.hash, segment: -1, firstDoc: 0, docCount: 0 };
    if (content.kind === 'skip') record.skip = content.reason;
    if (old && content.hash !== '' && old.hash === content.hash && old.skip === record.skip) {
      result.restamped.push({ ...old, mtimeMs: candidate.mtimeMs, size: content.size });
    } else {
      if (content.kind === 'text') addChunks(builder, record, content.text, options.segmentId);
      result.changed.push(record);
    }
    if ((i & 15) === 15 || i === total - 1) options.onProgress?.({ done: i + 1, total });
  }
  if (builder.docCount > 0) result.segment = builder.build(options.segmentId);
  return result;
}

function addChunks(builder: SegmentBuilder, record: FileRecord, text: string, segmentId: number): void {
  const chunks = chunkText(record.path, text);
  if (chunks.length === 0) return;
  const file = builder.addFile(record.path, record.location);
  record.segment = segmentId;
  record.firstDoc = builder.docCount;
  record.docCount = chunks.length;
  for (const chunk of chunks) builder.addChunk(file, chunk);
}
