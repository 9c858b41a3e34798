/** How a unit of a document is chunked: as markdown (heading sections), code (top-level blocks) or text (paragraphs). */
export type UnitKind = 'markdown' | 'code' | 'text';

/**
 * A run of lines of an extracted document's text that chunks never cross: a notebook cell's source, or its text
 * outputs; a PDF page's text; a Word document's whole text. Lines are 0-based, [start, end).
 */
export interface DocumentUnit {
  kind: UnitKind;
  /** The notebook cell the lines come from, 1-based (0 in a PDF or a Word document, which have none). */
  cell: number;
  /** The PDF page the lines are on, 1-based. */
  page?: number;
  /** The lines are the cell's text outputs rather than its source. */
  output?: true;
  start: number;
  end: number;
}

/**
 * A document's text as the index reads it, with the units it is cut into. `text` has no line break inside a line
 * and no trailing break, so its lines (as `TextLines` counts them) are exactly the ones the units name.
 */
export interface ExtractedDocument {
  /**
   * `notebook`: a Jupyter notebook, cited by cell. `databricks`: a Databricks notebook source, cited by the file's
   * lines. `pdf`: a PDF's text layer, cited by page. `docx`: a Word document's text, cited by its extracted lines.
   */
  kind: 'notebook' | 'databricks' | 'pdf' | 'docx';
  text: string;
  units: DocumentUnit[];
  /** A PDF's number of pages, those without text too (units name only the pages with text). */
  pages?: number;
}

/** Whether a document's citations name its cells (its lines are not the file's): a Jupyter notebook's are. */
export const citesCells = (document: ExtractedDocument): boolean => document.kind === 'notebook';

/** The unit holding lines [start, end) of the extracted text (0-based), or undefined when no one unit holds them all. */
export function unitOf(document: ExtractedDocument, start: number, end: number): DocumentUnit | undefined {
  const unit = document.units.find(u => u.start <= start && start < u.end);
  return unit && end <= unit.end ? unit : undefined;
}

/**
 * A Word document's extracted text, given as its lines, as the index reads it: one unit of markdown, chunked by its
 * headings. Also how a view of that text is read back as the document it shows.
 */
export function docxDocument(lines: readonly string[]): ExtractedDocument {
  return { kind: 'docx', text: lines.join('\n'), units: [{ kind: 'markdown', cell: 0, start: 0, end: lines.length }] };
}
