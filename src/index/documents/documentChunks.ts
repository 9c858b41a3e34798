import type { Passage } from '../../core/passage';
import { chunkText, splitLines } from '../chunking/chunker';
import { TextLines } from '../chunking/textLines';
import { documentSpans, extractDocument, type DocumentSettings } from './documents';
import { unitOf, type ExtractedDocument } from './extractedDocument';

/**
 * Where a chunk's lines are, as a passage names them: lines of the file; of a notebook cell's source or outputs
 * (`cell`, `cellOutput`); of a PDF page's extracted text (`page`); of a Word document's extracted text; and whether a
 * notebook cell's lines are prose.
 */
export type ChunkPlace = Pick<Passage, 'startLine' | 'endLine' | 'cell' | 'cellOutput' | 'page' | 'prose'>;

/** A chunk with its text and its place: what a search of the local index would cite for it. */
export interface PlacedChunk extends ChunkPlace {
  title?: string;
  text: string;
}

/**
 * Where lines [start, end) (0-based) of a document's extracted text are cited: a Jupyter notebook's in the cell (and
 * its source or outputs) that holds them, a PDF's on its page; a Word document's and a Databricks notebook source's
 * as they are (the one's text has no finer unit to cite, the other's lines are the file's own). Undefined when the
 * lines are not within one cell or page.
 */
export function placeInDocument(document: ExtractedDocument, start: number, end: number): ChunkPlace | undefined {
  if (document.kind === 'docx' || document.kind === 'databricks') return { startLine: start + 1, endLine: end };
  const unit = unitOf(document, start, end);
  if (!unit) return undefined;
  const place: ChunkPlace = { startLine: start + 1 - unit.start, endLine: end - unit.start };
  if (unit.page !== undefined) place.page = unit.page;
  else place.cell = unit.cell;
  if (unit.output) place.cellOutput = true;
  // a notebook's markdown and raw cells are prose, as Markdown and text files are, and its code cells code
  else if (unit.page === undefined) place.prose = unit.kind !== 'code';
  return place;
}

/**
 * A file's chunks exactly as the local index makes and cites them: a notebook's per cell, a PDF's per page, a Word
 * document's and a Databricks source's per unit of its extracted text, anything else by its kind; each with the text
 * a passage of it shows and its place. `extracted`: a PDF's or Word document's text (the index worker's extraction);
 * `text` is then that text. A Databricks source's chunks show the file's own lines, as its passages do.
 */
export function fileChunks(
  path: string,
  text: string,
  settings: DocumentSettings = {},
  extracted?: ExtractedDocument,
): PlacedChunk[] {
  const document = extracted ?? extractDocument(path, text, settings);
  if (!document) return chunkText(path, text);
  const lines = splitLines(document.kind === 'databricks' ? text : document.text);
  return documentSpans(document, new TextLines(document.text), settings).flatMap(span => {
    const place = placeInDocument(document, span.startLine - 1, span.endLine);
    if (!place) return [];
    const chunk: PlacedChunk = { ...place, text: lines.slice(span.startLine - 1, span.endLine).join('\n') };
    if (span.title !== undefined) chunk.title = span.title;
    return [chunk];
  });
}
