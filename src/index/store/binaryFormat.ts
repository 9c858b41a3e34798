import * as zlib from 'node:zlib';
import { FRONT_CODED_BLOCK, FrontCodedList } from '../base/frontCodedList';
import { StringList } from '../base/stringList';

/**
 * The store's binary files: a 16-byte header — magic "GRND", format version, payload length, CRC-32 of the
 * payload — then the payload, a sequence of 4-byte-aligned sections (so typed arrays can view it without copying).
 */
export const MAGIC = 0x444e5247; // "GRND" read little-endian
export const HEADER_BYTES = 16;
/** Bytes checksummed per turn of the event loop when loading on the host (a short slice of native CRC-32). */
const CHECKSUM_SLICE = 4 << 20;

/** Why a stored file cannot be used; every one of them means "rebuild", never "trust it". */
export class StoreFormatError extends Error {
  constructor(
    readonly reason: 'missing' | 'truncated' | 'corrupt' | 'old-version' | 'not-grounded',
    detail: string,
  ) {
    super(detail);
    this.name = 'StoreFormatError';
  }
}

type Crc32 = (data: Uint8Array, value?: number) => number;
const nativeCrc32 = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 (zlib's, native, when this Node has it — 20.15 and later; else a table-driven fallback). */
export const crc32: Crc32 = nativeCrc32 ?? tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return ~crc >>> 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The payload checksum a file's header holds (what tells one segment file from another with the same id), or
 * undefined when the bytes are shorter than a header.
 */
export function headerChecksum(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES).getUint32(12, true);
}

/** Appends aligned sections; `finish` returns header + payload in one buffer. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  u32(value: number): void {
    this.bytes(new Uint8Array(Uint32Array.of(value).buffer));
  }

  f64(value: number): void {
    this.bytes(new Uint8Array(Float64Array.of(value).buffer));
  }

  array(values: Uint32Array | Uint16Array | Uint8Array | Float32Array): void {
    this.u32(values.length);
    this.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  /** Numbers read back with `ByteReader.f64s(count)`: no length, the reader knows the count. */
  f64s(values: Float64Array): void {
    this.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  string(value: string): void {
    this.array(encoder.encode(value));
  }

  strings(list: StringList): void {
    this.array(list.bytes);
    this.array(list.offsets);
  }

  /** A front-coded list: its count, blocks and block starts (read back by `ByteReader.frontCoded`). */
  frontCoded(list: FrontCodedList): void {
    this.u32(list.length);
    this.array(list.bytes);
    this.array(list.blockStarts);
  }

  finish(version: number): Uint8Array {
    const out = new Uint8Array(HEADER_BYTES + this.length);
    let at = HEADER_BYTES;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    const payload = out.subarray(HEADER_BYTES);
    new Uint32Array(out.buffer, 0, 4).set([MAGIC, version, payload.length, crc32(payload)]);
    return out;
  }

  private bytes(data: Uint8Array): void {
    this.parts.push(data);
    this.length += data.length;
    const pad = (4 - (data.length % 4)) % 4;
    if (pad) {
      this.parts.push(new Uint8Array(pad));
      this.length += pad;
    }
  }
}

/** Reads what ByteWriter wrote; any inconsistency is a StoreFormatError, never an out-of-range read. */
export class ByteReader {
  private at = HEADER_BYTES;
  private readonly view: DataView;

  private constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  /** Checks magic, version, length and checksum before anything is read. */
  static open(bytes: Uint8Array, version: number, what: string): ByteReader {
    const data = ByteReader.checkHeader(bytes, version, what);
    if (crc32(data.subarray(HEADER_BYTES)) !== ByteReader.storedChecksum(data))
      throw new StoreFormatError('corrupt', `${what}: checksum mismatch`);
    return new ByteReader(data);
  }

  /**
   * `open` for the host thread: the checksum of a large segment in one call would hold the event loop, so it is
   * computed over slices with `step` (see createYielder) awaited between them.
   */
  static async openInSteps(
    bytes: Uint8Array,
    version: number,
    what: string,
    step: () => Promise<void>,
  ): Promise<ByteReader> {
    const data = ByteReader.checkHeader(bytes, version, what);
    let crc = 0;
    for (let at = HEADER_BYTES; at < data.length; at += CHECKSUM_SLICE) {
      await step();
      crc = crc32(data.subarray(at, Math.min(at + CHECKSUM_SLICE, data.length)), crc);
    }
    if (crc !== ByteReader.storedChecksum(data)) throw new StoreFormatError('corrupt', `${what}: checksum mismatch`);
    return new ByteReader(data);
  }

  /** The bytes to read (copied if they share their buffer), once magic, version and length are right. */
  private static checkHeader(bytes: Uint8Array, version: number, what: string): Uint8Array {
    if (bytes.length < HEADER_BYTES)
      throw new StoreFormatError('truncated', `${what}: ${bytes.length} bytes, shorter than its header`);
    // Typed-array views need 4-byte alignment and a buffer of their own (they may be handed to another thread).
    const data = bytes.byteOffset % 8 === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes : bytes.slice();
    const header = new DataView(data.buffer, data.byteOffset, HEADER_BYTES);
    if (header.getUint32(0, true) !== MAGIC)
      throw new StoreFormatError('not-grounded', `${what}: not a Grounded index file`);
    const found = header.getUint32(4, true);
    if (found !== version)
      throw new StoreFormatError('old-version', `${what}: format version ${found}, this Grounded reads ${version}`);
    const length = header.getUint32(8, true);
    if (data.length - HEADER_BYTES < length)
      throw new StoreFormatError('truncated', `${what}: ${data.length - HEADER_BYTES} of ${length} payload bytes`);
    if (data.length - HEADER_BYTES > length)
      throw new StoreFormatError('corrupt', `${what}: trailing bytes after the payload`);
    return data;
  }

  private static storedChecksum(data: Uint8Array): number {
    return new DataView(data.buffer, data.byteOffset, HEADER_BYTES).getUint32(12, true);
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.at, true);
    this.at += 8;
    return v;
  }

  /** `count` numbers written with `f64s` (copied: they may sit on a 4-byte, not 8-byte, boundary). */
  f64s(count: number): Float64Array {
    const start = this.take(count * 8);
    return new Float64Array(this.data.buffer.slice(start, start + count * 8));
  }

  u32s(): Uint32Array {
    const n = this.u32();
    return new Uint32Array(this.data.buffer, this.take(n * 4), n);
  }

  u16s(): Uint16Array {
    const n = this.u32();
    return new Uint16Array(this.data.buffer, this.take(n * 2), n);
  }

  u8s(): Uint8Array {
    const n = this.u32();
    return new Uint8Array(this.data.buffer, this.take(n), n);
  }

  string(): string {
    return decoder.decode(this.u8s());
  }

  /** A view of the file's bytes, decoded only string by string when asked for. */
  strings(): StringList {
    const bytes = this.u8s();
    const offsets = this.u32s();
    if (offsets.length === 0 || (offsets[offsets.length - 1] ?? 0) > bytes.length)
      throw new StoreFormatError('corrupt', 'string table out of range');
    return new StringList(bytes, offsets);
  }

  /** A front-coded list (its count, blocks and block starts), a view of the file's bytes like `strings`. */
  frontCoded(): FrontCodedList {
    const length = this.u32();
    const bytes = this.u8s();
    const blockStarts = this.u32s();
    if (
      blockStarts.length !== Math.ceil(length / FRONT_CODED_BLOCK) + 1 ||
      (blockStarts[blockStarts.length - 1] ?? 0) > bytes.length
    )
      throw new StoreFormatError('corrupt', 'front-coded table out of range');
    return new FrontCodedList(bytes, blockStarts, length);
  }

  /** True when every payload byte was read (a reader that stops early means the layout disagrees). */
  get atEnd(): boolean {
    return this.at === this.data.length;
  }

  private take(bytes: number): number {
    this.need(bytes);
    const start = this.data.byteOffset + this.at;
    this.at += bytes + ((4 - (bytes % 4)) % 4);
    if (this.at > this.data.length) throw new StoreFormatError('corrupt', 'section padding runs past the end');
    return start;
  }

  private need(bytes: number): void {
    if (this.at + bytes > this.data.length)
      throw new StoreFormatError('corrupt', 'a section runs past the end of the file');
  }
}
