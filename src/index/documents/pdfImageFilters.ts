import { numbersAfter } from './pdfParser';

/**
 * How much pdf.js's decoder for an image's own filter (JPEG, JPEG 2000, JBIG2, fax) holds for a stream it decodes as
 * content, found without decoding it. pdf.js reads an image drawn with `Do`, and a page's `/Contents` whose last
 * filter is an image's, without decoding it for text; but a form drawn with `Do`, a font's file, a character map or an
 * object stream under such a filter is decoded whole, before any of its text is read. `columns` is the widest
 * `/Columns` a fax filter may be given (see `faxColumns`). 'unknown' when the most cannot be known.
 */
export type ImageFilterSize = (data: Buffer, columns: number | 'unknown') => number | 'unknown';

/**
 * CCITT fax as pdf.js's `CCITTFaxDecoder` decodes it: a line of `/Columns` pixels, a bit each (a byte for each eight,
 * and one for what is left), for as many lines as the data holds. `/Rows` ends it only with `/EndOfBlock false`;
 * otherwise lines go on until the data or an end-of-block code ends them, and a line can take a single bit of the data
 * (a vertical-mode code with two-dimensional coding, whatever `/K` says), so there are at most as many lines as bits,
 * and one more where the data ends.
 */
const fax: ImageFilterSize = (data, columns) =>
  columns === 'unknown' ? columns : (8 * data.length + 1) * Math.ceil(columns / 8);

/**
 * JPEG as pdf.js's `JpegImage` decodes it: its frame header (the markers SOF0 to SOF2 pdf.js reads) gives the width,
 * the height and the number of components, and the decoder fills each component's blocks for that many samples,
 * whatever data follows; a DNL marker may give the height instead. Every such marker in the data is read (pdf.js reads
 * the one it meets, skipping segments by their lengths) and the largest product taken; none: only the data.
 */
const jpeg: ImageFilterSize = data => {
  const u16 = (at: number): number => ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
  const frames: { width: number; height: number; components: number }[] = [];
  let dnlHeight = 0;
  for (let at = data.indexOf(0xff); at >= 0; at = data.indexOf(0xff, at + 1)) {
    const marker = data[at + 1];
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2)
      frames.push({ height: u16(at + 5), width: u16(at + 7), components: data[at + 9] ?? 0 });
    else if (marker === 0xdc) dnlHeight = Math.max(dnlHeight, u16(at + 4));
  }
  return frames.reduce(
    (most, { width, height, components }) => Math.max(most, width * Math.max(height, dnlHeight) * components),
    data.length,
  );
};

/**
 * A filter whose output reading text never gets: JPEG 2000 (pdf.js reading its stream as content throws before it
 * reads any data) and JBIG2 (its decoder is asynchronous: read as content, pdf.js asks it again and again for output
 * that never comes, a loop no size measures). The data, as it is, is what is measured.
 */
const unread: ImageFilterSize = data => data.length;

/** Each image's own filter, by the names pdf.js knows it by, and how much decoding it holds. */
export const IMAGE_FILTERS: Record<string, ImageFilterSize | undefined> = {
  CCITTFaxDecode: fax,
  CCF: fax,
  DCTDecode: jpeg,
  DCT: jpeg,
  JPXDecode: unread,
  JPX: unread,
  JBIG2Decode: unread,
};

/** The default width of a fax line, pdf.js's as the standard's. */
const FAX_COLUMNS = 1728;

/**
 * The widest `/Columns` pdf.js may give a fax filter: 1728 (its default) and each value written after the name
 * (however it is written) anywhere in `sources` (the file's text and its object streams' decoded data); 'unknown' when
 * one is not a plain number (a reference, or a string, which pdf.js reads as the number it spells).
 */
export function faxColumns(sources: readonly string[]): number | 'unknown' {
  const written = numbersAfter(sources, 'Columns');
  return written === 'unknown' ? written : written.reduce((widest, columns) => Math.max(widest, columns), FAX_COLUMNS);
}
