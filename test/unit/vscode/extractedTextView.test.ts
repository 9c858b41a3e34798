import assert from 'node:assert/strict';
import { locatePassage } from '../../../src/core/locatePassage';
import { splitLines, type ExtractedDocument } from '../../../src/index';
import { extractedTextView, VIEW_HEADER_LINES, viewedDocx } from '../../../src/vscode/extractedTextView';

const PDF: ExtractedDocument = {
  kind: 'pdf',
  pages: 3,
  text: ['Annual report', 'Revenue grew.', 'Churn analysis', 'Customers churned.', 'Retention improved.'].join('\n'),
  units: [
    { kind: 'text', cell: 0, page: 1, start: 0, end: 2 },
    { kind: 'text', cell: 0, page: 3, start: 2, end: 5 },
  ],
};

describe('the read-only view of a document’s extracted text', () => {
  it('shows one PDF page under a title naming the file and the page, its lines where citations put them', () => {
    const view = extractedTextView(PDF, 'report.pdf', 3);
    assert.ok(view);
    const lines = view.split('\n');
    assert.equal(lines[0], 'report.pdf — page 3 of 3, text extracted from the PDF (read-only)');
    // Line 2 of page 3, as a passage cites it, is line 2 + VIEW_HEADER_LINES of the view.
    assert.equal(lines[2 + VIEW_HEADER_LINES - 1], 'Customers churned.');
    assert.equal(lines.length, VIEW_HEADER_LINES + 3);
  });

  it('counts the PDF’s pages, not only those with text, and names none where the extraction did not count them', () => {
    const scannedEnd: ExtractedDocument = { ...PDF, pages: 5 };
    assert.equal(
      extractedTextView(scannedEnd, 'report.pdf', 3)?.split('\n')[0],
      'report.pdf — page 3 of 5, text extracted from the PDF (read-only)',
    );
    assert.equal(
      extractedTextView({ ...scannedEnd, pages: undefined }, 'report.pdf', 3)?.split('\n')[0],
      'report.pdf — page 3, text extracted from the PDF (read-only)',
    );
  });

  it('has no view of a page without text', () => {
    assert.equal(extractedTextView(PDF, 'report.pdf', 2), undefined);
  });

  it('shows a Word document’s whole text under its name', () => {
    const docx: ExtractedDocument = {
      kind: 'docx',
      text: '# Handbook\n\nOn-call rotates.',
      units: [{ kind: 'markdown', cell: 0, start: 0, end: 3 }],
    };
    const lines = (extractedTextView(docx, 'handbook.docx') ?? '').split('\n');
    assert.equal(lines[0], 'handbook.docx — text of the Word document (read-only)');
    assert.equal(lines[3 + VIEW_HEADER_LINES - 1], 'On-call rotates.');
  });

  it('reads a Word document’s view back as the document the index reads, its lines below the view’s title', () => {
    const docx: ExtractedDocument = {
      kind: 'docx',
      text: '# Handbook\n\n## On call\nOn-call rotates.',
      units: [{ kind: 'markdown', cell: 0, start: 0, end: 4 }],
    };
    assert.deepEqual(viewedDocx(extractedTextView(docx, 'handbook.docx') ?? ''), docx);
  });

  it('opens a cited first line exactly when the text starts with a byte order mark (a Word paragraph can)', () => {
    const docx: ExtractedDocument = {
      kind: 'docx',
      text: '\uFEFFHello world\n\nsecond',
      units: [{ kind: 'markdown', cell: 0, start: 0, end: 3 }],
    };
    // The index and the passage read-back count lines as splitLines does: the mark is no part of the first line.
    const text = splitLines(docx.text).slice(0, 1).join('\n');
    const view = extractedTextView(docx, 'hello.docx') ?? '';
    assert.deepEqual(locatePassage(view, { startLine: 1 + VIEW_HEADER_LINES, text }), {
      startLine: 1 + VIEW_HEADER_LINES,
      endLine: 1 + VIEW_HEADER_LINES,
      how: 'exact',
    });
  });
});
