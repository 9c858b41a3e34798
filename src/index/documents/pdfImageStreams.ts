import { Command, Entries, nameWritten, Parser, PdfName, Reference, unescaped, type Value } from './pdfParser';

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
 * here, a file whose cross-reference tables do not vouch for where pdf.js finds each object (see `crossReferences`;
 * a reference naming a generation other than its entry's too), or a file that takes more than a few readings of its
 * size to parse.
 */
export function imageStreamsNotReadForText(text: string, objectStreams: readonly ObjectStreamText[]): Set<number> {
  const images = new Set<number>();
  if (!/\/Subtype\s*\/Image(?![^\s()<>[\]{}/%])/.test(unescaped(text))) return images;
  const unreadable = (value: string): boolean =>
    /\/(Type3|CharProcs|Encrypt)(?![^\s()<>[\]{}/%])/.test(unescaped(value));
  if (unreadable(text) || objectStreams.some(s => !s.complete || unreadable(s.data.toString('latin1')))) return images;
  const budget = { left: 4 * text.length + 16 * 1024 * 1024 };
  const generations = crossReferences(text, budget);
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
 * The generations of the objects the file's cross-reference tables give, by number, when pdf.js can only find objects
 * where their headers start: every table in the file (found wherever the word `xref` stands, so more than pdf.js
 * reads) is read as pdf.js's `readXRefTable` reads it (its numbers as its lexer reads them; a subsection from 1 whose
 * first entry is free numbered from 0), and each entry in use points at an `N G obj` with its own number and
 * generation, where no digit or sign runs on before it. An entry pointing within `14 0 obj` at its `4` makes pdf.js
 * read object 14's stream as object 4 (a page's contents, say), so a stream could be read as an object its header
 * does not name. An entry whose header's number, generation or `obj` is not the entry's, an object 0 in use, a
 * trailer that is no dictionary, or one whose `/Root` is not a dictionary with a `/Pages` dictionary (see
 * `leadsToPages`) makes pdf.js take the file for damaged and read it again by scanning it for objects, its tables
 * unread. A file with a cross-reference stream (any name starting `/XRef`), whose entries are not read
 * here, a place pdf.js may start reading tables at (`tablesStart`) or a `/Prev` that is no table's (a stream without
 * `/Type` could be read there), a table that does not read as one, or none at all is not vouched for: none, and its
 * images are all counted.
 */
function crossReferences(text: string, budget: { left: number }): Map<number, Set<number>> | undefined {
  // any `/XRef` that starts a name: reading a damaged file again, pdf.js takes an object whose text has `/XRef` and
  // a character below `@` after it (`/XRef1`, `/XRef.`) for a cross-reference stream
  if (/\/XRef/.test(unescaped(text))) return undefined;
  // pdf.js reads the tables where it starts and each trailer's `/Prev` point at: each must be one of those read here
  for (const pointer of [...tablesStart(text), ...previousTables(text, budget)])
    if (!text.startsWith('xref', pointer)) return undefined;
  if (budget.left < 0) return undefined;
  const generations = new Map<number, Set<number>>();
  // where the entries in use put each object's header
  const offsets = new Map<number, number[]>();
  const trailers: Entries[] = [];
  let tables = 0;
  for (const found of text.matchAll(/(?<![A-Za-z0-9_])xref(?![A-Za-z0-9_])/g)) {
    if (text.startsWith('start', found.index - 5)) continue;
    tables++;
    const table = new Parser(text, found.index + 4, budget);
    for (let word = table.object(); !isCommand(word, 'trailer'); word = table.object()) {
      // a subsection: its first number and count, then count entries of offset, generation and n or f
      let first = word;
      const count = table.object();
      if (!isInteger(first) || !isInteger(count) || table.done()) return undefined;
      for (let i = 0; i < count; i++) {
        const offset = table.object();
        const generation = table.object();
        const kind = table.object();
        const free = isCommand(kind, 'f');
        if (!isInteger(offset) || !isInteger(generation) || !(free || isCommand(kind, 'n'))) return undefined;
        if (i === 0 && free && first === 1) first = 0;
        // an entry at offset 0 is read as no object, as a free one is
        if (free || offset === 0) continue;
        const number = first + i;
        if (number === 0 || /[0-9.+-]/.test(text[offset - 1] ?? '')) return undefined;
        const header = new Parser(text, offset, budget);
        if (header.object() !== number || header.object() !== generation || !isCommand(header.object(), 'obj'))
          return undefined;
        const known = generations.get(number) ?? new Set<number>();
        generations.set(number, known.add(generation));
        offsets.set(number, [...(offsets.get(number) ?? []), offset]);
      }
      if (table.done()) return undefined;
    }
    const trailer = table.object();
    if (!(trailer instanceof Entries)) return undefined;
    trailers.push(trailer);
  }
  if (!trailers.every(trailer => leadsToPages(trailer, text, offsets, budget))) return undefined;
  return tables > 0 && budget.left >= 0 ? generations : undefined;
}

/**
 * Whether a trailer's `/Root` is a dictionary whose `/Pages` is a dictionary, each written in place or referenced,
 * as the tables read put the objects (`offsets`): pdf.js reads a file whose trailer leads to anything else (a stream,
 * a string, an object no entry in use gives) again as damaged. Every trailer is held to it, so more than pdf.js reads.
 */
function leadsToPages(
  trailer: Entries,
  text: string,
  offsets: ReadonlyMap<number, readonly number[]>,
  budget: { left: number },
): boolean {
  const roots = dictionaries(trailer.last('Root'), text, offsets, budget);
  return roots !== undefined && roots.every(root => dictionaries(root.last('Pages'), text, offsets, budget));
}

/**
 * The dictionaries `value` is: itself when it is one, or the value of the object it references wherever an entry in
 * use puts it; none when one of those is not a dictionary (or is a stream's).
 */
function dictionaries(
  value: Value | undefined,
  text: string,
  offsets: ReadonlyMap<number, readonly number[]>,
  budget: { left: number },
): Entries[] | undefined {
  if (value instanceof Entries) return [value];
  const at = value instanceof Reference ? offsets.get(value.number) : undefined;
  if (!at) return undefined;
  const found: Entries[] = [];
  for (const offset of at) {
    const object = new Parser(text, offset, budget);
    // `N G obj`, as the entry was checked to point at
    for (let i = 0; i < 3; i++) object.object();
    const read = object.object();
    if (!(read instanceof Entries) || object.streamAt !== undefined) return undefined;
    found.push(read);
  }
  return found;
}

const isInteger = (value: Value): value is number => typeof value === 'number' && Number.isInteger(value);
const isCommand = (value: Value, command: string): boolean => value instanceof Command && value.command === command;

/**
 * Where pdf.js may start reading cross-reference tables (its `startXRef`): the number after `startxref` as it reads it
 * (white space skipped, then `parseInt` of the run of characters from space to `9`, so `+500` is 500; 0 when it reads
 * none, or there is no `startxref`), after each `startxref` since pdf.js takes the last it finds; in a file that may be
 * linearized (any `/Linearized`), also after the first `endobj` and the white space after it, where pdf.js starts then.
 */
function tablesStart(text: string): number[] {
  const starts = [...text.matchAll(/startxref/g)].map(found => {
    const digits = /[\t\n\r ]*([ -9]*)/y;
    digits.lastIndex = found.index + 9;
    const start = parseInt(digits.exec(text)?.[1] ?? '', 10);
    return Number.isNaN(start) ? 0 : start;
  });
  if (starts.length === 0) starts.push(0);
  if (text.search(nameWritten('Linearized')) >= 0) {
    const end = text.indexOf('endobj');
    starts.push(end < 0 ? 0 : end + 6 + (/^[\t\n\r ]*/.exec(text.slice(end + 6, end + 4096))?.[0].length ?? 0));
  }
  return starts;
}

/**
 * Where each `/Prev` (however its name is written) points, as pdf.js reads its value: a number (`+500`, `5e2`, after a
 * comment) or the number of a reference; every one in the file, so more than pdf.js reads.
 */
function previousTables(text: string, budget: { left: number }): number[] {
  const pointers: number[] = [];
  for (const found of text.matchAll(nameWritten('Prev'))) {
    const value = new Parser(text, found.index + found[0].length, budget).object();
    if (value instanceof Reference) pointers.push(value.number);
    else if (typeof value === 'number' && Number.isInteger(value)) pointers.push(value);
  }
  return pointers;
}

/** An object stream's decoded data, where its objects start (`/First` and the offsets its header gives). */
export interface ObjectStreamText {
  data: Buffer;
  first: number;
  offsets: number[];
  /** Whether every filter it names was decoded here (else what pdf.js reads from it is unknown). */
  complete: boolean;
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
