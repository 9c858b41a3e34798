import assert from 'node:assert/strict';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { documentSpans } from '../../../../src/index/documents/documents';
import { extractPdf, pageLines } from '../../../../src/index/documents/pdfDocument';
import {
  encryptedPdf,
  pdfOfPages,
  pdfWithContentStream,
  pdfWithoutText,
  pdfWithPredefinedCMap,
  REPORT_PAGES,
} from './pdfFixtures';

const TIMEOUT_MS = 60_000;

describe('PDF extraction', () => {
  it('gives each page its lines, in order, as a unit that names the page', async () => {
    const extraction = await extractPdf(await pdfOfPages(REPORT_PAGES), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    const { document } = extraction;
    assert.equal(document.kind, 'pdf');
    assert.deepEqual(
      document.units.map(u => [u.page, u.start, u.end]),
      [
        [1, 0, 2],
        [2, 2, 5],
        [3, 5, 7],
      ],
    );
    const lines = document.text.split('\n');
    assert.deepEqual(lines.slice(2, 5), [...REPORT_PAGES[1]]);
  });

  it('numbers pages as the PDF does when a page has no text', async () => {
    const extraction = await extractPdf(await pdfOfPages([['Cover words'], [], ['Last page words']]), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    assert.deepEqual(
      extraction.document.units.map(u => u.page),
      [1, 3],
    );
  });

  it('counts every page of the PDF, those without text too', async () => {
    const extraction = await extractPdf(await pdfOfPages([['Cover words'], ['Middle words'], []]), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    assert.equal(extraction.document.pages, 3);
  });

  it('chunks never span two pages, and are titled with their page', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `sentence ${i} of the long page`);
    const extraction = await extractPdf(await pdfOfPages([long, long, ['short']]), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    const { document } = extraction;
    const spans = documentSpans(document, new TextLines(document.text));
    assert.ok(spans.length >= 3);
    for (const span of spans) {
      const unit = document.units.find(u => u.start < span.startLine && span.startLine <= u.end);
      assert.ok(unit && span.endLine <= unit.end, `lines ${span.startLine}-${span.endLine} span two pages`);
      assert.equal(span.title, `Page ${unit.page}`);
    }
  });

  it("reads the text of a font that names one of Adobe's encodings (a Japanese PDF) instead of dropping it", async () => {
    const extraction = await extractPdf(pdfWithPredefinedCMap('日本語の報告書', 'Latin line'), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    assert.deepEqual(extraction.document.text.split('\n'), ['日本語の報告書', 'Latin line']);
  });

  it('skips a PDF that needs a password as encrypted', async () => {
    assert.deepEqual(await extractPdf(encryptedPdf(), TIMEOUT_MS), { kind: 'skip', reason: 'encrypted' });
  });

  it('skips a scanned-style PDF with no text layer', async () => {
    assert.deepEqual(await extractPdf(await pdfWithoutText(), TIMEOUT_MS), { kind: 'skip', reason: 'no-text-layer' });
  });

  it('skips a damaged PDF as malformed', async () => {
    const bytes = await pdfOfPages(REPORT_PAGES);
    assert.deepEqual(await extractPdf(bytes.subarray(0, 200), TIMEOUT_MS), { kind: 'skip', reason: 'malformed' });
    assert.deepEqual(await extractPdf(Buffer.from('not a pdf at all'), TIMEOUT_MS), {
      kind: 'skip',
      reason: 'malformed',
    });
  });

  it('reads the other pages of a PDF whose page tree names a page that is not there', async () => {
    const pdf = pdfWithContentStream(Buffer.from('BT /F1 12 Tf 50 700 Td (Readable page) Tj ET'), '');
    const withKids = (kids: string, count: number): Buffer =>
      Buffer.from(
        pdf.toString('latin1').replace('/Kids [3 0 R] /Count 1', `/Kids [${kids}] /Count ${count}`),
        'latin1',
      );
    const extraction = await extractPdf(withKids('3 0 R 9 0 R', 2), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    assert.equal(extraction.document.text, 'Readable page');
    assert.deepEqual(
      extraction.document.units.map(u => u.page),
      [1],
    );
    assert.equal(extraction.document.pages, 2);
    assert.deepEqual(await extractPdf(withKids('9 0 R', 1), TIMEOUT_MS), { kind: 'skip', reason: 'malformed' });
  });

  it('leaves the caller’s bytes whole (pdf.js gets a copy)', async () => {
    const bytes = await pdfOfPages(REPORT_PAGES);
    const length = bytes.byteLength;
    await extractPdf(bytes, TIMEOUT_MS);
    assert.equal(bytes.byteLength, length);
  });

  it('keeps a page’s lines right-trimmed, without blank runs at the ends or twice in a row', () => {
    assert.deepEqual(pageLines('\n\nTitle  \n\n\n\nBody\r\nmore \n\n'), ['Title', '', 'Body', 'more']);
  });
});
