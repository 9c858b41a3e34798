import { crossReferences, type ObjectStreamText } from './pdfCrossReferences';
import type { Inflate } from './pdfCrossReferenceStreams';
import { Entries, Parser, PdfName, Reference, unescaped, type Value } from './pdfParser';

/**
 * Which streams of a PDF are images that reading its text never decodes. pdf.js's `getTextContent` decodes a page's
 * `/Contents` (whatever the stream's dictionary says), a form drawn with `Do` (`/Subtype /Form`), fonts' files,
 * `/ToUnicode` and `/Encoding` maps, object and cross-reference streams, and a Type 3 font's glyphs with whatever
 * they draw; an image drawn with `Do` is looked up and left (its dictionary read, its data never), as are a soft
 * mask, a mask and a thumbnail. An image may be read whole when the page is drawn, never for its text.
 *
 * A stream is such an image only when every object that pdf.js could read as ending at its `stream` keyword (each
 * `obj` in the file parsed as pdf.js's parser does, tolerant of damage, so a header hidden in a string or a comment
 * counts too) says `/Subtype /Image`, has none of the entries that make a cross-reference (`/W`) or object stream
 * (`/N`, `/First`), and has its number referenced only as an entry of an `/XObject` dictionary or as `/SMask`,
 * `/Mask` or `/Thumb`. Anything else keeps a stream counted: a reference anywhere else (`/Contents`, direct or in an
 * array, a font file, an indirect `/XObject` dictionary), a header whose number is not plain, a Type 3 font or an
 * encrypted file (whose object streams cannot be read here) anywhere, an object stream whose filters are not all read
 * here, a file whose cross-reference tables and streams do not vouch for where pdf.js finds each object (see
 * `crossReferences`; `inflate` reads a cross-reference stream's data; a reference naming a generation other than its
 * entry's too), or a file that takes more than a few readings of its size to parse.
 */
export function imageStreamsNotReadForText(
  text: string,
  objectStreams: readonly ObjectStreamText[],
  inflate: Inflate,
): Set<number> {
  const images = new Set<number>();
  if (!/\/Subtype\s*\/Image(?![^\s()<>[\]{}/%])/.test(unescaped(text))) return images;
  const unreadable = (value: string): boolean =>
    /\/(Type3|CharProcs|Encrypt)(?![^\s()<>[\]{}/%])/.test(unescaped(value));
  if (unreadable(text) || objectStreams.some(s => !s.complete || unreadable(s.data.toString('latin1')))) return images;
  const budget = { left: 4 * text.length + 16 * 1024 * 1024 };
  const generations = crossReferences(text, budget, objectStreams, inflate);
  if (!generations) return images;
  const references = new References(generations);
  const candidates = streamObjects(text, budget, value => references.add(value));
  if (!candidates) return images;
  for (const found of text.matchAll(/(?<![A-Za-z_])trailer(?![^\s()<>[\]{}/%])/g)) {
    references.add(new Parser(text, found.index + 7, budget).object());
  }
  for (const stream of objectStreams) {
    const decoded = stream.data.toString('latin1');
    const starts = [stream.first, ...stream.offsets.map(offset => stream.first + offset)];
    for (const start of starts) {
      const parser = new Parser(decoded, start, budget);
      for (let i = 0; i < (start === stream.first ? Infinity : 1) && !parser.done(); i++)
        references.add(parser.object());
    }
  }
  // a reference whose generation is not its object's entry's: fetching it, pdf.js takes the file for damaged
  if (budget.left < 0 || references.generationMismatched) return images;
  for (const [at, objects] of candidates) {
    const image = objects.every(
      ({ numbers, dictionary }) =>
        numbers[0] !== undefined &&
        !references.read.has(numbers[0]) &&
        dictionary.last('Subtype') instanceof PdfName &&
        (dictionary.last('Subtype') as PdfName).name === 'Image' &&
        !dictionary.has('W') &&
        !dictionary.has('N') &&
        !dictionary.has('First'),
    );
    if (image) images.add(at);
  }
  return images;
}

/**
 * The objects pdf.js could read as ending at each `stream` keyword (by where it is), as a cross-reference entry
 * pointing at an `N G obj` leads it there: each with the numbers it may be read as (its header's number and each
 * shorter tail of its digits, since an entry pointing within `14 0 obj` at its `4` reads object 4; none when the
 * header is not plain digits), its generation (NaN when not plain), where its value starts and its dictionary. `onValue` is given every
 * object's value. None when parsing takes more than `budget`.
 */
function streamObjects(
  text: string,
  budget: { left: number },
  onValue: (value: Value) => void,
): Map<number, StreamObjectHeader[]> | undefined {
  const objects = new Map<number, StreamObjectHeader[]>();
  for (const found of text.matchAll(/(?<![A-Za-z_])obj(?![^\s()<>[\]{}/%\x80-\xff])/g)) {
    const parser = new Parser(text, found.index + 3, budget);
    const value = parser.object();
    if (budget.left < 0) return undefined;
    onValue(value);
    if (parser.streamAt === undefined || !(value instanceof Entries)) continue;
    const header = /(?<![0-9.+eE-])(\d+)[\0\t\n\f\r ]+(\d+)[\0\t\n\f\r ]+$/.exec(
      text.slice(Math.max(0, found.index - 40), found.index),
    );
    const digits = header?.[1] ?? '';
    const numbers = [...new Set([...digits].map((_, i) => Number(digits.slice(i))))];
    const list = objects.get(parser.streamAt) ?? [];
    const length = value.last('Length');
    list.push({
      numbers,
      generation: Number(header?.[2]),
      from: found.index + 3,
      length: typeof length === 'number' ? length : length instanceof Reference ? length : undefined,
      dictionary: value,
    });
    objects.set(parser.streamAt, list);
  }
  return objects;
}

/** An object pdf.js could read as ending at a `stream` keyword: see `streamObjects`. */
export interface StreamObjectHeader {
  numbers: number[];
  generation: number;
  /** Where its value starts (after its `obj`). */
  from: number;
  /** Its `/Length` as pdf.js reads it: a number, or the number of the object that holds it. */
  length: number | { number: number } | undefined;
  /** Its dictionary, as pdf.js parses it. */
  dictionary: Entries;
}

/** The number a PDF value starts with, as pdf.js reads it (`5e3` is 5000); none when it starts with another value. */
export function leadingNumber(text: string): number | undefined {
  const value = new Parser(text, 0, { left: Infinity }).object();
  return typeof value === 'number' ? value : undefined;
}

/**
 * For each `stream` keyword (by where it is), each object pdf.js could read as ending there (see `streamObjects`: no
 * numbers when its header is not plain); none when the file takes more than a few readings of its size to parse.
 */
export function streamObjectHeaders(text: string): Map<number, StreamObjectHeader[]> | undefined {
  return streamObjects(text, { left: 4 * text.length + 16 * 1024 * 1024 }, () => undefined);
}

/**
 * The numbers of objects referenced where reading text may decode them (anywhere but as an image's place), and
 * whether any reference names a generation other than a cross-reference entry's for its number.
 */
class References {
  readonly read = new Set<number>();
  generationMismatched = false;

  constructor(private readonly generations: ReadonlyMap<number, ReadonlySet<number>>) {}

  add(value: Value, inXObjects = false, key = ''): void {
    if (value instanceof Reference) {
      const known = this.generations.get(value.number);
      if (known && (known.size > 1 || !known.has(value.generation))) this.generationMismatched = true;
      if (!inXObjects && !IMAGE_KEYS.has(key)) this.read.add(value.number);
    } else if (value instanceof Entries) {
      for (const [k, v] of value.entries) this.add(v, key === 'XObject', k);
    } else if (Array.isArray(value)) {
      for (const v of value) this.add(v);
    }
  }
}

/** Keys whose stream pdf.js never decodes for text: an image's masks, a page's thumbnail. */
const IMAGE_KEYS = new Set(['SMask', 'Mask', 'Thumb']);
