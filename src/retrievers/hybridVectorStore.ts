import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Passage } from '../core/passage';
import type { VectorCache } from '../embeddings/cachingEmbedder';
import { crc32 } from '../index';
import { writeWhole } from '../shared/writeWhole';

/** A chunk of the workspace whose vector is in the store: where a passage is, without its text. */
export interface VectorEntry extends Omit<Passage, 'text' | 'score'> {
  /** Content hash of what was embedded: the vector's key, and the check that the file still says it. */
  contentHash: string;
}

/** The format saved: its header holds the CRC-32 of the vectors (`crc32`). */
const FORMAT = 'grounded-vectors-2';
/** The format before, without a checksum: still loaded, so an upgrade does not embed the workspace again. */
const FORMAT_WITHOUT_CHECKSUM = 'grounded-vectors-1';

/**
 * The local hybrid's vectors: a cache by content hash (what the embedder fills), and the current chunks as one
 * flat, L2-normalised Float32Array searched by brute-force cosine, which at workspace sizes is fast enough to need
 * no index structure. A searchable chunk's cached vector is its row of that array, so each vector is held once.
 * Saved as a JSON header (format, dimensions, keys, the floats' CRC-32) plus the raw floats.
 */
export class HybridVectorStore implements VectorCache {
  private readonly vectors = new Map<string, Float32Array>();
  private entries: VectorEntry[] = [];
  private matrix = new Float32Array(0);
  /** 1 for the rows that are all zeros: such a vector has no direction, so it is never ranked. */
  private directionless = new Uint8Array(0);
  private dimensions = 0;
  /** The dimension of every vector held (0: none held yet, or loaded ones not checked). */
  private held = 0;
  /** The vectors held differ from what the file was last loaded from or saved to. */
  private unsaved = false;

  /** `onForget` hears how many vectors a vector of a new dimension made stale, and that dimension. */
  constructor(private readonly onForget?: (forgotten: number, dimensions: number) => void) {}

  get(key: string): Float32Array | undefined {
    return this.vectors.get(key);
  }

  /**
   * Keeps a vector the model just returned. A model answers in one dimension, so vectors of another (kept from before
   * the model behind the name changed) are stale: they are forgotten, and their chunks are embedded again.
   */
  set(key: string, vector: Float32Array): void {
    if (vector.length !== this.held) this.keepDimensions(vector.length);
    this.vectors.set(key, normalised(vector));
    this.unsaved = true;
  }

  /** Forgets the vectors whose dimension is not `dimensions`. */
  keepDimensions(dimensions: number): void {
    let forgotten = 0;
    for (const [key, v] of this.vectors)
      if (v.length !== dimensions) {
        this.vectors.delete(key);
        this.unsaved = true;
        forgotten++;
      }
    this.held = dimensions;
    if (forgotten > 0) this.onForget?.(forgotten, dimensions);
  }

  /** The dimension of the searchable vectors (0 when there are none). */
  get searchDimensions(): number {
    return this.dimensions;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Makes `entries` the searchable chunks (their vectors must be cached under `keyOf`); forgets unused vectors. */
  setEntries(entries: readonly VectorEntry[], keyOf: (entry: VectorEntry) => string): void {
    const present = entries.filter(e => this.vectors.has(keyOf(e)));
    this.dimensions = present.length ? (this.vectors.get(keyOf(present[0] as VectorEntry))?.length ?? 0) : 0;
    this.matrix = new Float32Array(present.length * this.dimensions);
    this.directionless = new Uint8Array(present.length);
    present.forEach((e, i) => {
      const row = this.matrix.subarray(i * this.dimensions, (i + 1) * this.dimensions);
      row.set(this.vectors.get(keyOf(e)) ?? []);
      if (!hasDirection(row)) this.directionless[i] = 1;
      // the cache keeps the matrix's row, not a second copy of the vector
      this.vectors.set(keyOf(e), row);
    });
    this.entries = present;
    const used = new Set(present.map(keyOf));
    for (const key of this.vectors.keys())
      if (!used.has(key)) {
        this.vectors.delete(key);
        this.unsaved = true;
      }
  }

  /**
   * The `k` entries closest to `query` by cosine similarity, best first. A vector of zeros has no direction, so it has
   * no cosine with anything: such a query ranks nothing, and such an entry is never ranked.
   */
  nearest(query: Float32Array, k: number): { entry: VectorEntry; score: number }[] {
    const q = normalised(query);
    const d = this.dimensions;
    if (q.length !== d || d === 0 || !hasDirection(q)) return [];
    const best: { index: number; score: number }[] = [];
    for (let i = 0; i < this.entries.length; i++) {
      if (this.directionless[i]) continue;
      let dot = 0;
      const offset = i * d;
      for (let j = 0; j < d; j++) dot += (this.matrix[offset + j] ?? 0) * (q[j] ?? 0);
      if (best.length < k || dot > (best[best.length - 1]?.score ?? -Infinity)) {
        best.push({ index: i, score: dot });
        best.sort((a, b) => b.score - a.score);
        if (best.length > k) best.pop();
      }
    }
    return best.map(b => ({ entry: this.entries[b.index] as VectorEntry, score: b.score }));
  }

  /**
   * Writes the vectors to `file` whole (writeWhole: a temporary file of this save's own, renamed), so two windows or
   * a window and the CLI saving at once leave one's vectors, never a mix; nothing when they have not changed.
   */
  async save(file: string): Promise<void> {
    if (!this.unsaved) return;
    const keys = [...this.vectors.keys()];
    const d = keys.length ? (this.vectors.get(keys[0] as string)?.length ?? 0) : 0;
    const data = new Float32Array(keys.length * d);
    keys.forEach((key, i) => data.set(this.vectors.get(key) ?? [], i * d));
    const floats = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const header = Buffer.from(JSON.stringify({ format: FORMAT, dimensions: d, keys, crc32: crc32(floats) }), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    // what is written is the vectors as of now: one set while the file is written makes the store unsaved again
    this.unsaved = false;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeWhole(file, Buffer.concat([length, header, floats]));
    } catch (e) {
      this.unsaved = true;
      throw e;
    }
  }

  /**
   * Loads saved vectors. A missing file loads nothing; a file that cannot be read, is cut short or damaged (its
   * vectors' checksum differs), or is of another format loads nothing either and says why (`problem`): its chunks are
   * embedded again.
   */
  async load(file: string): Promise<{ loaded: number; problem?: string }> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { loaded: 0 } : { loaded: 0, problem: code ?? String(e) };
    }
    const headerLength = bytes.length >= 4 ? bytes.readUInt32LE(0) : 0;
    let header: { format?: unknown; dimensions?: unknown; keys?: unknown; crc32?: unknown };
    try {
      header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as typeof header;
    } catch {
      return { loaded: 0, problem: 'not a vector store, or cut short' };
    }
    if (header?.format !== FORMAT && header?.format !== FORMAT_WITHOUT_CHECKSUM)
      return { loaded: 0, problem: `its format is not ${FORMAT}` };
    const d = header.dimensions;
    const keys = header.keys;
    const body = bytes.subarray(4 + headerLength);
    if (
      typeof d !== 'number' ||
      !Number.isInteger(d) ||
      d < 0 ||
      !Array.isArray(keys) ||
      !keys.every(k => typeof k === 'string') ||
      body.length !== keys.length * d * 4
    )
      return { loaded: 0, problem: 'cut short or damaged' };
    if (header.format === FORMAT && header.crc32 !== crc32(body))
      return { loaded: 0, problem: 'damaged: its checksum does not match its vectors' };
    const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    if (!data.every(Number.isFinite)) return { loaded: 0, problem: 'damaged: not every number is finite' };
    (keys as string[]).forEach((key, i) => this.vectors.set(key, data.slice(i * d, (i + 1) * d)));
    this.held = 0; // the next vector set checks these against its dimension
    this.unsaved = false;
    return { loaded: keys.length };
  }
}

/** The vector has a number other than zero: it points somewhere, so it has a cosine with another. */
export const hasDirection = (v: Float32Array): boolean => v.some(x => x !== 0);

function normalised(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm === 0 || Math.abs(norm - 1) < 1e-6 ? v : v.map(x => x / norm);
}
