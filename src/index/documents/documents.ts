import { chunkSpansOfKind, type ChunkSpan, type HeadingTrail } from '../chunking/chunker';
import { TextLines } from '../chunking/textLines';
import { extractDatabricksSource, mayBeDatabricksSource } from './databricksSource';
import type { ExtractedDocument } from './extractedDocument';
import { extractNotebook } from './notebook';

/** Which documents the index reads for their content rather than as plain text (`grounded.index.documents`). */
export interface DocumentSettings {
  /** Jupyter notebooks (`.ipynb`): cells, cited by cell. Off: notebooks are not indexed at all. Default on. */
  notebooks?: boolean;
  /** Databricks notebook sources: cells, `MAGIC` prefixes off. Off: read as the code they are. Default on. */
  databricks?: boolean;
  /** Index notebook cells' text outputs too (`grounded.index.notebookOutputs`). Default on. */
  notebookOutputs?: boolean;
  /**
   * Notebooks larger than this many bytes are skipped as too large (`grounded.index.maxDocumentSizeMB`): a document
   * has a cap of its own, as images in its outputs make it far larger than its text. See `documentByteLimit`.
   */
  maxDocumentBytes?: number;
}

/** A notebook larger than this is not indexed unless the settings say otherwise. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;
/** The largest document size limit a setting can ask for: a notebook is read and parsed whole. */
export const MAX_DOCUMENT_BYTES_LIMIT = 100 * 1024 * 1024;

/**
 * The size limit for the file at `path`: the document limit (within 1 byte and MAX_DOCUMENT_BYTES_LIMIT; the default
 * when none or not a number) for a notebook, `fileLimit` for anything else.
 */
export function documentByteLimit(path: string, fileLimit: number, settings: DocumentSettings = {}): number {
  if (!isNotebookPath(path)) return fileLimit;
  const asked = settings.maxDocumentBytes;
  if (asked === undefined || !Number.isFinite(asked) || asked <= 0) return DEFAULT_MAX_DOCUMENT_BYTES;
  return Math.min(Math.max(1, Math.floor(asked)), MAX_DOCUMENT_BYTES_LIMIT);
}

/**
 * The settings as a person wrote them (`grounded.index.documents`, `grounded.index.notebookOutputs`,
 * `grounded.index.maxDocumentSizeMB`): only `false` turns a kind off; anything else, of whatever shape, leaves the
 * default (on). A size that is not a positive number leaves the default size.
 */
export function documentSettings(
  documents: unknown,
  notebookOutputs: unknown,
  maxDocumentSizeMB?: unknown,
): DocumentSettings {
  const kinds = typeof documents === 'object' && documents !== null ? (documents as Record<string, unknown>) : {};
  const settings: DocumentSettings = {
    notebooks: kinds['notebooks'] !== false,
    databricks: kinds['databricks'] !== false,
    notebookOutputs: notebookOutputs !== false,
  };
  if (typeof maxDocumentSizeMB === 'number' && maxDocumentSizeMB > 0)
    settings.maxDocumentBytes = Math.round(maxDocumentSizeMB * 1024 * 1024);
  return settings;
}

export const isNotebookPath = (path: string): boolean => path.toLowerCase().endsWith('.ipynb');

/**
 * What a document kind's file names say before it is read: a Jupyter notebook is not indexed when notebooks are
 * off (its JSON is no text to cite).
 */
export const documentAdmitted = (path: string, settings: DocumentSettings = {}): boolean =>
  settings.notebooks !== false || !isNotebookPath(path);

/**
 * Which document reading a file gets, from its name and the settings (files of one key with the same bytes chunk the
 * same); undefined for plain text.
 */
export function documentKey(path: string, settings: DocumentSettings = {}): string | undefined {
  if (isNotebookPath(path)) return settings.notebookOutputs === false ? 'notebook' : 'notebook+outputs';
  return settings.databricks !== false && mayBeDatabricksSource(path) ? 'databricks' : undefined;
}

/**
 * A file's content as a document, or undefined when it is read as plain text: a Jupyter notebook (whose JSON does
 * not parse: plain text), or a Databricks notebook source (when those are on).
 */
export function extractDocument(
  path: string,
  text: string,
  settings: DocumentSettings = {},
): ExtractedDocument | undefined {
  if (isNotebookPath(path)) return settings.notebooks === false ? undefined : extractNotebook(text);
  if (settings.databricks !== false && mayBeDatabricksSource(path)) return extractDatabricksSource(text);
  return undefined;
}

/**
 * A document's chunks as lines of its extracted text: each unit chunked alone by its kind, so no chunk spans two
 * cells (or a cell and its outputs). A cell is titled under the heading of the markdown cells above it
 * (`Load data > clean`), as a notebook's outline shows it. Output units are left out when outputs are off.
 */
export function documentSpans(
  document: ExtractedDocument,
  lines: TextLines,
  settings: DocumentSettings = {},
): ChunkSpan[] {
  const spans: ChunkSpan[] = [];
  const trail: HeadingTrail = [];
  for (const unit of document.units) {
    if (unit.output && settings.notebookOutputs === false) continue;
    const own = new TextLines(lines.join(unit.start, unit.end));
    const under =
      trail
        .map(t => t.text)
        .filter(Boolean)
        .join(' > ') || undefined;
    const unitSpans = chunkSpansOfKind(unit.kind, own, unit.output ? [] : trail);
    for (const span of unitSpans) {
      const inCell =
        unit.kind === 'markdown'
          ? (span.title ?? under)
          : span.title && under
            ? `${under} > ${span.title}`
            : (span.title ?? under);
      const title = unit.output ? `Cell ${unit.cell} output` : inCell;
      const shifted: ChunkSpan = { startLine: span.startLine + unit.start, endLine: span.endLine + unit.start };
      if (title) shifted.title = title;
      spans.push(shifted);
    }
  }
  return spans;
}
