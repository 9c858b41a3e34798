import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** test/fixtures/documents, from the compiled test's folder (out/test/unit/…). */
const DOCUMENT_FIXTURES = resolve(__dirname, '../../../../../test/fixtures/documents');

/** A PDF with one page per entry, each page's lines drawn one under the other (its text layer). */
export async function pdfOfPages(pages: readonly (readonly string[])[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([420, 600]);
    lines.forEach((line, i) => page.drawText(line, { x: 40, y: 550 - i * 18, size: 12, font }));
  }
  return doc.save();
}

/** A scanned-style PDF: pages with a drawn shape and no text at all. */
export async function pdfWithoutText(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < 2; i++) doc.addPage([420, 600]).drawRectangle({ x: 40, y: 40, width: 300, height: 400 });
  return doc.save();
}

/**
 * A one-page PDF ("Quarterly retention secret") that needs the password `reader`: made with
 * `qpdf --encrypt reader owner 256`, as pdf-lib cannot encrypt.
 */
export const encryptedPdf = (): Buffer => readFileSync(resolve(DOCUMENT_FIXTURES, 'encrypted.pdf'));

/** Three pages, each with its own words, so a search names the page. */
export const REPORT_PAGES = [
  ['Annual report', 'Revenue grew in every region.'],
  ['Churn analysis', 'Customers who churned cited pricing.', 'Retention improved after onboarding calls.'],
  ['Outlook', 'Next year we open two offices.'],
] as const;
