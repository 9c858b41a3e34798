import { crossReferenceStream, type CrossReferenceStream, type Inflate } from './pdfCrossReferenceStreams';
import { Command, Entries, nameWritten, Parser, Reference, unescaped, type Value } from './pdfParser';

/** An object stream's decoded data, where its objects start (`/First` and the offsets its header gives). */
export interface ObjectStreamText {
  /** Where its `stream` keyword is in the file. */
  at: number;
  data: Buffer;
  first: number;
  /** The object numbers its header gives, each with the offset (from `first`) of `offsets` at its index. */
  numbers: number[];
  offsets: number[];
  /** Whether every filter it names was decoded here (else what pdf.js reads from it is unknown). */
  complete: boolean;
}

/** Where a cross-reference entry in use puts an object: at its header in the file, or in an object stream. */
type Place = { offset: number; generation: number } | { stream: number; index: number };

/** The file's text, and what finding objects in it takes. */
interface Source {
  text: string;
  budget: { left: number };
  objectStreams: readonly ObjectStreamText[];
}

/**
 * The generations of the objects the file's cross-reference tables and streams give, by number, when pdf.js can only
 * find objects where their headers start or in the object streams they name: every table in the file (found wherever
 * the word `xref` stands, so more than pdf.js reads) is read as pdf.js's `readXRefTable` reads it (its numbers as its
 * lexer reads them; a subsection from 1 whose first entry is free numbered from 0), every stream a pointer leads to as
 * its `readXRefStream` reads it (see `crossReferenceStreams`), and each entry in use at an offset points at an
 * `N G obj` with its own number and generation, where no digit or sign runs on before it. An entry pointing within
 * `14 0 obj` at its `4` makes pdf.js read object 14's stream as object 4 (a page's contents, say), so a stream could be
 * read as an object its header does not name. An entry in an object stream is held to `packedPlacesRead`; it is given
 * generation 0, as references to it are written. An entry whose header's number, generation or `obj` is not the
 * entry's, an object 0 in use, a trailer that is no dictionary, or one whose `/Root` is not a dictionary with a
 * `/Pages` dictionary (see `leadsToPages`) makes pdf.js take the file for damaged and read it again by scanning it
 * for objects, its tables unread. A place pdf.js may start reading at (`tablesStart`), a `/Prev` it could follow (a
 * trailer's or a stream's, see `previousPointers`: not an outline item's) or an `/XRefStm` that is neither a table
 * nor a stream read here, one written as a reference, a table that does not read as one, or none at all is not
 * vouched for: none, and the file's images are all counted.
 */
export function crossReferences(
  text: string,
  budget: { left: number },
  objectStreams: readonly ObjectStreamText[],
  inflate: Inflate,
): Map<number, Set<number>> | undefined {
  const source: Source = { text, budget, objectStreams };
  const streams = crossReferenceStreams(text, budget, inflate);
  if (!streams) return undefined;
  const places = new Map<number, Place[]>();
  const place = (number: number, where: Place): void => {
    places.set(number, [...(places.get(number) ?? []), where]);
  };
  // numbers some section gives as free (or at offset 0): pdf.js reads the newest section's entry, maybe that one
  const free = new Set<number>();
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
        const isFree = isCommand(kind, 'f');
        if (!isInteger(offset) || !isInteger(generation) || !(isFree || isCommand(kind, 'n'))) return undefined;
        if (i === 0 && isFree && first === 1) first = 0;
        // an entry at offset 0 is read as no object, as a free one is
        if (isFree || offset === 0) free.add(first + i);
        else if (headerAt(source, first + i, offset, generation)) place(first + i, { offset, generation });
        else return undefined;
      }
      if (table.done()) return undefined;
    }
    const trailer = table.object();
    if (!(trailer instanceof Entries)) return undefined;
    trailers.push(trailer);
  }
  for (const stream of streams) {
    trailers.push(stream.dictionary);
    for (const { number, type, offset, generation } of stream.entries) {
      if (type === 0 || offset === 0) free.add(number);
      else if (type === 2 && number !== 0) place(number, { stream: offset, index: generation });
      else if (type === 1 && headerAt(source, number, offset, generation)) place(number, { offset, generation });
      else return undefined;
    }
  }
  if (!packedPlacesRead(source, places)) return undefined;
  if (!trailers.every(trailer => leadsToPages(trailer, source, places, free))) return undefined;
  const generations = new Map<number, Set<number>>();
  for (const [number, where] of places)
    generations.set(number, new Set(where.map(p => ('offset' in p ? p.generation : 0))));
  return tables + streams.length > 0 && budget.left >= 0 ? generations : undefined;
}

/**
 * Whether `N G obj` stands at `offset` with the entry's number and generation, no digit or sign running on before it,
 * for a number other than 0 (pdf.js reads no object 0).
 */
function headerAt({ text, budget }: Source, number: number, offset: number, generation: number): boolean {
  if (number === 0 || offset < 0 || /[0-9.+-]/.test(text[offset - 1] ?? '')) return false;
  const header = new Parser(text, offset, budget);
  return header.object() === number && header.object() === generation && isCommand(header.object(), 'obj');
}

/**
 * The cross-reference streams pdf.js could read: at each place it may start reading (`tablesStart`), each `/Prev` it
 * could follow (`previousPointers`) and each `/XRefStm` (`storedPointers`) that is not a table, each read as
 * `crossReferenceStream` reads it. Reading a damaged file again, pdf.js takes any object whose text has `/XRef` and
 * a character below `@` after it (`/XRef1`, `/XRef.`) for one: every name starting `/XRef` must be `/XRefStm`, or
 * `/XRef` within the dictionary of a stream read here. None when one of them is not read, a pointer cannot be told,
 * or a name is elsewhere.
 */
function crossReferenceStreams(
  text: string,
  budget: { left: number },
  inflate: Inflate,
): (CrossReferenceStream & { from: number })[] | undefined {
  const streams: (CrossReferenceStream & { from: number })[] = [];
  const previous = previousPointers(text, budget);
  const stored = storedPointers(text, budget);
  if (!previous || !stored) return undefined;
  for (const from of new Set([...tablesStart(text), ...previous, ...stored])) {
    if (text.startsWith('xref', from)) continue;
    const stream = crossReferenceStream(text, from, budget, inflate);
    if (!stream) return undefined;
    streams.push({ ...stream, from });
  }
  const types = [...text.matchAll(nameWritten('XRef'))];
  const named = types.length + [...text.matchAll(nameWritten('XRefStm'))].length;
  if (named !== [...unescaped(text).matchAll(/\/XRef/g)].length) return undefined;
  const inStream = (at: number): boolean => streams.some(stream => stream.from <= at && at < stream.keywordAt);
  return types.every(type => inStream(type.index)) && budget.left >= 0 ? streams : undefined;
}

/**
 * Whether pdf.js reads each object an object stream holds as its entry says, without taking the file for damaged, as
 * its `fetchCompressed` reads it: the object stream (fetched as generation 0) has entries only at a header of
 * generation 0, where a stream stands whose `/N` and `/First` are integers and whose data was read here with the same
 * ones; the object's index is below `/N` (pdf.js fails past it), and so is any index the header gives its number at
 * (pdf.js reads it there then); and no number the header gives has an entry at an offset equal to the stream's number
 * (pdf.js would change that entry's generation).
 */
function packedPlacesRead(source: Source, places: ReadonlyMap<number, readonly Place[]>): boolean {
  for (const [number, where] of places)
    for (const p of where) {
      if ('offset' in p) continue;
      const readings = packedReadings(source, places, p.stream);
      if (!readings) return false;
      for (const { count, reading } of readings) {
        if (packedIndices(reading, number, p.index).some(index => index >= count)) return false;
        for (const held of reading.numbers)
          if (places.get(held)?.some(other => 'offset' in other && other.offset === p.stream)) return false;
      }
    }
  return true;
}

/**
 * Each reading of object stream `stream` that pdf.js could take: at each entry's header (all of generation 0), its
 * dictionary's `/N` and `/First` as written (integers), and each decoded reading of its data with that header, its
 * offsets never running backwards (pdf.js fails to read any of its objects then); none when an entry is not such, or
 * no reading matches.
 */
function packedReadings(
  { text, budget, objectStreams }: Source,
  places: ReadonlyMap<number, readonly Place[]>,
  stream: number,
): { count: number; reading: ObjectStreamText }[] | undefined {
  const where = places.get(stream) ?? [];
  if (where.length === 0) return undefined;
  const readings: { count: number; reading: ObjectStreamText }[] = [];
  for (const p of where) {
    if (!('offset' in p) || p.generation !== 0) return undefined;
    const object = new Parser(text, p.offset, budget);
    for (let i = 0; i < 3; i++) object.object();
    const dictionary = object.object();
    const at = object.streamAt;
    if (!(dictionary instanceof Entries) || at === undefined) return undefined;
    const count = dictionary.last('N');
    const first = dictionary.last('First');
    if (!isInteger(count) || !isInteger(first)) return undefined;
    const matching = objectStreams.filter(
      s =>
        s.at === at &&
        s.complete &&
        s.first === first &&
        s.offsets.length === count &&
        s.offsets.every((offset, i) => i === 0 || offset >= (s.offsets[i - 1] ?? 0)),
    );
    if (matching.length === 0) return undefined;
    readings.push(...matching.map(reading => ({ count, reading })));
  }
  return readings;
}

/** The indices pdf.js may read object `number` at in an object stream: its entry's, and each its header gives it. */
const packedIndices = (reading: ObjectStreamText, number: number, index: number): number[] => [
  index,
  ...reading.numbers.flatMap((held, i) => (held === number ? [i] : [])),
];

/**
 * Whether a trailer's `/Root` is a dictionary whose `/Pages` is a dictionary, each written in place or referenced,
 * wherever the entries in use put the objects (`places`), and not given as free by any section: pdf.js reads a file
 * whose trailer leads to anything else (a stream, a string, an object no entry in use gives) again as damaged. Every
 * trailer is held to it, so more than pdf.js reads.
 */
function leadsToPages(
  trailer: Entries,
  source: Source,
  places: ReadonlyMap<number, readonly Place[]>,
  free: ReadonlySet<number>,
): boolean {
  const roots = dictionaries(trailer.last('Root'), source, places, free);
  return roots !== undefined && roots.every(root => dictionaries(root.last('Pages'), source, places, free));
}

/**
 * The dictionaries `value` is: itself when it is one, or the value of the object it references wherever an entry in
 * use puts it (at its header, or at each index pdf.js may read it at in each reading of its object stream that
 * `packedReadings` gives); none when one of those is not a dictionary (or is a stream's), or a section gives the
 * object as free.
 */
function dictionaries(
  value: Value | undefined,
  source: Source,
  places: ReadonlyMap<number, readonly Place[]>,
  free: ReadonlySet<number>,
): Entries[] | undefined {
  if (value instanceof Entries) return [value];
  const where = value instanceof Reference && !free.has(value.number) ? places.get(value.number) : undefined;
  if (!where || !(value instanceof Reference)) return undefined;
  const { budget } = source;
  const found: Entries[] = [];
  const read = (parser: Parser): boolean => {
    const object = parser.object();
    if (!(object instanceof Entries) || parser.streamAt !== undefined) return false;
    found.push(object);
    return true;
  };
  for (const p of where) {
    if ('offset' in p) {
      const object = new Parser(source.text, p.offset, budget);
      // `N G obj`, as the entry was checked to point at
      for (let i = 0; i < 3; i++) object.object();
      if (!read(object)) return undefined;
      continue;
    }
    const readings = packedReadings(source, places, p.stream);
    if (!readings) return undefined;
    for (const { reading } of readings) {
      const data = reading.data.toString('latin1');
      for (const index of packedIndices(reading, value.number, p.index)) {
        const start = reading.first + (reading.offsets[index] ?? NaN);
        const next = reading.offsets[index + 1];
        if (!read(new Parser(data.slice(0, next === undefined ? data.length : reading.first + next), start, budget)))
          return undefined;
      }
    }
  }
  return found;
}

const isInteger = (value: Value | undefined): value is number => typeof value === 'number' && Number.isInteger(value);
const isCommand = (value: Value, command: string): boolean => value instanceof Command && value.command === command;

/**
 * Where pdf.js may start reading cross-references (its `startXRef`): the number after `startxref` as it reads it
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
 * Where each `/XRefStm`, however its name is written, points, as pdf.js reads its value: a number (`+500`, `5e2`,
 * after a comment); every one in the file, so more than pdf.js reads. None when one is a reference: pdf.js fetches
 * the object it names (wherever the sections read so far put it) and follows the number that object holds.
 */
function storedPointers(text: string, budget: { left: number }): number[] | undefined {
  const found: number[] = [];
  for (const key of text.matchAll(nameWritten('XRefStm'))) {
    const value = new Parser(text, key.index + key[0].length, budget).object();
    if (value instanceof Reference) return undefined;
    if (isInteger(value)) found.push(value);
  }
  return found;
}

/**
 * Where each `/Prev` pdf.js could follow points. pdf.js reads `/Prev` only in the dictionary it takes for a table's
 * trailer (after `trailer`) or for a cross-reference stream's (any stream a pointer leads to, whatever its `/Type`),
 * and follows an integer, or the number held by an object it references. So the dictionary after every `trailer` in
 * the text (wherever the word stands, in a comment, a string or a stream's data too: a pointer may start pdf.js
 * there, and so may a damaged file's re-reading) and the dictionary of every stream after every `obj` are read, and
 * each of their `/Prev` keys, however written, is taken; the `/Prev` of any other object (each bookmark's outline item
 * has one) is never followed. None when one is a reference, or when any of the values read holds an inline image
 * (`BI`): pdf.js reads its data raw up to `EI`, where `>>` and `(` end nothing, so it could read a key, or a stream
 * after an object this parser reads as none, that this parser does not.
 */
function previousPointers(text: string, budget: { left: number }): number[] | undefined {
  // a /Prev key, however escaped, is written as a name matching this
  if (text.search(nameWritten('Prev')) < 0) return [];
  const dictionaries: Entries[] = [];
  const read = (from: number, streamsOnly: boolean): boolean => {
    const parser = new Parser(text, from, budget);
    const value = parser.object();
    if (holdsInlineImage(value) || budget.left < 0) return false;
    if (value instanceof Entries && (!streamsOnly || parser.streamAt !== undefined)) dictionaries.push(value);
    return true;
  };
  for (const found of text.matchAll(/trailer/g)) if (!read(found.index + 7, false)) return undefined;
  for (const found of text.matchAll(/obj/g)) if (!read(found.index + 3, true)) return undefined;
  const found: number[] = [];
  for (const dictionary of dictionaries)
    for (const [key, value] of dictionary.entries) {
      if (key !== 'Prev') continue;
      if (value instanceof Reference) return undefined;
      if (isInteger(value)) found.push(value);
    }
  return found;
}

/** Whether pdf.js reading `value` meets `BI` where a value starts (itself, or within its arrays and dictionaries). */
const holdsInlineImage = (value: Value): boolean =>
  isCommand(value, 'BI') ||
  (Array.isArray(value) && value.some(holdsInlineImage)) ||
  (value instanceof Entries && value.entries.some(([, v]) => holdsInlineImage(v)));
