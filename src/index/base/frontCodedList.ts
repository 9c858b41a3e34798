import { grown } from './growableArray';
import { StringList, utf16Rank } from './stringList';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Strings per block: the first is stored whole, the others as the bytes they add to the one before. */
export const FRONT_CODED_BLOCK = 16;

/** Bytes a string is decoded into (one list is read at a time on a thread). */
let scratch = new Uint8Array(256);
/** Where `readVarint` reads next. */
let readAt = 0;
/** Per string of a block being decoded: bytes shared with the one before, and where its own bytes start. */
const entryShared = new Uint32Array(FRONT_CODED_BLOCK);
const entryStarts = new Uint32Array(FRONT_CODED_BLOCK);

/**
 * Strings front-coded: in each block of FRONT_CODED_BLOCK, the first string is its length
 * (variable-byte) and UTF-8 bytes, every other string the count of leading bytes it shares with the one before, the
 * count of bytes that follow and those bytes. Sorted terms share long prefixes, and so do the paths of a folder's
 * files listed together, so this holds a segment's term dictionary and file paths in far fewer bytes than a
 * StringList. In a sorted list (JS string order), a lookup binary-searches the blocks' first strings in place and
 * decodes at most one block; like a StringList it is two typed arrays, transferred and stored without parsing.
 */
export class FrontCodedList {
  constructor(
    readonly bytes: Uint8Array,
    /** One entry per block + 1: block b is bytes[blockStarts[b], blockStarts[b + 1]). */
    readonly blockStarts: Uint32Array,
    readonly length: number,
  ) {}

  /** The strings of `list`, front-coded (`indexOfSorted` needs them sorted ascending in JS string order). */
  static of(list: StringList): FrontCodedList {
    const n = list.length;
    const { bytes: from, offsets } = list;
    const blockStarts = new Uint32Array(Math.ceil(n / FRONT_CODED_BLOCK) + 1);
    let out = new Uint8Array(Math.max(16, from.length + 2 * n));
    let size = 0;
    for (let i = 0; i < n; i++) {
      const start = offsets[i] ?? 0;
      const end = offsets[i + 1] ?? 0;
      let shared = 0;
      if (i % FRONT_CODED_BLOCK === 0) blockStarts[i / FRONT_CODED_BLOCK] = size;
      else {
        const before = offsets[i - 1] ?? 0;
        const limit = Math.min(end - start, start - before);
        while (shared < limit && from[start + shared] === from[before + shared]) shared++;
      }
      if (size + 10 + end - start > out.length) out = grown(out, size + 10 + end - start);
      if (i % FRONT_CODED_BLOCK !== 0) size = writeVarint(out, size, shared);
      size = writeVarint(out, size, end - start - shared);
      out.set(from.subarray(start + shared, end), size);
      size += end - start - shared;
    }
    blockStarts[blockStarts.length - 1] = size;
    return new FrontCodedList(out.slice(0, size), blockStarts, n);
  }

  get(i: number): string {
    const length = this.decode(i);
    return decoder.decode(scratch.subarray(0, length));
  }

  /** Index of `s`, or -1: the last block whose first string is at most `s`, then that block in order. */
  indexOfSorted(s: string): number {
    const key = encoder.encode(s);
    let lo = 0;
    let hi = this.blockStarts.length - 2;
    let block = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareFirst(mid, key);
      if (c === 0) return mid * FRONT_CODED_BLOCK;
      if (c < 0) {
        block = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (block < 0) return -1;
    // The block's strings ascend from its first, which is below the key. `matched` is how many leading bytes the
    // string read last shares with the key: a string that shares fewer with it than that is above the key, one that
    // shares more is below it like the one before, and one that shares exactly that many is compared from there.
    const first = block * FRONT_CODED_BLOCK;
    const last = Math.min(this.length, first + FRONT_CODED_BLOCK);
    const bytes = this.bytes;
    readAt = this.blockStarts[block] ?? 0;
    const firstLength = readVarint(bytes);
    let matched = 0;
    while (matched < firstLength && matched < key.length && bytes[readAt + matched] === key[matched]) matched++;
    readAt += firstLength;
    for (let i = first + 1; i < last; i++) {
      const shared = readVarint(bytes);
      const added = readVarint(bytes);
      const start = readAt;
      readAt += added;
      if (shared < matched) return -1;
      if (shared > matched) continue;
      let j = 0;
      while (j < added && matched < key.length && bytes[start + j] === key[matched]) {
        j++;
        matched++;
      }
      if (j === added && matched === key.length) return i;
      if (j === added) continue; // a prefix of the key: below it
      if (matched === key.length) return -1; // the key is a prefix of it: above
      if (utf16Rank(bytes[start + j] ?? 0) > utf16Rank(key[matched] ?? 0)) return -1;
    }
    return -1;
  }

  /** The same strings as a StringList (what merging reads and writes). */
  toStringList(): StringList {
    const offsets = new Uint32Array(this.length + 1);
    let bytes = new Uint8Array(Math.max(16, 2 * this.bytes.length));
    let size = 0;
    let previous = 0;
    readAt = 0;
    for (let i = 0; i < this.length; i++) {
      const shared = i % FRONT_CODED_BLOCK === 0 ? 0 : readVarint(this.bytes);
      const added = readVarint(this.bytes);
      if (size + shared + added > bytes.length) bytes = grown(bytes, size + shared + added);
      bytes.copyWithin(size, previous, previous + shared);
      bytes.set(this.bytes.subarray(readAt, readAt + added), size + shared);
      readAt += added;
      previous = size;
      size += shared + added;
      offsets[i + 1] = size;
    }
    return new StringList(bytes.slice(0, size), offsets);
  }

  /** The strings, in order. */
  toArray(): string[] {
    return this.toStringList().toArray();
  }

  /** Bytes held (blocks + block starts). */
  get byteSize(): number {
    return this.bytes.byteLength + this.blockStarts.byteLength;
  }

  /** Decodes string i into `scratch`; its byte length. */
  private decode(i: number): number {
    const block = Math.floor(i / FRONT_CODED_BLOCK);
    const bytes = this.bytes;
    readAt = this.blockStarts[block] ?? 0;
    // Where each string of the block up to i adds its bytes; then string i's bytes, each copied once: going back
    // from string i, each string gives the positions from what it shares with the one before up to what the
    // strings after it took from it.
    let n = 0;
    let added = 0;
    for (let j = block * FRONT_CODED_BLOCK; j <= i; j++, n++) {
      entryShared[n] = j % FRONT_CODED_BLOCK === 0 ? 0 : readVarint(bytes);
      added = readVarint(bytes);
      entryStarts[n] = readAt;
      readAt += added;
    }
    const length = (entryShared[n - 1] ?? 0) + added;
    if (length > scratch.length) scratch = grown(scratch, length);
    let limit = length;
    for (let k = n - 1; k >= 0 && limit > 0; k--) {
      const from = entryShared[k] ?? 0;
      if (from >= limit) continue;
      const start = (entryStarts[k] ?? 0) - from;
      for (let p = from; p < limit; p++) scratch[p] = bytes[start + p] ?? 0;
      limit = from;
    }
    return length;
  }

  /** Sign of (block b's first string) − key in JS string order, comparing bytes in place. */
  private compareFirst(b: number, key: Uint8Array): number {
    readAt = this.blockStarts[b] ?? 0;
    const length = readVarint(this.bytes);
    const n = Math.min(length, key.length);
    for (let j = 0; j < n; j++) {
      const x = this.bytes[readAt + j] ?? 0;
      const y = key[j] ?? 0;
      if (x !== y) return utf16Rank(x) - utf16Rank(y);
    }
    return length - key.length;
  }
}

/** Writes `value` at `to`; the position after it. */
function writeVarint(out: Uint8Array, to: number, value: number): number {
  let v = value;
  let p = to;
  while (v >= 0x80) {
    out[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[p++] = v;
  return p;
}

/** The value at `readAt`, which moves past it. */
function readVarint(bytes: Uint8Array): number {
  let value = 0;
  let shift = 0;
  let b: number;
  do {
    b = bytes[readAt++] ?? 0;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b >= 0x80 && shift < 35);
  return value;
}
