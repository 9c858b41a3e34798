import type { StringList } from './stringList';

/**
 * One immutable slice of the index: BM25 postings over typed arrays plus where each document (chunk) came from.
 * Segments are never changed after they are built; deleting a document flips a bit in the index's deletion set
 * for that segment, and merging writes a new segment. Everything here is typed arrays and `StringList`s, so a
 * segment crosses threads by transfer and maps onto its file bytes without parsing.
 */
export interface SegmentData {
  id: number;
  /** Distinct terms, sorted ascending in JS string order. */
  terms: StringList;
  /** termCount + 1 entries: term t's postings are [postingStarts[t], postingStarts[t + 1]). */
  postingStarts: Uint32Array;
  /** Document numbers, ascending within a term. */
  postingDocs: Uint32Array;
  /** Field-weighted term frequency (title and path terms count several times). */
  postingTfs: Uint16Array;
  /** Weighted length of each document. */
  docLengths: Uint32Array;
  /** Index into `filePaths` / `fileLocations`. */
  docFiles: Uint32Array;
  /** 1-based inclusive line range of each document. */
  docStartLines: Uint32Array;
  docEndLines: Uint32Array;
  /** Heading trail or symbol name per document, '' for none. */
  docTitles: StringList;
  /** Display path and absolute path of the segment's files. */
  filePaths: StringList;
  fileLocations: StringList;
}

export class Segment {
  readonly docCount: number;
  /** Sum of `docLengths`, for the index-wide average length. */
  readonly totalLength: number;
  /** Scratch score accumulator, reused by every query (queries never run concurrently on one thread). */
  private scratch: Float64Array | undefined;
  private touched: Uint32Array | undefined;
  /** Per queried term: its largest tf / lengthNorm over its postings, and the length norm that was for. */
  private readonly impacts = new Map<number, { max: number; normBase: number; normPerLength: number }>();

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
    return id < 0 ? 0 : (this.data.postingStarts[id + 1] ?? 0) - (this.data.postingStarts[id] ?? 0);
  }

  /**
   * An upper bound of tf / (tf + normBase + normPerLength · dl) over term `id`'s postings: the per-term bound
   * that lets MaxScore skip documents. Computed on first use (one pass over the postings) and kept; when the
   * average length moves (normPerLength falls by a factor r) the kept maximum times r is still a bound, since
   * each ratio grows by less than r, so it is only recomputed once that loosens it by 5 %.
   */
  maxImpact(id: number, normBase: number, normPerLength: number): number {
    const known = this.impacts.get(id);
    if (known && known.normBase === normBase) {
      if (normPerLength >= known.normPerLength) return known.max;
      const loosening = known.normPerLength / normPerLength;
      if (loosening < 1.05) return known.max * loosening;
    }
    const { postingStarts, postingDocs, postingTfs, docLengths } = this.data;
    let max = 0;
    for (let p = postingStarts[id] ?? 0, end = postingStarts[id + 1] ?? 0; p < end; p++) {
      const tf = postingTfs[p] ?? 0;
      const ratio = tf / (tf + normBase + normPerLength * (docLengths[postingDocs[p] ?? 0] ?? 0));
      if (ratio > max) max = ratio;
    }
    this.impacts.set(id, { max, normBase, normPerLength });
    return max;
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
    const { postingStarts, postingDocs, postingTfs, docLengths } = this.data;
    const scores = (this.scratch ??= new Float64Array(this.docCount));
    const touched = (this.touched ??= new Uint32Array(this.docCount));
    let touchedCount = 0;
    for (let i = 0; i < termIds.length; i++) {
      const id = termIds[i] ?? -1;
      if (id < 0) continue;
      const weight = weights[i] ?? 0;
      const end = postingStarts[id + 1] ?? 0;
      for (let p = postingStarts[id] ?? 0; p < end; p++) {
        const doc = postingDocs[p] ?? 0;
        if (deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0) continue;
        const tf = postingTfs[p] ?? 0;
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

  /** Bytes held by the typed arrays and strings of this segment (not counting the scratch). */
  get byteSize(): number {
    const d = this.data;
    return (
      d.terms.byteSize + d.postingStarts.byteLength + d.postingDocs.byteLength + d.postingTfs.byteLength + d.docLengths.byteLength +
      d.docFiles.byteLength + d.docStartLines.byteLength + d.docEndLines.byteLength + d.docTitles.byteSize + d.filePaths.byteSize + d.fileLocations.byteSize
    );
  }
}
