import { docxDocument, splitLines, type ExtractedDocument } from '../index';

/** Lines above a document's text in its read-only view: a title line and a blank line. */
export const VIEW_HEADER_LINES = 2;

/**
 * The read-only view of a PDF page's or Word document's extracted text: a title naming the file (and the page), a
 * blank line, then the text's lines, so a cited line L of the page is line L + VIEW_HEADER_LINES of the view.
 * Undefined when the PDF has no such page with text.
 */
export function extractedTextView(document: ExtractedDocument, name: string, page?: number): string | undefined {
  // The lines the index and the passage read-back count (a leading byte order mark is none of the first line's), so
  // a passage's text is found at its own line.
  const lines = splitLines(document.text);
  if (document.kind !== 'pdf') return [`${name} — text of the Word document (read-only)`, '', ...lines].join('\n');
  const unit = document.units.find(u => u.page === page);
  if (!unit) return undefined;
  // the pages with text are not all of them (a scanned appendix has none): the count is the PDF's, where it was kept
  const of = document.pages === undefined ? '' : ` of ${document.pages}`;
  const title = `${name} — page ${page}${of}, text extracted from the PDF (read-only)`;
  return [title, '', ...lines.slice(unit.start, unit.end)].join('\n');
}

/**
 * The Word document a view of its text shows, read back from the view's text: its lines below the view's title, as
 * one unit of markdown, as the index reads the document's extracted text. Its chunks are then the index's, whose
 * headings name where the view's lines are.
 */
export const viewedDocx = (view: string): ExtractedDocument => docxDocument(splitLines(view).slice(VIEW_HEADER_LINES));
