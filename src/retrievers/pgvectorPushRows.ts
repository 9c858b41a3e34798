import { passageRef } from '../core/passage';
import { contentHash } from '../embeddings/contentHash';
import {
  discoverFileBatches,
  fileChunks,
  type DiscoveryRules,
  type FileBatches,
  type FileBatchOptions,
  type PlacedChunk,
} from '../index';

/**
 * One chunk as it is pushed: the row's identity is its place (path, and cell or page, and lines: the id the local
 * index's passage of it has); its hash is its content.
 */
export interface PushRow extends PlacedChunk {
  id: string;
  path: string;
  /** The hash of `embeddingInput`: equal hashes share a vector. */
  contentHash: string;
  /** What is embedded: the path and title give a chunk the context its text may lack. */
  embeddingInput: string;
  /** The file on this machine (set by `workspaceRows`; not pushed: other machines have other folders). */
  location?: string;
}

/**
 * The row for one chunk. NUL characters are removed from its text and title: PostgreSQL's text type cannot hold
 * them, and the binary check reads only a file's first bytes, so a text file may still carry one further on.
 */
export function pushRow(path: string, chunk: PlacedChunk): PushRow {
  const text = withoutNul(chunk.text);
  const title = chunk.title && withoutNul(chunk.title);
  const embeddingInput = [path, title, text].filter(Boolean).join('\n');
  const row: PushRow = {
    id: passageRef(
      { path, cell: chunk.cell, cellOutput: chunk.cellOutput, page: chunk.page },
      chunk.startLine,
      chunk.endLine,
    ),
    path,
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    text,
    contentHash: contentHash(embeddingInput),
    embeddingInput,
  };
  if (chunk.cell !== undefined) row.cell = chunk.cell;
  if (chunk.cellOutput) row.cellOutput = true;
  if (chunk.page !== undefined) row.page = chunk.page;
  if (chunk.prose !== undefined) row.prose = chunk.prose;
  if (title) row.title = title;
  return row;
}

const withoutNul = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '') : text);

/** The rows of one file's text (a PDF's or Word document's: its extracted `document`), chunked as the index does. */
export function fileRows(
  file: { path: string; location: string; text: string; document?: Parameters<typeof fileChunks>[3] },
  rules: Pick<DiscoveryRules, 'documents'> = {},
): PushRow[] {
  return fileChunks(file.path, file.text, rules.documents, file.document).map(chunk => ({
    ...pushRow(file.path, chunk),
    location: file.location,
  }));
}

/**
 * The folders' chunks, found, extracted and split exactly as the local index does (same rules, same cells, pages and
 * line ranges, so the same passage ids). PDFs and Word documents are read from `documentCache`, the local index's
 * extractions (none: they are left out); `notExtracted` counts those it does not hold yet. All at once: see
 * `workspaceRowBatches` for a batch at a time.
 */
export async function workspaceRows(
  folders: readonly string[],
  rules: DiscoveryRules & { signal?: AbortSignal; documentCache?: string } = {},
): Promise<{ rows: PushRow[]; files: number; skipped: number; notExtracted: number }> {
  const found = await workspaceRowBatches(folders, rules);
  const rows: PushRow[] = [];
  let files = 0;
  for await (const batch of found.batches)
    for (const file of batch) {
      files++;
      rows.push(...file.rows);
    }
  return { rows, files, skipped: found.skipped(), notExtracted: found.notExtracted() };
}

/** One file's rows, with the size and mtime the walk saw (a later walk that sees the same may skip the file). */
export interface FileRows {
  path: string;
  location: string;
  size: number;
  mtimeMs: number;
  rows: PushRow[];
}

export interface RowBatches {
  /** Every file the walk listed, read or not. */
  candidates: FileBatches['candidates'];
  /** The files chosen to be read (`wanted`); those skipped or not extracted are in no batch. */
  wanted: FileBatches['wanted'];
  /** The chosen files' rows, a batch of files at a time: a caller that writes a batch before the next holds one. */
  batches: AsyncGenerator<FileRows[], void, undefined>;
  /** Files skipped (counted as batches are read). */
  skipped: () => number;
  notExtracted: () => number;
  /** The paths of the documents not extracted (see `workspaceRows`), as the batches read so far found them. */
  notExtractedPaths: () => readonly string[];
}

/**
 * The folders' chunks as `workspaceRows` makes them, a batch of files at a time: each batch's texts are read when
 * the caller asks for it, so memory holds one batch of texts and rows, however large the workspace.
 */
export async function workspaceRowBatches(
  folders: readonly string[],
  rules: FileBatchOptions = {},
): Promise<RowBatches> {
  const found = await discoverFileBatches(folders, rules);
  async function* batches(): AsyncGenerator<FileRows[], void, undefined> {
    for await (const files of found.batches)
      yield files.map(({ path, location, size, mtimeMs, ...file }) => ({
        path,
        location,
        size,
        mtimeMs,
        rows: fileRows({ path, location, text: file.text, document: file.document }, rules),
      }));
  }
  return {
    candidates: found.candidates,
    wanted: found.wanted,
    batches: batches(),
    skipped: () => Object.values(found.skipped).reduce((a, b) => a + b, 0),
    notExtracted: () => found.notExtracted,
    notExtractedPaths: () => found.notExtractedPaths,
  };
}
