import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { passageRef, type Passage } from '../core/passage';
import {
  binaryDocumentKind,
  cachedExtraction,
  citesCells,
  extractDocument,
  hashBytes,
  isNotebookPath,
  placeInDocument,
  splitLines,
  type ExtractedDocument,
  type IndexHit,
} from '../index';
import { realPathInside } from './realPathInside';

const CACHE_FILES = 64;

/**
 * A file's lines as the chunker saw them; for a notebook, a PDF or a Word document, the lines of its extracted text
 * and the cells or pages they are in.
 */
interface ReadLines {
  lines: string[];
  document?: ExtractedDocument;
}

/**
 * Reads the text of search hits from the files themselves (the index stores postings and line ranges, not text),
 * checking that each file is still the one that was indexed: same (mtime, size), or else the same content hash.
 * A file that changed since is reported as stale instead of being cited at lines that moved; one whose size changed is
 * not read at all. A notebook's hit names lines of its extracted text: the passage names the cell and its lines. A
 * PDF's or Word document's text is the one the index worker extracted, read from the document cache by the hash of
 * the file's bytes (`documentCache`; without one they are reported stale): a PDF passage names its page.
 */
export class PassageReader {
  /**
   * `folders`: the workspace folders; a file whose real path is no longer inside them (it, or a folder on its way,
   * was replaced by a link leading out) is not read, whatever its stat says.
   */
  constructor(
    private readonly documentCache?: string,
    private readonly folders?: () => readonly string[],
  ) {}

  /** Recently read files by location, with the stat they were read at. */
  private readonly cache = new Map<string, { mtimeMs: number; size: number; read: ReadLines }>();

  async read(hits: readonly IndexHit[]): Promise<{ passages: Passage[]; stale: string[] }> {
    const passages: Passage[] = [];
    const stale = new Set<string>();
    const linesByFile = new Map<string, Promise<ReadLines | undefined>>();
    for (const hit of hits) {
      if (!linesByFile.has(hit.location)) linesByFile.set(hit.location, this.lines(hit));
    }
    for (const hit of hits) {
      const read = await linesByFile.get(hit.location);
      const passage = read && hit.endLine <= read.lines.length ? passageOf(hit, read) : undefined;
      if (passage) passages.push(passage);
      else stale.add(hit.location);
    }
    return { passages, stale: [...stale] };
  }

  /** The file's lines as the chunker saw them, or undefined when it is gone or differs from what was indexed. */
  private async lines(hit: IndexHit): Promise<ReadLines | undefined> {
    const info = await stat(hit.location).catch(() => undefined);
    // Another size is other bytes: not read at all (the path may now lead to a large file, a device, a link out).
    if (!info?.isFile() || info.size !== hit.file.size) return undefined;
    // read from the real path checked, never through a link (one swapped in after the check is refused)
    const real = this.folders ? await realPathInside(hit.location, this.folders()) : undefined;
    if (this.folders && real === undefined) return undefined;
    const cached = this.cache.get(hit.location);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size && info.mtimeMs === hit.file.mtimeMs)
      return cached.read;
    const sameStat = info.mtimeMs === hit.file.mtimeMs && info.size === hit.file.size;
    // A PDF or Word document whose stat is unchanged is not read: its text is in the cache under the hash indexed.
    const bytes =
      sameStat && binaryDocumentKind(hit.path) !== undefined
        ? Buffer.alloc(0)
        : await (real === undefined ? readFile(hit.location) : readWithoutLinks(real)).catch(() => undefined);
    if (!bytes) return undefined;
    if (!sameStat && hashBytes(bytes) !== hit.file.hash) return undefined;
    const read = await this.readLines(hit, bytes);
    if (!read) return undefined;
    if (this.cache.size >= CACHE_FILES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hit.location, { mtimeMs: info.mtimeMs, size: info.size, read });
    return read;
  }

  /**
   * A file's text as lines the index's hits name: a PDF's or Word document's extracted text (from the cache), a
   * notebook's extracted text (one whose JSON does not parse was indexed as plain text), any other file's own lines
   * (a Databricks notebook source's cells are lines of the file). Undefined when a document's text is not cached.
   */
  private async readLines(hit: IndexHit, bytes: Buffer): Promise<ReadLines | undefined> {
    const kind = binaryDocumentKind(hit.path);
    if (kind !== undefined) {
      const extraction = this.documentCache && (await cachedExtraction(this.documentCache, kind, hit.file.hash));
      if (!extraction || extraction.kind !== 'document') return undefined;
      return { lines: splitLines(extraction.document.text), document: extraction.document };
    }
    const text = bytes.toString('utf8');
    const notebook = isNotebookPath(hit.path) ? extractDocument(hit.path, text) : undefined;
    return notebook && citesCells(notebook)
      ? { lines: splitLines(notebook.text), document: notebook }
      : { lines: splitLines(text) };
  }
}

/**
 * The passage a hit names, or undefined when its lines are not within one cell of the notebook (one page of the PDF)
 * as it is now. A Word document's lines are lines of its whole extracted text.
 */
function passageOf(hit: IndexHit, { lines, document }: ReadLines): Passage | undefined {
  const text = lines.slice(hit.startLine - 1, hit.endLine).join('\n');
  const where = document
    ? placeInDocument(document, hit.startLine - 1, hit.endLine)
    : { startLine: hit.startLine, endLine: hit.endLine };
  if (!where) return undefined;
  const passage: Passage = { id: '', path: hit.path, location: hit.location, ...where, text, score: hit.score };
  passage.id = passageRef(passage, passage.startLine, passage.endLine);
  if (hit.title !== undefined) passage.title = hit.title;
  return passage;
}

/**
 * A file's bytes, refusing a link as the last part of the path (O_NOFOLLOW, where the system has it); a pipe
 * swapped in is read as empty instead of waiting for a writer (O_NONBLOCK, which a regular file ignores).
 */
async function readWithoutLinks(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
