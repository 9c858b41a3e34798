import { fileByteLimit, hashBytes, readFileBytes, readFileContent } from '../discovery/fileReading';
import type { SkipReason } from '../discovery/skipReasons';
import { cachedExtraction } from './documentCache';
import { binaryDocumentKind, documentByteLimit, type DocumentSettings } from './documents';
import type { ExtractedDocument } from './extractedDocument';

/** How the index's rules read a file on a thread that extracts no document (see `readAsIndexed`). */
export interface HostReadOptions {
  maxFileBytes?: number;
  documents?: DocumentSettings;
  /** The index worker's extracted PDFs and Word documents (`documentCacheDir` of the index's store). */
  documentCache?: string;
}

/**
 * A file's content as the index read it: `text` (a PDF's or Word document's extracted text, with `document`), why
 * the index skips it, or `not-extracted` for a PDF or Word document whose text the document cache does not hold
 * (the index worker has not extracted these bytes yet).
 */
export type HostFileContent =
  | { kind: 'text'; text: string; hash: string; size: number; document?: ExtractedDocument }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'not-extracted' };

/**
 * Reads the file at `location` (display path `path`) by the index's rules, without a document parser: within the
 * size limit of its kind (a notebook's, a PDF's and a Word document's is the document limit); a PDF or Word document
 * by the index worker's extraction of the same bytes, from the document cache (without a cache, they are the
 * binaries they are). What the local index chunks from the same file is what this gives.
 */
export async function readAsIndexed(
  location: string,
  path: string,
  options: HostReadOptions = {},
): Promise<HostFileContent> {
  const maxBytes = documentByteLimit(path, fileByteLimit(options.maxFileBytes), options.documents);
  const binary = binaryDocumentKind(path);
  if (binary !== undefined && options.documentCache !== undefined) {
    const read = await readFileBytes(location, maxBytes);
    if (read.kind === 'skip') return { kind: 'skip', reason: read.reason };
    const hash = hashBytes(read.bytes);
    const extraction = await cachedExtraction(options.documentCache, binary, hash);
    if (!extraction) return { kind: 'not-extracted' };
    if (extraction.kind === 'skip') return { kind: 'skip', reason: extraction.reason };
    const { document } = extraction;
    return { kind: 'text', text: document.text, hash, size: read.bytes.length, document };
  }
  const content = await readFileContent(location, maxBytes);
  if (content.kind === 'skip') return { kind: 'skip', reason: content.reason };
  return { kind: 'text', text: content.lines.text, hash: content.hash, size: content.size };
}
