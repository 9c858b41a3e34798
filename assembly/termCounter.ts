// AssemblyScript: the index builder's hot loop, compiled to WebAssembly (src/index/terms/termCounterWasm.ts holds
// the result; `npm run build:wasm` rebuilds it, `npm test` fails when it is stale). The host side is
// src/index/terms/wasmTermCounter.ts, which owns the rules of the tokenizer: this module finds identifiers in UTF-8
// bytes, remembers each one's term numbers, keeps the dictionary (term bytes → term number), counts, and keeps
// each ended document's postings.
//
// It finds the matches of the tokenizer's IDENTIFIER in ASCII text — letters/digits joined by underscores, with a
// possessive `'s` — and splits each identifier it has not seen before into the pieces of the tokenizer's PIECE
// (`HTTPServer` → HTTP, Server; `utf8Decode` → utf, 8, Decode), asking the host (`pieceTerm`) only for the stem of
// a piece it has not seen before; the compound term (`getUserName` → `getusername`) it makes itself. A stretch
// holding any byte ≥ 128, up to the next ASCII separator, goes to the host whole (`span`), which runs the
// tokenizer's own regex over it: no match crosses an ASCII separator, so the counts are exactly those of tokenize.
//
// Memory is AssemblyScript's TLSF heap (the minimal runtime; nothing here is garbage-collected): every table grows
// by reallocating to twice its size, and the old copy is freed for reuse (a bump heap that never frees would keep
// every discarded copy of the postings until the build ends).

/** The term of the identifier piece at [start, end) (`Http`, `8`, `the`): its stem's number, or -1 for a stopword. */
@external('env', 'pieceTerm')
declare function pieceTerm(start: usize, end: usize): i32;
/** Counts the terms of the non-ASCII stretch at [start, end), `weight` times each (with countId). */
@external('env', 'span')
declare function span(start: usize, end: usize, weight: u32): void;

const SEPARATOR: u8 = 0;
const ALNUM: u8 = 1;
const UNDERSCORE: u8 = 2;
const QUOTE: u8 = 3;
const HIGH: u8 = 4;
/**
 * Bytes read past the end of a key: keys are hashed and compared 8 bytes at a time, so every buffer a key can sit
 * in (file, text, term, compound, key pool) has this much room after it.
 */
const SLACK: usize = 8;

const classes: usize = memory.data(256);

/** A slot: hash, key length + 1 (0: empty), two values, then the key itself when it fits, else where it starts in the pool. */
const SLOT_BYTES: usize = 32;
const SLOT_SHIFT: usize = 5;
const INLINE_KEY: u32 = 16;

/**
 * Keys (byte strings) → two 32-bit values. Open addressing with the records in the slots, so a lookup that finds
 * its key usually touches one cache line: keys up to 16 bytes are stored in the slot, longer ones in a pool.
 */
class Table {
  slots: usize = 0;
  slotMask: u32 = 4095;
  size: u32 = 0;
  keys: usize = 0;
  keyCap: usize = 16384;
  keyUsed: usize = 0;

  constructor() {
    this.slots = zeroed(<usize>(this.slotMask + 1) * SLOT_BYTES);
    this.keys = heap.alloc(this.keyCap + SLACK);
  }

  /** The slot of the key at [start, start + length) with hash `h`, or 0. */
  find(start: usize, length: u32, h: u32): usize {
    let slot = h & this.slotMask;
    while (true) {
      const at = this.slots + <usize>slot * SLOT_BYTES;
      const stored = load<u32>(at + 4);
      if (stored == 0) return 0;
      if (load<u32>(at) == h && stored == length + 1) {
        const key = length <= INLINE_KEY ? at + 16 : this.keys + <usize>load<u32>(at + 16);
        if (sameBytes(key, start, length)) return at;
      }
      slot = (slot + 1) & this.slotMask;
    }
    return 0;
  }

  /** Adds a key that is not present; returns its slot, whose values the caller sets. */
  add(start: usize, length: u32, h: u32): usize {
    if ((this.size + 1) * 2 > this.slotMask) this.rehash();
    this.size++;
    let slot = h & this.slotMask;
    while (load<u32>(this.slots + <usize>slot * SLOT_BYTES + 4) != 0) slot = (slot + 1) & this.slotMask;
    const at = this.slots + <usize>slot * SLOT_BYTES;
    store<u32>(at, h);
    store<u32>(at + 4, length + 1);
    if (length <= INLINE_KEY) {
      memory.copy(at + 16, start, length);
    } else {
      if (this.keyUsed + length > this.keyCap) {
        this.keyCap = max(this.keyCap * 2, this.keyUsed + length);
        this.keys = heap.realloc(this.keys, this.keyCap + SLACK);
      }
      store<u32>(at + 16, <u32>this.keyUsed);
      memory.copy(this.keys + this.keyUsed, start, length);
      this.keyUsed += length;
    }
    return at;
  }

  clear(): void {
    memory.fill(this.slots, 0, <usize>(this.slotMask + 1) * SLOT_BYTES);
    this.size = 0;
    this.keyUsed = 0;
  }

  /** Empty, at the size a new table has (a large slot array is given back to the heap). */
  reset(): void {
    if (this.slotMask > 4095) {
      heap.free(this.slots);
      this.slotMask = 4095;
      this.slots = zeroed(<usize>(this.slotMask + 1) * SLOT_BYTES);
    } else {
      memory.fill(this.slots, 0, <usize>(this.slotMask + 1) * SLOT_BYTES);
    }
    this.size = 0;
    this.keyUsed = 0;
  }

  private rehash(): void {
    const old = this.slots;
    const oldCount = this.slotMask + 1;
    const count = oldCount * 2;
    this.slots = zeroed(<usize>count * SLOT_BYTES);
    this.slotMask = count - 1;
    for (let i: u32 = 0; i < oldCount; i++) {
      const from = old + <usize>i * SLOT_BYTES;
      if (load<u32>(from + 4) == 0) continue;
      let slot = load<u32>(from) & this.slotMask;
      while (load<u32>(this.slots + <usize>slot * SLOT_BYTES + 4) != 0) slot = (slot + 1) & this.slotMask;
      memory.copy(this.slots + <usize>slot * SLOT_BYTES, from, SLOT_BYTES);
    }
    heap.free(old);
  }
}

/**
 * identifier → its term numbers: how many (at +8), then the one term (at +12) or where they start in `ids`. Starts
 * over when it holds `identifierLimit` identifiers.
 */
let identifiers!: Table;
/**
 * The identifiers met lately, as copies of their slots in `identifiers` (keys of at most INLINE_KEY bytes), one per
 * hash value modulo its size: 256 KB, so it stays in the cache while the large table does not.
 */
let recent: usize = 0;
const RECENT_MASK: u32 = 8191;
let identifierLimit: u32 = 1 << 20;
let ids: usize = 0;
let idCap: u32 = 4096;
let idUsed: u32 = 0;
/** identifier piece (original case) → 1 and its term (+8, +12), or 0 for a stopword. */
let pieces!: Table;
/** term → its number (at +8): the dictionary. */
let terms!: Table;
let termTotal: u32 = 0;
/** Each term's bytes by number: term t is termText[termOffsets[t], termOffsets[t + 1]). */
let termText: usize = 0;
let termTextCap: usize = 65536;
let termTextUsed: usize = 0;
let termOffsets: usize = 0;
let termOffsetCap: u32 = 4096;
/** What sortTerms made: the terms in order (bytes and offsets) and each term's rank. */
let sortedText: usize = 0;
let sortedOffsets: usize = 0;
let termRanks: usize = 0;

/** The postings of the documents ended so far, in document order: term, document, term frequency. */
let postingTerms: usize = 0;
let postingDocs: usize = 0;
let postingTfs: usize = 0;
let postingCap: u32 = 65536;
let postingTotal: u32 = 0;
/** A term frequency is stored in 16 bits; a term repeated more often in one document saturates anyway. */
const MAX_TF: u32 = 0xffff;

let counts: usize = 0;
let touched: usize = 0;
let drained: usize = 0;
let countCap: u32 = 4096;
let touchedCount: u32 = 0;
let scratch: usize = 0;
let scratchCap: u32 = 256;
/**
 * A buffer of bytes to scan, grown to fit (the old copy freed), with SLACK bytes of room after its capacity: the
 * file, a string to count (title, path), a term to look up, a compound being made.
 */
class ScanBuffer {
  at: usize = 0;
  cap: usize = 0;

  /** The buffer, at least `n` bytes long. */
  fit(n: usize): usize {
    if (n > this.cap) {
      this.cap = max(n, this.cap * 2);
      if (this.at != 0) heap.free(this.at);
      this.at = heap.alloc(this.cap + SLACK);
    }
    return this.at;
  }
}

let file!: ScanBuffer;
let text!: ScanBuffer;
let term!: ScanBuffer;
let compound!: ScanBuffer;
/** The file's lines: line i (0-based) is the bytes [file.at + lineStarts[i], file.at + lineEnds[i]). */
let lineStarts: usize = 0;
let lineEnds: usize = 0;
let lineCap: u32 = 4096;
let lineCount: u32 = 0;

/** Sets up the tables; the identifier table starts over when it holds `limit` identifiers (bounds its memory). */
export function init(limit: u32): void {
  for (let c = 0; c < 256; c++) {
    let k = SEPARATOR;
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) k = ALNUM;
    else if (c == 95) k = UNDERSCORE;
    else if (c == 39) k = QUOTE;
    else if (c >= 128) k = HIGH;
    store<u8>(classes + c, k);
  }
  identifierLimit = limit;
  identifiers = new Table();
  recent = zeroed(<usize>(RECENT_MASK + 1) << SLOT_SHIFT);
  pieces = new Table();
  terms = new Table();
  ids = heap.alloc(<usize>idCap << 2);
  counts = zeroed(<usize>countCap << 2);
  touched = heap.alloc(<usize>countCap << 2);
  drained = heap.alloc(<usize>countCap << 2);
  scratch = heap.alloc(<usize>scratchCap << 2);
  lineStarts = heap.alloc(<usize>lineCap << 2);
  lineEnds = heap.alloc(<usize>lineCap << 2);
  termText = heap.alloc(termTextCap);
  termOffsets = heap.alloc(<usize>termOffsetCap << 2);
  store<u32>(termOffsets, 0);
  postingTerms = heap.alloc(<usize>postingCap << 2);
  postingDocs = heap.alloc(<usize>postingCap << 2);
  postingTfs = heap.alloc(<usize>postingCap << 1);
  file = new ScanBuffer();
  text = new ScanBuffer();
  term = new ScanBuffer();
  compound = new ScanBuffer();
}

/**
 * Forgets everything counted — identifiers, pieces, the dictionary, postings, the file — so the instance can count
 * the next segment from term number 0 (a new instance per segment would reserve a new memory each time).
 */
export function reset(): void {
  for (let i: u32 = 0; i < touchedCount; i++) store<u32>(counts + (<usize>load<u32>(touched + (<usize>i << 2)) << 2), 0);
  touchedCount = 0;
  identifiers.reset();
  forgetRecent();
  idUsed = 0;
  pieces.reset();
  terms.reset();
  termTotal = 0;
  termTextUsed = 0;
  freeSorted();
  postingTotal = 0;
  lineCount = 0;
}

/** Where the host writes `n` 32-bit words: the (term number, count) pairs for `countPairs`. */
export function scratchFor(n: u32): usize {
  if (n > scratchCap) {
    scratchCap = max(n, scratchCap * 2);
    heap.free(scratch);
    scratch = heap.alloc(<usize>scratchCap << 2);
  }
  return scratch;
}

/** Where the host writes a file's `n` bytes, whose chunks it then counts. */
export function fileFor(n: usize): usize {
  return file.fit(n);
}

/**
 * Takes the `n` bytes written at fileFor(n) as the file whose lines are counted next, and finds its lines as the
 * host's splitLines does in the decoded text: a BOM dropped, CRLF, CR and LF each end a line, a final line break
 * starts no other. (Line breaks are ASCII, which UTF-8 never uses inside a character.) Returns how many.
 */
export function setFile(n: usize): u32 {
  const base = file.at;
  const end = base + n;
  let at = base;
  if (n >= 3 && load<u8>(base) == 0xef && load<u8>(base + 1) == 0xbb && load<u8>(base + 2) == 0xbf) at += 3;
  lineCount = 0;
  while (at < end) {
    let i = at;
    // Eight bytes at a time while none is a line break (a zero byte in w ^ 0x0a0a… or w ^ 0x0d0d…), then one by one.
    while (i + 8 <= end) {
      const w = load<u64>(i);
      const lf = w ^ 0x0a0a0a0a0a0a0a0a;
      const cr = w ^ 0x0d0d0d0d0d0d0d0d;
      if ((((lf - 0x0101010101010101) & ~lf) | ((cr - 0x0101010101010101) & ~cr)) & 0x8080808080808080) break;
      i += 8;
    }
    while (i < end) {
      const c = load<u8>(i);
      if (c == 10 || c == 13) break;
      i++;
    }
    if (lineCount == lineCap) {
      lineCap *= 2;
      lineStarts = heap.realloc(lineStarts, <usize>lineCap << 2);
      lineEnds = heap.realloc(lineEnds, <usize>lineCap << 2);
    }
    store<u32>(lineStarts + (<usize>lineCount << 2), <u32>(at - base));
    store<u32>(lineEnds + (<usize>lineCount << 2), <u32>(i - base));
    lineCount++;
    at = i + 1 < end && load<u8>(i) == 13 && load<u8>(i + 1) == 10 ? i + 2 : i + 1;
  }
  return lineCount;
}

/** Counts lines first..last (1-based, inclusive) of the file, `weight` times each term; false when there are no such lines. */
export function countLines(first: u32, last: u32, weight: u32): bool {
  if (first < 1 || first > last || last > lineCount) return false;
  const from = file.at + <usize>load<u32>(lineStarts + (<usize>(first - 1) << 2));
  const to = file.at + <usize>load<u32>(lineEnds + (<usize>(last - 1) << 2));
  if (to > from && weight > 0) count(from, to, weight);
  return true;
}

/** Where the host writes `n` bytes of a string to count (a title, a path), apart from the file. */
export function textFor(n: usize): usize {
  return text.fit(n);
}

/** Where the host writes `n` bytes of a term to look up with termOf (apart from text being counted). */
export function termFor(n: usize): usize {
  return term.fit(n);
}

/** The number of the term at [start, start + length), added to the dictionary when new (then it is termCount() - 1). */
export function termOf(start: usize, length: u32): u32 {
  const h = hash(start, length);
  const found = terms.find(start, length, h);
  return found != 0 ? load<u32>(found + 8) : addTerm(start, length, h);
}

function addTerm(start: usize, length: u32, h: u32): u32 {
  store<u32>(terms.add(start, length, h) + 8, termTotal);
  if (termTextUsed + length > termTextCap) {
    termTextCap = max(termTextCap * 2, termTextUsed + length);
    termText = heap.realloc(termText, termTextCap);
  }
  if (termTotal + 2 > termOffsetCap) {
    termOffsetCap *= 2;
    termOffsets = heap.realloc(termOffsets, <usize>termOffsetCap << 2);
  }
  memory.copy(termText + termTextUsed, start, length);
  termTextUsed += length;
  store<u32>(termOffsets + (<usize>(termTotal + 1) << 2), <u32>termTextUsed);
  return termTotal++;
}

export function termCount(): u32 {
  return termTotal;
}
export function termTextAt(): usize {
  return termText;
}
export function termOffsetsAt(): usize {
  return termOffsets;
}

/**
 * Sorts the dictionary in JavaScript string order (UTF-16 code units, which is UTF-8 byte order but for characters
 * past U+FFFF, whose surrogates sort before U+E000–U+FFFF): the terms in order at sortedTextAt()/sortedOffsetsAt()
 * (a string list's layout), each term's rank at ranksAt().
 */
export function sortTerms(): void {
  const n = termTotal;
  freeSorted();
  const order = heap.alloc(max(<usize>n << 2, 4));
  const keys = heap.alloc(max(<usize>n << 3, 8));
  for (let t: u32 = 0; t < n; t++) {
    store<u32>(order + (<usize>t << 2), t);
    store<u64>(keys + (<usize>t << 3), prefixKey(t));
  }
  if (n > 1) quicksort(order, keys, 0, <i32>n - 1);
  heap.free(keys);
  sortedText = heap.alloc(termTextUsed + 1);
  sortedOffsets = heap.alloc(<usize>(n + 1) << 2);
  termRanks = heap.alloc(max(<usize>n << 2, 4));
  let at: usize = 0;
  for (let r: u32 = 0; r < n; r++) {
    const t = load<u32>(order + (<usize>r << 2));
    const from = <usize>load<u32>(termOffsets + (<usize>t << 2));
    const length = <usize>load<u32>(termOffsets + (<usize>(t + 1) << 2)) - from;
    store<u32>(sortedOffsets + (<usize>r << 2), <u32>at);
    memory.copy(sortedText + at, termText + from, length);
    at += length;
    store<u32>(termRanks + (<usize>t << 2), r);
  }
  store<u32>(sortedOffsets + (<usize>n << 2), <u32>at);
  heap.free(order);
}

export function sortedTextAt(): usize {
  return sortedText;
}
export function sortedOffsetsAt(): usize {
  return sortedOffsets;
}
export function ranksAt(): usize {
  return termRanks;
}

function freeSorted(): void {
  if (sortedText != 0) heap.free(sortedText);
  if (sortedOffsets != 0) heap.free(sortedOffsets);
  if (termRanks != 0) heap.free(termRanks);
  sortedText = 0;
  sortedOffsets = 0;
  termRanks = 0;
}

/** Where a differing byte puts a term in JS order: lead bytes of 4-byte characters (F0–F4) before EE–EF. */
@inline
function jsOrderByte(b: u32): u32 {
  return b >= 0xf0 ? b - 2 : b >= 0xee ? b + 8 : b;
}

function termBefore(a: u32, b: u32): bool {
  const fromA = termText + <usize>load<u32>(termOffsets + (<usize>a << 2));
  const lengthA = <usize>load<u32>(termOffsets + (<usize>(a + 1) << 2)) - (fromA - termText);
  const fromB = termText + <usize>load<u32>(termOffsets + (<usize>b << 2));
  const lengthB = <usize>load<u32>(termOffsets + (<usize>(b + 1) << 2)) - (fromB - termText);
  const n = min(lengthA, lengthB);
  for (let i: usize = 0; i < n; i++) {
    const x = <u32>load<u8>(fromA + i);
    const y = <u32>load<u8>(fromB + i);
    if (x != y) return jsOrderByte(x) < jsOrderByte(y);
  }
  return lengthA < lengthB;
}

/**
 * A term's first 8 bytes in JS order (jsOrderByte), big-endian, zero-padded: keys that differ order their terms
 * (a term never holds a NUL byte, so a shorter one sorts first, as termBefore says); equal keys leave it to
 * termBefore. The sort compares keys kept beside the term numbers, so most comparisons read no term text (the
 * comparisons went to 1M terms' text at random: ~40 % of building a segment's dictionary).
 */
function prefixKey(t: u32): u64 {
  const from = termText + <usize>load<u32>(termOffsets + (<usize>t << 2));
  const length = <usize>load<u32>(termOffsets + (<usize>(t + 1) << 2)) - (from - termText);
  let key: u64 = 0;
  for (let i: usize = 0; i < 8; i++) key = (key << 8) | (i < length ? <u64>jsOrderByte(<u32>load<u8>(from + i)) : 0);
  return key;
}

@inline
function before(keyA: u64, a: u32, keyB: u64, b: u32): bool {
  return keyA != keyB ? keyA < keyB : termBefore(a, b);
}

/**
 * Sorts the term numbers order[lo..hi] (their prefix keys beside them in keys[lo..hi]) by termBefore: quicksort,
 * median of three; insertion sort for short runs.
 */
function quicksort(order: usize, keys: usize, lo: i32, hi: i32): void {
  while (hi - lo > 16) {
    const mid = lo + ((hi - lo) >> 1);
    if (before(keyAt(keys, mid), at(order, mid), keyAt(keys, lo), at(order, lo))) swap(order, keys, mid, lo);
    if (before(keyAt(keys, hi), at(order, hi), keyAt(keys, lo), at(order, lo))) swap(order, keys, hi, lo);
    if (before(keyAt(keys, hi), at(order, hi), keyAt(keys, mid), at(order, mid))) swap(order, keys, hi, mid);
    const pivot = at(order, mid);
    const pivotKey = keyAt(keys, mid);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(keyAt(keys, i), at(order, i), pivotKey, pivot)) i++;
      while (before(pivotKey, pivot, keyAt(keys, j), at(order, j))) j--;
      if (i <= j) {
        swap(order, keys, i, j);
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quicksort(order, keys, lo, j);
      lo = i;
    } else {
      quicksort(order, keys, i, hi);
      hi = j;
    }
  }
  for (let k = lo + 1; k <= hi; k++) {
    const v = at(order, k);
    const vKey = keyAt(keys, k);
    let m = k - 1;
    while (m >= lo && before(vKey, v, keyAt(keys, m), at(order, m))) {
      store<u32>(order + (<usize>(m + 1) << 2), at(order, m));
      store<u64>(keys + (<usize>(m + 1) << 3), keyAt(keys, m));
      m--;
    }
    store<u32>(order + (<usize>(m + 1) << 2), v);
    store<u64>(keys + (<usize>(m + 1) << 3), vKey);
  }
}

@inline
function at(order: usize, i: i32): u32 {
  return load<u32>(order + (<usize>i << 2));
}

@inline
function keyAt(keys: usize, i: i32): u64 {
  return load<u64>(keys + (<usize>i << 3));
}

@inline
function swap(order: usize, keys: usize, i: i32, j: i32): void {
  const t = at(order, i);
  store<u32>(order + (<usize>i << 2), at(order, j));
  store<u32>(order + (<usize>j << 2), t);
  const k = keyAt(keys, i);
  store<u64>(keys + (<usize>i << 3), keyAt(keys, j));
  store<u64>(keys + (<usize>j << 3), k);
}

/** Counted terms (touched, drained): valid after `drain`, until the next call. */
export function touchedAt(): usize {
  return touched;
}
export function drainedAt(): usize {
  return drained;
}
export function identifierCount(): u32 {
  return identifiers.size;
}

/** Adds `weight` to term `id` in the current document. */
export function countId(id: u32, weight: u32): void {
  if (id >= countCap) growCounts(id);
  const at = counts + (<usize>id << 2);
  const before = load<u32>(at);
  if (before == 0) {
    store<u32>(touched + (<usize>touchedCount << 2), id);
    touchedCount++;
  }
  store<u32>(at, before + weight);
}

/**
 * Counts (id, count) pairs written at `scratch`, each count times `weight`. Counts wrap at 2^32: a pair whose count
 * is 2^32 − c (an Int32Array's −c) takes back c of what the document counted before.
 */
export function countPairs(n: u32, weight: u32): void {
  for (let i: u32 = 0; i < n; i++) {
    const at = scratch + (<usize>i << 3);
    countId(load<u32>(at), load<u32>(at + 4) * weight);
  }
}

/** Ends a document: its terms (first-seen order) at touchedAt(), their counts at drainedAt(); returns how many. */
export function drain(): u32 {
  const n = touchedCount;
  for (let i: u32 = 0; i < n; i++) {
    const at = counts + (<usize>load<u32>(touched + (<usize>i << 2)) << 2);
    store<u32>(drained + (<usize>i << 2), load<u32>(at));
    store<u32>(at, 0);
  }
  touchedCount = 0;
  return n;
}

/**
 * Ends document `doc`: appends a posting (term, doc, tf ≤ 65535) per counted term, in first-seen order, and
 * resets the counts; returns the document's length (the sum of its tfs). A term whose count was taken back to 0
 * (countPairs) gets no posting.
 */
export function endDocument(doc: u32): u32 {
  const n = touchedCount;
  if (postingTotal + n > postingCap) {
    postingCap = max(postingCap * 2, postingTotal + n);
    postingTerms = heap.realloc(postingTerms, <usize>postingCap << 2);
    postingDocs = heap.realloc(postingDocs, <usize>postingCap << 2);
    postingTfs = heap.realloc(postingTfs, <usize>postingCap << 1);
  }
  let length: u32 = 0;
  let p = <usize>postingTotal;
  for (let i: u32 = 0; i < n; i++) {
    const id = load<u32>(touched + (<usize>i << 2));
    const at = counts + (<usize>id << 2);
    const tf = min(load<u32>(at), MAX_TF);
    if (tf == 0) continue;
    store<u32>(at, 0);
    store<u32>(postingTerms + (p << 2), id);
    store<u32>(postingDocs + (p << 2), doc);
    store<u16>(postingTfs + (p << 1), <u16>tf);
    length += tf;
    p++;
  }
  postingTotal = <u32>p;
  touchedCount = 0;
  return length;
}

/** Whether one of the kept postings [first, end) saturated at MAX_TF (its true count is lost). */
export function saturated(first: u32, end: u32): bool {
  for (let p = first; p < end; p++) if (<u32>load<u16>(postingTfs + (<usize>p << 1)) == MAX_TF) return true;
  return false;
}

/** Counts the kept postings [first, end) into the current document, each term its tf times. */
export function copyPostings(first: u32, end: u32): void {
  for (let p = first; p < end; p++) countId(load<u32>(postingTerms + (<usize>p << 2)), <u32>load<u16>(postingTfs + (<usize>p << 1)));
}

/** The postings so far (see endDocument): how many, and where their terms, documents and tfs are. */
export function postingCount(): u32 {
  return postingTotal;
}
export function postingTermsAt(): usize {
  return postingTerms;
}
export function postingDocsAt(): usize {
  return postingDocs;
}
export function postingTfsAt(): usize {
  return postingTfs;
}

/** Counts the identifiers in the bytes at [from, last), each of their terms `weight` times. */
export function count(from: usize, last: usize, weight: u32): void {
  let i = from;
  while (i < last) {
    let c = <u32>load<u8>(i);
    let k = load<u8>(classes + c);
    if (k != ALNUM) {
      if (k == HIGH) i = toHost(i, last, weight);
      else i++;
      continue;
    }
    const start = i;
    let high = false;
    // Letters/digits, then any number of (underscores, letters/digits).
    while (true) {
      i++;
      while (i < last) {
        c = load<u8>(i);
        if (load<u8>(classes + c) != ALNUM) break;
        i++;
      }
      if (i >= last) break;
      k = load<u8>(classes + c);
      if (k == HIGH) {
        high = true;
        break;
      }
      if (k != UNDERSCORE) break;
      let j = i + 1;
      while (j < last && load<u8>(j) == 95) j++;
      if (j >= last) break;
      c = load<u8>(j);
      k = load<u8>(classes + c);
      if (k == HIGH) {
        high = true;
        break;
      }
      if (k != ALNUM) break;
      i = j;
    }
    if (high) {
      i = toHost(start, last, weight);
      continue;
    }
    // A possessive `'s` at a word boundary belongs to the match (its terms are those without it).
    let stop = i;
    if (i + 1 < last && load<u8>(i) == 39 && load<u8>(i + 1) == 115 && (i + 2 >= last || !isWordByte(load<u8>(i + 2)))) {
      stop = i + 2;
    }
    const length = <u32>(stop - start);
    const h = hash(start, length);
    // The recent table first: a common identifier is found in a small table that stays in the cache, where the
    // large one would cost a cache (and TLB) miss; what it lacks is looked up there and copied in.
    let slot = recent + (<usize>(h & RECENT_MASK) << SLOT_SHIFT);
    if (load<u32>(slot) != h || load<u32>(slot + 4) != length + 1 || !sameBytes(slot + 16, start, length)) {
      const found = identifiers.find(start, length, h);
      const at = found != 0 ? found : addIdentifier(start, i, stop, h);
      if (length <= INLINE_KEY) memory.copy(slot, at, SLOT_BYTES);
      else slot = at;
    }
    const n = load<u32>(slot + 8);
    if (n == 1) {
      countId(load<u32>(slot + 12), weight);
    } else {
      const first = load<u32>(slot + 12);
      for (let id = first; id < first + n; id++) countId(load<u32>(ids + (<usize>id << 2)), weight);
    }
    i = stop;
  }
}

/** Hands the stretch from `from` to the next ASCII separator to the host; returns where it ends. */
function toHost(from: usize, last: usize, weight: u32): usize {
  let j = from;
  while (j < last) {
    const c = load<u8>(j);
    if (c < 128 && load<u8>(classes + c) == SEPARATOR) break;
    j++;
  }
  span(from, j, weight);
  return j;
}

@inline
function isWordByte(c: u32): bool {
  const k = load<u8>(classes + c);
  return k == ALNUM || k == UNDERSCORE;
}

/**
 * Adds the identifier at [start, stop) — `end` excludes a possessive — with its terms: its pieces' terms, then (for
 * more than one piece) the compound, the identifier lowercased without underscores. Returns its slot.
 */
function addIdentifier(start: usize, end: usize, stop: usize, h: u32): usize {
  let n: u32 = 0;
  let pieceCount = 0;
  for (let p = start; p < end; ) {
    const c = <u32>load<u8>(p);
    if (c == 95) {
      p++;
      continue;
    }
    const q = pieceEnd(p, end, c);
    pieceCount++;
    const term = pieceTermOf(p, <u32>(q - p));
    if (term >= 0) n = appendScratch(n, <u32>term);
    p = q;
  }
  if (pieceCount > 1) n = appendScratch(n, compoundTerm(start, end));
  if (identifiers.size >= identifierLimit) {
    identifiers.clear();
    forgetRecent();
    idUsed = 0;
  }
  const slot = identifiers.add(start, <u32>(stop - start), h);
  store<u32>(slot + 8, n);
  if (n == 1) {
    store<u32>(slot + 12, load<u32>(scratch));
    return slot;
  }
  if (idUsed + n > idCap) {
    idCap = max(idCap * 2, idUsed + n);
    ids = heap.realloc(ids, <usize>idCap << 2);
  }
  memory.copy(ids + (<usize>idUsed << 2), scratch, <usize>n << 2);
  store<u32>(slot + 12, idUsed);
  idUsed += n;
  return slot;
}

/** Empties the recent table (its copies' term numbers point into `ids`, which starts over with `identifiers`). */
function forgetRecent(): void {
  memory.fill(recent, 0, <usize>(RECENT_MASK + 1) << SLOT_SHIFT);
}

function appendScratch(n: u32, id: u32): u32 {
  if (n + 1 > scratchCap) {
    scratchCap = (n + 1) * 2;
    scratch = heap.realloc(scratch, <usize>scratchCap << 2);
  }
  store<u32>(scratch + (<usize>n << 2), id);
  return n + 1;
}

/** The term of the piece at [start, start + length), or -1 for a stopword; asks the host once per piece. */
function pieceTermOf(start: usize, length: u32): i32 {
  const h = hash(start, length);
  const found = pieces.find(start, length, h);
  if (found != 0) return load<u32>(found + 8) != 0 ? <i32>load<u32>(found + 12) : -1;
  const term = pieceTerm(start, start + length);
  const slot = pieces.add(start, length, h);
  store<u32>(slot + 8, term >= 0 ? 1 : 0);
  store<u32>(slot + 12, <u32>term);
  return term;
}

@inline
function isDigit(c: u32): bool {
  return c - 48 < 10;
}
@inline
function isLower(c: u32): bool {
  return c - 97 < 26;
}
@inline
function isUpper(c: u32): bool {
  return c - 65 < 26;
}

/**
 * Where the piece starting at `p` (character `c`, not `_`) ends, as PIECE = `\p{Lu}+(?![\p{Ll}\p{M}])|
 * \p{Lu}?[\p{Ll}…]+|\p{Lu}+|\p{N}+` decides for ASCII: digits; lowercase letters; an uppercase run, minus its last
 * letter when a lowercase one follows (`HTTPServer` → `HTTP`, `Server`); one capital with its lowercase tail.
 */
function pieceEnd(p: usize, end: usize, c: u32): usize {
  let q = p + 1;
  if (isDigit(c)) {
    while (q < end && isDigit(load<u8>(q))) q++;
    return q;
  }
  if (isLower(c)) {
    while (q < end && isLower(load<u8>(q))) q++;
    return q;
  }
  while (q < end && isUpper(load<u8>(q))) q++;
  if (q >= end || !isLower(load<u8>(q))) return q;
  if (q - 1 > p) return q - 1;
  q++;
  while (q < end && isLower(load<u8>(q))) q++;
  return q;
}

function compoundTerm(start: usize, end: usize): u32 {
  const out = compound.fit(end - start);
  let length: u32 = 0;
  for (let i = start; i < end; i++) {
    let c = load<u8>(i);
    if (c == 95) continue;
    if (c >= 65 && c <= 90) c += 32;
    store<u8>(out + length++, c);
  }
  return termOf(out, length);
}

/** A 32-bit hash of the bytes at [start, start + length), mixed 8 bytes at a time (reads up to SLACK bytes past them). */
function hash(start: usize, length: u32): u32 {
  let h = <u64>length * 0x9e3779b97f4a7c15;
  let p = start;
  let n = length;
  while (n >= 8) {
    h = (h ^ load<u64>(p)) * 0xff51afd7ed558ccd;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    h = (h ^ (load<u64>(p) & tailMask(n))) * 0xff51afd7ed558ccd;
    h ^= h >> 29;
  }
  return <u32>(h ^ (h >> 32));
}

/** Whether the `length` bytes at `a` and at `b` are equal, compared 8 at a time (reads up to SLACK bytes past both). */
function sameBytes(a: usize, b: usize, length: u32): bool {
  let n = length;
  while (n >= 8) {
    if (load<u64>(a) != load<u64>(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  return n == 0 || ((load<u64>(a) ^ load<u64>(b)) & tailMask(n)) == 0;
}

/** The low `n` bytes of a 64-bit word (0 < n < 8). */
@inline
function tailMask(n: u32): u64 {
  return (<u64>1 << (<u64>n << 3)) - 1;
}

function growCounts(id: u32): void {
  const cap = max(countCap * 2, id + 1);
  const grownCounts = zeroed(<usize>cap << 2);
  memory.copy(grownCounts, counts, <usize>countCap << 2);
  counts = grownCounts;
  touched = heap.realloc(touched, <usize>cap << 2);
  drained = heap.realloc(drained, <usize>cap << 2);
  countCap = cap;
}

function zeroed(bytes: usize): usize {
  const at = heap.alloc(bytes);
  memory.fill(at, 0, bytes);
  return at;
}
