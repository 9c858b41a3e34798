import { FrontCodedList } from '../base/frontCodedList';
import { StringList } from '../base/stringList';
import { firstBlockAt, PostingCursor, POSTING_BLOCK_SHIFT, postingCount } from './postings';
import { MAX_SCORER_K, MAX_SCORER_TERMS, SegmentScorer, type ScorerTerm } from '../scoring/wasmScorer';

/**
 * One immutable slice of the index: BM25 postings over typed arrays plus where each document (chunk) came from.
 * Segments are never changed after they are built; deleting a document flips a bit in the index's deletion set
 * for that segment, and merging writes a new segment. Everything here is typed arrays and `StringList`s, so a
 * segment crosses threads by transfer and maps onto its file bytes without parsing. Where queries run (the host),
 * `Segment.prepareScorer` moves the postings and lengths into a WebAssembly memory: the same values, which can no
 * longer be transferred (nothing sends a segment from the host to a worker).
 */
export interface SegmentData {
  id: number;
  /** Distinct terms, sorted ascending in JS string order (front-coded: a dictionary's terms share prefixes). */
  terms: FrontCodedList;
  /** termCount + 1 byte offsets into `postings`: term t's list is bytes [postingStarts[t], postingStarts[t + 1]). */
  postingStarts: Uint32Array;
  /**
   * Every term's postings — document numbers ascending, each with its field-weighted term frequency (title and path
   * terms count several times) — compressed in blocks of 128 (see postings.ts).
   */
  postings: Uint8Array;
  /** Weighted length of each document. */
  docLengths: Uint32Array;
  /** Index into `filePaths` / `fileLocations`. */
  docFiles: Uint32Array;
  /** 1-based inclusive line range of each document. */
  docStartLines: Uint32Array;
  docEndLines: Uint32Array;
  /** Heading trail or symbol name per document, '' for none. */
  docTitles: StringList;
  /** Display path and absolute path of the segment's files (front-coded: files of a folder follow each other). */
  filePaths: FrontCodedList;
  fileLocations: FrontCodedList;
}

/** Postings per block-max bound: a block of the compressed postings, 2^7 = 128, as in Lucene's skip data. */
export const IMPACT_BLOCK_SHIFT = POSTING_BLOCK_SHIFT;
const IMPACT_BLOCK = 1 << IMPACT_BLOCK_SHIFT;

/**
 * Bounds are inflated by this factor so that rounding (a contribution computed as w·tf/den, the bound as w·max) can
 * never make a bound smaller than a score it bounds.
 */
export const BOUND_SAFETY = 1 + 1e-9;

/** Terms with at least this many postings in a segment have their impacts computed while the index is idle. */
export const WARMED_MIN_POSTINGS = 1024;

/**
 * The WebAssembly scorer prunes a query whose rarest term is in fewer than this share of the segment's documents:
 * its candidates are few enough that looking the common terms up for them beats adding them up.
 */
export const PRUNE_RAREST_SHARE = 1 / 64;

export interface TermImpacts {
  max: number;
  blocks: Float64Array;
  scale: number;
}

export class Segment {
  readonly docCount: number;
  /** Sum of `docLengths`, for the index-wide average length. */
  readonly totalLength: number;
  /** Scratch score accumulator, reused by every query (queries never run concurrently on one thread). */
  private scratch: Float64Array | undefined;
  private touched: Uint32Array | undefined;
  /** Per queried term: its largest tf / lengthNorm, overall and per block, and the length norm that was for. */
  private readonly impactCache = new Map<
    number,
    { max: number; blocks: Float64Array; normBase: number; normPerLength: number }
  >();
  /** Term-at-a-time scoring in WebAssembly, once `prepareScorer` has made it. */
  private scorer: SegmentScorer | undefined;
  private preparing: Promise<void> | undefined;
  /** A view of `data.postings` (made again when the postings move into the scorer's memory). */
  private view: DataView | undefined;

  constructor(readonly data: SegmentData) {
    this.docCount = data.docLengths.length;
    let total = 0;
    for (let d = 0; d < this.docCount; d++) total += data.docLengths[d] ?? 0;
    this.totalLength = total;
  }

  get id(): number {
    return this.data.id;
  }

  get termCount(): number {
    return this.data.terms.length;
  }

  /** The term's number in this segment, or -1. */
  termId(term: string): number {
    return this.data.terms.indexOfSorted(term);
  }

  /** Documents containing term `id` (deleted ones included, as in Lucene, until a merge drops them). */
  documentFrequency(id: number): number {
    return id < 0 ? 0 : postingCount(this.data.postings, this.data.postingStarts[id] ?? 0);
  }

  /**
   * A cursor at the first posting of term `id` (0 ≤ id < termCount), its first block decoded unless `lazy` (then
   * see PostingCursor: `ensureDecoded` or `advance` before reading it).
   */
  cursor(id: number, lazy = false): PostingCursor {
    const { postings, postingStarts } = this.data;
    const view =
      this.view?.buffer === postings.buffer && this.view.byteOffset === postings.byteOffset ? this.view : undefined;
    this.view = view ?? new DataView(postings.buffer, postings.byteOffset, postings.byteLength);
    return new PostingCursor(postings, this.view, postingStarts[id] ?? 0, !lazy);
  }

  /**
   * Upper bounds of tf / (tf + normBase + normPerLength · dl) over term `id`'s postings, for MaxScore: `max` over
   * all of them and `blocks[b]` over postings [b · IMPACT_BLOCK, (b + 1) · IMPACT_BLOCK) of the term (block-max
   * bounds, which let a query skip a block of a common term whose documents cannot reach the top k). Both are to
   * be multiplied by `scale`. Computed on first use (one pass over the postings) and kept; when the average length
   * moves (normPerLength falls by a factor r) the kept bounds times r are still bounds, since each ratio grows by
   * less than r, so they are only recomputed once that loosens them by 5 %.
   */
  impacts(id: number, normBase: number, normPerLength: number): TermImpacts {
    const known = this.impactCache.get(id);
    if (known && known.normBase === normBase) {
      if (normPerLength >= known.normPerLength) return { max: known.max, blocks: known.blocks, scale: 1 };
      const loosening = known.normPerLength / normPerLength;
      if (loosening < 1.05) return { max: known.max, blocks: known.blocks, scale: loosening };
    }
    const { docLengths } = this.data;
    const cursor = this.cursor(id);
    const blocks = new Float64Array((cursor.count + IMPACT_BLOCK - 1) >>> IMPACT_BLOCK_SHIFT);
    let max = 0;
    for (; !cursor.done; cursor.next()) {
      const tf = cursor.tf;
      const ratio = tf / (tf + normBase + normPerLength * (docLengths[cursor.doc] ?? 0));
      const b = cursor.block;
      if (ratio > (blocks[b] ?? 0)) blocks[b] = ratio;
      if (ratio > max) max = ratio;
    }
    this.impactCache.set(id, { max, blocks, normBase, normPerLength });
    return { max, blocks, scale: 1 };
  }

  /**
   * Adds the BM25 contributions of the given terms to the scratch scores and calls `visit` once per scored live
   * document, then clears the scratch. `weights[i]` is idf × query count of `termIds[i]`; lengthNorm(dl) =
   * k1 · (1 − b + b · dl / avgdl) is `normBase + normPerLength · dl`.
   */
  score(
    termIds: readonly number[],
    weights: readonly number[],
    normBase: number,
    normPerLength: number,
    deleted: Uint8Array | undefined,
    visit: (doc: number, score: number) => void,
  ): void {
    const { docLengths } = this.data;
    const scores = (this.scratch ??= new Float64Array(this.docCount));
    const touched = (this.touched ??= new Uint32Array(this.docCount));
    let touchedCount = 0;
    for (let i = 0; i < termIds.length; i++) {
      const id = termIds[i] ?? -1;
      if (id < 0) continue;
      const weight = weights[i] ?? 0;
      for (const cursor = this.cursor(id); !cursor.done; cursor.next()) {
        const doc = cursor.doc;
        if (deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0) continue;
        const tf = cursor.tf;
        const before = scores[doc] ?? 0;
        if (before === 0) touched[touchedCount++] = doc;
        scores[doc] = before + (weight * tf) / (tf + normBase + normPerLength * (docLengths[doc] ?? 0));
      }
    }
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i] ?? 0;
      visit(doc, scores[doc] ?? 0);
      scores[doc] = 0;
    }
  }

  /**
   * Makes the segment's WebAssembly scorer (see SegmentScorer), copying its postings in slices with `step` awaited
   * between them. From then on the segment reads its postings and lengths from the scorer's copies, and the arrays
   * it had are let go: when they were views of one buffer (a segment mapped onto its file's bytes), the segment's
   * other arrays are copied out of it first, so that the buffer goes and nothing is held twice.
   */
  prepareScorer(step: () => Promise<void>): Promise<void> {
    return (this.preparing ??= (async () => {
      const data = this.data;
      const scorer = await SegmentScorer.create(data.postings, data.docLengths, step);
      const shared = data.postings.buffer;
      if (data.docLengths.buffer === shared || data.postingStarts.buffer === shared) {
        await step();
        const own = <T extends Uint32Array>(array: T): T => (array.buffer === shared ? (array.slice() as T) : array);
        const ownList = (list: StringList): StringList =>
          list.bytes.buffer === shared || list.offsets.buffer === shared
            ? new StringList(list.bytes.slice(), list.offsets.slice())
            : list;
        const ownCoded = (list: FrontCodedList): FrontCodedList =>
          list.bytes.buffer === shared || list.blockStarts.buffer === shared
            ? new FrontCodedList(list.bytes.slice(), list.blockStarts.slice(), list.length)
            : list;
        Object.assign(data, {
          terms: ownCoded(data.terms),
          postingStarts: own(data.postingStarts),
          docFiles: own(data.docFiles),
          docStartLines: own(data.docStartLines),
          docEndLines: own(data.docEndLines),
          docTitles: ownList(data.docTitles),
          filePaths: ownCoded(data.filePaths),
          fileLocations: ownCoded(data.fileLocations),
        });
      }
      const { postings, lengths } = scorer.arrays();
      Object.assign(data, { postings, docLengths: lengths });
      this.scorer = scorer;
    })());
  }

  /** Whether `scoreAll` can score `terms` query terms for a top `k` (the scorer is made, and they are few enough). */
  canScoreAll(terms: number, k: number): boolean {
    return this.scorer !== undefined && terms <= MAX_SCORER_TERMS && k <= MAX_SCORER_K;
  }

  /**
   * The k best live documents for the terms (weights as in `score`), each handed to `offer`, scored term at a time in
   * WebAssembly (see SegmentScorer), pruned when the rarest term is in under PRUNE_RAREST_SHARE of the documents:
   * exactly the scores `score` gives. Only once canScoreAll says so.
   */
  scoreAll(
    termIds: readonly number[],
    weights: readonly number[],
    normBase: number,
    normPerLength: number,
    deleted: Uint8Array | undefined,
    k: number,
    offer: (score: number, doc: number) => void,
  ): void {
    if (!this.scorer) throw new Error('This segment has no scorer yet: prepareScorer first.');
    const { postingStarts, postings } = this.data;
    const terms: (ScorerTerm & { id: number })[] = [];
    termIds.forEach((id, i) => {
      const weight = weights[i] ?? 0;
      if (id < 0 || !(weight > 0)) return;
      const start = postingStarts[id] ?? 0;
      terms.push({
        id,
        blocksAt: firstBlockAt(postings, start),
        count: postingCount(postings, start),
        weight,
        bound: 0,
      });
    });
    const rarest = terms.reduce((fewest, term) => Math.min(fewest, term.count), Infinity);
    const prune = terms.length > 1 && rarest < this.docCount * PRUNE_RAREST_SHARE;
    // Bounds for the pruning. A contribution is under the weight (tf / (tf + norm) < 1); a list too short to have its
    // impacts warmed is not read for a tighter bound, being among the first added up anyway.
    if (prune)
      for (const term of terms) {
        if (term.count < WARMED_MIN_POSTINGS) term.bound = term.weight;
        else {
          const impacts = this.impacts(term.id, normBase, normPerLength);
          term.bound = term.weight * impacts.max * impacts.scale * BOUND_SAFETY;
        }
      }
    this.scorer.score(terms, normBase, normPerLength, deleted, k, offer, prune);
  }

  /** Bytes of the scorer's WebAssembly memory (which holds the postings and lengths once made), 0 before. */
  get scorerByteSize(): number {
    return this.scorer?.byteSize ?? 0;
  }

  /** Bytes held by the typed arrays and strings of this segment (not counting the scratch). */
  get byteSize(): number {
    const d = this.data;
    return (
      d.terms.byteSize +
      d.postingStarts.byteLength +
      d.postings.byteLength +
      d.docLengths.byteLength +
      d.docFiles.byteLength +
      d.docStartLines.byteLength +
      d.docEndLines.byteLength +
      d.docTitles.byteSize +
      d.filePaths.byteSize +
      d.fileLocations.byteSize
    );
  }
}
