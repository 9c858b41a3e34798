/**
 * A segment's postings, compressed. Each term's list starts at its byte offset (`postingStarts[t]`) with its
 * document count as a variable-byte number, then its postings in blocks of POSTING_BLOCK (128) in document order:
 *
 * - a full block: its last document (u32, little-endian), the bit widths of its document gaps and its tfs (one
 *   byte each), then the 128 gaps − 1 packed in `gapBits` bits each, then the 128 tfs − 1 in `tfBits` bits each
 *   (128 values of b bits are 16·b bytes: every block ends on a byte). The first gap of a list counts from −1.
 * - the last, partial block (a list's last count % 128 postings, so every list under 128): each posting as
 *   gap − 1 and tf − 1 in variable bytes, no header.
 *
 * A reader skips a full block by its header alone (last document, size from the widths), which is how seeking and
 * MaxScore's block skipping pass over postings without decoding them. Bits are packed least significant first, so a
 * value is one unaligned little-endian load, a shift and a mask; the bytes end in POSTING_PADDING zero bytes so that
 * load never reads past them. assembly/scorer.ts decodes the same layout.
 */
export const POSTING_BLOCK_SHIFT = 7;
export const POSTING_BLOCK = 1 << POSTING_BLOCK_SHIFT;
/** Zero bytes after the last list: room for an 8-byte load at any value's first byte. */
export const POSTING_PADDING = 8;
/** Last document (4), gap and tf bit widths (1 + 1). */
const HEADER_BYTES = 6;
/** `doc` of a cursor past its last posting. */
export const NO_DOC = 0xffffffff;
/** A cursor's block before its first decode. */
const NO_BLOCK = new Uint32Array(0);

/** Bits needed for `v` (0 for 0). */
const bitsFor = (v: number): number => (v === 0 ? 0 : 32 - Math.clz32(v));

/** Bytes of a full block whose widths are at `at` + 4. */
const fullBlockBytes = (bytes: Uint8Array, at: number): number =>
  HEADER_BYTES + 16 * ((bytes[at + 4] ?? 0) + (bytes[at + 5] ?? 0));

/** Appends bytes, growing by doubling. */
class ByteSink {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.length + n, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }

  varint(v: number): void {
    this.reserve(5);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.length++] = v;
  }

  /** `count` values of `values` from `from`, packed in `bits` bits each, least significant bit first. */
  pack(values: ArrayLike<number>, from: number, count: number, bits: number): void {
    const n = (count * bits + 7) >>> 3;
    this.reserve(n + 8);
    const out = this.bytes;
    let at = this.length;
    if (bits <= 24) {
      // Fewer than 8 bits wait in `acc` between values, so a value shifted in stays within 31 bits.
      let acc = 0;
      let have = 0;
      for (let i = 0; i < count; i++) {
        acc |= (values[from + i] ?? 0) << have;
        have += bits;
        while (have >= 8) {
          out[at++] = acc & 0xff;
          acc >>>= 8;
          have -= 8;
        }
      }
      if (have > 0) out[at++] = acc & 0xff;
    } else {
      out.fill(0, at, at + n);
      for (let i = 0; i < count; i++) {
        let v = values[from + i] ?? 0;
        for (let pos = i * bits, left = bits; left > 0;) {
          const shift = pos & 7;
          const take = Math.min(8 - shift, left);
          const byte = at + (pos >>> 3);
          out[byte] = (out[byte] ?? 0) | ((v % (1 << take)) << shift);
          v = Math.floor(v / (1 << take));
          pos += take;
          left -= take;
        }
      }
      at += n;
    }
    this.length = at;
  }

  u32(v: number): void {
    this.reserve(4);
    for (let i = 0; i < 4; i++, v >>>= 8) this.bytes[this.length++] = v & 0xff;
  }

  byte(v: number): void {
    this.reserve(1);
    this.bytes[this.length++] = v;
  }
}

/**
 * Compresses postings held as plain arrays (term t's are [starts[t], starts[t + 1]) of `docs` / `tfs`, documents
 * ascending, tfs ≥ 1) into the layout above: the byte offset of each term's list (termCount + 1 of them) and the bytes.
 */
export function encodePostings(
  starts: Uint32Array,
  docs: Uint32Array,
  tfs: Uint16Array,
): { postingStarts: Uint32Array; postings: Uint8Array } {
  const termCount = starts.length - 1;
  const sink = new ByteSink(docs.length * 2 + termCount * 2 + POSTING_PADDING);
  const postingStarts = new Uint32Array(termCount + 1);
  const gaps = new Uint32Array(POSTING_BLOCK);
  const tfsLess = new Uint32Array(POSTING_BLOCK);
  for (let t = 0; t < termCount; t++) {
    postingStarts[t] = sink.length;
    const from = starts[t] ?? 0;
    const end = starts[t + 1] ?? 0;
    sink.varint(end - from);
    let prev = -1;
    let p = from;
    for (; p + POSTING_BLOCK <= end; p += POSTING_BLOCK) {
      let gapOr = 0;
      let tfOr = 0;
      for (let i = 0; i < POSTING_BLOCK; i++) {
        const doc = docs[p + i] ?? 0;
        const gap = doc - prev - 1;
        prev = doc;
        gaps[i] = gap;
        gapOr |= gap;
        const tf = (tfs[p + i] ?? 1) - 1;
        tfsLess[i] = tf;
        tfOr |= tf;
      }
      const gapBits = bitsFor(gapOr >>> 0);
      const tfBits = bitsFor(tfOr);
      sink.u32(prev);
      sink.byte(gapBits);
      sink.byte(tfBits);
      sink.pack(gaps, 0, POSTING_BLOCK, gapBits);
      sink.pack(tfsLess, 0, POSTING_BLOCK, tfBits);
    }
    for (; p < end; p++) {
      const doc = docs[p] ?? 0;
      sink.varint(doc - prev - 1);
      prev = doc;
      sink.varint((tfs[p] ?? 1) - 1);
    }
  }
  postingStarts[termCount] = sink.length;
  sink.reserve(POSTING_PADDING);
  return { postingStarts, postings: sink.bytes.slice(0, sink.length + POSTING_PADDING) };
}

/** The variable-byte number at `at` in `bytes`, and where the next value starts. */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++] ?? 0;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return { value, next: at };
    shift += 7;
  }
}

/** How many postings the list at byte `at` holds (its document frequency). */
export function postingCount(bytes: Uint8Array, at: number): number {
  let count = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++] ?? 0;
    count += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return count;
  }
}

/**
 * Unpacks values [from, from + count) of those packed in `bits` bits from byte `at` into `out` from `o` on, each plus
 * `add` (the bytes after them are at least POSTING_PADDING long, so each value is one unaligned 4-byte load, or a
 * fifth byte for widths over 25).
 */
function unpack(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  bits: number,
  from: number,
  count: number,
  out: Uint32Array | Uint16Array,
  o: number,
  add: number,
): void {
  if (bits === 0) {
    out.fill(add, o, o + count);
    return;
  }
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  if (bits <= 25) {
    for (let i = 0, pos = from * bits; i < count; i++, pos += bits)
      out[o + i] = ((view.getUint32(at + (pos >>> 3), true) >>> (pos & 7)) & mask) + add;
    return;
  }
  for (let i = 0, pos = from * bits; i < count; i++, pos += bits) {
    const byte = at + (pos >>> 3);
    const shift = pos & 7;
    let v = view.getUint32(byte, true) >>> shift;
    if (shift !== 0) v |= (bytes[byte + 4] ?? 0) << (32 - shift);
    out[o + i] = ((v & mask) >>> 0) + add;
  }
}

/**
 * Decodes block `block` of a list of `count` postings, at byte `at`, whose documents follow `prev`, into `docs` from
 * `o` on and `tfs` from `tfsAt` on; returns the byte after the block. A full block's documents are unpacked as gaps
 * and summed.
 */
function decodeBlock(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  block: number,
  count: number,
  prev: number,
  docs: Uint32Array,
  o: number,
  tfs: Uint32Array | Uint16Array,
  tfsAt: number,
): number {
  const start = block << POSTING_BLOCK_SHIFT;
  if (start + POSTING_BLOCK <= count) {
    const gapBits = bytes[at + 4] ?? 0;
    const tfBits = bytes[at + 5] ?? 0;
    unpack(view, bytes, at + HEADER_BYTES, gapBits, 0, POSTING_BLOCK, docs, o, 1);
    let doc = prev;
    for (let i = o; i < o + POSTING_BLOCK; i++) docs[i] = doc += docs[i] ?? 0;
    unpack(view, bytes, at + HEADER_BYTES + 16 * gapBits, tfBits, 0, POSTING_BLOCK, tfs, tfsAt, 1);
    return at + HEADER_BYTES + 16 * (gapBits + tfBits);
  }
  let doc = prev;
  for (let i = o, t = tfsAt; i < o + count - start; i++, t++) {
    let b = bytes[at++] ?? 0;
    let gap = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      b = bytes[at++] ?? 0;
      gap += (b & 0x7f) * 2 ** shift;
    }
    docs[i] = doc += gap + 1;
    b = bytes[at++] ?? 0;
    let tf = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      b = bytes[at++] ?? 0;
      tf += (b & 0x7f) * 2 ** shift;
    }
    tfs[t] = tf + 1;
  }
  return at;
}

/**
 * Reads one term's postings forward: `doc` and `tf` are the current posting's (doc is NO_DOC past the last), `next`
 * moves one on, `advance` to the first document at or after a target, skipping full blocks by their headers.
 * `block` is the current block's number (postings [128·block, 128·block + 128) of the list), which MaxScore's
 * block bounds are indexed by; `skipBlock` passes over the rest of the current block without decoding the next.
 * In a full block nothing is decoded ahead: each step adds the next packed gap to `doc`, and a tf is read only when
 * asked for (one packed value, found by its position), so looking a document up decodes only the gaps up to it and
 * stores none. The last, partial block is decoded whole into an array.
 * Made with `decode` false, a cursor reads nothing until `ensureDecoded` or `advance` (which may pass over blocks by
 * their headers first): what MaxScore does with the terms it only looks up.
 */
export class PostingCursor {
  /** The partial block's documents, and its tfs from POSTING_BLOCK on (made at its first decode). */
  private docs: Uint32Array = NO_BLOCK;
  /** Postings in the list. */
  readonly count: number;
  doc = NO_DOC;
  block = 0;
  /** Position in the current block. */
  private i = 0;
  /** Postings in the current block (0 until decoded). */
  private n = 0;
  private decoded = false;
  /** The current block's last document, once decoded (NO_DOC past the end). */
  private last = NO_DOC;
  /** Byte offset of the current block. */
  private at: number;
  /** Full blocks in the list. */
  private readonly fullBlocks: number;
  /** Whether the current block is full (its gaps and tfs packed), and where and in how many bits they are. */
  private packed = false;
  private gapsAt = 0;
  private gapBits = 0;
  private gapMask = 0;
  private tfsAt = 0;
  private tfBits = 0;
  private tfMask = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    start: number,
    decode = true,
  ) {
    const { value, next } = readVarint(bytes, start);
    this.count = value;
    this.at = next;
    this.fullBlocks = value >>> POSTING_BLOCK_SHIFT;
    if (decode) this.decode();
  }

  /** True past the last posting. */
  get done(): boolean {
    return this.block << POSTING_BLOCK_SHIFT >= this.count;
  }

  /** The current posting's term frequency. */
  get tf(): number {
    if (!this.packed) return this.docs[POSTING_BLOCK + this.i] ?? 0;
    const pos = this.i * this.tfBits;
    return ((this.view.getUint32(this.tfsAt + (pos >>> 3), true) >>> (pos & 7)) & this.tfMask) + 1;
  }

  /** Postings from the current one to the end of the list. */
  get remaining(): number {
    return this.done ? 0 : this.count - (this.block << POSTING_BLOCK_SHIFT) - this.i;
  }

  /** Whether the current posting is the first of its block (or the block is not decoded yet). */
  get atBlockStart(): boolean {
    return this.i === 0;
  }

  /** The last document of the current block (decoding the partial last block if need be). */
  get blockLastDoc(): number {
    if (this.decoded) return this.last;
    if (this.block < this.fullBlocks) return this.view.getUint32(this.at, true);
    this.decode();
    return this.last;
  }

  /** Moves to the next posting. */
  next(): void {
    if (++this.i < this.n) this.doc = this.packed ? this.doc + this.gap(this.i) : (this.docs[this.i] ?? 0);
    else {
      this.skipBlock();
      this.decode();
    }
  }

  /** Moves to the first posting of the next block, leaving it undecoded (`ensureDecoded` before reading it). */
  skipBlock(): void {
    if (this.block < this.fullBlocks) {
      this.doc = this.view.getUint32(this.at, true);
      this.at += fullBlockBytes(this.bytes, this.at);
    } else {
      this.at = -1;
    }
    this.block++;
    this.i = 0;
    this.n = 0;
    this.decoded = false;
  }

  /** Decodes the current block if `skipBlock` left it undecoded. */
  ensureDecoded(): void {
    if (!this.decoded) this.decode();
  }

  /** Moves to the first posting whose document is ≥ target (NO_DOC when none is). */
  advance(target: number): void {
    if (this.decoded && this.doc >= target) return;
    for (;;) {
      if (!this.decoded) {
        if (this.block < this.fullBlocks && this.view.getUint32(this.at, true) < target) {
          this.skipBlock();
          continue;
        }
        this.decode();
        if (this.doc >= target) return;
      }
      if (this.last < target) {
        this.skipBlock();
        continue;
      }
      // The block's last document is ≥ target, so the scan ends in it.
      let i = this.i;
      let doc = this.doc;
      if (this.packed) while (doc < target) doc += this.gap(++i);
      else {
        const docs = this.docs;
        while (doc < target) doc = docs[++i] ?? 0;
      }
      this.i = i;
      this.doc = doc;
      return;
    }
  }

  /**
   * Enters the current block at its first posting: a full block's widths read and its first gap added to the
   * document before the block (which `skipBlock` leaves in `doc`; −1 before the first), a partial block decoded whole.
   */
  private decode(): void {
    this.decoded = true;
    this.i = 0;
    const start = this.block << POSTING_BLOCK_SHIFT;
    if (start >= this.count) {
      this.n = 0;
      this.packed = false;
      this.doc = this.last = NO_DOC;
      return;
    }
    const { bytes, at } = this;
    const prev = start === 0 ? -1 : this.doc;
    if (this.block < this.fullBlocks) {
      this.packed = true;
      this.gapBits = bytes[at + 4] ?? 0;
      this.gapMask = this.gapBits >= 32 ? 0xffffffff : (1 << this.gapBits) - 1;
      this.tfBits = bytes[at + 5] ?? 0;
      this.tfMask = (1 << this.tfBits) - 1;
      this.gapsAt = at + HEADER_BYTES;
      this.tfsAt = this.gapsAt + 16 * this.gapBits;
      this.n = POSTING_BLOCK;
      this.last = this.view.getUint32(at, true);
      this.doc = prev + this.gap(0);
    } else {
      this.packed = false;
      if (this.docs === NO_BLOCK) this.docs = new Uint32Array(2 * POSTING_BLOCK);
      const docs = this.docs;
      decodeBlock(bytes, this.view, at, this.block, this.count, prev, docs, 0, docs, POSTING_BLOCK);
      this.n = this.count - start;
      this.last = docs[this.n - 1] ?? 0;
      this.doc = docs[0] ?? 0;
    }
  }

  /** Gap i of the current full block (its packed value + 1). */
  private gap(i: number): number {
    const pos = i * this.gapBits;
    const byte = this.gapsAt + (pos >>> 3);
    const shift = pos & 7;
    let v = this.view.getUint32(byte, true) >>> shift;
    if (this.gapBits > 25 && shift !== 0) v |= (this.bytes[byte + 4] ?? 0) << (32 - shift);
    return ((v & this.gapMask) >>> 0) + 1;
  }
}

/**
 * Decodes every posting of the list at byte `start` into `docs` and `tfs` from `o` on (they must have room for its
 * count, see postingCount) and returns how many there were: no cursor, for passes over many lists (a merge).
 */
export function decodeList(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  docs: Uint32Array,
  tfs: Uint16Array,
  o: number,
): number {
  let at = start;
  let count = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++] ?? 0;
    count += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  let prev = -1;
  for (let block = 0; block << POSTING_BLOCK_SHIFT < count; block++) {
    const from = o + (block << POSTING_BLOCK_SHIFT);
    at = decodeBlock(bytes, view, at, block, count, prev, docs, from, tfs, from);
    prev = docs[Math.min(from + POSTING_BLOCK, o + count) - 1] ?? 0;
  }
  return count;
}

/** Every posting of the list at byte `start`, as plain arrays. */
export function decodePostings(
  bytes: Uint8Array,
  view: DataView,
  start: number,
): { docs: Uint32Array; tfs: Uint16Array } {
  const count = postingCount(bytes, start);
  const docs = new Uint32Array(count);
  const tfs = new Uint16Array(count);
  decodeList(bytes, view, start, docs, tfs, 0);
  return { docs, tfs };
}

/** The byte offset just past the document count of the list at `start`: where its first block begins. */
export const firstBlockAt = (bytes: Uint8Array, start: number): number => readVarint(bytes, start).next;
