import { grown } from './growableArray';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Many strings stored as UTF-8 bytes plus byte offsets: two typed arrays instead of thousands of strings. They are
 * what the store holds on disk and what the worker transfers, so loading or installing an index decodes no text at
 * all (a large index's term table would hold the host's thread while it decodes); `get(i)` decodes one
 * string when a hit needs it, and term lookups compare bytes in place.
 */
export class StringList {
  constructor(
    readonly bytes: Uint8Array,
    /** length + 1 entries; string i is bytes[offsets[i], offsets[i + 1]). */
    readonly offsets: Uint32Array,
  ) {}

  static from(strings: readonly string[]): StringList {
    const offsets = new Uint32Array(strings.length + 1);
    let at = 0;
    strings.forEach((s, i) => {
      offsets[i] = at;
      at += utf8Length(s);
    });
    offsets[strings.length] = at;
    const bytes = new Uint8Array(at);
    encoder.encodeInto(strings.map(closed).join(''), bytes);
    return new StringList(bytes, offsets);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    return decoder.decode(this.bytes.subarray(this.offsets[i] ?? 0, this.offsets[i + 1] ?? 0));
  }

  /**
   * Strings [from, to) (all by default), in order: one decode for the range, then slices (a decode per string is
   * slow once a single one is not ASCII, and a large workspace has tens of thousands of paths). The bytes come from
   * TextEncoder, so they are valid UTF-8 and each string's UTF-16 start follows from counting lead bytes (a 4-byte
   * sequence is two UTF-16 units).
   */
  toArray(from = 0, to = this.length): string[] {
    const base = this.offsets[from] ?? 0;
    const end = this.offsets[to] ?? 0;
    const text = decoder.decode(this.bytes.subarray(base, end));
    const out = new Array<string>(to - from);
    if (text.length === end - base) {
      for (let i = from; i < to; i++)
        out[i - from] = text.slice((this.offsets[i] ?? 0) - base, (this.offsets[i + 1] ?? 0) - base);
      return out;
    }
    const bytes = this.bytes;
    let at = base;
    let unit = 0;
    let start = 0;
    for (let i = from; i < to; i++) {
      const stop = this.offsets[i + 1] ?? 0;
      for (; at < stop; at++) {
        const b = bytes[at] ?? 0;
        if ((b & 0xc0) !== 0x80) unit += b >= 0xf0 ? 2 : 1;
      }
      out[i - from] = text.slice(start, unit);
      start = unit;
    }
    return out;
  }

  /** Index of `s` in a list sorted ascending (JS string order), or -1. Compares bytes in place, without decoding. */
  indexOfSorted(s: string): number {
    const key = encoder.encode(s);
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareBytesAt(mid, key);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Sign of (string i) − s in JS string (UTF-16 code unit) order. */
  compareAt(i: number, s: string): number {
    return this.compareBytesAt(i, encoder.encode(s));
  }

  /** Sign of (this string i) − (other string j) in JS string order, comparing bytes in place. */
  compareWith(i: number, other: StringList, j: number): number {
    const a = this.bytes;
    const b = other.bytes;
    const aStart = this.offsets[i] ?? 0;
    const aLength = (this.offsets[i + 1] ?? 0) - aStart;
    const bStart = other.offsets[j] ?? 0;
    const bLength = (other.offsets[j + 1] ?? 0) - bStart;
    const n = Math.min(aLength, bLength);
    for (let k = 0; k < n; k++) {
      const x = a[aStart + k] ?? 0;
      const y = b[bStart + k] ?? 0;
      if (x !== y) return utf16Rank(x) - utf16Rank(y);
    }
    return aLength - bLength;
  }

  /** Bytes held (UTF-8 text + offsets). */
  get byteSize(): number {
    return this.bytes.byteLength + this.offsets.byteLength;
  }

  private compareBytesAt(i: number, key: Uint8Array): number {
    const bytes = this.bytes;
    const start = this.offsets[i] ?? 0;
    const length = (this.offsets[i + 1] ?? 0) - start;
    const n = Math.min(length, key.length);
    for (let j = 0; j < n; j++) {
      const a = bytes[start + j] ?? 0;
      const b = key[j] ?? 0;
      if (a !== b) return utf16Rank(a) - utf16Rank(b);
    }
    return length - key.length;
  }
}

/** Builds a `StringList` from strings of other lists, copying their bytes (no decoding, no encoding). */
export class StringListWriter {
  private bytes: Uint8Array;
  private offsets: Uint32Array;
  private count = 0;
  private size = 0;

  constructor(expectedStrings = 1024, expectedBytes = 16 * 1024) {
    this.offsets = new Uint32Array(expectedStrings + 1);
    this.bytes = new Uint8Array(expectedBytes);
  }

  /** Appends string i of `list`. */
  push(list: StringList, i: number): void {
    const start = list.offsets[i] ?? 0;
    const length = (list.offsets[i + 1] ?? 0) - start;
    if (this.size + length > this.bytes.length) this.bytes = grown(this.bytes, this.size + length);
    if (this.count + 2 > this.offsets.length) this.offsets = grown(this.offsets, this.count + 2);
    const from = list.bytes;
    const to = this.bytes;
    for (let k = 0; k < length; k++) to[this.size + k] = from[start + k] ?? 0;
    this.size += length;
    this.offsets[++this.count] = this.size;
  }

  toList(): StringList {
    return new StringList(this.bytes.slice(0, this.size), this.offsets.slice(0, this.count + 1));
  }
}

/**
 * UTF-8 byte order is code point order, but the lists are sorted in JS (UTF-16) order, where astral characters
 * (surrogate pairs, lead bytes F0–F4) sort before U+E000–U+FFFF (lead bytes EE–EF). The first differing bytes of
 * two strings with an equal prefix are both lead bytes or both continuation bytes, so swapping the ranks of those
 * two lead-byte ranges makes the byte comparison agree with JS order. Every other byte keeps its value.
 */
export function utf16Rank(byte: number): number {
  if (byte >= 0xf0) return byte - 2; // F0–F4 → EE–F2
  if (byte >= 0xee) return byte + 5; // EE–EF → F3–F4
  return byte;
}

/**
 * `s` with a high surrogate at its end (lone: nothing follows it in `s`) written as U+FFFD, as TextEncoder writes it
 * when it encodes `s` alone. `from` joins the strings before encoding them, where such a surrogate and a low one
 * starting the next string would be read as one pair (4 bytes where the offsets count 3 + 3), shifting every later
 * string. File names on Linux can hold any bytes, so a path can end in one.
 */
const closed = (s: string): string => {
  const last = s.charCodeAt(s.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? `${s.slice(0, -1)}\ufffd` : s;
};

/**
 * Bytes of `s` in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). Node's native count,
 * because it is faster than a charCodeAt loop over many file paths.
 */
export const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');
