// PDFs and Word documents made up for the documents benchmark: reports of full pages of text (a PDF's text layer drawn
// with pdf-lib) and Word documents of headed sections with a table, each one's words its own (a seed per file).
import { random } from '../../fakes/seededRandom';
import { docxOf, type DocxBlock } from '../../unit/index/documents/docxFixtures';
import { pdfOfPages } from '../../unit/index/documents/pdfFixtures';
import { sentence } from './generatedNotebooks';

/** Lines of text on a full page of the generated PDFs (12 pt lines on a 600 pt page). */
export const PDF_LINES_A_PAGE = 28;

/** A PDF of `pages` full pages: a heading line, then lines of about ten words. */
export function generatedPdf(pages: number, seed: number): Promise<Uint8Array> {
  const next = random(seed);
  return pdfOfPages(
    Array.from({ length: pages }, (_, p) => [
      `${p + 1}. ${sentence(next, 3)}`,
      ...Array.from({ length: PDF_LINES_A_PAGE - 1 }, () => `${sentence(next, 10)}.`),
    ]),
  );
}

/** A Word document of `sections` sections: a heading, three paragraphs, and every third section a small table. */
export function generatedDocx(sections: number, seed: number): Promise<Buffer> {
  const next = random(seed);
  const blocks: DocxBlock[] = [{ heading: 1, text: sentence(next, 4) }];
  for (let s = 0; s < sections; s++) {
    blocks.push({ heading: 2, text: sentence(next, 3) });
    for (let p = 0; p < 3; p++) blocks.push({ text: `${sentence(next, 40)}.` });
    if (s % 3 === 0)
      blocks.push({
        table: Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => sentence(next, 2))),
      });
  }
  return docxOf(blocks);
}
