import { constants, inflateSync } from 'node:zlib';
import { pdfStreamDecryptions, type StreamDecryption } from './pdfEncryption';
import { faxColumns, IMAGE_FILTERS } from './pdfImageFilters';
import type { ObjectStreamText } from './pdfCrossReferences';
import {
  imageStreamsNotReadForText,
  leadingNumber,
  streamObjectHeaders,
  type StreamObjectHeader,
} from './pdfImageStreams';
import { makesStream, numbersAfter, Parser, PdfName, Reference, unescaped, type Value } from './pdfParser';

/**
 * The most one of a PDF's streams may decode to. pdf.js decodes a stream whole, on the index worker's thread, into a
 * buffer it doubles as it grows (off the heap a worker's resource limits cap); a content stream of spaces inflates
 * about a thousand to one, so a small PDF can fill gigabytes, and no timeout can end a decode in progress.
 * A page of text decodes to kilobytes, a full-page 600 dpi colour scan to about 100 MB.
 */
export const MAX_STREAM_DECODED_BYTES = 256 * 1024 * 1024;
/** The most a PDF's streams may decode to together. */
export const MAX_DECODED_BYTES = 1024 * 1024 * 1024;

/**
 * Whether every stream of a PDF decodes within `perStream` bytes, and all of them within `total`: each stream found
 * in the file's bytes (every `stream` keyword, whatever the cross-reference table says, so damaged and updated files
 * too; one inside another's data or in a string too, as pdf.js, led by the table, may start a stream anywhere) is
 * decoded here through its filters (Flate, LZW, run-length, ASCII hex and base-85: those whose output can be
 * far larger than their input) with a cap, never past it, before pdf.js reads the file. Images' own filters (JPEG,
 * JPEG 2000, JBIG2, fax) end a chain: they are not decoded here, but measured by what pdf.js's decoder holds for them
 * (a fax stream by its bits and line width, a JPEG by its frame header: see IMAGE_FILTERS), as pdf.js decodes them
 * when it reads the stream as a form or a font's file. Reading text never decodes an image drawn with `Do`,
 * whatever its filters: such images are left out of both caps, as `imageStreamsNotReadForText` finds them (a deck of
 * Flate-encoded screenshots decodes past the total when drawn, and its text is read without them). A filter that
 * fails ends its stream where it failed, as pdf.js ends it. A stream's dictionary is read from the first object pdf.js
 * could read as ending at its keyword (each object parsed as pdf.js does; a file whose parsing takes more than a few
 * readings of its size is refused). A file with a stream written among the objects an object stream holds is refused
 * (pdf.js reads one there and decodes it when it is used, though no file's bytes show it: see `holdsStream`).
 *
 * In a file encrypted with the standard security handler and an empty user password (one pdf.js opens without
 * asking), each stream is measured both as stored and decrypted with each key the file's encryption dictionaries
 * give (`pdfStreamDecryptions`; for the number and generation of each object pdf.js could read as ending at it, and
 * of the last `N G obj` before it; refused when one's header is not plain or there are too many): a cross-reference
 * stream, a metadata stream left in the clear and one under an `/Identity` crypt filter are read as stored, the rest
 * decrypted. A Flate stream of such a file that inflates neither way is refused as one that cannot be measured.
 * 'needs-password' when the file is encrypted and no key opens it with the empty password: pdf.js cannot read it
 * without one either, and it is not handed to pdf.js.
 */
export function pdfStreamsWithin(pdf: Uint8Array, perStream: number, total: number): boolean | 'needs-password' {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const text = bytes.toString('latin1');
  const objects = objectsOf(text);
  const decryptions = pdfStreamDecryptions(text, num =>
    objects.headers.filter(header => header.num === num).map(header => text.slice(header.start, header.start + 8192)),
  );
  if (decryptions === 'needs-password') return decryptions;
  // the objects pdf.js could read each stream as: their dictionaries name its filters, their numbers choose its key
  const headers = streamObjectHeaders(text);
  if (!headers) return false;
  const streams = streamsOf(bytes, text, objects, decryptions ?? [], headers);
  if (streams === 'too-many' || streams === 'unknown-key') return false;
  // the objects that object streams hold first (a stream's filter may name one of them), within the same caps; pdf.js
  // takes any stream with `/N` and `/First` for one
  let left = total;
  const objectStreams: ObjectStreamText[] = [];
  // filters' parameters (LZW's `/EarlyChange`, fax's `/Columns`) as the file's text gives them; then its object streams
  let params = decodeParams([text]);
  for (const stream of streams) {
    const counts = packedCounts(text, objects, stream.readAs);
    if (counts === 'too-many') return false;
    const labelled = stream.readAs.some(({ dictionary }) =>
      dictionary.entries.some(([key, value]) => key === 'Type' && value instanceof PdfName && value.name === 'ObjStm'),
    );
    if (!labelled && counts.length === 0) continue;
    const chains = filterChains(text, objects, stream.dictionary);
    if (chains === 'too-many') return false;
    // what each of its filter lists decodes it to (the largest is measured; each is read for objects)
    const outputs = stream
      .stored()
      .flatMap(data =>
        chains.length
          ? chains.map(chain => decoded(data, chain, Math.min(perStream, left), params))
          : [{ data, size: data.length }],
      );
    if (outputs.includes('too-large')) return false;
    if (holdsStream(stream.stored(), chains, Math.min(perStream, left), params)) return false;
    const decodedOutputs = outputs.filter((output): output is Decoded => output !== 'too-large');
    left -= Math.max(stream.data.length, ...decodedOutputs.map(output => output.size));
    for (const { data } of decodedOutputs) {
      // read as each pair of `/N` and `/First` it may have (none: its objects are not known)
      for (const count of counts.length ? counts : [undefined]) {
        const header = count && packedHeader(data, count);
        if (header) addPackedObjects(objects, data, header, stream.at);
        objectStreams.push({
          at: stream.at,
          data,
          first: header?.first ?? 0,
          numbers: header?.numbers ?? [],
          offsets: header?.offsets ?? [],
          complete: header !== undefined && chains.every(chain => chain.every(name => DECODERS[name])),
        });
      }
    }
  }
  // images that reading text never decodes are left out (see imageStreamsNotReadForText)
  // a cross-reference stream's data, inflated within the per-stream cap
  const inflate = (data: Buffer): Buffer | undefined => {
    const out = flate(data, perStream, params);
    return out === 'too-large' ? undefined : out;
  };
  const images = imageStreamsNotReadForText(text, objectStreams, inflate);
  params = decodeParams([text, ...objectStreams.map(stream => stream.data.toString('latin1'))]);
  left = total;
  for (const stream of streams) {
    if (images.has(stream.at)) continue;
    const chains = filterChains(text, objects, stream.dictionary);
    if (chains === 'too-many') return false;
    const stored = stream.stored();
    if (decryptions && chains.some(chain => DECODERS[chain[0] ?? ''] === flate) && stored.every(failsToInflate))
      return false;
    const size = decodedLargest(stored, chains, Math.min(perStream, left), params);
    if (size === 'too-large') return false;
    left -= size;
  }
  return true;
}

interface Stream {
  at: number;
  dictionary: string;
  /** The objects pdf.js could read it as (see `streamObjectHeaders`). */
  readAs: readonly StreamObjectHeader[];
  data: Buffer;
  /** Its data as stored, then as each of the file's keys decrypts it for each object it may be read as. */
  stored: () => Buffer[];
}

/**
 * Each stream in the file's bytes: where its `stream` keyword is, its dictionary's text, and its data as stored. The
 * keyword is a word of its own (pdf.js's lexer ends it at white space or a delimiter) and the data starts after the
 * end of its line, whatever else is on it, as pdf.js reads it. Every keyword counts, one within another stream's data
 * or a string too: a string such as `(stream` ahead of a real stream would otherwise take that stream's data as its
 * own. Reading them is linear in the file unless it is made of such keywords: 'too-many' past four times its size
 * (refused, rather than blocking the thread).
 */
function streamsOf(
  bytes: Buffer,
  text: string,
  objects: Objects,
  decryptions: readonly StreamDecryption[],
  headers: ReadonlyMap<number, readonly StreamObjectHeader[]>,
): Stream[] | 'too-many' | 'unknown-key' {
  const keyword = /(?<![A-Za-z0-9_])stream(?=[\0\t\n\f\r ()<>[\]{}/%]|$)/g;
  const lineEnd = /\r\n?|\n/g;
  const ends = [...text.matchAll(/endstream/g)].map(found => found.index);
  const streams: Stream[] = [];
  let read = 0;
  for (let found = keyword.exec(text); found; found = keyword.exec(text)) {
    lineEnd.lastIndex = found.index + found[0].length;
    const eol = lineEnd.exec(text);
    const start = eol ? eol.index + eol[0].length : text.length;
    const dictionary = streamDictionary(text, objects, found.index, headers.get(found.index) ?? []);
    read += dictionary.length;
    if (read > 4 * text.length + 16 * 1024 * 1024) return 'too-many';
    const end = streamEnd(text, objects, ends, start, dictionary, headers.get(found.index) ?? []);
    read += end - start;
    const data = bytes.subarray(start, end);
    const header = objects.headers[firstAtOrAfter(objects.starts, found.index + 1) - 1];
    const keys = streamKeys(header, headers.get(found.index) ?? []);
    if (keys === 'unknown-key' && decryptions.length) return keys;
    const stored = (): Buffer[] => [
      data,
      ...decryptions.flatMap(decrypt =>
        keys === 'unknown-key' ? [] : keys.flatMap(([num, gen]) => decrypt(data, num, gen) ?? []),
      ),
    ];
    streams.push({ at: found.index, dictionary, readAs: headers.get(found.index) ?? [], data, stored });
  }
  return streams;
}

/**
 * The object numbers and generations a stream may be decrypted as: the last `N G obj` before it, and every object
 * pdf.js could read as ending at it (a header within the dictionary of another, as in a string, is not the object
 * pdf.js reads there; nor is a cross-reference entry bound to point at a header's first digit). 'unknown-key' when
 * such an object's header is not plain digits, or there are more than 16 (each is a decryption of the stream).
 */
function streamKeys(
  header: { num: string; gen: number } | undefined,
  objects: readonly { numbers: readonly number[]; generation: number }[],
): [number, number][] | 'unknown-key' {
  const keys = new Map<string, [number, number]>();
  if (header) keys.set(`${header.num} ${header.gen}`, [Number(header.num), header.gen]);
  for (const { numbers, generation } of objects) {
    if (numbers.length === 0 || !Number.isInteger(generation)) return 'unknown-key';
    for (const num of numbers) keys.set(`${num} ${generation}`, [num, generation]);
  }
  return keys.size > 16 ? 'unknown-key' : [...keys.values()];
}

/**
 * Whether pdf.js could read a stream among the objects an object stream holds (`makesStream`), in its data
 * as stored and decrypted (`stored`) decoded through each of its filter lists (`everyDecoding`). pdf.js decodes such a
 * stream through its own filters when it is used (a page's contents held there, say), and it is in none of the file's
 * bytes for `streamsOf` to measure; PDF forbids streams in object streams, so no valid file has one. True as well when
 * what pdf.js reads from it cannot be known.
 */
function holdsStream(
  stored: readonly Buffer[],
  chains: readonly (readonly string[])[],
  limit: number,
  params: DecodeParams,
): boolean {
  for (const data of stored)
    for (const chain of chains.length ? chains : [[]]) {
      const outputs = everyDecoding(data, chain, limit, params);
      if (outputs === 'unknown' || outputs.some(out => makesStream(out.toString('latin1')))) return true;
    }
  return false;
}

/**
 * Each output pdf.js may decode `data` to through `chain`: LZW with each `/EarlyChange` it may be given (`decoded`
 * keeps only the largest, but each reads as different objects). 'unknown' when a filter is an image's own (its
 * output, which pdf.js would read objects from, is not decoded here), past 16 outputs, or when one is past `limit`.
 */
function everyDecoding(
  data: Buffer,
  chain: readonly string[],
  limit: number,
  params: DecodeParams,
): Buffer[] | 'unknown' {
  let outputs = [data];
  for (const name of chain) {
    const decode = DECODERS[name];
    if (!decode) return 'unknown';
    const ways: Decoder[] =
      decode === lzw && params.earlyChanges !== 'unknown'
        ? params.earlyChanges.map(earlyChange => (input, most) => lzwWith(earlyChange, input, most))
        : [decode];
    const next = outputs.flatMap(output => ways.map(way => way(output, limit, params)));
    if (next.length > 16) return 'unknown';
    outputs = [];
    for (const output of next) {
      if (output === 'too-large') return 'unknown';
      outputs.push(output);
    }
  }
  return outputs;
}

/**
 * The most any of a stream's data (as stored, decrypted) decodes to through any of `chains` (its bytes at least), at
 * most `limit`.
 */
function decodedLargest(
  stored: readonly Buffer[],
  chains: readonly (readonly string[])[],
  limit: number,
  params: DecodeParams,
): number | 'too-large' {
  let largest = 0;
  for (const data of stored) {
    largest = Math.max(largest, data.length);
    for (const chain of chains) {
      const out = decoded(data, chain, limit, params);
      if (out === 'too-large') return out;
      largest = Math.max(largest, out.size);
    }
  }
  return largest;
}

/** Whether zlib data fails before it yields two bytes (its header or first block is not zlib's). */
function failsToInflate(data: Buffer): boolean {
  try {
    inflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 });
    return false;
  } catch (e) {
    return !isTooLarge(e);
  }
}

/**
 * What a stream decodes to: `data`, through the filters decoded here; `size`, the most pdf.js's decoding of it holds
 * (the length of `data`, or what an image's own filter that ends the list holds for it: see IMAGE_FILTERS).
 */
interface Decoded {
  data: Buffer;
  size: number;
}

/**
 * A stream's data through its filters (`isApplied` ones), up to the first this does not decode (an image's own), which
 * is measured without decoding it; 'too-large' past `limit` bytes. A list that goes on past an image's own filter to
 * another is 'too-large': pdf.js reading such a stream as content decodes the image filter (JPEG, fax) and hands its
 * output on, which this cannot measure without decoding the image (an image's list ends with its own filter).
 */
function decoded(data: Buffer, names: readonly string[], limit: number, params: DecodeParams): Decoded | 'too-large' {
  let out = data;
  for (const [i, filter] of names.entries()) {
    const decode = DECODERS[filter];
    if (decode) {
      const next = decode(out, limit, params);
      if (next === 'too-large') return next;
      out = next;
      continue;
    }
    if (names.slice(i + 1).some(isApplied)) return 'too-large';
    const size = IMAGE_FILTERS[filter]?.(out, params.columns) ?? out.length;
    return size === 'unknown' || size > limit ? 'too-large' : { data: out, size: Math.max(size, out.length) };
  }
  return { data: out, size: out.length };
}

/** Characters that end a token for pdf.js's lexer: white space and delimiters. */
const ENDS = String.raw`\s\0()<>[\]{}/%`;
/**
 * Where a header or reference may have a number: the digits after any other character (a cross-reference entry may
 * point at them), or a whole token that pdf.js's lexer may read as one (`06`, `6e0`, `+6`, `6.0`; `leadingNumber`
 * reads it).
 */
const NUMBER = String.raw`(?:(?<![0-9])\d+|(?<![^${ENDS}])[+\-.0-9][^${ENDS}]*)`;
/** White space and comments between tokens, as pdf.js's lexer skips them. */
const GAP = String.raw`(?:[\s\0]|%[^\r\n]*[\r\n])`;
/** `N G obj`, its numbers as pdf.js's lexer may read them. */
const OBJECT = new RegExp(String.raw`(${NUMBER})${GAP}+(${NUMBER})${GAP}+obj\b`, 'g');
/** `N G R`, a reference, its numbers as pdf.js's lexer may read them. */
const REFERENCE = String.raw`(${NUMBER})${GAP}+(${NUMBER})${GAP}+R(?![^${ENDS}])`;
/** An object's number as pdf.js reads it (`06` and `6e0` are 6); none when it is not a whole number. */
const objectNumber = (written: string): string | undefined => {
  const value = leadingNumber(written);
  return value !== undefined && Number.isInteger(value) ? String(value) : undefined;
};

/**
 * Where objects' values start: every `N G obj` in order, and each number's (every definition: an update's too, since
 * the cross-reference table may point at any); and the values of the objects object streams hold.
 */
interface Objects {
  starts: number[];
  /** Each of `starts`' object number and generation. */
  headers: { num: string; gen: number; start: number }[];
  allByNumber: Map<string, number[]>;
  /** Each number's values as object streams hold them (every one's: the cross-reference stream may point at any). */
  packed: Map<string, { at: number; value: string }[]>;
  /** Each value object streams hold, in the order read (`anyFilters` reads those it has not). */
  held: string[];
  /** What `anyFilters` has read so far. */
  anyFilters?: AnyFilters;
}

function objectsOf(text: string): Objects {
  const objects: Objects = { starts: [], headers: [], allByNumber: new Map(), packed: new Map(), held: [] };
  for (const object of text.matchAll(OBJECT)) {
    const num = objectNumber(object[1] ?? '');
    const gen = objectNumber(object[2] ?? '');
    if (num === undefined || gen === undefined) continue;
    const start = object.index + object[0].length;
    objects.starts.push(start);
    objects.headers.push({ num, gen: Number(gen), start });
    const definitions = objects.allByNumber.get(num);
    if (definitions) definitions.push(start);
    else objects.allByNumber.set(num, [start]);
  }
  return objects;
}

/**
 * Records the objects an object stream (decoded: `data`, its header read: `header`) holds. Each value is kept to 256
 * characters, as `objectValues` reads one.
 */
function addPackedObjects(objects: Objects, data: Buffer, header: PackedHeader, at: number): void {
  const { first, numbers, offsets } = header;
  numbers.forEach((number, i) => {
    const from = first + (offsets[i] ?? 0);
    const next = offsets[i + 1];
    const to = Math.min(next === undefined ? data.length : first + next, from + 256);
    const value = { at, value: data.subarray(from, to).toString('latin1').trim() };
    const held = objects.packed.get(String(number));
    if (!held) objects.packed.set(String(number), [value]);
    else if (!held.some(other => other.value === value.value)) held.push(value);
    objects.held.push(value.value);
  });
}

/** An object stream's `/First`, and the object numbers and offsets (from `/First`) its header gives. */
interface PackedHeader {
  first: number;
  numbers: number[];
  offsets: number[];
}

/**
 * Each `/N` and `/First` pdf.js could read a stream as an object stream by: those of each object it could be read as
 * (`readAs`) with both keys, their last values as pdf.js parses them, a reference as each definition of its object
 * gives it (NaN where a value is no number); 'too-many' past 16 pairs.
 */
function packedCounts(
  text: string,
  objects: Objects,
  readAs: readonly StreamObjectHeader[],
): { count: number; first: number }[] | 'too-many' {
  const numbers = (value: Value | undefined): number[] | 'too-many' => {
    if (!(value instanceof Reference)) return [typeof value === 'number' ? value : NaN];
    const definitions = objectValues(text, objects, String(value.number));
    if (definitions === 'too-many') return definitions;
    return definitions.length ? definitions.map(definition => leadingNumber(definition) ?? NaN) : [NaN];
  };
  const pairs: { count: number; first: number }[] = [];
  for (const { dictionary } of readAs) {
    if (!dictionary.has('N') || !dictionary.has('First')) continue;
    const counts = numbers(dictionary.last('N'));
    const firsts = numbers(dictionary.last('First'));
    if (counts === 'too-many' || firsts === 'too-many') return 'too-many';
    for (const count of counts) for (const first of firsts) pairs.push({ count, first });
    if (pairs.length > 16) return 'too-many';
  }
  return pairs;
}

/**
 * An object stream's header as pdf.js's `fetchCompressed` reads it from the start of its data: `count` pairs of an
 * object number and an offset, each read as pdf.js's parser reads it; none when `count` or `first` is not an integer,
 * or a pair is not two integers (pdf.js reads no object from it then).
 */
function packedHeader(data: Buffer, { count, first }: { count: number; first: number }): PackedHeader | undefined {
  if (!Number.isInteger(count) || !Number.isInteger(first)) return undefined;
  // each pair takes at least four characters (`1 2 `): more than the data holds end it before they are read
  if (count * 4 > data.length + 1) return undefined;
  const text = data.toString('latin1');
  const parser = new Parser(text, 0, { left: Infinity });
  const numbers: number[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const number = parser.object();
    const offset = parser.object();
    if (!isInteger(number) || !isInteger(offset)) return undefined;
    numbers.push(number);
    offsets.push(offset);
  }
  return { first, numbers, offsets };
}

const isInteger = (value: Value): value is number => typeof value === 'number' && Number.isInteger(value);

/**
 * The text of a stream's dictionary, up to the `stream` keyword at `at`: from the first of the objects pdf.js could
 * read as ending there (so every one of their dictionaries: a header in a string within one, such as `(9 0 obj)`,
 * does not hide the entries before it), else from the last `N G obj` before it.
 */
function streamDictionary(
  text: string,
  { starts }: Objects,
  at: number,
  headers: readonly StreamObjectHeader[],
): string {
  const from = Math.min(starts[firstAtOrAfter(starts, at + 1) - 1] ?? 0, ...headers.map(header => header.from));
  return text.slice(from, at);
}

/** The index of the first of `sorted` at or after `at` (its length when none is). */
function firstAtOrAfter(sorted: readonly number[], at: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid] ?? 0) < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Where a stream's data ends: at its `/Length` when `endstream` follows there (after white space and comments, as
 * pdf.js checks), else at the next `endstream` (pdf.js's search when the length is wrong), else at the end of the
 * file. pdf.js takes the last `/Length` of the stream's own dictionary, a reference to it as the cross-reference
 * table points; every one is tried here (a repeated key, one in a nested dictionary, each `headers` object's as
 * pdf.js parses it, every definition of a referenced object), and the furthest end where `endstream` follows is
 * taken: its data holds what any of them reads.
 */
function streamEnd(
  text: string,
  objects: Objects,
  ends: readonly number[],
  start: number,
  dictionary: string,
  headers: readonly StreamObjectHeader[],
): number {
  const lengths: number[] = [];
  const definitions = (id: string): number[] => {
    const values = objectValues(text, objects, id);
    // more definitions than are read: the next `endstream` only
    return values === 'too-many' ? [] : values.map(leadingNumber).filter((n): n is number => n !== undefined);
  };
  for (const declared of dictionary.matchAll(/\/Length\s+(\d+)(?:\s+\d+\s+R\b)?/g))
    lengths.push(...(declared[0].endsWith('R') ? definitions(String(Number(declared[1]))) : [Number(declared[1])]));
  for (const { length } of headers) {
    if (typeof length === 'object') lengths.push(...definitions(String(length.number)));
    else if (length !== undefined) lengths.push(length);
  }
  let end: number | undefined;
  let unsure = false;
  for (const length of new Set(lengths)) {
    if (!Number.isInteger(length) || length < 0 || start + length > text.length) continue;
    const after = gapEnd(text, start + length, GAP_LOOKED_AT);
    const follows = text.startsWith('endstream', after);
    // white space or a comment past what is looked at: both this end and the next `endstream` are taken
    const gapTooLong = !follows && after === start + length + GAP_LOOKED_AT;
    if (gapTooLong) unsure = true;
    if (follows || gapTooLong) end = Math.max(end ?? 0, start + length);
  }
  const next = ends[firstAtOrAfter(ends, start)] ?? text.length;
  return end === undefined ? next : unsure ? Math.max(end, next) : end;
}

/** How far `gapEnd` looks for `endstream` after a stream's length (a gap longer is no writer's). */
const GAP_LOOKED_AT = 4096;

/** Where the white space and comments at `at` end, as pdf.js's lexer skips them, looking at most `limit` on. */
function gapEnd(text: string, at: number, limit: number): number {
  const stop = Math.min(text.length, at + limit);
  let i = at;
  while (i < stop) {
    const c = text.charCodeAt(i);
    if (c === 0x25) while (i < stop && text[i] !== '\r' && text[i] !== '\n') i++;
    else if (c === 0x00 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20) i++;
    else break;
  }
  return i;
}

/**
 * The filter names of each `/F` or `/Filter` entry of a stream's dictionary, in the order they decode it (pdf.js
 * takes `/F`, before `/Filter`, for any stream's filters; a nested dictionary's `/F`, a font's name, is found too,
 * so each is measured: see `decodedLargest`). A value is a name or an array of names, where any reference is looked
 * up, the entry's own and, in the array it names, each element's: each definition of the object (an update's, or one
 * the cross-reference table points at before a later one) gives a list of its own, and so does each list any object
 * may name (`anyFilters`: where a reference leads is not certain). Names' `#` escapes are read first, keys' too
 * (`/Filt#65r` is `/Filter` to pdf.js). A name pdf.js has no filter of is left out: it passes the data on to the next
 * filter as it is. 'too-many' past 64 lists.
 */
function filterChains(text: string, objects: Objects, dictionary: string): string[][] | 'too-many' {
  // each way `value` reads with its references looked up
  const readings = (value: string): string[] | 'too-many' => {
    let read = [''];
    let last = 0;
    for (const ref of value.matchAll(new RegExp(REFERENCE, 'g'))) {
      const id = objectNumber(ref[1] ?? '');
      if (id === undefined || objectNumber(ref[2] ?? '') === undefined) continue;
      const literal = value.slice(last, ref.index);
      const values = objectValues(text, objects, id);
      const any = anyFilters(text, objects);
      if (values === 'too-many' || any === 'too-many') return 'too-many';
      const options = [...new Set([...(values.length ? values : ['']), ...any])];
      if (read.length * options.length > 64) return 'too-many';
      read = read.flatMap(before => options.map(option => `${before}${literal} ${option} `));
      last = ref.index + ref[0].length;
    }
    return read.map(before => before + value.slice(last));
  };
  const chains: string[][] = [];
  for (const entry of unescaped(dictionary).matchAll(FILTER_ENTRY)) {
    const outer = readings(entry[2] ?? '');
    if (outer === 'too-many') return outer;
    for (const reading of outer) {
      const inner = readings(reading);
      if (inner === 'too-many' || chains.length + inner.length > 64) return 'too-many';
      for (const value of inner)
        chains.push(
          [...value.matchAll(/\/([^\s/[\]<>()%]+)/g)].map(name => unescaped(name[1] ?? '')).filter(isApplied),
        );
    }
  }
  return chains;
}

/**
 * The filter lists a reference in a filter may lead to whatever its number: a cross-reference entry may point within
 * another object's header (at the `4` of `14 0 obj`, which pdf.js then reads as object 4), and one in a cross-reference
 * stream at any object an object stream holds, whatever number that object's header gives it, so the definitions of
 * its number are not all it can be. These are `/FlateDecode` (an object not read here) and each name, and each array
 * of names, that an object in the file holds (written, or held by an object stream read so far), a reference in an
 * array read as any of those names, each filter by its first name, as `decoded` reads it (`decoderName`). 'too-many'
 * past 64 lists.
 */
function anyFilters(text: string, objects: Objects): string[] | 'too-many' {
  const state = (objects.anyFilters ??= { read: 0, names: new Set(['FlateDecode']), arrays: [], lists: new Set() });
  const { headers, held } = objects;
  let namesAdded = state.read === 0;
  for (; state.read < headers.length + held.length; state.read++) {
    const start = headers[state.read]?.start;
    let value = start === undefined ? (held[state.read - headers.length] ?? '') : text.slice(start, start + 256);
    if (value.includes('endobj')) value = value.slice(0, value.indexOf('endobj'));
    const read = new Parser(value, 0, { left: Infinity }).object();
    if (read instanceof PdfName && decoderName(read.name) && !state.names.has(decoderName(read.name))) {
      state.names.add(decoderName(read.name));
      namesAdded = true;
    }
    if (Array.isArray(read) && state.lists !== 'too-many') {
      state.arrays.push(read);
      if (!namesAdded) state.lists = listsOf([read], state.names, state.lists);
    }
  }
  if (namesAdded && state.lists !== 'too-many') {
    for (const name of state.names) state.lists.add(`/${name}`);
    state.lists = listsOf(state.arrays, state.names, state.lists);
  }
  return state.lists === 'too-many' ? state.lists : [...state.lists];
}

/** What `anyFilters` has read: how many values, the names among them, their arrays and the lists found so far. */
interface AnyFilters {
  read: number;
  names: Set<string>;
  arrays: Value[][];
  lists: Set<string> | 'too-many';
}

/**
 * `lists` with each filter list `arrays` name added, a reference in one read as each of `names`, each list up to an
 * element that is neither a name nor a reference (pdf.js reads no data through it); 'too-many' past 64.
 */
function listsOf(arrays: readonly Value[][], names: ReadonlySet<string>, lists: Set<string>): Set<string> | 'too-many' {
  for (const array of arrays) {
    let read = [''];
    for (const element of array) {
      if (!(element instanceof PdfName) && !(element instanceof Reference)) {
        // no data goes through it: the list ends there
        read = read.map(before => `${before} /${END}`);
        break;
      }
      const options = element instanceof PdfName ? [decoderName(element.name)] : [...names];
      read = read.flatMap(before => options.map(name => (name ? `${before} /${name}` : before)));
      if (read.length > 64) return 'too-many';
    }
    for (const list of read) lists.add(list.trim());
    if (lists.size > 64) return 'too-many';
  }
  return lists;
}

/**
 * A filter's name as `decoded` reads it: the first name of its decoder, or of its image filter's measure, and none
 * ('') for one pdf.js passes the data through.
 */
const decoderName = (name: string): string => {
  if (!isApplied(name)) return '';
  const table: Record<string, unknown> = Object.hasOwn(DECODERS, name) ? DECODERS : IMAGE_FILTERS;
  return Object.keys(table).find(key => table[key] === table[name]) ?? '';
};
/** A filter whose data `decoded` measures as it is, ending the list: what an element that is no filter does. */
const END = 'JPXDecode';

/**
 * A `/F` or `/Filter` entry (the key ends where a name does; white space and comments after it) and its value: a name,
 * an array (a `]` in a comment within it does not end it), or a reference.
 */
const FILTER_ENTRY = new RegExp(
  String.raw`\/(F|Filter)(?=[\s\0/[\]<>()%])${GAP}*(\[(?:[^\]%]|%[^\r\n]*[\r\n])*\]|\/[^\s\0/[\]<>()%]+|${REFERENCE})`,
  'g',
);

/**
 * The text of each definition of object `id`'s value, up to its `endobj` (at most 256 characters: a length or a
 * filter list), and as each object stream holds it; 'too-many' past 64 definitions.
 */
function objectValues(text: string, objects: Objects, id: string): string[] | 'too-many' {
  const starts = objects.allByNumber.get(id) ?? [];
  const packed = objects.packed.get(id) ?? [];
  if (starts.length + packed.length > 64) return 'too-many';
  const values = starts.map(start => {
    const value = text.slice(start, start + 256);
    const end = value.indexOf('endobj');
    return (end < 0 ? value : value.slice(0, end)).trim();
  });
  return [...values, ...packed.map(held => held.value)];
}

type Decoder = (data: Buffer, limit: number, params: DecodeParams) => Buffer | 'too-large';

const flate: Decoder = (data, limit) => {
  try {
    return inflated(data, data.length, limit);
  } catch (e) {
    if (isTooLarge(e)) return 'too-large';
  }
  // Damaged data: pdf.js decodes up to the damage. The longest prefix that inflates is what it gets.
  let good = 0;
  let bad = data.length;
  let output: Buffer = Buffer.alloc(0);
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    try {
      output = inflated(data, mid, limit);
      good = mid;
    } catch (e) {
      if (isTooLarge(e)) return 'too-large';
      bad = mid;
    }
  }
  return output;
};

/** The first `length` bytes of zlib data inflated (a cut-off end is no error), at most `limit` bytes. */
const inflated = (data: Buffer, length: number, limit: number): Buffer =>
  inflateSync(data.subarray(0, length), {
    finishFlush: constants.Z_SYNC_FLUSH,
    maxOutputLength: Math.max(1, limit),
  });

const isTooLarge = (e: unknown): boolean => (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';

/**
 * LZW as pdf.js's `LZWStream` decodes it, with `earlyChange` as its `/DecodeParms` gives it (pdf.js takes any value,
 * 1 when there is none): codes of a width that changes when the next code plus `earlyChange` is a power of two (a
 * width of 0 is refused), 256 clears the table, 257 ends, and a code past the table repeats the
 * last sequence's first byte. At most `limit` bytes.
 */
const lzwWith = (earlyChange: number, data: Buffer, limit: number): Buffer | 'too-large' => {
  const values = new Uint8Array(4096);
  const lengths = new Uint16Array(4096);
  const previousCodes = new Uint16Array(4096);
  const sequence = new Uint8Array(4096);
  for (let i = 0; i < 256; i++) {
    values[i] = i;
    lengths[i] = 1;
  }
  let sequenceLength = 0;
  let nextCode = 258;
  let width = 9;
  let previous = 0;
  let at = 0;
  let bits = 0;
  let held = 0;
  let out = Buffer.alloc(Math.min(limit, 4 * data.length + 4096));
  let size = 0;
  for (;;) {
    // codes of no width read no data: pdf.js decodes on (up to 2 GB of zeros, for a value no writer gives)
    if (width === 0) return 'too-large';
    while (bits < width) {
      if (at >= data.length) return out.subarray(0, size);
      held = (held << 8) | (data[at++] ?? 0);
      bits += 8;
    }
    bits -= width;
    const code = (held >>> bits) & ((1 << width) - 1);
    const hadPrevious = sequenceLength > 0;
    if (code < 256) {
      sequence[0] = code;
      sequenceLength = 1;
    } else if (code >= 258) {
      if (code < nextCode) {
        sequenceLength = lengths[code] ?? 0;
        for (let j = sequenceLength - 1, q = code; j >= 0; j--) {
          sequence[j] = values[q] ?? 0;
          q = previousCodes[q] ?? 0;
        }
      } else {
        sequence[sequenceLength++] = sequence[0] ?? 0;
      }
    } else if (code === 256) {
      width = 9;
      nextCode = 258;
      sequenceLength = 0;
      continue;
    } else return out.subarray(0, size);
    if (hadPrevious) {
      previousCodes[nextCode] = previous;
      lengths[nextCode] = (lengths[previous] ?? 0) + 1;
      values[nextCode] = sequence[0] ?? 0;
      nextCode++;
      // pdf.js's own expression, so that any `earlyChange` changes the width as it does there
      width =
        (nextCode + earlyChange) & (nextCode + earlyChange - 1)
          ? width
          : Math.min(Math.log(nextCode + earlyChange) / Math.LN2 + 1, 12) | 0;
    }
    previous = code;
    if (size + sequenceLength > limit) return 'too-large';
    if (size + sequenceLength > out.length) {
      const grown = Buffer.alloc(Math.min(limit, Math.max(2 * out.length, size + sequenceLength)));
      out.copy(grown, 0, 0, size);
      out = grown;
    }
    // past the 4096 bytes pdf.js keeps of a sequence, it writes zeros (`out` is zeroed)
    out.set(sequence.subarray(0, Math.min(sequenceLength, 4096)), size);
    size += sequenceLength;
  }
};

/**
 * LZW decoded with each `/EarlyChange` pdf.js may read for it (`params.earlyChanges`, see `earlyChanges`): the
 * largest; 'too-large' when one of them is not a number (its widths cannot be known).
 */
const lzw: Decoder = (data, limit, params) => {
  if (params.earlyChanges === 'unknown') return 'too-large';
  let largest: Buffer = Buffer.alloc(0);
  for (const earlyChange of params.earlyChanges) {
    const out = lzwWith(earlyChange, data, limit);
    if (out === 'too-large') return out;
    if (out.length > largest.length) largest = out;
  }
  return largest;
};

/** What a stream's filters may be given by its `/DecodeParms` that changes how much they decode to. */
interface DecodeParams {
  /** Each `/EarlyChange` an LZW filter may be given (1 without one), or 'unknown'. */
  earlyChanges: readonly number[] | 'unknown';
  /** The widest `/Columns` a fax filter may be given, or 'unknown' (see `faxColumns`). */
  columns: number | 'unknown';
}

/** The parameters pdf.js may give filters, as `sources` (the file's text, its object streams' data) write them. */
const decodeParams = (sources: readonly string[]): DecodeParams => ({
  earlyChanges: earlyChanges(sources),
  columns: faxColumns(sources),
});

/**
 * The `/EarlyChange` values pdf.js may give an LZW filter: 1 (its default) and 0, and each value written after the
 * name (however it is written) anywhere in `sources` (the file's text and its object streams' decoded data); 'unknown'
 * when one is not a plain number (a reference, a string: pdf.js then reads codes of no width, without end) or there
 * are more than 8.
 */
function earlyChanges(sources: readonly string[]): DecodeParams['earlyChanges'] {
  const written = numbersAfter(sources, 'EarlyChange');
  if (written === 'unknown') return written;
  const found = new Set([1, 0, ...written]);
  return found.size > 8 ? 'unknown' : [...found];
}

/** Run-length: a length byte, then that many bytes plus one, or one byte repeated 257 minus it times; 128 ends. */
const runLength: Decoder = (data, limit) => {
  const out: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < data.length;) {
    const n = data[i++] ?? 128;
    if (n === 128) break;
    const run = n < 128 ? data.subarray(i, i + n + 1) : Buffer.alloc(257 - n, data[i] ?? 0);
    i += n < 128 ? n + 1 : 1;
    size += run.length;
    if (size > limit) return 'too-large';
    out.push(run);
  }
  return Buffer.concat(out);
};

/** Pairs of hex digits up to `>`; other characters are skipped. */
const asciiHex: Decoder = data => {
  const end = data.indexOf(0x3e);
  const digits = data
    .subarray(0, end < 0 ? data.length : end)
    .toString('latin1')
    .replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex');
};

/** Base-85 up to `~>`: five characters make four bytes, `z` four zero bytes (at most four times the input). */
const ascii85: Decoder = (data, limit) => {
  const end = data.indexOf('~>');
  const chars = data
    .subarray(0, end < 0 ? data.length : end)
    .toString('latin1')
    .replace(/[^!-uz]/g, '');
  if (chars.length * 4 > limit) return 'too-large';
  const out: number[] = [];
  let group: number[] = [];
  const flush = (count: number): void => {
    const padded = [...group, 84, 84, 84, 84].slice(0, 5);
    const value = padded.reduce((v, c) => v * 85 + c, 0);
    for (let k = 3; k >= 4 - count; k--) out.push(Math.floor(value / 256 ** k) % 256);
    group = [];
  };
  for (const c of chars) {
    if (c === 'z' && group.length === 0) out.push(0, 0, 0, 0);
    else if (c !== 'z') {
      group.push(c.charCodeAt(0) - 33);
      if (group.length === 5) flush(4);
    }
  }
  if (group.length > 1) flush(group.length - 1);
  return Buffer.from(out);
};

/**
 * Whether pdf.js decodes a stream through a filter of this name: one decoded here, or an image's own (which ends a
 * list here); it passes the data through any other as it is, to the next filter.
 */
const isApplied = (name: string): boolean => Object.hasOwn(DECODERS, name) || Object.hasOwn(IMAGE_FILTERS, name);

const DECODERS: Record<string, Decoder | undefined> = {
  FlateDecode: flate,
  Fl: flate,
  LZWDecode: lzw,
  LZW: lzw,
  RunLengthDecode: runLength,
  RL: runLength,
  ASCIIHexDecode: asciiHex,
  AHx: asciiHex,
  ASCII85Decode: ascii85,
  A85: ascii85,
};
