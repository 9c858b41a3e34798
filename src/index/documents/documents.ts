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
  /** PDFs (`.pdf`): the text layer, cited by page. Off: PDFs are not indexed at all. Default on. */
  pdf?: boolean;
  /** Word documents (`.docx`): the text, headings as chunk titles. Off: not indexed at all. Default on. */
  docx?: boolean;
  /** Index notebook cells' text outputs too (`grounded.index.notebookOutputs`). Default on. */
  notebookOutputs?: boolean;
  /**
   * Notebooks, PDFs and Word documents larger than this many bytes are skipped as too large
   * (`grounded.index.maxDocumentSizeMB`): a document has a cap of its own, as images make it far larger than its
   * text. See `documentByteLimit`.
   */
  maxDocumentBytes?: number;
}

/** A notebook, PDF or Word document larger than this is not indexed unless the settings say otherwise. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024;
/**
 * How long one document's extraction may take: a document that takes longer (a huge or pathological file) is
 * skipped as 'extraction-timeout' so it cannot hold up the index.
 */
export const EXTRACTION_TIMEOUT_MS = 30_000;

/** The largest document size limit a setting can ask for: a notebook is read and parsed whole. */
export const MAX_DOCUMENT_BYTES_LIMIT = 100 * 1024 * 1024;

/**
 * The size limit for the file at `path`: the document limit (within 1 byte and MAX_DOCUMENT_BYTES_LIMIT; the default
 * when none or not a number) for a notebook, a PDF or a Word document, `fileLimit` for anything else.
 */
export function documentByteLimit(path: string, fileLimit: number, settings: DocumentSettings = {}): number {
  if (!isNotebookPath(path) && binaryDocumentKind(path) === undefined) return fileLimit;
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
    pdf: kinds['pdf'] !== false,
    docx: kinds['docx'] !== false,
    notebookOutputs: notebookOutputs !== false,
  };
  if (typeof maxDocumentSizeMB === 'number' && maxDocumentSizeMB > 0)
    settings.maxDocumentBytes = Math.round(maxDocumentSizeMB * 1024 * 1024);
  return settings;
}

export const isNotebookPath = (path: string): boolean => path.toLowerCase().endsWith('.ipynb');

/** A document read from its bytes rather than as text: a PDF or a Word document. */
export type BinaryDocumentKind = 'pdf' | 'docx';

/** The binary document kind of the file at `path`, by its extension; undefined for any other file. */
export function binaryDocumentKind(path: string): BinaryDocumentKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.pdf')) return 'pdf';
  return lower.endsWith('.docx') ? 'docx' : undefined;
}

/**
 * What a document kind's file names say before it is read: a Jupyter notebook is not indexed when notebooks are
 * off (its JSON is no text to cite), nor a PDF or a Word document when its kind is off (its bytes are no text).
 */
export function documentAdmitted(path: string, settings: DocumentSettings = {}): boolean {
  if (isNotebookPath(path)) return settings.notebooks !== false;
  const binary = binaryDocumentKind(path);
  return binary === undefined || settings[binary] !== false;
}

/**
 * Which document reading a file gets, from its name and the settings (files of one key with the same bytes chunk the
 * same); undefined for plain text.
 */
export function documentKey(path: string, settings: DocumentSettings = {}): string | undefined {
  const binary = binaryDocumentKind(path);
  if (binary !== undefined) return binary;
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
      const title = unit.output
        ? `Cell ${unit.cell} output`
        : (inCell ?? (unit.page === undefined ? undefined : `Page ${unit.page}`));
      const shifted: ChunkSpan = { startLine: span.startLine + unit.start, endLine: span.endLine + unit.start };
      if (title) shifted.title = title;
      spans.push(shifted);
    }
  }
  return spans;
}
