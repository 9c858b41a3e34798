import { StringList } from '../base/stringList';
import { SKIP_REASONS, type SkipReason } from '../discovery/skipReasons';

/** What the index remembers about one file, so an unchanged file is never read again. */
export interface FileRecord {
  /** Display path (relative to its folder, POSIX). */
  path: string;
  /** Absolute path on disk. */
  location: string;
  /** NaN for a file read racily clean (see `recordedMtime`): it equals no stat, so the file is read again. */
  mtimeMs: number;
  size: number;
  /** SHA-1 of the bytes, hex ('' when the file was never read, e.g. too large). */
  hash: string;
  /** Why the file is not searchable (binary, too large, minified, unreadable); absent for indexed files. */
  skip?: SkipReason;
  /** The segment holding its chunks (-1 when it has none), and their document range there. */
  segment: number;
  firstDoc: number;
  docCount: number;
}

/**
 * File records as columns, one row per file: what the store saves and the worker hands over. A large workspace
 * has tens of thousands of files; as columns they are a few typed arrays, where as objects they would be a record
 * and several strings per file for the host's garbage collector to copy and mark, in pauses while an index loads.
 */
export interface FileColumns {
  paths: StringList;
  locations: StringList;
  /** Each row's SHA-1 as HASH_BYTES raw bytes (all zero for '': a file never read). */
  hashes: Uint8Array;
  /** mtimeMs and size of row i at 2i and 2i + 1. */
  stamps: Float64Array;
  /** 1 + the index of the skip reason in SKIP_REASONS; 0 for an indexed file. */
  skips: Uint8Array;
  /** -1 when the file has no chunks. */
  segments: Int32Array;
  firstDocs: Uint32Array;
  docCounts: Uint32Array;
}

/** Bytes of a file's hash in the columns: a SHA-1. */
export const HASH_BYTES = 20;
const NO_HASH = new Uint8Array(HASH_BYTES);

/** Columns holding `records`, in order. */
export function fileColumns(records: readonly FileRecord[]): FileColumns {
  const stamps = new Float64Array(2 * records.length);
  const hashes = new Uint8Array(HASH_BYTES * records.length);
  records.forEach((r, i) => {
    stamps[2 * i] = r.mtimeMs;
    stamps[2 * i + 1] = r.size;
    hashes.set(hashBytesOf(r.hash), HASH_BYTES * i);
  });
  return {
    paths: StringList.from(records.map(r => r.path)),
    locations: StringList.from(records.map(r => r.location)),
    hashes,
    stamps,
    skips: Uint8Array.from(records, r => (r.skip ? SKIP_REASONS.indexOf(r.skip) + 1 : 0)),
    segments: Int32Array.from(records, r => r.segment),
    firstDocs: Uint32Array.from(records, r => r.firstDoc),
    docCounts: Uint32Array.from(records, r => r.docCount),
  };
}

/** Rows decoded per call of TextDecoder when records are listed (a call per string would cost more than the decode). */
const ROWS_PER_DECODE = 1024;
const encoder = new TextEncoder();

/**
 * The index's file table: location → FileRecord. Rows loaded from the store or handed over by the worker stay in
 * their columns, found by a hash of their location's UTF-8 bytes, and become a record only when one is asked for;
 * records set since are kept as objects beside them (a base row they replace is marked gone). Columns are never
 * written in place, so columns handed out by `columns()` stay as they were.
 */
export class FileTable {
  private base!: FileColumns;
  /** Open addressing over the base rows' locations: row + 1, 0 when empty. */
  private slots!: Int32Array;
  private gone!: Uint8Array;
  private goneCount = 0;
  private byCode: Uint32Array | undefined;
  private compacted: FileColumns | undefined;
  private readonly added = new Map<string, FileRecord>();
  private scratch = new Uint8Array(256);

  private constructor(base: FileColumns) {
    this.adopt(base);
  }

  /** A table of `columns`; `step` (see createYielder) is awaited every few hundred rows while they are hashed. */
  static async open(columns: FileColumns, step: () => Promise<void>): Promise<FileTable> {
    const table = new FileTable(columns);
    const rows = table.gone.length;
    for (let from = 0; from < rows; from += HASHED_PER_STEP) {
      await step();
      table.hashRows(from, Math.min(rows, from + HASHED_PER_STEP));
    }
    return table;
  }

  static of(columns: FileColumns = noFiles()): FileTable {
    const table = new FileTable(columns);
    table.hashRows(0, table.gone.length);
    return table;
  }

  get size(): number {
    return this.gone.length - this.goneCount + this.added.size;
  }

  get(location: string): FileRecord | undefined {
    const added = this.added.get(location);
    if (added) return added;
    const row = this.rowOf(location);
    return row < 0 ? undefined : recordAt(this.base, row);
  }

  set(record: FileRecord): void {
    this.compacted = undefined;
    this.removeRow(record.location);
    this.added.set(record.location, record);
  }

  delete(location: string): void {
    this.compacted = undefined;
    this.removeRow(location);
    this.added.delete(location);
  }

  *values(): IterableIterator<FileRecord> {
    const { paths, locations } = this.base;
    for (let from = 0; from < this.gone.length; from += ROWS_PER_DECODE) {
      const to = Math.min(this.gone.length, from + ROWS_PER_DECODE);
      const [p, l] = [paths.toArray(from, to), locations.toArray(from, to)];
      for (let row = from; row < to; row++) {
        if (this.gone[row] === 0) yield recordAt(this.base, row, p[row - from], l[row - from]);
      }
    }
    yield* this.added.values();
  }

  /** Every file's location (no record made). */
  *locations(): IterableIterator<string> {
    const { locations } = this.base;
    for (let from = 0; from < this.gone.length; from += ROWS_PER_DECODE) {
      const to = Math.min(this.gone.length, from + ROWS_PER_DECODE);
      const decoded = locations.toArray(from, to);
      for (let row = from; row < to; row++) if (this.gone[row] === 0) yield decoded[row - from] as string;
    }
    yield* this.added.keys();
  }

  /** Indexed files, and skipped ones added to `skipped` by reason (no record made). */
  countFiles(skipped: Record<SkipReason, number>): number {
    const byCode = this.liveByCode();
    let indexed = byCode[0] ?? 0;
    SKIP_REASONS.forEach((reason, i) => (skipped[reason] += byCode[i + 1] ?? 0));
    for (const r of this.added.values()) {
      if (r.skip) skipped[r.skip]++;
      else indexed++;
    }
    return indexed;
  }

  /** After a merge: the files whose chunks were in a segment of `docMaps` now have them in segment `to`. */
  moveDocs(docMaps: ReadonlyMap<number, ArrayLike<number>>, to: number): void {
    this.compacted = undefined;
    const first = this.base.segments.findIndex(segment => docMaps.has(segment));
    if (first >= 0) {
      const segments = this.base.segments.slice();
      const firstDocs = this.base.firstDocs.slice();
      for (let row = first; row < segments.length; row++) {
        const map = docMaps.get(segments[row] ?? -1);
        if (!map) continue;
        segments[row] = to;
        firstDocs[row] = map[firstDocs[row] ?? 0] ?? 0;
      }
      this.base = { ...this.base, segments, firstDocs };
    }
    for (const [location, r] of this.added) {
      const map = docMaps.get(r.segment);
      if (map) this.added.set(location, { ...r, segment: to, firstDoc: map[r.firstDoc] ?? 0 });
    }
  }

  /**
   * Adds rows whose locations the table does not hold (delete them first). As many rows as the table holds or
   * more (a first build's 30k files) become its base columns together with its own rows — one copy, one pass of
   * hashing, no object per file; fewer are set one by one.
   */
  append(columns: FileColumns): void {
    const rows = rowCount(columns);
    if (rows === 0) return;
    if (rows < this.size) {
      for (let row = 0; row < rows; row++) this.set(recordAt(columns, row));
      return;
    }
    this.adopt(this.size === 0 ? columns : joinColumns([this.columns(), columns]));
    this.hashRows(0, rowCount(this.base));
  }

  /**
   * The table as columns: its base columns themselves when nothing changed since they were given, else the live
   * base rows (copied run by run: a save of a large workspace after one edit copies a few long runs) followed by
   * the records set since; kept until the next change.
   */
  columns(): FileColumns {
    if (this.goneCount === 0 && this.added.size === 0) return this.base;
    return (this.compacted ??= this.compact());
  }

  /** Makes `base` the table's rows, all live and none hashed yet, with nothing set beside them. */
  private adopt(base: FileColumns): void {
    this.base = base;
    this.slots = new Int32Array(slotCount(rowCount(base)));
    this.gone = new Uint8Array(rowCount(base));
    this.goneCount = 0;
    this.added.clear();
    this.byCode = undefined;
    this.compacted = undefined;
  }

  private compact(): FileColumns {
    const runs: FileColumns[] = [];
    for (let row = 0; row < this.gone.length;) {
      while (row < this.gone.length && this.gone[row] !== 0) row++;
      const from = row;
      while (row < this.gone.length && this.gone[row] === 0) row++;
      if (row > from) runs.push(sliceColumns(this.base, from, row));
    }
    return joinColumns([...runs, fileColumns([...this.added.values()])]);
  }

  /** Live base rows by skip code (0: indexed), counted once and kept up to date as rows go. */
  private liveByCode(): Uint32Array {
    if (this.byCode) return this.byCode;
    const counts = new Uint32Array(SKIP_REASONS.length + 1);
    const { skips } = this.base;
    for (let row = 0; row < this.gone.length; row++) {
      const code = skips[row] ?? 0;
      if (this.gone[row] === 0) counts[code] = (counts[code] ?? 0) + 1;
    }
    return (this.byCode = counts);
  }

  private removeRow(location: string): void {
    const row = this.rowOf(location);
    if (row < 0) return;
    this.gone[row] = 1;
    this.goneCount++;
    const code = this.base.skips[row] ?? 0;
    if (this.byCode) this.byCode[code] = (this.byCode[code] ?? 1) - 1;
  }

  /** The live base row at `location`, or -1. */
  private rowOf(location: string): number {
    if (this.gone.length === this.goneCount) return -1;
    if (this.scratch.length < location.length * 3) this.scratch = new Uint8Array(location.length * 3);
    const length = encoder.encodeInto(location, this.scratch).written;
    const key = this.scratch;
    const { bytes, offsets } = this.base.locations;
    const mask = this.slots.length - 1;
    for (let slot = hashBytes(key, 0, length) & mask; ; slot = (slot + 1) & mask) {
      const row = (this.slots[slot] ?? 0) - 1;
      if (row < 0) return -1;
      const start = offsets[row] ?? 0;
      if ((offsets[row + 1] ?? 0) - start !== length || this.gone[row] !== 0) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = bytes[start + i] === key[i];
      if (same) return row;
    }
  }

  private hashRows(from: number, to: number): void {
    const { bytes, offsets } = this.base.locations;
    const mask = this.slots.length - 1;
    for (let row = from; row < to; row++) {
      let slot = hashBytes(bytes, offsets[row] ?? 0, offsets[row + 1] ?? 0) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = row + 1;
    }
  }
}

/**
 * Rows hashed between two calls of `step` when a table is opened on the host thread (the step itself yields only
 * once its time budget is spent). Small, because a row can cost far more than its hash: while the host's garbage
 * collector marks a large heap, marking work lands in these loops, and a few thousand rows would hold the thread
 * long enough to be felt.
 */
const HASHED_PER_STEP = 512;

/** FNV-1a over bytes[from, to). */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193);
  return h >>> 0;
}

/** Columns of no rows: new ones each time, as columns sent to another thread are moved there, not copied. */
export const noFiles = (): FileColumns => fileColumns([]);

/** Rows of `columns`. */
export const rowCount = (columns: FileColumns): number => columns.docCounts.length;

/** Hash slots for `rows` rows: a power of two, at most half full. */
function slotCount(rows: number): number {
  let size = 16;
  while (size < rows * 2) size *= 2;
  return size;
}

/**
 * A hash as the columns hold it: a SHA-1's 20 bytes from its 40 hex digits, zeros for '' (never read). Anything else
 * is not a hash this index makes.
 */
function hashBytesOf(hex: string): Uint8Array {
  if (hex === '') return NO_HASH;
  if (!/^[0-9a-f]{40}$/.test(hex)) throw new Error(`A file's hash must be a SHA-1 in 40 hex digits, not "${hex}".`);
  return Buffer.from(hex, 'hex');
}

/** The hex SHA-1 of row `row` ('' when its bytes are all zero: the file was never read). */
function hashAt(hashes: Uint8Array, row: number): string {
  const bytes = hashes.subarray(HASH_BYTES * row, HASH_BYTES * (row + 1));
  return bytes.every(b => b === 0) ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, HASH_BYTES).toString('hex');
}

/** Row `row` of `columns` as a record (strings given when the caller decoded them already). */
function recordAt(b: FileColumns, row: number, path?: string, location?: string): FileRecord {
  const record: FileRecord = {
    path: path ?? b.paths.get(row),
    location: location ?? b.locations.get(row),
    mtimeMs: b.stamps[2 * row] ?? 0,
    size: b.stamps[2 * row + 1] ?? 0,
    hash: hashAt(b.hashes, row),
    segment: b.segments[row] ?? -1,
    firstDoc: b.firstDocs[row] ?? 0,
    docCount: b.docCounts[row] ?? 0,
  };
  const code = b.skips[row] ?? 0;
  const skip = code > 0 ? SKIP_REASONS[code - 1] : undefined;
  if (skip) record.skip = skip;
  return record;
}

/** Rows [from, to) of `columns`, as views (a string list's offsets then start where its row `from` starts). */
function sliceColumns(c: FileColumns, from: number, to: number): FileColumns {
  const strings = (l: StringList): StringList => new StringList(l.bytes, l.offsets.subarray(from, to + 1));
  return {
    paths: strings(c.paths),
    locations: strings(c.locations),
    hashes: c.hashes.subarray(HASH_BYTES * from, HASH_BYTES * to),
    stamps: c.stamps.subarray(2 * from, 2 * to),
    skips: c.skips.subarray(from, to),
    segments: c.segments.subarray(from, to),
    firstDocs: c.firstDocs.subarray(from, to),
    docCounts: c.docCounts.subarray(from, to),
  };
}

/** The rows of several column sets, one after the other (always a copy, unless there is only one set). */
export function joinColumns(parts: readonly FileColumns[]): FileColumns {
  if (parts.length <= 1) return parts[0] ?? noFiles();
  const strings = (lists: readonly StringList[]): StringList => {
    const span = (l: StringList): [number, number] => [l.offsets[0] ?? 0, l.offsets[l.length] ?? 0];
    const bytes = new Uint8Array(lists.reduce((n, l) => n + span(l)[1] - span(l)[0], 0));
    const offsets = new Uint32Array(lists.reduce((n, l) => n + l.length, 0) + 1);
    let at = 0;
    let row = 0;
    for (const l of lists) {
      const [start, end] = span(l);
      bytes.set(l.bytes.subarray(start, end), at);
      for (let i = 0; i < l.length; i++) offsets[row++] = (l.offsets[i] ?? 0) - start + at;
      at += end - start;
    }
    offsets[row] = at;
    return new StringList(bytes, offsets);
  };
  const column = <T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(arrays: readonly T[]): T => {
    const out = new (arrays[0]?.constructor as new (n: number) => T)(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      out.set(a, at);
      at += a.length;
    }
    return out;
  };
  return {
    paths: strings(parts.map(p => p.paths)),
    locations: strings(parts.map(p => p.locations)),
    hashes: column(parts.map(p => p.hashes)),
    stamps: column(parts.map(p => p.stamps)),
    skips: column(parts.map(p => p.skips)),
    segments: column(parts.map(p => p.segments)),
    firstDocs: column(parts.map(p => p.firstDocs)),
    docCounts: column(parts.map(p => p.docCounts)),
  };
}
