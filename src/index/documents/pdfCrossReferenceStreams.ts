import { Command, Entries, Parser, PdfName, type Value } from './pdfParser';

/**
 * Inflates a stream's data as pdf.js's `FlateStream` does (up to any damage), within the caps; none past them.
 */
export type Inflate = (data: Buffer) => Buffer | undefined;

/** A cross-reference stream's entry as pdf.js's `readXRefStream` reads it: its type's other two fields. */
export interface StreamEntry {
  number: number;
  /** 0 free, 1 at a byte offset in the file, 2 held by an object stream. */
  type: 0 | 1 | 2;
  /** Type 1: the offset of its header; type 2: the number of the object stream that holds it. */
  offset: number;
  /** Type 1: its generation; type 2: its index in the object stream. */
  generation: number;
}

/** A cross-reference stream read as pdf.js reads one: its dictionary (a trailer to pdf.js) and its entries. */
export interface CrossReferenceStream {
  dictionary: Entries;
  /** Where its `stream` keyword is (its header and dictionary run from where it was read to there). */
  keywordAt: number;
  entries: StreamEntry[];
}

/**
 * The cross-reference stream pdf.js reads where a pointer (`startxref`, `/Prev`, `/XRefStm`) leads, at `at`, as its
 * `readXRef` and `readXRefStream` read it: `N G obj` and a stream (whatever its `/Type`), its data inflated and
 * un-predicted as pdf.js's `FlateStream` and `PredictorStream` give it, then for each `/Index` range (`[0 /Size]`
 * without one) entries of `/W` bytes: type (1 when its width is 0), offset, generation. None where pdf.js would fail
 * or could read it otherwise: a value it would look up by reference (`/Length`, `/W`, `/Index`, `/Filter`,
 * `/DecodeParms`), a `/Length` after which `endstream` does not follow (pdf.js searches for it then), a filter other
 * than Flate, a predictor other than PNG's, a width that is no integer from 0 to 4 or all widths 0, a range that is
 * not two integers from 0, data that ends within an entry, or a type other than 0, 1 and 2 (pdf.js stops reading
 * the stream there, its `/Prev` unread).
 */
export function crossReferenceStream(
  text: string,
  at: number,
  budget: { left: number },
  inflate: Inflate,
): CrossReferenceStream | undefined {
  const parser = new Parser(text, at, budget);
  if (!isInteger(parser.object()) || !isInteger(parser.object()) || !isCommand(parser.object(), 'obj'))
    return undefined;
  const dictionary = parser.object();
  const keywordAt = parser.streamAt;
  if (!(dictionary instanceof Entries) || keywordAt === undefined) return undefined;
  const stored = storedData(text, keywordAt, dictionary, budget);
  const data = stored && decodedData(stored, dictionary, inflate);
  const widths = fieldWidths(dictionary.last('W'));
  const ranges = entryRanges(dictionary);
  if (!data || !widths || !ranges) return undefined;
  const entries: StreamEntry[] = [];
  let read = 0;
  // each field big-endian, as pdf.js reads it: `value << 8 | byte`, in 32-bit integers
  const field = (width: number): number => {
    let value = 0;
    for (let j = 0; j < width; j++) value = (value << 8) | (data[read++] ?? 0);
    return value;
  };
  const size = widths[0] + widths[1] + widths[2];
  for (const [first, count] of ranges) {
    if (read + count * size > data.length) return undefined;
    budget.left -= count;
    if (budget.left < 0) return undefined;
    for (let i = 0; i < count; i++) {
      const type = widths[0] === 0 ? 1 : field(widths[0]);
      const offset = field(widths[1]);
      const generation = field(widths[2]);
      if (type !== 0 && type !== 1 && type !== 2) return undefined;
      entries.push({ number: first + i, type, offset, generation });
    }
  }
  return { dictionary, keywordAt, entries };
}

/**
 * The stream's data as stored: from the line after its `stream` keyword, its `/Length` (written as an integer) long,
 * where `endstream` follows after white space and comments, as pdf.js takes it.
 */
function storedData(
  text: string,
  keywordAt: number,
  dictionary: Entries,
  budget: { left: number },
): Buffer | undefined {
  const length = dictionary.last('Length');
  if (!isInteger(length) || length < 0) return undefined;
  const lineEnd = /\r\n?|\n/g;
  lineEnd.lastIndex = keywordAt + 'stream'.length;
  const eol = lineEnd.exec(text);
  if (!eol) return undefined;
  const start = eol.index + eol[0].length;
  if (start + length > text.length || !isCommand(new Parser(text, start + length, budget).object(), 'endstream'))
    return undefined;
  return Buffer.from(text.slice(start, start + length), 'latin1');
}

/**
 * The stream's data through its filter as pdf.js's `Parser.filter` applies it (`/F` before `/Filter`, `/DP` before
 * `/DecodeParms`): none, or Flate (a name, or an array of one) with its parameters' PNG predictor, if any; Flate of
 * a stream of length 0 gives nothing. None for anything else.
 */
function decodedData(stored: Buffer, dictionary: Entries, inflate: Inflate): Buffer | undefined {
  const filter = dictionary.has('F') ? dictionary.last('F') : dictionary.last('Filter');
  const params = dictionary.has('DP') ? dictionary.last('DP') : dictionary.last('DecodeParms');
  if (filter === undefined || (Array.isArray(filter) && filter.length === 0)) return stored;
  let parameters: Value | undefined = params;
  let name = filter;
  if (Array.isArray(filter)) {
    if (filter.length !== 1) return undefined;
    name = filter[0] as Value;
    parameters = Array.isArray(params) ? params[0] : null;
  }
  if (!(name instanceof PdfName) || (name.name !== 'FlateDecode' && name.name !== 'Fl')) return undefined;
  if (stored.length === 0) return stored;
  const inflated = inflate(stored);
  if (!inflated) return undefined;
  // no parameters, or parameters no dictionary: pdf.js uses no predictor
  if (!(parameters instanceof Entries)) return parameters === undefined || parameters === null ? inflated : undefined;
  return unpredicted(inflated, parameters);
}

/**
 * Data through the predictor its parameters name, as pdf.js's `PredictorStream` gives it: none (`/Predictor` 1 or
 * less, or absent) or PNG's (10 to 15: each row a type byte, 0 to 4, then `/Columns` × `/Colors` ×
 * `/BitsPerComponent` bits, from the row above; a last row cut short is filled out with zeros). Undefined for a
 * value that is no integer, TIFF's predictor (2), another, or a row type past 4 (pdf.js fails there).
 */
function unpredicted(data: Buffer, params: Entries): Buffer | undefined {
  const number = (key: string, fallback: number): number | undefined => {
    const value = params.last(key);
    if (value === undefined || value === 0) return fallback;
    return isInteger(value) && value > 0 ? value : undefined;
  };
  const predictor = number('Predictor', 1);
  const colors = number('Colors', 1);
  const bits = params.has('BPC') ? number('BPC', 8) : number('BitsPerComponent', 8);
  const columns = number('Columns', 1);
  if (predictor === undefined || colors === undefined || bits === undefined || columns === undefined) return undefined;
  if (predictor <= 1) return data;
  if (predictor < 10 || predictor > 15 || columns * colors * bits > 2 ** 24) return undefined;
  const pixel = (colors * bits + 7) >> 3;
  const row = (columns * colors * bits + 7) >> 3;
  // a row is read when its type byte and at least one byte after it are there
  const rows = data.length < 2 ? 0 : Math.floor((data.length - 2) / (row + 1)) + 1;
  const out = Buffer.alloc(rows * row);
  for (let r = 0; r < rows; r++) {
    const at = r * (row + 1);
    const type = data[at] ?? 0;
    const start = r * row;
    const raw = (i: number): number => data[at + 1 + i] ?? NaN;
    const above = (i: number): number => (r > 0 ? (out[start - row + i] ?? 0) : 0);
    const left = (i: number): number => (i >= pixel ? (out[start + i - pixel] ?? 0) : 0);
    for (let i = 0; i < row; i++) {
      let value: number;
      if (type === 0) value = raw(i);
      else if (type === 1) value = left(i) + raw(i);
      else if (type === 2) value = above(i) + raw(i);
      else if (type === 3) value = ((above(i) + left(i)) >> 1) + raw(i);
      else if (type === 4) value = paeth(left(i), above(i), i >= pixel ? above(i - pixel) : 0) + raw(i);
      else return undefined;
      // a byte past the data is NaN in pdf.js's sums, and its buffer stores NaN as 0
      out[start + i] = Number.isNaN(value) ? 0 : value & 0xff;
    }
  }
  return out;
}

/** PNG's Paeth predictor, as pdf.js computes it (ties go left, then up). */
function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left);
  const pb = Math.abs(p - up);
  const pc = Math.abs(p - upLeft);
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
}

/** `/W`: three integers from 0 to 4 (pdf.js reads more as 32-bit integers), not all 0; none otherwise. */
function fieldWidths(value: Value | undefined): [number, number, number] | undefined {
  if (!Array.isArray(value)) return undefined;
  const widths = value.slice(0, 3);
  if (widths.length < 3 || !widths.every(width => isInteger(width) && width >= 0 && width <= 4)) return undefined;
  const [type, offset, generation] = widths as [number, number, number];
  return type + offset + generation > 0 ? [type, offset, generation] : undefined;
}

/** `/Index` as pairs of a first number and a count (`[0 /Size]` when it is absent or null); none when not integers from 0. */
function entryRanges(dictionary: Entries): [number, number][] | undefined {
  const index = dictionary.last('Index');
  const values: Value = index === undefined || index === null ? [0, dictionary.last('Size') ?? null] : index;
  if (!Array.isArray(values) || values.length % 2 !== 0) return undefined;
  const ranges: [number, number][] = [];
  for (let i = 0; i < values.length; i += 2) {
    const first = values[i];
    const count = values[i + 1];
    if (!isInteger(first) || !isInteger(count) || first < 0 || count < 0) return undefined;
    ranges.push([first, count]);
  }
  return ranges;
}

const isInteger = (value: Value | undefined): value is number => typeof value === 'number' && Number.isInteger(value);
const isCommand = (value: Value, command: string): boolean => value instanceof Command && value.command === command;
