import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
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

/**
 * A one-page PDF whose first line is in a font that carries no encoding of its own but names one of Adobe's (a
 * Japanese font, `/Encoding /UniJIS-UCS2-H`, as PDFs made in Chinese, Japanese and Korean often are), and whose
 * second line is in Helvetica. Written by hand, as pdf-lib embeds every font it draws with.
 */
export function pdfWithPredefinedCMap(text: string, latin: string): Buffer {
  return pdfOfObjects(predefinedCMapObjects(text, latin));
}

function predefinedCMapObjects(text: string, latin: string): string[] {
  const ucs2 = [...text].map(c => (c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')).join('');
  const content = `BT /F1 24 Tf 50 700 Td <${ucs2}> Tj ET BT /F2 12 Tf 50 650 Td (${latin}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R /F2 7 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3-UniJIS-UCS2-H /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiMin-W3 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 8 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /FontDescriptor /FontName /HeiseiMin-W3 /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>',
  ];
  return objects;
}

/**
 * A one-page PDF whose page is drawn by one content stream: `data` as it is stored, under a dictionary with
 * `entries` (its filters, say) and its `/Length` (`indirectLength`: as an object of its own, as many writers put it).
 * `extra`: more objects, numbered from 6.
 */
export function pdfWithContentStream(
  data: Buffer,
  entries: string,
  { indirectLength = false, extra = [] as string[] } = {},
): Buffer {
  const length = indirectLength ? `${6 + extra.length} 0 R` : String(data.length);
  return pdfOfObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${length} ${entries} >>\nstream\n${data.toString('latin1')}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...extra,
    ...(indirectLength ? [String(data.length)] : []),
  ]);
}

/** A PDF of these objects (numbered from 1, the first the catalog), with a cross-reference table. */
export function pdfOfObjects(objects: readonly string[]): Buffer {
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map(o => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A cross-reference stream's entry: free, at a byte offset (with its generation), or in the object stream. */
export type CrossReferenceEntry = [type: 0 | 1 | 2, field2: number, field3: number];

/**
 * A PDF of these objects (numbered from 1, the first the catalog) with a cross-reference stream, as PDF 1.5 writers
 * make one: the objects numbered in `packed` are held by an object stream (the next number), the rest written out;
 * the cross-reference stream (the number after) has entries of `/W [1 4 2]`, deflated, with PNG's Up predictor when
 * `predictor` is set. `entries` may change its entries and `dictionary` add to its dictionary (`/Prev 12`, say).
 */
export function pdfWithCrossReferenceStream(
  objects: readonly string[],
  {
    packed = [] as readonly number[],
    predictor = false,
    entries = (e: CrossReferenceEntry[]): CrossReferenceEntry[] => e,
    dictionary = '',
    before = '',
  } = {},
): Buffer {
  const objectStream = objects.length + 1;
  let pdf = `%PDF-1.5\n%\xe2\xe3\xcf\xd3\n${before}`;
  const table: CrossReferenceEntry[] = [[0, 0, 0xffff]];
  objects.forEach((object, i) => {
    const index = packed.indexOf(i + 1);
    if (index >= 0) {
      table.push([2, objectStream, index]);
      return;
    }
    table.push([1, pdf.length, 0]);
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const held = packed.map(n => objects[n - 1] ?? 'null');
  let header = '';
  let body = '';
  held.forEach((object, i) => {
    header += `${packed[i]} ${body.length} `;
    body += `${object}\n`;
  });
  const data = deflateSync(Buffer.from(header + body, 'latin1'));
  table.push([1, pdf.length, 0]);
  pdf += `${objectStream} 0 obj\n<< /Type /ObjStm /N ${held.length} /First ${header.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream\nendobj\n`;
  table.push([1, pdf.length, 0]);
  const start = pdf.length;
  const rows = entries(table).map(([type, field2, field3]) => {
    const row = Buffer.alloc(7);
    row.writeUInt8(type, 0);
    row.writeUInt32BE(field2, 1);
    row.writeUInt16BE(field3, 5);
    return row;
  });
  // PNG's Up predictor: each row a type byte (2), then each byte less the one above it
  const stored = predictor
    ? Buffer.concat(rows.map((row, r) => Buffer.from([2, ...row.map((b, i) => (b - (rows[r - 1]?.[i] ?? 0)) & 0xff)])))
    : Buffer.concat(rows);
  const xref = deflateSync(stored);
  const params = predictor ? '/DecodeParms << /Columns 7 /Predictor 12 >> ' : '';
  pdf += `${objectStream + 1} 0 obj\n<< /Type /XRef /Size ${table.length} /W [1 4 2] /Root 1 0 R ${dictionary}/Filter /FlateDecode ${params}/Length ${xref.length} >>\nstream\n${xref.toString('latin1')}\nendstream\nendobj\n`;
  pdf += `startxref\n${start}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/**
 * A one-page PDF whose page draws the line "Quarterly figures", then a form (`/Subtype /Form`, drawn with `Do`) whose
 * stream is under `/JBIG2Decode`. pdf.js decodes a form whole before reading it, and its JBIG2 decoder is asynchronous:
 * read as content, pdf.js asks it again and again for output that never comes, filling its heap. Nothing in the file
 * decodes large, so the stream size check lets it through.
 */
export function pdfWithJbig2Form(): Buffer {
  const content = 'BT /F1 12 Tf 50 700 Td (Quarterly figures) Tj ET /Fm1 Do';
  const form = Buffer.alloc(64);
  return pdfOfObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Filter /JBIG2Decode /Length ${form.length} >>\nstream\n${form.toString('latin1')}\nendstream`,
  ]);
}
