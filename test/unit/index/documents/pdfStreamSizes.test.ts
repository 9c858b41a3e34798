import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { extractPdf } from '../../../../src/index/documents/pdfDocument';
import { MAX_STREAM_DECODED_BYTES, pdfStreamsWithin } from '../../../../src/index/documents/pdfStreamSizes';
import { pdfWithContentStream } from './pdfFixtures';

const TEXT = 'BT /F1 12 Tf 50 700 Td (Quarterly figures) Tj ET\n';
const MB = 1024 * 1024;

/** A content stream drawing TEXT, then `spaces` spaces (nothing to draw, and a thousand to one deflated). */
const padded = (spaces: number): Buffer => Buffer.concat([Buffer.from(TEXT), Buffer.alloc(spaces, 0x20)]);

/** LZW as PDF writes it: codes of 9 to 12 bits, one code early, the table cleared when full. */
function lzwEncoded(data: Buffer): Buffer {
  const table = new Map<number, number>(); // (prefix code << 8 | byte) -> code
  let next = 258;
  let width = 9;
  let bits = 0;
  let held = 0;
  const out: number[] = [];
  const emit = (code: number): void => {
    held = held * 2 ** width + code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      out.push(Math.floor(held / 2 ** bits) & 0xff);
      held %= 2 ** bits;
    }
  };
  emit(256);
  let current = -1;
  for (const byte of data) {
    if (current < 0) {
      current = byte;
      continue;
    }
    const known = table.get((current << 8) | byte);
    if (known !== undefined) {
      current = known;
      continue;
    }
    emit(current);
    table.set((current << 8) | byte, next++);
    if (next >= 1 << width && width < 12) width++;
    if (next >= 4094) {
      emit(256);
      table.clear();
      next = 258;
      width = 9;
    }
    current = byte;
  }
  if (current >= 0) emit(current);
  emit(257);
  if (bits > 0) out.push((held << (8 - bits)) & 0xff);
  return Buffer.from(out);
}

describe('PDF stream sizes', () => {
  it('skips as too large, before pdf.js decodes it, a small PDF whose content stream inflates past the cap', async function () {
    this.timeout(60_000);
    const pdf = pdfWithContentStream(deflateSync(padded(MAX_STREAM_DECODED_BYTES + MB)), '/Filter /FlateDecode');
    assert.ok(pdf.length < MB / 2);
    assert.deepEqual(await extractPdf(pdf, 60_000), { kind: 'skip', reason: 'too-large' });
  });

  it('reads a PDF whose streams decode within the caps, LZW ones too', async () => {
    const lzw = await extractPdf(
      pdfWithContentStream(
        lzwEncoded(Buffer.concat([Buffer.alloc(64 * 1024, 0x20), Buffer.from(TEXT)])),
        '/Filter /LZWDecode',
      ),
      60_000,
    );
    assert.equal(lzw.kind, 'document');
    assert.equal(lzw.document.text, 'Quarterly figures');
    const pdf = pdfWithContentStream(deflateSync(padded(64 * 1024)), '/Filter /FlateDecode');
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind, 'document');
    assert.equal(extraction.document.text, 'Quarterly figures');
  });

  it('decodes a stream through each of its filters, as pdf.js does, to measure it', async () => {
    const flate = deflateSync(padded(2 * MB));
    const cases: [string, Buffer, object?][] = [
      ['/Filter /FlateDecode', flate],
      ['/Filter [/ASCIIHexDecode /FlateDecode]', Buffer.from(`${flate.toString('hex')}>`)],
      ['/Filter /Fl#61teDecode', flate],
      ['/Filter 6 0 R', flate, { extra: ['[/FlateDecode]'] }],
      // references in a filter array, and the /F key, are read by pdf.js as the /Filter name is
      ['/Filter [6 0 R]', flate, { extra: ['/FlateDecode'] }],
      ['/Filter 6 0 R', flate, { extra: ['[7 0 R]', '/FlateDecode'] }],
      ['/F /Fl', flate],
      ['/F/FlateDecode /Filter /ASCIIHexDecode', flate],
      // a form's own resources may name a font /F: its /Filter is still read
      ['/Resources << /Font << /F 5 0 R >> >> /Filter /FlateDecode', flate],
      ['/Filter /FlateDecode', flate, { indirectLength: true }],
      // damaged after the part that inflates: pdf.js decodes up to the damage
      ['/Filter /FlateDecode', Buffer.concat([flate.subarray(0, flate.length - 8), Buffer.from('damaged!')])],
      [
        '/Filter /RunLengthDecode',
        Buffer.concat([
          Buffer.from(TEXT.length - 1 + '\0'),
          Buffer.from(TEXT),
          Buffer.from(Array.from({ length: (2 * MB) / 128 }, () => [129, 0x20]).flat()),
          Buffer.from([128]),
        ]),
      ],
      ['/Filter /LZWDecode', lzwEncoded(padded(2 * MB))],
    ];
    for (const [entries, data, options] of cases) {
      const pdf = pdfWithContentStream(data, entries, options);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, entries);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, entries);
    }
  });

  it('reads a filter named by reference to an object that an object stream holds, as pdf.js does', async () => {
    // as pdf-lib writes it with object streams: the content stream says /Filter 6 0 R, and object 6 is packed
    const doc = await PDFDocument.create();
    const page = doc.addPage([612, 792]);
    page.node.setFontDictionary(PDFName.of('F1'), (await doc.embedFont(StandardFonts.Helvetica)).ref);
    const data = deflateSync(padded(2 * MB));
    const dictionary = doc.context.obj({ Length: data.length });
    dictionary.set(PDFName.of('Filter'), doc.context.register(PDFName.of('FlateDecode')));
    page.node.set(PDFName.of('Contents'), doc.context.register(PDFRawStream.of(dictionary, data)));
    const pdf = await doc.save({ useObjectStreams: true });
    assert.match(Buffer.from(pdf).toString('latin1'), /\/Filter \d+ 0 R[\s\S]*\/Type \/ObjStm/);
    assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false);
    assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true);
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
  });

  it('measures a stream whose keyword ends its line after a space, or follows a string that holds the word', async () => {
    const data = deflateSync(padded(2 * MB));
    const plain = pdfWithContentStream(data, '/Filter /FlateDecode').toString('latin1');
    for (const pdf of [
      plain.replace('>>\nstream\n', '>>\nstream \r\n'),
      plain.replace('>>\nstream\n', '>>\nstream%\n'),
      // the string's word, measured as a stream of its own up to the first `endstream`, held the real one's data
      plain.replace('/Type /Catalog', '/Type /Catalog /Note (a stream\n)'),
    ]) {
      const bytes = Buffer.from(pdf, 'latin1');
      const extraction = await extractPdf(bytes, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
      assert.equal(pdfStreamsWithin(bytes, 1.5 * MB, 100 * MB), false, pdf.slice(0, 120));
      assert.equal(pdfStreamsWithin(bytes, 3 * MB, 100 * MB), true, pdf.slice(0, 120));
    }
  });

  it('caps what all streams decode to together', () => {
    const half = deflateSync(padded(MB));
    const pdf = pdfWithContentStream(half, '/Filter /FlateDecode', {
      extra: [`<< /Length ${half.length} /Filter /FlateDecode >>\nstream\n${half.toString('latin1')}\nendstream`],
    });
    assert.equal(pdfStreamsWithin(pdf, 2 * MB, 3 * MB), true);
    assert.equal(pdfStreamsWithin(pdf, 2 * MB, 1.5 * MB), false);
  });
});
