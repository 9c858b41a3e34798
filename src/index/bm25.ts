import { tokenize, type Tokenizer } from './tokenizer';
import { topK, type ScoredDoc } from './topK';

export type { ScoredDoc } from './topK';

/** What one document contributes to the index; title and path are boosted fields. */
export interface Bm25Fields {
  text: string;
  /** Heading trail or symbol names. */
  title?: string;
  /** Display path of the file the chunk comes from. */
  path?: string;
}

export interface Bm25Params {
  k1: number;
  b: number;
  /** A title term counts this many times a body term (in tf and in document length). */
  titleBoost: number;
  pathBoost: number;
}

/** Chosen once (Robertson's usual k1/b; modest field boosts), never per data set. */
export const DEFAULT_BM25_PARAMS: Readonly<Bm25Params> = { k1: 1.2, b: 0.75, titleBoost: 2, pathBoost: 1 };

/** Inverse document frequency, exactly: ln(1 + (N − df + 0.5) / (df + 0.5)). */
export const bm25Idf = (docCount: number, df: number): number => Math.log(1 + (docCount - df + 0.5) / (df + 0.5));

/**
 * Collects documents, then freezes them into a `Bm25Index`. Documents are numbered 0, 1, 2… in the order added.
 * Fields are merged into one weighted bag of terms (boosted tf and boosted length, a simple BM25F).
 */
export class Bm25Builder {
  private readonly termIds = new Map<string, number>();
  private readonly postingDocs: number[][] = [];
  private readonly postingTfs: number[][] = [];
  private readonly docLengths: number[] = [];
  private postingCount = 0;

  constructor(
    private readonly tokenizer: Tokenizer = tokenize,
    private readonly params: Readonly<Bm25Params> = DEFAULT_BM25_PARAMS,
  ) {}

  get docCount(): number {
    return this.docLengths.length;
  }

  /** Adds one document and returns its number. */
  add(fields: Bm25Fields): number {
    const doc = this.docLengths.length;
    const tfs = new Map<string, number>();
    let length = 0;
    const addField = (text: string | undefined, weight: number): void => {
      if (!text || weight <= 0) return;
      for (const term of this.tokenizer(text)) tfs.set(term, (tfs.get(term) ?? 0) + weight);
    };
    addField(fields.text, 1);
    addField(fields.title, this.params.titleBoost);
    addField(fields.path, this.params.pathBoost);
    for (const [term, tf] of tfs) {
      const id = this.termId(term);
      this.postingDocs[id]?.push(doc);
      this.postingTfs[id]?.push(tf);
      length += tf;
    }
    this.postingCount += tfs.size;
    this.docLengths.push(length);
    return doc;
  }

  /** Copies the postings into flat typed arrays (term-major, documents ascending within a term). */
  build(): Bm25Index {
    const termCount = this.postingDocs.length;
    const offsets = new Uint32Array(termCount + 1);
    const docs = new Uint32Array(this.postingCount);
    const tfs = new Float32Array(this.postingCount);
    let at = 0;
    for (let t = 0; t < termCount; t++) {
      offsets[t] = at;
      const d = this.postingDocs[t] ?? [];
      const f = this.postingTfs[t] ?? [];
      docs.set(d, at);
      tfs.set(f, at);
      at += d.length;
    }
    offsets[termCount] = at;
    return new Bm25Index(new Map(this.termIds), offsets, docs, tfs, Float32Array.from(this.docLengths), this.tokenizer, this.params);
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.postingDocs.length;
      this.termIds.set(term, id);
      this.postingDocs.push([]);
      this.postingTfs.push([]);
    }
    return id;
  }
}

/** An immutable BM25 index: term dictionary + postings in typed arrays. Queries cost O(postings of the query terms). */
export class Bm25Index {
  readonly docCount: number;
  readonly averageLength: number;
  /** k1 · (1 − b + b · dl / avgdl) per document, precomputed. */
  private readonly lengthNorm: Float64Array;
  /** Scratch accumulator reused across queries (single-threaded, never re-entered). */
  private readonly scores: Float64Array;
  private readonly touched: Uint32Array;

  constructor(
    private readonly termIds: ReadonlyMap<string, number>,
    private readonly offsets: Uint32Array,
    private readonly postingDocs: Uint32Array,
    private readonly postingTfs: Float32Array,
    private readonly docLengths: Float32Array,
    private readonly tokenizer: Tokenizer = tokenize,
    readonly params: Readonly<Bm25Params> = DEFAULT_BM25_PARAMS,
  ) {
    this.docCount = docLengths.length;
    let total = 0;
    for (const length of docLengths) total += length;
    this.averageLength = this.docCount > 0 ? total / this.docCount : 0;
    const { k1, b } = params;
    const avg = this.averageLength || 1;
    this.lengthNorm = new Float64Array(this.docCount);
    for (let d = 0; d < this.docCount; d++) this.lengthNorm[d] = k1 * (1 - b + (b * (docLengths[d] ?? 0)) / avg);
    this.scores = new Float64Array(this.docCount);
    this.touched = new Uint32Array(this.docCount);
  }

  get termCount(): number {
    return this.termIds.size;
  }

  /** Number of documents that contain the (already tokenized) term. */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : (this.offsets[id + 1] ?? 0) - (this.offsets[id] ?? 0);
  }

  /** The k best documents for a query string, best first; equal scores in document order. */
  search(query: string, k: number): ScoredDoc[] {
    return this.searchTerms(this.tokenizer(query), k);
  }

  /** Like `search`, for terms already tokenized. A term given n times counts n times. */
  searchTerms(terms: readonly string[], k: number): ScoredDoc[] {
    if (k <= 0 || this.docCount === 0) return [];
    const counts = new Map<number, number>();
    for (const term of terms) {
      const id = this.termIds.get(term);
      if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const { scores, touched, postingDocs, postingTfs, lengthNorm } = this;
    let touchedCount = 0;
    for (const [id, count] of counts) {
      const start = this.offsets[id] ?? 0;
      const end = this.offsets[id + 1] ?? 0;
      const weight = count * bm25Idf(this.docCount, end - start);
      for (let p = start; p < end; p++) {
        const doc = postingDocs[p] ?? 0;
        const tf = postingTfs[p] ?? 0;
        if (scores[doc] === 0) touched[touchedCount++] = doc;
        scores[doc] = (scores[doc] ?? 0) + (weight * tf) / (tf + (lengthNorm[doc] ?? 1));
      }
    }
    const best = topK(touched.subarray(0, touchedCount), scores, k);
    for (let i = 0; i < touchedCount; i++) scores[touched[i] ?? 0] = 0;
    return best;
  }
}
