import { SCORER_WASM } from './scorerWasm';

/** The exports of assembly/scorer.ts (addresses are byte offsets into the segment's memory). */
interface ScorerExports {
  score(
    postings: number,
    lengths: number,
    scores: number,
    docCount: number,
    terms: number,
    termCount: number,
    normBase: number,
    normPerLength: number,
    deleted: number,
    k: number,
    topScores: number,
    topDocs: number,
    order: number,
    touched: number,
  ): number;
}

/** Compiled once per thread, on first use (the module is small). */
let compiled: WebAssembly.Module | undefined;
const scorerModule = (): WebAssembly.Module =>
  (compiled ??= new WebAssembly.Module(Buffer.from(SCORER_WASM, 'base64')));

/** Query terms, and results (k), a scorer takes at most; beyond them a query is scored by MaxScore. */
export const MAX_SCORER_TERMS = 256;
export const MAX_SCORER_K = 1024;
/** Posting bytes copied between two steps while a scorer is made (a few ms each). */
const COPY_STEP = 1 << 23;

/** Bytes a query term takes in the scorer's memory (see assembly/scorer.ts). */
const TERM_BYTES = 32;

/**
 * One query term in a segment: where its list's first block starts in the postings (past its document count), how
 * many postings it has, its weight (idf × query count), and the most it can add to a document's score (an upper
 * bound, for pruning: see assembly/scorer.ts).
 */
export interface ScorerTerm {
  blocksAt: number;
  count: number;
  weight: number;
  bound: number;
}

const align = (n: number): number => (n + 7) & ~7;

/**
 * A segment's compressed postings (see postings.ts) and document lengths in a WebAssembly memory of their own, with
 * room for one score and one candidate bit per document: assembly/scorer.ts scores a query's terms there term at a
 * time (exact BM25): the rarer terms' postings added up, the common ones looked up for the candidates those found
 * once no other document can enter the top k, then keeps the k best. Made for queries with common terms (thousands
 * of postings), where that beats MaxScore in JavaScript; the segment then reads its postings from here too, so they
 * are not held twice.
 */
export class SegmentScorer {
  private readonly exports: ScorerExports;
  private readonly memory: WebAssembly.Memory;
  private readonly postingsAt: number;
  private readonly lengthsAt: number;
  private readonly scoresAt: number;
  private readonly deletedAt: number;
  private readonly termsAt: number;
  private readonly orderAt: number;
  private readonly touchedAt: number;
  private readonly topScoresAt: number;
  private readonly topDocsAt: number;

  private constructor(
    private readonly postingBytes: number,
    private readonly docCount: number,
  ) {
    this.postingsAt = 8; // address 0 stands for "no deletions"
    this.lengthsAt = align(this.postingsAt + postingBytes);
    this.scoresAt = align(this.lengthsAt + 4 * docCount);
    this.deletedAt = align(this.scoresAt + 8 * docCount);
    this.touchedAt = align(this.deletedAt + Math.ceil(docCount / 8));
    this.termsAt = this.touchedAt + 8 * Math.ceil(docCount / 64);
    this.orderAt = this.termsAt + TERM_BYTES * MAX_SCORER_TERMS;
    this.topScoresAt = this.orderAt + 4 * MAX_SCORER_TERMS;
    this.topDocsAt = this.topScoresAt + 8 * MAX_SCORER_K;
    const bytes = this.topDocsAt + 4 * MAX_SCORER_K;
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    this.exports = new WebAssembly.Instance(scorerModule(), { env: { memory: this.memory, abort: scorerFailed } })
      .exports as unknown as ScorerExports;
  }

  /** A scorer holding copies of these arrays, copied in slices with `step` awaited between them. */
  static async create(
    postingBytes: Uint8Array,
    docLengths: Uint32Array,
    step: () => Promise<void>,
  ): Promise<SegmentScorer> {
    const scorer = new SegmentScorer(postingBytes.length, docLengths.length);
    const { postings, lengths } = scorer.arrays();
    for (let from = 0; from < postingBytes.length; from += COPY_STEP) {
      await step();
      const to = Math.min(from + COPY_STEP, postingBytes.length);
      postings.set(postingBytes.subarray(from, to), from);
    }
    lengths.set(docLengths);
    return scorer;
  }

  /** Bytes of its memory: the copies, a score per document and room for a query. */
  get byteSize(): number {
    return this.memory.buffer.byteLength;
  }

  /** The copies, as views of the memory (which never grows, so they stay valid). */
  arrays(): { postings: Uint8Array; lengths: Uint32Array } {
    const { buffer } = this.memory;
    return {
      postings: new Uint8Array(buffer, this.postingsAt, this.postingBytes),
      lengths: new Uint32Array(buffer, this.lengthsAt, this.docCount),
    };
  }

  /**
   * The k best live documents for `terms` (summed in the order given), each handed to `offer`; lengthNorm(dl) =
   * normBase + normPerLength · dl. At most MAX_SCORER_TERMS terms and MAX_SCORER_K results. With `prune` (and more
   * than one term) the rarer terms' candidates are scored and the other terms only looked up for them; without, every
   * posting is added up (see assembly/scorer.ts). Either way the results are the same.
   */
  score(
    terms: readonly ScorerTerm[],
    normBase: number,
    normPerLength: number,
    deleted: Uint8Array | undefined,
    k: number,
    offer: (score: number, doc: number) => void,
    prune = true,
  ): void {
    if (terms.length > MAX_SCORER_TERMS || k > MAX_SCORER_K)
      throw new RangeError(`A scorer takes at most ${MAX_SCORER_TERMS} terms and k ≤ ${MAX_SCORER_K}.`);
    const { buffer } = this.memory;
    const words = new Uint32Array(buffer, this.termsAt, (TERM_BYTES / 4) * terms.length);
    const numbers = new Float64Array(buffer, this.termsAt, (TERM_BYTES / 8) * terms.length);
    terms.forEach((term, i) => {
      words[(TERM_BYTES / 4) * i] = term.blocksAt;
      words[(TERM_BYTES / 4) * i + 1] = term.count;
      numbers[(TERM_BYTES / 8) * i + 1] = term.weight;
      numbers[(TERM_BYTES / 8) * i + 2] = term.bound;
    });
    prune &&= terms.length > 1;
    if (prune) {
      const rarestFirst = terms.map((_, i) => i).sort((a, b) => (terms[a]?.count ?? 0) - (terms[b]?.count ?? 0));
      new Uint32Array(buffer, this.orderAt, terms.length).set(rarestFirst);
    }
    if (deleted) {
      const bits = new Uint8Array(buffer, this.deletedAt, Math.ceil(this.docCount / 8));
      bits.set(deleted.subarray(0, bits.length));
      bits.fill(0, deleted.length);
    }
    const n = this.exports.score(
      this.postingsAt,
      this.lengthsAt,
      this.scoresAt,
      this.docCount,
      this.termsAt,
      terms.length,
      normBase,
      normPerLength,
      deleted ? this.deletedAt : 0,
      k,
      this.topScoresAt,
      this.topDocsAt,
      prune ? this.orderAt : 0,
      this.touchedAt,
    );
    const scores = new Float64Array(buffer, this.topScoresAt, n);
    const docs = new Uint32Array(buffer, this.topDocsAt, n);
    for (let i = 0; i < n; i++) offer(scores[i] ?? 0, docs[i] ?? 0);
  }
}

function scorerFailed(): never {
  throw new Error('The scorer failed.');
}
