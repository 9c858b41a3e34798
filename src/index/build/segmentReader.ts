import type { SyncProgress } from './syncRequest';
import { createYielder } from '../base/yieldToEventLoop';
import { chunkKind, chunkSpans } from '../chunking/chunker';
import { TextLines } from '../chunking/textLines';
import {
  fileByteLimit,
  hashBytes,
  readFileBytesSync,
  readFileContentSync,
  ReadBuffer,
  type FileContent,
} from '../discovery/fileReading';
import type { SkipReason } from '../discovery/skipReasons';
import type { Candidate } from '../discovery/walkFolders';
import {
  cachedExtractionSync,
  storeExtraction,
  type DocumentExtraction,
  type DocumentExtractor,
} from '../documents/documentCache';
import {
  binaryDocumentKind,
  documentByteLimit,
  documentKey,
  documentSpans,
  extractDocument,
  type BinaryDocumentKind,
  type DocumentSettings,
} from '../documents/documents';
import { fileColumns, type FileColumns, type FileRecord } from '../segments/fileTable';
import type { Segment } from '../segments/segment';
import { SegmentBuilder } from '../segments/segmentBuilder';
import type { StoredSegment } from '../store/indexStore';

export interface ReadFilesOptions {
  /** Numbers a new segment (called once per segment made; a number may go unused when no file has chunks). */
  newSegmentId: () => number;
  maxFileBytes?: number;
  /** Which documents are read for their cells (`grounded.index.documents`); default all. */
  documents?: DocumentSettings;
  /**
   * Extracts PDFs' and Word documents' text: the index worker's (without one, as on the host thread, they are read
   * as the binaries they are).
   */
  extractor?: DocumentExtractor;
  /** Where extracted documents are kept by content hash, so an unchanged document is never extracted twice. */
  documentCache?: string;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

/** Skips the extractor's circumstances may have caused: not cached (see `readBinaryDocument`). */
const UNCACHED_SKIPS: readonly SkipReason[] = ['extraction-timeout', 'extraction-failed'];

/** How long after its mtime a file may still be written in the same mtime tick (whole seconds on some filesystems). */
export const RACY_MS = 2_000;

/**
 * The mtime to record for a file read at `readAt` whose stat says `mtimeMs`. A file read within RACY_MS of its
 * mtime (or with an mtime in the future) is "racily clean", as git calls it: a second write of the same length in
 * the same tick would leave (mtime, size) as recorded, and the new bytes would never be read. Such a file is recorded
 * with NaN, an mtime no file has and that equals nothing, so the next update or sync reads it again (its chunks are
 * kept when the hash is the same) and records its real mtime once it has settled; the passage reader checks its hash.
 */
function recordedMtime(mtimeMs: number, readAt: number): number {
  return readAt - mtimeMs < RACY_MS ? Number.NaN : mtimeMs;
}

/** Files to read, each with what the index knew of it before (undefined for a new file). */
export interface FilesToRead {
  candidates: Candidate[];
  known: (FileRecord | undefined)[];
}

export interface IndexedFiles {
  /** The chunks of the new or changed files: one segment per thread that read some (none when no file has any). */
  segments: Segment[];
  /** Those segments already written to the store by the threads that built them, with their files' checksums. */
  written: StoredSegment[];
  /** New records for new or changed files (their old chunks must be deleted), as columns. */
  changed: FileColumns;
  /** Files whose bytes are unchanged though their mtime or size moved: same chunks, new stat. */
  restamped: FileRecord[];
  /** Files skipped by (mtime, size) without being read. */
  unchanged: number;
  /** Threads that read the files (0 when none was read). */
  threads: number;
}

/**
 * Reads, hashes and chunks files into one segment. Files are read synchronously (each is at most `maxFileBytes`;
 * the yielder still lets the event loop run every few ms when this runs in-process).
 */
export async function readFiles(files: FilesToRead, options: ReadFilesOptions): Promise<IndexedFiles> {
  const total = files.candidates.length;
  const reader = new SegmentReader(options);
  options.onProgress?.({ done: 0, total });
  await reader.read(files, done => {
    if ((done & 15) === 0 || done === total) options.onProgress?.({ done, total });
  });
  return reader.finish();
}

/**
 * `readFiles` for batches that come one after another (a helper thread is handed blocks of files as it asks for
 * them): every batch goes into the same segment, which `finish` builds.
 */
export class SegmentReader {
  private readonly builder = new SegmentBuilder();
  private readonly segmentId: number;
  private readonly step: () => Promise<void>;
  private readonly changed: FileRecord[] = [];
  private readonly restamped: FileRecord[] = [];
  /**
   * The builder's file for each content (hash and chunk kind) it chunked: another file with the same bytes — a
   * vendored copy, a package installed twice — is made from its postings instead of being chunked and counted.
   */
  private readonly byContent = new Map<string, number>();
  /** Where text files are read: their bytes are hashed, decoded and copied to the counter before the next is read. */
  private readonly readBuffer = new ReadBuffer();
  /** Files read so far, over all batches. */
  done = 0;

  constructor(private readonly options: ReadFilesOptions) {
    this.segmentId = options.newSegmentId();
    this.step = createYielder(options.signal);
  }

  /** Reads a batch; `onFile` hears the running count after each file. */
  async read(files: FilesToRead, onFile?: (done: number) => void): Promise<void> {
    const fileLimit = fileByteLimit(this.options.maxFileBytes);
    for (let i = 0; i < files.candidates.length; i++) {
      await this.step();
      const candidate = files.candidates[i] as Candidate;
      const maxBytes = documentByteLimit(candidate.path, fileLimit, this.options.documents);
      const binary = this.options.extractor && binaryDocumentKind(candidate.path);
      const readAt = Date.now();
      const content: FileContent & { mtimeMs?: number } =
        candidate.size !== undefined && candidate.size > maxBytes
          ? { kind: 'skip', reason: 'too-large', hash: '', size: candidate.size }
          : binary
            ? await this.readBinaryDocument(candidate.location, binary, maxBytes)
            : readFileContentSync(candidate.location, maxBytes, this.readBuffer);
      const old = files.known[i];
      const mtimeMs = recordedMtime(candidate.mtimeMs ?? content.mtimeMs ?? 0, readAt);
      const record: FileRecord = {
        path: candidate.path,
        location: candidate.location,
        mtimeMs,
        size: content.size,
        hash: content.hash,
        segment: -1,
        firstDoc: 0,
        docCount: 0,
      };
      if (content.kind === 'skip') record.skip = content.reason;
      if (old && content.hash !== '' && old.hash === content.hash && old.skip === record.skip) {
        this.restamped.push({ ...old, mtimeMs, size: content.size });
      } else {
        if (content.kind === 'text') this.addChunks(record, content);
        this.changed.push(record);
      }
      this.done++;
      onFile?.(this.done);
    }
  }

  /**
   * A PDF's or Word document's extracted text as the file's content (`document`), or why it has none: taken from the
   * document cache when these bytes were extracted before, else extracted (and cached) now.
   */
  private async readBinaryDocument(
    location: string,
    kind: BinaryDocumentKind,
    maxBytes: number,
  ): Promise<FileContent & { mtimeMs: number }> {
    const read = readFileBytesSync(location, maxBytes);
    if (read.kind !== 'bytes') return read;
    const { bytes, mtimeMs } = read;
    const hash = hashBytes(bytes);
    const size = bytes.length;
    const cache = this.options.documentCache;
    let extraction: DocumentExtraction | undefined = cache ? cachedExtractionSync(cache, kind, hash) : undefined;
    if (!extraction) {
      // the extractor may take the bytes over: only their hash and size are used after this
      extraction = await (this.options.extractor as DocumentExtractor)(kind, bytes);
      // A timeout may not happen again on a quieter machine, nor a failed extraction (a thread that could not start)
      // elsewhere: only what the document itself decides is kept. The file's record still holds the skip, so an
      // unchanged document is not extracted again by the next sync.
      if (cache && !(extraction.kind === 'skip' && UNCACHED_SKIPS.includes(extraction.reason)))
        await storeExtraction(cache, kind, hash, extraction);
    }
    if (extraction.kind === 'skip') return { kind: 'skip', reason: extraction.reason, hash, size, mtimeMs };
    const { document } = extraction;
    return { kind: 'text', lines: new TextLines(document.text), bytes, hash, size, mtimeMs, document };
  }

  /**
   * Chunks a file by its lines and counts each chunk's terms from its bytes (the same lines), or copies an earlier
   * file's. A document (a notebook) is chunked and counted as the lines of its extracted text instead.
   */
  private addChunks(
    record: FileRecord,
    { lines, bytes, hash, document: extracted }: Extract<FileContent, { kind: 'text' }>,
  ): void {
    const { builder } = this;
    const firstDoc = builder.docCount;
    const settings = this.options.documents;
    const key = `${hash}:${documentKey(record.path, settings) ?? chunkKind(record.path)}`;
    const source = this.byContent.get(key);
    let file = source === undefined ? undefined : builder.addCopy(record.path, record.location, source);
    if (file === undefined) {
      const document = extracted ?? extractDocument(record.path, lines.text, settings);
      const documentLines = document && new TextLines(document.text);
      const spans =
        document && documentLines ? documentSpans(document, documentLines, settings) : chunkSpans(record.path, lines);
      if (spans.length === 0) return;
      file = builder.addFile(record.path, record.location, document ? Buffer.from(document.text, 'utf8') : bytes);
      for (const span of spans) builder.addLines(file, span);
      if (source === undefined) this.byContent.set(key, file);
    }
    record.segment = this.segmentId;
    record.firstDoc = firstDoc;
    record.docCount = builder.docCount - firstDoc;
  }

  /** What was read: the records, and the segment of their chunks (none when no file has any). */
  finish(): IndexedFiles {
    return {
      segments: this.builder.docCount > 0 ? [this.builder.build(this.segmentId)] : [],
      written: [],
      changed: fileColumns(this.changed),
      restamped: this.restamped,
      unchanged: 0,
      threads: this.done > 0 ? 1 : 0,
    };
  }
}
