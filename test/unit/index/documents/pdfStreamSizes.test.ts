import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFString, StandardFonts } from 'pdf-lib';
import { extractPdf } from '../../../../src/index/documents/pdfDocument';
import {
  MAX_DECODED_BYTES,
  MAX_STREAM_DECODED_BYTES,
  pdfStreamsWithin,
} from '../../../../src/index/documents/pdfStreamSizes';
import {
  pdfOfObjects,
  pdfWithContentStream,
  pdfWithCrossReferenceStream,
  type CrossReferenceEntry,
} from './pdfFixtures';

const TEXT = 'BT /F1 12 Tf 50 700 Td (Quarterly figures) Tj ET\n';
const MB = 1024 * 1024;

/** A content stream drawing TEXT, then `spaces` spaces (nothing to draw, and a thousand to one deflated). */
const padded = (spaces: number): Buffer => Buffer.concat([Buffer.from(TEXT), Buffer.alloc(spaces, 0x20)]);

/**
 * LZW as PDF writes it: codes of 9 to 12 bits, one code early (`earlyChange` 0: on time), the table cleared when full.
 */
function lzwEncoded(data: Buffer, earlyChange = 1): Buffer {
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
    if (next - 1 + earlyChange >= 1 << width && width < 12) width++;
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

/** A 1024 × 2048 grey image's data (2 MB decoded), deflated. */
const IMAGE = deflateSync(Buffer.alloc(2 * MB, 0x80));
const imageObject = (entries = ''): string =>
  `<< /Type /XObject /Subtype /Image /Width 1024 /Height 2048 /ColorSpace /DeviceGray /BitsPerComponent 8 ` +
  `/Filter /FlateDecode /Length ${IMAGE.length} ${entries}>>\nstream\n${IMAGE.toString('latin1')}\nendstream`;
/** An object stream's data holding object 9, a Type 3 font whose subtype is written with an escape. */
const PACKED = deflateSync('9 0 << /Type /Font /Subtype /Typ#653 >>');
const CONTENT = `${TEXT}q 100 0 0 100 50 500 cm /Im1 Do Q /Im2 Do\n`;

/**
 * A one-page PDF drawing CONTENT: objects 1 to 5 are the catalog, the page tree, the page (with `page`'s entries,
 * its `/Contents` 4 0 R unless they say), its content stream and Helvetica; `extra` are numbered from 6.
 */
const pdfOfPage = (page: string, extra: readonly string[]): Buffer =>
  pdfOfObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ${page.includes('/Contents') ? '' : '/Contents 4 0 R '}${page} >>`,
    `<< /Length ${CONTENT.length} >>\nstream\n${CONTENT}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...extra,
  ]);

/**
 * A page whose content stream (2 MB of spaces and TEXT, deflated) names its filter by reference, `/Filter 6 0 R`, to
 * an object `/FlateDecode` that an object stream holds, as pdf-lib writes it with object streams.
 */
async function packedFilterPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.node.setFontDictionary(PDFName.of('F1'), (await doc.embedFont(StandardFonts.Helvetica)).ref);
  const data = deflateSync(padded(2 * MB));
  const dictionary = doc.context.obj({ Length: data.length });
  dictionary.set(PDFName.of('Filter'), doc.context.register(PDFName.of('FlateDecode')));
  page.node.set(PDFName.of('Contents'), doc.context.register(PDFRawStream.of(dictionary, data)));
  return doc.save({ useObjectStreams: true });
}

/** A JPEG's quantization table and frame header, 2048 × 1024 pixels of 3 components (6 MB decoded), and its end. */
const JPEG = Buffer.from(
  'ffd8ffdb004300' + '01'.repeat(64) + 'ffc0001108040008000301110002110003110000' + 'ffd9',
  'hex',
);

/**
 * A page with the JPEG drawn on it and the line 'Quarterly figures', and bookmarks to it: an outline whose items, one
 * per title, each have /Title, /Parent, /Dest and /Prev and /Next to their neighbours, as Word's "Save as PDF" and
 * LaTeX's hyperref write them.
 */
async function bookmarkedPhotoPdf(titles: readonly string[], useObjectStreams: boolean): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawImage(await doc.embedJpg(new Uint8Array(JPEG)), { x: 50, y: 100, width: 400, height: 200 });
  page.drawText('Quarterly figures', { x: 50, y: 700, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  const { context } = doc;
  const outline = context.nextRef();
  const items = titles.map(() => context.nextRef());
  items.forEach((item, i) => {
    const dictionary = context.obj({ Parent: outline, Dest: [page.ref, 'XYZ', null, null, null] });
    dictionary.set(PDFName.of('Title'), PDFString.of(titles[i] ?? ''));
    const previous = items[i - 1];
    const next = items[i + 1];
    if (previous) dictionary.set(PDFName.of('Prev'), previous);
    if (next) dictionary.set(PDFName.of('Next'), next);
    context.assign(item, dictionary);
  });
  context.assign(outline, context.obj({ Type: 'Outlines', First: items[0], Last: items.at(-1), Count: items.length }));
  doc.catalog.set(PDFName.of('Outlines'), outline);
  return Buffer.from(await doc.save({ useObjectStreams }));
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
      // a comment within the array that holds a `]`: pdf.js reads on past it
      ['/Filter [/ASCIIHexDecode %]\n/FlateDecode]', Buffer.from(`${flate.toString('hex')}>`)],
      ['/Filter /Fl#61teDecode', flate],
      // the key's name escaped: pdf.js reads it as /Filter, or /F
      ['/Filt#65r /FlateDecode', flate],
      ['/#46 /FlateDecode', flate],
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

  it('measures LZW with the /EarlyChange pdf.js reads, and refuses one it cannot know', async () => {
    const data = lzwEncoded(Buffer.concat([Buffer.alloc(2 * MB, 0x20), Buffer.from(TEXT)]), 0);
    for (const entries of [
      '/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>',
      '/F /LZW /DP << /Early#43hange 0 >>',
      '/Filter [/LZWDecode] /DecodeParms [6 0 R]',
    ]) {
      const pdf = pdfWithContentStream(data, entries, { extra: ['<< /EarlyChange 0 >>'] });
      // pdf.js decodes it all: the text after the spaces is read
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', entries);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, entries);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, entries);
    }
    // a value pdf.js reads as codes of no width (it then decodes without end, or for 2 GB), or a reference: refused
    for (const value of ['(x)', '/One', '6 0 R', '-2147483907']) {
      const pdf = pdfWithContentStream(
        lzwEncoded(Buffer.from(TEXT)),
        `/Filter /LZWDecode /DecodeParms << /EarlyChange ${value} >>`,
        { extra: ['1'] },
      );
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), false, value);
    }
    const plain = pdfWithContentStream(lzwEncoded(Buffer.from(TEXT)), '/Filter /LZWDecode');
    assert.equal(pdfStreamsWithin(plain, 3 * MB, 100 * MB), true);
  });

  it('reads past a filter pdf.js does not know, as pdf.js passes the data on to the next', async () => {
    const flate = deflateSync(padded(2 * MB));
    for (const entries of [
      '/Filter [/Foo /FlateDecode]',
      '/Filter [/constructor /FlateDecode]',
      '/Filter /__proto__',
    ]) {
      const pdf = pdfWithContentStream(entries.includes('Flate') ? flate : Buffer.from(TEXT), entries);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', entries);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), !entries.includes('Flate'), entries);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, entries);
    }
  });

  it('refuses a filter list that goes on past an image’s own filter, which pdf.js decodes and hands on; one ending with it is read', () => {
    const flate = deflateSync(Buffer.from('ff d8 ff'));
    const cases: [string, { extra: string[] }?][] = [
      ['/Filter [/DCTDecode /FlateDecode]'],
      ['/Filter [/CCITTFaxDecode /AHx /FlateDecode]'],
      ['/Filter [/FlateDecode /JPXDecode /LZW]'],
      ['/Filter 6 0 R', { extra: ['[/DCT /Fl]'] }],
      ['/Filter [6 0 R /FlateDecode]', { extra: ['/JBIG2Decode'] }],
    ];
    for (const [entries, options] of cases)
      assert.equal(pdfStreamsWithin(pdfWithContentStream(flate, entries, options), 3 * MB, 100 * MB), false, entries);
    for (const entries of ['/Filter /DCTDecode', '/Filter [/FlateDecode /DCTDecode]', '/Filter [/DCTDecode /Foo]'])
      assert.equal(pdfStreamsWithin(pdfWithContentStream(flate, entries), 3 * MB, 100 * MB), true, entries);
  });

  it('measures a form under an image’s own filter, which pdf.js decodes whole, by what its decoder holds: fax, JPEG', async () => {
    // fax lines of 1728 white pixels (216 bytes), each coded in one bit (`1`, vertical mode 0, with /K -1): 1728 to 1
    const fax = Buffer.alloc(2 * 1024, 0xff);
    const form = (data: Buffer, entries: string): string =>
      `<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length ${data.length} ${entries} >>\nstream\n${data.toString('latin1')}\nendstream`;
    const resources = '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R /Im2 6 0 R >> >>';
    const faxPdf = (entries: string, extra: readonly string[] = []): Buffer =>
      pdfOfPage(resources, [form(fax, entries), ...extra]);
    const cases: [string, Buffer][] = [
      ['fax', faxPdf('/Filter /CCITTFaxDecode /DecodeParms << /K -1 >>')],
      // /Rows does not end the lines: pdf.js decodes on while the data lasts
      ['fax, /Rows', faxPdf('/Filter /CCF /DecodeParms << /K -1 /Rows 10 >>')],
      // the fax data deflated: what the fax filter reads is what inflates
      [
        'inflated fax',
        pdfOfPage(resources, [form(deflateSync(fax), '/Filter [/Fl /CCITTFaxDecode] /DP [null << /K -1 >>]')]),
      ],
    ];
    // a JPEG's frame header alone: 1024 × 2048 samples of one component (2 MB), whatever data follows
    const jpeg = (width: number, height: number): Buffer =>
      Buffer.from([
        0xff,
        0xd8,
        0xff,
        0xc0,
        0,
        11,
        8,
        height >> 8,
        height & 0xff,
        width >> 8,
        width & 0xff,
        1,
        1,
        0x11,
        0,
      ]);
    cases.push(['JPEG', pdfOfPage(resources, [form(jpeg(2048, 1024), '/Filter /DCTDecode')])]);
    for (const [name, pdf] of cases) {
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 4 * MB, 100 * MB), true, name);
    }
    // wider lines (a /Columns anywhere in the file) decode to more; one that is not a plain number cannot be measured
    assert.equal(
      pdfStreamsWithin(faxPdf('/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 17280 >>'), 4 * MB, 100 * MB),
      false,
    );
    assert.equal(
      pdfStreamsWithin(
        faxPdf('/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 7 0 R >>', ['1728']),
        4 * MB,
        100 * MB,
      ),
      false,
    );
    // a fax filter's output handed on to a JPEG one cannot be measured without decoding the fax
    assert.equal(pdfStreamsWithin(faxPdf('/Filter [/CCITTFaxDecode /DCTDecode]'), 100 * MB, 100 * MB), false);
  });

  it('still reads a PDF with a JPEG image drawn on its page, left out with a cross-reference table or stream', async () => {
    for (const useObjectStreams of [false, true]) {
      const doc = await PDFDocument.create();
      const page = doc.addPage([612, 792]);
      page.drawImage(await doc.embedJpg(new Uint8Array(JPEG)), { x: 50, y: 100, width: 400, height: 200 });
      page.drawText('Quarterly figures', {
        x: 50,
        y: 700,
        size: 12,
        font: await doc.embedFont(StandardFonts.Helvetica),
      });
      const pdf = await doc.save({ useObjectStreams });
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(
        extraction.kind === 'document' && extraction.document.text,
        'Quarterly figures',
        String(useObjectStreams),
      );
      // left out, whether a cross-reference table or a cross-reference stream vouches for where it is
      assert.equal(pdfStreamsWithin(pdf, 4 * MB, 100 * MB), true, String(useObjectStreams));
    }
  });

  it('reads a filter object’s number as pdf.js does, in its reference and in its header (06, 6e0, +6, a comment, a NUL)', async () => {
    const flate = deflateSync(padded(2 * MB));
    const pdfs: [string, Buffer][] = [];
    for (const entries of ['/Filter 6e0 0 R', '/Filter [06 0 R]', '/F 6.0 0 R', '/Filter +6 0 R', '/Filter %\n6 0 R'])
      pdfs.push([entries, pdfWithContentStream(flate, entries, { extra: ['/FlateDecode'] })]);
    // object 6 written `/Fl` and padded, so that its header may be written longer with the table still pointing at it
    const plain = pdfWithContentStream(flate, '/Filter 6 0 R', { extra: ['/Fl      '] }).toString('latin1');
    for (const header of ['06 0 obj\n/Fl', '6e0 0 obj\n/Fl', '+6 0 obj\n/Fl', '6 %\n0 obj/Fl', '6\x000 obj /Fl'])
      pdfs.push([header, Buffer.from(plain.replace('\n6 0 obj\n/Fl      ', `\n${header.padEnd(17)}`), 'latin1')]);
    for (const [name, pdf] of pdfs) {
      if (name.includes('obj')) assert.equal(pdf.length, plain.length, name);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('reads a filter named by reference to an object that an object stream holds, as pdf.js does', async () => {
    // as pdf-lib writes it with object streams: the content stream says /Filter 6 0 R, and object 6 is packed
    const pdf = await packedFilterPdf();
    assert.match(Buffer.from(pdf).toString('latin1'), /\/Filter \d+ 0 R[\s\S]*\/Type \/ObjStm/);
    assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false);
    assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true);
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
  });

  it('reads an object stream’s /N and /First as pdf.js does: a sign, an exponent, a comment, an escaped key, no /Type', async () => {
    // the content stream's filter, /Filter 6 0 R, is object 6, which the object stream holds
    const text = Buffer.from(await packedFilterPdf()).toString('latin1');
    const [entries] = /\/Filter \/FlateDecode\n\/Type \/ObjStm\n\/N \d+\n\/First \d+\n/.exec(text) ?? [''];
    const [, n, first] = /\/N (\d+)\n\/First (\d+)/.exec(entries) ?? [];
    // each written in no more characters than pdf-lib wrote (fewer spaces), padded with spaces to as many, so the
    // cross-reference stream still points at each object
    const written = [
      `/Filter/FlateDecode/Type/ObjStm/N ${n}\n/First +${first}`,
      `/Filter/FlateDecode/Type/ObjStm/N ${n} /First ${Number(first) / 10}e1`,
      `/Filter/FlateDecode/Type/ObjStm/N %\n${n} /First ${first}`,
      `/Filter /FlateDecode/Type/ObjStm/N ${n}\n/Fir#73t ${first}`,
      // pdf.js reads any stream with /N and /First as one, whatever its /Type
      `/Filter /FlateDecode /N ${n}\n/First ${first}`,
    ];
    for (const rewritten of written) {
      assert.ok(rewritten.length <= entries.length - 1, rewritten);
      const pdf = Buffer.from(text.replace(entries.slice(0, -1), rewritten.padEnd(entries.length - 1)), 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', rewritten);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, rewritten);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, rewritten);
    }
  });

  it('reads every object stream that holds a filter object, not only the last', async () => {
    // the content stream's filter, /Filter 6 0 R, is object 6, which pdf-lib's object stream holds as /FlateDecode
    const text = Buffer.from(await packedFilterPdf()).toString('latin1');
    assert.match(text, /\/Filter 6 0 R/);
    // another object stream after the end of the file, which pdf.js never reads, holds object 6 as a filter that
    // decodes little
    const held = '6 0 /ASCIIHexDecode';
    const decoy = `99 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length ${held.length} >>\nstream\n${held}\nendstream\nendobj\n`;
    const pdf = Buffer.from(text + decoy, 'latin1');
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
    assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false);
    assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true);
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

  it('reads the filters of the object pdf.js reads, when a header within its dictionary starts another', async () => {
    // `9 0 obj` in a string or a comment, after the filter: the object pdf.js reads is still object 4, deflated
    const data = deflateSync(padded(2 * MB));
    for (const entries of ['/Filter /FlateDecode /Note (9 0 obj)', '/Filter /FlateDecode %9 0 obj\n']) {
      const pdf = pdfWithContentStream(data, entries);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', entries);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, entries);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, entries);
    }
  });

  it('measures a stream to the end pdf.js reads, whichever /Length it takes', async () => {
    // deflated data whose first block, stored, holds `endstream`: a length that ends there cuts the data short
    const early = Buffer.from('%\nendstream\n');
    const bomb = deflateRawSync(Buffer.concat([Buffer.from(`\n${TEXT}`), Buffer.alloc(2 * MB, 0x20)]));
    const head = Buffer.from([0x78, 0x01, 0x00, early.length, 0, ~early.length & 0xff, 0xff]);
    const data = Buffer.concat([head, early, bomb, Buffer.alloc(4)]);
    const short = head.length + 2;
    const cases: [string, (pdf: string) => string, { indirectLength?: boolean }?][] = [
      // pdf.js takes a key's last value, and the stream's own dictionary's
      [`/Length ${short} /Filter /FlateDecode`, pdf => pdf],
      [`/DecodeParms << /Length ${short} >> /Filter /FlateDecode`, pdf => pdf],
      // the key's name escaped; its own length then written with a comment before `endstream`
      ['/Filter /FlateDecode', pdf => pdf.replace(`/Length ${data.length}`, `/Len#67th ${data.length}`)],
      ['/Filter /FlateDecode', pdf => pdf.replace(/\nendstream(?![\s\S]*endstream)/, '\n%note\nendstream')],
      // its length an object the table points at, defined again after it with the short length
      ['/Filter /FlateDecode', pdf => `${pdf}6 0 obj\n${short}\nendobj\n`, { indirectLength: true }],
    ];
    for (const [entries, edit, options] of cases) {
      const text = pdfWithContentStream(data, entries, options).toString('latin1');
      // the stream's own /Length last, as pdf.js takes it
      const plain = text.replace(`/Length ${data.length} ${entries} >>`, `${entries} /Length ${data.length} >>`);
      const pdf = Buffer.from(edit(plain), 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', edit(entries));
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, edit(entries));
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, edit(entries));
    }
  });

  it('reads past a length that ends at a run of comment signs, where no endstream follows', () => {
    // `%` after `%` is a comment or within one: each way of reading them was tried, twice as many per sign
    const data = Buffer.from(`${'%'.repeat(64)}x\n${TEXT}`);
    const pdf = pdfWithContentStream(data, '/Length 0').toString('latin1').replace(`/Length ${data.length} `, '');
    assert.equal(pdfStreamsWithin(Buffer.from(pdf, 'latin1'), MB, MB), true);
  });

  it('takes the next endstream too when a comment after a length runs on past what is looked at', () => {
    const early = Buffer.from('%\nendstream\n');
    const bomb = deflateRawSync(Buffer.concat([Buffer.from(`\n${TEXT}`), Buffer.alloc(2 * MB, 0x20)]));
    const head = Buffer.from([0x78, 0x01, 0x00, early.length, 0, ~early.length & 0xff, 0xff]);
    const data = Buffer.concat([head, early, bomb, Buffer.alloc(4)]);
    const text = pdfWithContentStream(data, '/Filter /FlateDecode').toString('latin1');
    const pdf = text.replace(/\nendstream(?![\s\S]*endstream)/, `\n%${'-'.repeat(8192)}\nendstream`);
    assert.equal(pdfStreamsWithin(Buffer.from(pdf, 'latin1'), 1.5 * MB, 100 * MB), false);
    assert.equal(pdfStreamsWithin(Buffer.from(pdf, 'latin1'), 3 * MB, 100 * MB), true);
  });

  it('reads each definition of an object a filter is named by, whichever the table points at', async () => {
    // object 6, /FlateDecode where the table points, is defined again after the table as a filter that decodes little
    const data = deflateSync(padded(2 * MB));
    const cases: [string, string, string][] = [
      ['/Filter 6 0 R', '/FlateDecode', '/ASCIIHexDecode'],
      ['/Filter [6 0 R]', '/FlateDecode', '/ASCIIHexDecode'],
      ['/Filter 6 0 R', '[/FlateDecode]', '[/ASCIIHexDecode]'],
    ];
    for (const [entries, object, again] of cases) {
      const text = pdfWithContentStream(data, entries, { extra: [object] }).toString('latin1');
      const pdf = Buffer.from(`${text}6 0 obj\n${again}\nendobj\n`, 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', entries);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, entries);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, entries);
    }
  });

  it('measures a stream whose filter is a reference as each object pdf.js could read it as: one within another header', async () => {
    // a cross-reference stream whose entry for object 4 points at the `4` of `14 0 obj /FlateDecode`: pdf.js reads
    // object 4 as /FlateDecode, and the contents' `/Filter 4 0 R` (or `[4 0 R]`, or a reference to an array holding
    // it) inflates them; no `4 0 obj` is written elsewhere (or one that decodes little is)
    const data = deflateSync(padded(2 * MB));
    const crafted = (filter: string, extra: readonly [number, string][]): Buffer => {
      const objects = new Map<number, string>([
        [1, '<< /Type /Catalog /Pages 2 0 R >>'],
        [2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>'],
        [
          3,
          '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 6 0 R >> >> /Contents 5 0 R >>',
        ],
        [5, `<< /Length ${data.length} /Filter ${filter} >>\nstream\n${data.toString('latin1')}\nendstream`],
        [6, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
        [14, '/FlateDecode'],
        ...extra,
      ]);
      let pdf = '%PDF-1.5\n';
      const offsets = new Map<number, number>();
      for (const [num, object] of objects) {
        offsets.set(num, pdf.length);
        pdf += `${num} 0 obj\n${object}\nendobj\n`;
      }
      offsets.set(4, (offsets.get(14) ?? 0) + 1);
      const size = 17;
      offsets.set(16, pdf.length);
      const entries = Array.from({ length: size }, (_, num) => {
        const at = offsets.get(num);
        return at === undefined
          ? [0, 0, 0, 0, 0, 0]
          : [1, at >>> 24, (at >>> 16) & 0xff, (at >>> 8) & 0xff, at & 0xff, 0];
      });
      const table = Buffer.from(entries.flat()).toString('latin1');
      pdf += `16 0 obj\n<< /Type /XRef /W [1 4 1] /Size ${size} /Root 1 0 R /Length ${table.length} >>\nstream\n${table}\nendstream\nendobj\n`;
      pdf += `startxref\n${offsets.get(16)}\n%%EOF\n`;
      return Buffer.from(pdf, 'latin1');
    };
    const cases: [string, [number, string][]][] = [
      ['4 0 R', []],
      ['[4 0 R]', []],
      ['7 0 R', [[7, '[4 0 R]']]],
      ['4 0 R', [[9, '4 0 obj /ASCIIHexDecode endobj']]],
    ];
    for (const [filter, extra] of cases) {
      const pdf = crafted(filter, extra);
      const name = `${filter} ${extra.map(([, object]) => object).join(' ')}`;
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('leaves out images that reading text never decodes: drawn with Do, a soft mask, a thumbnail', async () => {
    const resources = '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R /Im2 7 0 R >> >>';
    const pdf = pdfOfPage(`${resources} /Thumb 8 0 R`, [
      imageObject('/SMask 9 0 R '),
      imageObject(),
      imageObject(),
      imageObject(),
    ]);
    // four images of 2 MB each: past both caps were they measured
    assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 3 * MB), true);
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
    // a form is read for its text: measured
    const form = pdfOfPage(resources, [imageObject().replace('/Subtype /Image', '/Subtype /Form'), imageObject()]);
    assert.equal(pdfStreamsWithin(form, 1.5 * MB, 100 * MB), false);
  });

  it('reads a deck of 200 full-HD screenshots, Flate-encoded (1.2 GB decoded), with the caps as they are', async function () {
    this.timeout(60_000);
    const screenshot = deflateSync(Buffer.alloc(1920 * 1080 * 3, 0xee));
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (let n = 1; n <= 200; n++) {
      const page = doc.addPage([1920, 1080]);
      const image = doc.context.register(
        PDFRawStream.of(
          doc.context.obj({
            Type: 'XObject',
            Subtype: 'Image',
            Width: 1920,
            Height: 1080,
            ColorSpace: 'DeviceRGB',
            BitsPerComponent: 8,
            Filter: 'FlateDecode',
            Length: screenshot.length,
          }),
          screenshot,
        ),
      );
      page.node.setXObject(PDFName.of('Shot'), image);
      page.drawText(`Slide ${n}`, { x: 50, y: 1000, size: 24, font });
    }
    // written with a cross-reference table, as most exporters write one
    const pdf = await doc.save({ useObjectStreams: false });
    assert.equal(pdfStreamsWithin(pdf, MAX_STREAM_DECODED_BYTES, MAX_DECODED_BYTES), true);
    // with a cross-reference stream and object streams, as PDF 1.5 writers save it, too
    const packed = await doc.save({ useObjectStreams: true });
    assert.equal(pdfStreamsWithin(packed, MAX_STREAM_DECODED_BYTES, MAX_DECODED_BYTES), true);
    const extraction = await extractPdf(pdf, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.pages, 200);
    assert.equal(extraction.kind === 'document' && extraction.document.text.split('\n')[199], 'Slide 200');
  });

  it('measures a stream that says it is an image where reading text decodes it', () => {
    const xobjects = '/XObject << /Im1 6 0 R /Im2 6 0 R >>';
    const resources = `/Resources << /Font << /F1 5 0 R >> ${xobjects} >>`;
    const descriptor = (file: string): string =>
      `<< /Type /FontDescriptor /FontName /Quiet /Flags 32 /FontBBox [0 0 1 1] /ItalicAngle 0 /Ascent 1 /Descent 0 /CapHeight 1 /StemV 1 ${file} 6 0 R >>`;
    const font = (subtype: string): string =>
      `<< /Type /Font /Subtype /${subtype} /BaseFont /Quiet /FirstChar 32 /LastChar 32 /Widths [1] /FontDescriptor 7 0 R >>`;
    const cases: [string, string, string[]][] = [
      ['its contents', `${resources} /Contents 6 0 R`, [imageObject()]],
      ['in its contents', `${resources} /Contents [4 0 R 6 0 R]`, [imageObject()]],
      ['in its contents, an object', `${resources} /Contents 7 0 R`, [imageObject(), '[4 0 R 6 0 R]']],
      [
        'in an array as it is drawn',
        `/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 [6 0 R] >> >>`,
        [imageObject()],
      ],
      [
        'from an /XObject dictionary of its own',
        `/Resources << /Font << /F1 5 0 R >> /XObject 7 0 R >>`,
        [imageObject(), '<< /Im1 6 0 R >>'],
      ],
      [
        'a font file',
        `/Resources << /Font << /F1 8 0 R >> ${xobjects} >>`,
        [imageObject(), descriptor('/FontFile2'), font('TrueType')],
      ],
      [
        'a Type 1 font file',
        `/Resources << /Font << /F1 8 0 R >> ${xobjects} >>`,
        [imageObject(), descriptor('/FontFile'), font('Type1')],
      ],
      [
        'a font file, its key escaped',
        `${resources} /Font2 8 0 R`,
        [imageObject(), descriptor('/Font#46ile3'), font('Type1')],
      ],
      [
        'a Type 3 font in the file',
        `${resources} /Extra 7 0 R`,
        [imageObject(), '<< /Type /Font /Subtype /Typ#653 >>'],
      ],
      [
        'a Type 3 font in an object stream',
        `${resources} /Extra 9 0 R`,
        [
          imageObject(),
          `<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${PACKED.length} >>\nstream\n${PACKED.toString('latin1')}\nendstream`,
        ],
      ],
      // object 4, the page's contents, says it is image 7 (a header in its dictionary): pdf.js reads it as object 4
      ['an image header within the contents', resources.replace('6 0 R >>', '7 0 R >>'), []],
    ];
    for (const [name, page, extra] of cases) {
      let pdf = pdfOfPage(page, extra);
      if (name.startsWith('an image header')) {
        const text = pdf.toString('latin1');
        const contents = `<< /Junk 1\n7 0 obj\n${imageObject()}`;
        pdf = pdfOfObjects([
          ...text
            .split(/\nendobj\n/)
            .slice(0, 3)
            .map(o => o.replace(/^[\s\S]*?\d+ 0 obj\n/, '')),
          contents,
          '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
        ]);
      }
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('reads numbers as pdf.js does: an image referenced as contents by 6e0 0 R, or written 6e0 0 obj, is measured', async () => {
    const resources = '/Resources << /Font << /F1 5 0 R >> >>';
    // an image whose data is the page's text, then 2 MB of spaces
    const data = deflateSync(padded(2 * MB));
    const image = imageObject()
      .replace(IMAGE.toString('latin1'), data.toString('latin1'))
      .replace(`/Length ${IMAGE.length}`, `/Length ${data.length}`);
    // pdf.js's lexer reads `6e0` and `0-6` as 6 (an exponent; a minus sign within a number is skipped)
    for (const contents of ['6e0 0 R', '0-6 0 R', '6E+0 0 R', '6 0e0 R', '6 0 R']) {
      let pdf = pdfOfPage(`${resources} /Contents ${contents}`, [image]);
      if (contents === '6 0 R') {
        // its header written `6e0 0 obj`, two spaces fewer in its dictionary: the table still points at each object
        const text = pdf.toString('latin1').replace('\n6 0 obj', '\n6e0 0 obj');
        pdf = Buffer.from(text.replace('/Type /XObject /Subtype /Image', '/Type/XObject/Subtype /Image'), 'latin1');
      }
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', contents);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, contents);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, contents);
    }
  });

  it('counts an image that a cross-reference entry pointing within another header makes a page’s contents', async () => {
    const data = deflateSync(padded(2 * MB));
    const image = `<< /Type /XObject /Subtype /Image /Width 1024 /Height 2048 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;
    const page = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /Im 14 0 R >> >> /Contents 4 0 R >>`;
    const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, 'null'];
    objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', ...Array<string>(8).fill('null'), image);
    const honest = pdfOfObjects(objects);
    assert.equal(pdfStreamsWithin(honest, 1.5 * MB, 100 * MB), true);
    // object 4's entry points at the `4` of `14 0 obj`: pdf.js reads the image's stream as the page's text
    let text = honest.toString('latin1');
    const entry = text.indexOf('0000000000 65535 f \n') + 20 + 3 * 20;
    text = text.slice(0, entry) + String(text.indexOf('\n14 0 obj') + 2).padStart(10, '0') + text.slice(entry + 10);
    const crafted = Buffer.from(text, 'latin1');
    const extraction = await extractPdf(crafted, 60_000);
    assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
    assert.equal(pdfStreamsWithin(crafted, 1.5 * MB, 100 * MB), false);
  });

  it('leaves out the images of a PDF with bookmarks, whose outline items’ /Prev pdf.js never follows', async () => {
    const titles = ['Summary', 'Revenue', 'Outlook'];
    for (const useObjectStreams of [false, true]) {
      const pdf = await bookmarkedPhotoPdf(titles, useObjectStreams);
      // with a table, the items are written out, each /Prev in the file's text
      if (!useObjectStreams) assert.equal(pdf.toString('latin1').match(/\/Prev \d+ 0 R/g)?.length, 2);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
      assert.equal(pdfStreamsWithin(pdf, 4 * MB, 100 * MB), true, String(useObjectStreams));
    }
    // a /Prev that pdf.js could follow still has to lead to a table or a cross-reference stream
    const honest = (await bookmarkedPhotoPdf(titles, false)).toString('latin1');
    const trailer = (prev: string) => honest.replace(/(\ntrailer\n<<\n)/, `$1${prev}\n`);
    const cases: [string, string][] = [
      ['a trailer’s /Prev to nowhere', trailer('/Prev 9')],
      ['a trailer’s /Prev written /Pr#65v', trailer('/Pr#65v 9')],
      ['a trailer’s /Prev after a comment', trailer('/Prev\n% the offset\n9')],
      // after the word trailer, even within a string, pdf.js could read a trailer wherever a pointer leads it
      [
        'a trailer in a bookmark’s title',
        (await bookmarkedPhotoPdf([...titles, 'trailer << /Prev 9 >>'], false)).toString('latin1'),
      ],
    ];
    for (const [name, text] of cases) {
      const pdf = Buffer.from(text, 'latin1');
      assert.equal(pdfStreamsWithin(pdf, 4 * MB, 100 * MB), false, name);
      assert.equal(pdfStreamsWithin(pdf, 8 * MB, 100 * MB), true, name);
    }
  });

  it('counts an image when pdf.js could reach a cross-reference stream not read here: where it starts, a /Prev, or a re-reading', async () => {
    // a cross-reference stream (no /Type, so no /XRef) whose one entry, object 4, points at the `4` of `14 0 obj`,
    // reached only as pdf.js reads the pointers: pdf.js reads the image's stream as the page's contents
    // 'recovery': a table entry's generation is not its header's, so pdf.js reads the file again as damaged, taking
    // every object whose text has `/XRef` and a character below `@` after it (`/XRef1`) for cross-references
    // 'prev-inline-image': the trailer's /Prev after an inline image whose data holds `>>` (pdf.js reads it raw up to
    // `EI`); 'outline-comment': startxref leads to `xref` in a comment within an outline item, so pdf.js reads the
    // item's keys on the next line as a trailer, its /Prev too
    type Pointers =
      | 'prev-comment'
      | 'prev-escaped'
      | 'prev-inline-image'
      | 'outline-comment'
      | 'startxref-signed'
      | 'linearized'
      | 'recovery';
    const hidden = (pointers: Pointers): Buffer => {
      const data = deflateSync(padded(2 * MB));
      const image = `<< /Type /XObject /Subtype /Image /Width 1024 /Height 2048 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;
      const page = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /Im 14 0 R >> >> /Contents 4 0 R >>`;
      const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, 'null'];
      objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', ...Array<string>(8).fill('null'), image);
      const linearized = pointers === 'linearized';
      // pdf.js starts at the stream (after a linearized file's first endobj, or where startxref says), which then
      // leads on to the table; or it starts at the table, whose trailer leads on to the stream
      const streamFirst = linearized || pointers === 'startxref-signed' || pointers === 'outline-comment';
      let pdf = '%PDF-1.5\n';
      const offsets = new Map<number, number>();
      if (linearized) {
        offsets.set(16, pdf.length);
        pdf += '16 0 obj\n<< /Linearized 1 /L FILE_LENGTH /H [1 1] /O 1 /E 1 /N 1 /T 1 >>\nendobj\n';
      }
      const addStream = (): void => {
        offsets.set(15, pdf.length);
        const prev = streamFirst ? '/Prev TABLE_OFFS' : '';
        pdf += `15 0 obj\n<< /W [1 4 1] /Index [4 1] /Size 17 /Root 1 0 R ${prev} ${pointers === 'recovery' ? '/Type /XRef1' : ''} /Length 6 >>\nstream\nENTRY!\nendstream\nendobj\n`;
      };
      if (linearized) addStream();
      objects.forEach((object, i) => {
        if (pointers === 'recovery' && i === 3) return;
        offsets.set(i + 1, pdf.length);
        pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
      });
      if (!linearized) addStream();
      if (pointers === 'outline-comment') {
        offsets.set(16, pdf.length);
        pdf += `16 0 obj\n<< /Title (Summary) % xref trailer <<\n/Root 1 0 R /Prev ${offsets.get(15)} >>\nendobj\n`;
      }
      const table = pdf.length;
      const generation = (n: number): string => (pointers === 'recovery' && n === 1 ? '00001' : '00000');
      const line = (n: number): string => `${String(offsets.get(n)).padStart(10, '0')} ${generation(n)} n \n`;
      const after =
        linearized || pointers === 'outline-comment'
          ? [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
          : [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      pdf += `xref\n0 4\n0000000000 65535 f \n${[1, 2, 3].map(line).join('')}5 ${after.length}\n${after.map(line).join('')}`;
      const trailer = {
        'prev-comment': `/Prev\n%\n${offsets.get(15)}`,
        'prev-escaped': `/Pr#65v ${offsets.get(15)}`,
        'prev-inline-image': `/Thumb BI /W 1 ID >> EI /Prev ${offsets.get(15)}`,
      };
      const starts: Partial<Record<Pointers, number | string>> = {
        'startxref-signed': `+${offsets.get(15)}`,
        'outline-comment': pdf.indexOf('xref trailer'),
      };
      const start = starts[pointers] ?? table;
      pdf += `trailer\n<< /Size 17 /Root 1 0 R ${linearized ? '' : (trailer[pointers as keyof typeof trailer] ?? '')} >>\n`;
      pdf += `startxref\n${start}\n%%EOF\n`;
      const at = pdf.indexOf('\n14 0 obj') + 2;
      const entry = Buffer.from([1, at >>> 24, (at >>> 16) & 0xff, (at >>> 8) & 0xff, at & 0xff, 0]).toString('latin1');
      pdf = pdf.replace('ENTRY!', entry).replace('TABLE_OFFS', String(table).padStart(10, '0'));
      return Buffer.from(pdf.replace('FILE_LENGTH', String(pdf.length).padStart(11, '0')), 'latin1');
    };
    const all: Pointers[] = [
      'prev-comment',
      'prev-escaped',
      'prev-inline-image',
      'outline-comment',
      'startxref-signed',
      'linearized',
      'recovery',
    ];
    for (const pointers of all) {
      const pdf = hidden(pointers);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', pointers);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, pointers);
    }
  });

  it('counts an image when a trailer’s /Prev or /XRefStm is a reference: pdf.js follows the number its object holds', async () => {
    // the reference's number is the table's offset; the object it names, which the table gives, holds the offset of a
    // cross-reference stream whose one entry, object 4, points at the `4` of `14 0 obj` (the page's contents)
    const crafted = (key: string, number: number): { pdf: Buffer; table: number } => {
      const data = deflateSync(padded(2 * MB));
      const image = `<< /Type /XObject /Subtype /Image /Width 1024 /Height 2048 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream`;
      const page = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /XObject << /Im 14 0 R >> >> /Contents 4 0 R >>`;
      const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, 'null'];
      objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>', ...Array<string>(8).fill('null'), image);
      let pdf = '%PDF-1.5\n';
      const offsets = new Map<number, number>();
      objects.forEach((object, i) => {
        offsets.set(i + 1, pdf.length);
        pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
      });
      offsets.set(15, pdf.length);
      pdf += `15 0 obj\n<< /W [1 4 1] /Index [4 1] /Size 16 /Root 1 0 R /Length 6 >>\nstream\nENTRY!\nendstream\nendobj\n`;
      offsets.set(number, pdf.length);
      pdf += `${number} 0 obj\n${offsets.get(15)}\nendobj\n`;
      const table = pdf.length;
      const line = (n: number): string => `${String(offsets.get(n)).padStart(10, '0')} 00000 n \n`;
      const after = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      pdf += `xref\n0 4\n0000000000 65535 f \n${[1, 2, 3].map(line).join('')}5 ${after.length}\n${after.map(line).join('')}`;
      pdf += `${number} 1\n${line(number)}trailer\n<< /Size ${number + 1} /Root 1 0 R /${key} ${number} 0 R >>\n`;
      pdf += `startxref\n${table}\n%%EOF\n`;
      const at = pdf.indexOf('\n14 0 obj') + 2;
      const entry = Buffer.from([1, at >>> 24, (at >>> 16) & 0xff, (at >>> 8) & 0xff, at & 0xff, 0]).toString('latin1');
      return { pdf: Buffer.from(pdf.replace('ENTRY!', entry), 'latin1'), table };
    };
    for (const key of ['Prev', 'XRefStm']) {
      // the table's offset, once the number written before it has as many digits as the offset
      let number = 1000;
      for (let i = 0; i < 3; i++) number = crafted(key, number).table;
      const { pdf, table } = crafted(key, number);
      assert.equal(table, number, key);
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures', key);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), false, key);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, key);
    }
  });

  it('counts every image of a file pdf.js reads again as damaged: a generation not as its cross-reference entry says', async () => {
    const resources = '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R /Im2 6 0 R >> >>';
    // object 4 defined again after the end of the file: only a re-reading of the file as damaged takes it
    const again = 'BT /F1 12 Tf 50 700 Td (Read again) Tj ET';
    const honest = Buffer.concat([
      pdfOfPage(resources, [imageObject()]),
      Buffer.from(`4 0 obj\n<< /Length ${again.length} >>\nstream\n${again}\nendstream\nendobj\n`),
    ]).toString('latin1');
    const entryOf2 = (text: string): number => text.indexOf('0000000000 65535 f \n') + 20 + 20 + 11;
    const cases: [string, (text: string) => string][] = [
      ['as stored', text => text],
      // the entry and the references say generation 1, the header 0
      [
        'a header',
        text => {
          const at = entryOf2(text);
          return `${text.slice(0, at)}00001${text.slice(at + 5)}`.replaceAll('2 0 R', '2 1 R');
        },
      ],
      // the entry and the header say generation 0, a reference 1
      ['a reference', text => text.replace('/Pages 2 0 R', '/Pages 2 1 R')],
    ];
    for (const [name, edit] of cases) {
      const pdf = Buffer.from(edit(honest), 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      const text = name === 'as stored' ? 'Quarterly figures' : 'Read again';
      assert.equal(extraction.kind === 'document' && extraction.document.text, text, name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), name === 'as stored', name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('counts every image of a file pdf.js reads again as damaged: a trailer’s /Root, or its /Pages, no dictionary', async () => {
    const resources = '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R /Im2 6 0 R >> >>';
    // after the end of the file, only a re-reading of it as damaged takes them: object 4 defined again, and a trailer
    // whose catalog is whole
    const again = 'BT /F1 12 Tf 50 700 Td (Read again) Tj ET';
    const honest = Buffer.concat([
      pdfOfPage(resources, [imageObject()]),
      Buffer.from(`4 0 obj\n<< /Length ${again.length} >>\nstream\n${again}\nendstream\nendobj\n`),
      Buffer.from('7 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Size 8 /Root 7 0 R >>\n'),
    ]).toString('latin1');
    const trailer = (root: string) => (text: string) =>
      text.replace('/Root 1 0 R >>\nstartxref', `/Root ${root} >>\nstartxref`);
    // each edit keeps every object where the table says it is
    const cases: [string, (text: string) => string][] = [
      ['as stored', text => text],
      ['/Root a dictionary without /Pages', trailer('2 0 R')],
      ['/Root a stream', trailer('4 0 R')],
      ['/Root a string', trailer('(1 0)')],
      ['/Root an object no entry gives', trailer('9 0 R')],
      ['/Pages a stream', text => text.replace('/Type /Catalog /Pages 2 0 R', '/Type /Catalog /Pages 4 0 R')],
      ['/Pages null', text => text.replace('/Type /Catalog /Pages 2 0 R', '/Type /Catalog /Pages null ')],
    ];
    for (const [name, edit] of cases) {
      const pdf = Buffer.from(edit(honest), 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      const text = name === 'as stored' ? 'Quarterly figures' : 'Read again';
      assert.equal(extraction.kind === 'document' && extraction.document.text, text, name);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), name === 'as stored', name);
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
    }
  });

  it('leaves out images drawn from pages an object stream holds, and counts one such a page reads as contents', async () => {
    for (const inContents of [false, true]) {
      const doc = await PDFDocument.create();
      const page = doc.addPage([612, 792]);
      page.drawText('Quarterly figures', {
        x: 50,
        y: 700,
        size: 12,
        font: await doc.embedFont(StandardFonts.Helvetica),
      });
      const image = doc.context.register(
        PDFRawStream.of(
          doc.context.obj({
            Type: 'XObject',
            Subtype: 'Image',
            Width: 1024,
            Height: 2048,
            ColorSpace: 'DeviceGray',
            BitsPerComponent: 8,
            Filter: 'FlateDecode',
            Length: IMAGE.length,
          }),
          IMAGE,
        ),
      );
      for (const name of ['Im1', 'Im2']) page.node.setXObject(PDFName.of(name), image);
      if (inContents) {
        const drawn = page.node.Contents();
        const refs = drawn instanceof PDFArray ? drawn.asArray().filter((r): r is PDFRef => r instanceof PDFRef) : [];
        page.node.set(PDFName.of('Contents'), doc.context.register(doc.context.obj([...refs, image])));
      }
      const pdf = await doc.save({ useObjectStreams: true });
      assert.match(Buffer.from(pdf).toString('latin1'), /\/Type \/ObjStm/);
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 100 * MB), !inContents, String(inContents));
      assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, String(inContents));
    }
  });

  describe('with a cross-reference stream', () => {
    const resources = '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R /Im2 7 0 R >> >>';
    /** The page of `pdfOfPage` drawing two 2 MB images, the catalog, page tree and page held by an object stream. */
    const objects = (image = imageObject()): string[] => [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ${resources} /Contents 4 0 R >>`,
      `<< /Length ${CONTENT.length} >>\nstream\n${CONTENT}\nendstream`,
      '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
      image,
      imageObject(),
    ];
    const packed = [1, 2, 3, 5];
    /** Object 4 defined again after the end of the file: only a re-reading of it as damaged takes it. */
    const again = (pdf: Buffer): Buffer => {
      const text = 'BT /F1 12 Tf 50 700 Td (Read again) Tj ET';
      return Buffer.concat([
        pdf,
        Buffer.from(`4 0 obj\n<< /Length ${text.length} >>\nstream\n${text}\nendstream\nendobj\n`),
      ]);
    };

    it('leaves out images, the catalog and pages in an object stream, its entries under PNG’s predictor or not', async () => {
      for (const predictor of [false, true]) {
        const pdf = pdfWithCrossReferenceStream(objects(), { packed, predictor });
        const extraction = await extractPdf(pdf, 60_000);
        assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
        assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 3 * MB), true, String(predictor));
      }
      // JPEG photos of 12 megapixels (36 MB decoded each), left out of the caps
      const jpeg = Buffer.from(
        'ffd8ffdb004300' + '01'.repeat(64) + 'ffc000110800000000030111000211000311' + 'ffd9',
        'hex',
      );
      jpeg.writeUInt16BE(3000, 76);
      jpeg.writeUInt16BE(4000, 78);
      const photo = `<< /Type /XObject /Subtype /Image /Width 4000 /Height 3000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n${jpeg.toString('latin1')}\nendstream`;
      const photos = objects(photo);
      photos[6] = photo;
      const pdf = pdfWithCrossReferenceStream(photos, { packed, predictor: true });
      assert.equal(pdfStreamsWithin(pdf, 40 * MB, 50 * MB), true);
      // drawn as the page's contents, the photos are measured by their frame headers
      const contents = [...photos];
      contents[2] = (contents[2] ?? '').replace('/Contents 4 0 R', '/Contents [4 0 R 6 0 R 7 0 R]');
      assert.equal(pdfStreamsWithin(pdfWithCrossReferenceStream(contents, { packed }), 40 * MB, 50 * MB), false);
    });

    it('leaves out images when a chain of cross-reference streams, an update’s unfiltered, vouches for each object', async () => {
      const original = pdfWithCrossReferenceStream(objects(), { packed, predictor: true });
      const first = original.toString('latin1').match(/startxref\n(\d+)/)?.[1] ?? '';
      // an update: object 5 written again, and a cross-reference stream of its own whose /Prev is the first
      let update = original.toString('latin1');
      const font = update.length;
      update += '5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n';
      const stream = update.length;
      const rows: CrossReferenceEntry[] = [
        [1, font, 0],
        [1, stream, 0],
      ];
      const data = Buffer.concat(rows.map(([, offset]) => Buffer.from([1, 0, 0, offset >> 8, offset & 0xff, 0, 0])));
      update += `20 0 obj\n<< /Type /XRef /Size 21 /W [1 4 2] /Index [5 1 20 1] /Root 1 0 R /Prev ${first} /Length ${data.length} >>\nstream\n${data.toString('latin1')}\nendstream\nendobj\nstartxref\n${stream}\n%%EOF\n`;
      const pdf = Buffer.from(update, 'latin1');
      const extraction = await extractPdf(pdf, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
      assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 3 * MB), true);
    });

    it('counts an image that an entry pointing within another header makes the page’s contents', async () => {
      const data = deflateSync(padded(2 * MB));
      const image = imageObject()
        .replace(IMAGE.toString('latin1'), data.toString('latin1'))
        .replace(`/Length ${IMAGE.length}`, `/Length ${data.length}`);
      const list = [...objects(), ...Array<string>(6).fill('null'), image];
      list[2] = (list[2] ?? '').replace('/Im2 7 0 R', '/Im2 14 0 R');
      const honest = pdfWithCrossReferenceStream(list, { packed });
      assert.equal(pdfStreamsWithin(honest, 1.5 * MB, 100 * MB), true);
      const at = honest.toString('latin1').indexOf('\n14 0 obj') + 2;
      const crafted = pdfWithCrossReferenceStream(list, {
        packed,
        entries: e => e.map((entry, n): CrossReferenceEntry => (n === 4 ? [1, at, 0] : entry)),
      });
      const extraction = await extractPdf(crafted, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
      assert.equal(pdfStreamsWithin(crafted, 1.5 * MB, 100 * MB), false);
    });

    it('counts every image when an entry or the stream cannot be vouched for, and never throws', async () => {
      const honest = pdfWithCrossReferenceStream(objects(), { packed });
      // with every object written out, pdf.js reading the file again as damaged finds each
      const unpacked = pdfWithCrossReferenceStream(objects());
      const table = 'xref\n0 2\n0000000000 65535 f \nnot an entry\ntrailer\n<< /Size 2 >>\n';
      const tableAt = pdfWithCrossReferenceStream(objects(), { packed, before: table }).indexOf('xref\n0 2');
      const entry =
        (number: number, changed: CrossReferenceEntry) =>
        (e: CrossReferenceEntry[]): CrossReferenceEntry[] =>
          e.map((old, n) => (n === number ? changed : old));
      const cases: [string, Buffer][] = [
        // pdf.js fetches the contents as generation 0 and finds 1: it takes the file for damaged (and fails to read
        // it); it reads the file again as damaged when it cannot read the stream at all (/W, data, type)
        [
          'a generation not its header’s',
          again(
            pdfWithCrossReferenceStream(objects(), { entries: entry(4, [1, unpacked.indexOf('\n4 0 obj') + 1, 1]) }),
          ),
        ],
        [
          'a /Prev to a table that does not read',
          pdfWithCrossReferenceStream(objects(), { packed, before: table, dictionary: `/Prev ${tableAt} ` }),
        ],
        ['a /Prev to no table', pdfWithCrossReferenceStream(objects(), { packed, dictionary: '/Prev 9 ' })],
        ['/W too wide', again(pdfWithCrossReferenceStream(objects(), { dictionary: '/W [1 9 2] ' }))],
        ['/W of two', again(pdfWithCrossReferenceStream(objects(), { dictionary: '/W [1 4] ' }))],
        ['/W by reference', again(pdfWithCrossReferenceStream(objects(), { dictionary: '/W 5 0 R ' }))],
        ['data short of /Index', again(pdfWithCrossReferenceStream(objects(), { dictionary: '/Index [0 40] ' }))],
        [
          'an entry of type 3',
          again(
            pdfWithCrossReferenceStream(objects(), { entries: entry(6, [3, 0, 0] as unknown as CrossReferenceEntry) }),
          ),
        ],
        ['an index past /N', pdfWithCrossReferenceStream(objects(), { packed, entries: entry(5, [2, 8, 7]) })],
        [
          '/Pages no dictionary',
          pdfWithCrossReferenceStream(
            objects().map((o, i) => (i === 1 ? '[3 0 R]' : o)),
            { packed },
          ),
        ],
        ['/XRef elsewhere', pdfWithCrossReferenceStream(objects(imageObject('/Note /XRef ')), { packed })],
        ['/XRef1 elsewhere', pdfWithCrossReferenceStream(objects(imageObject('/Type /XRef1 ')), { packed })],
      ];
      assert.equal(pdfStreamsWithin(honest, 1.5 * MB, 3 * MB), true);
      assert.equal(pdfStreamsWithin(unpacked, 1.5 * MB, 3 * MB), true);
      for (const [name, pdf] of cases) {
        assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 3 * MB), false, name);
        assert.equal(pdfStreamsWithin(pdf, 3 * MB, 100 * MB), true, name);
      }
      const generation = await extractPdf(cases[0]?.[1] ?? Buffer.alloc(0), 60_000);
      assert.notEqual(generation.kind === 'document' && generation.document.text, 'Quarterly figures');
      // read again as damaged, pdf.js takes the object after the end of the file
      for (const [name, pdf] of cases.filter(([name]) => /\/W|short|type 3/.test(name))) {
        const extraction = await extractPdf(pdf, 60_000);
        assert.equal(extraction.kind === 'document' && extraction.document.text, 'Read again', name);
      }
    });

    it('refuses a stream written inside an object stream, which pdf.js decodes when it is used; reads object streams without one', async () => {
      /** Object 4, the page's contents, as `written` (its dictionary, the `stream` keyword), held by the object stream. */
      const holding = (written: (data: Buffer) => string, data = deflateSync(padded(4 * MB))): Buffer =>
        pdfWithCrossReferenceStream(
          objects().map((o, i) => (i === 3 ? `${written(data)}\n${data.toString('latin1')}\nendstream` : o)),
          { packed: [...packed, 4] },
        );
      const flate = (data: Buffer): string => `<< /Filter /FlateDecode /Length ${data.length} >>`;
      const cases: [string, Buffer][] = [
        ['a bomb', holding(data => `${flate(data)}\nstream`)],
        ['after a comment', holding(data => `${flate(data)} % contents\nstream`)],
        ['its keyword at once', holding(data => `${flate(data)}stream`)],
        ['unfiltered', holding(data => `<< /Length ${data.length} >>\nstream`, Buffer.from(TEXT))],
      ];
      for (const [name, pdf] of cases) {
        // the object stream decodes to a few kilobytes, the stream it holds (but the last) to 4 MB
        assert.ok(pdf.length < 64 * 1024, name);
        assert.equal(pdfStreamsWithin(pdf, 1.5 * MB, 3 * MB), false, name);
        assert.equal(pdfStreamsWithin(pdf, MAX_STREAM_DECODED_BYTES, MAX_DECODED_BYTES), false, name);
      }
      assert.deepEqual(await extractPdf(cases[0]?.[1] ?? Buffer.alloc(0), 60_000), {
        kind: 'skip',
        reason: 'too-large',
      });
      // the same contents written out of the object stream are measured, and read
      const written = pdfWithCrossReferenceStream(
        objects().map((o, i) => (i === 3 ? `<< /Length ${TEXT.length} >>\nstream\n${TEXT}\nendstream` : o)),
        { packed },
      );
      const extraction = await extractPdf(written, 60_000);
      assert.equal(extraction.kind === 'document' && extraction.document.text, 'Quarterly figures');
      // the word in a string, or after no dictionary, makes no stream
      const words = pdfWithCrossReferenceStream(
        objects().map((o, i) =>
          i === 4 ? '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Note (a stream) >>' : o,
        ),
        { packed },
      );
      assert.equal(pdfStreamsWithin(words, 1.5 * MB, 3 * MB), true);
      // as pdf-lib writes a document with object streams
      const doc = await PDFDocument.create();
      const font = await doc.embedFont(StandardFonts.Helvetica);
      doc.addPage([612, 792]).drawText('Quarterly figures', { x: 50, y: 700, size: 12, font });
      const saved = Buffer.from(await doc.save({ useObjectStreams: true }));
      assert.match(saved.toString('latin1'), /\/Type \/ObjStm/);
      const pdfLib = await extractPdf(saved, 60_000);
      assert.equal(pdfLib.kind === 'document' && pdfLib.document.text, 'Quarterly figures');
    });
  });

  it('caps what all streams decode to together', () => {
    const half = deflateSync(padded(MB));
    const pdf = pdfWithContentStream(half, '/Filter /FlateDecode', {
      extra: [`<< /Length ${half.length} /Filter /FlateDecode >>\nstream\n${half.toString('latin1')}\nendstream`],
    });
    assert.equal(pdfStreamsWithin(pdf, 2 * MB, 3 * MB), true);
    assert.equal(pdfStreamsWithin(pdf, 2 * MB, 1.5 * MB), false);
  });

  it('refuses a PDF whose values nest deeper than is read, instead of overflowing the stack', () => {
    const pdf = pdfOfObjects([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /Annots ${'['.repeat(100_000)} >>`,
    ]);
    assert.equal(pdfStreamsWithin(pdf, 100 * MB, 100 * MB), false);
  });
});
