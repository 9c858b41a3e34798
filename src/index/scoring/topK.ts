/** A document number with its score. */
export interface ScoredDoc {
  doc: number;
  score: number;
}

/**
 * Keeps the k best (score, order) pairs seen: higher score first, lower order first on ties. A bounded min-heap
 * over typed arrays: a candidate that cannot enter costs one comparison and no allocation.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly orders: Float64Array;
  private size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(k, 0));
    this.orders = new Float64Array(Math.max(k, 0));
  }

  /** The score a newcomer must beat once k are kept (-Infinity before): the k-th best so far. */
  get threshold(): number {
    return this.size < this.k ? -Infinity : (this.scores[0] ?? -Infinity);
  }

  offer(score: number, order: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(score, order, parent)) break;
        this.move(parent, i);
        i = parent;
      }
      this.scores[i] = score;
      this.orders[i] = order;
    } else if (this.k > 0 && this.beats(score, order, 0)) {
      this.siftDown(score, order);
    }
  }

  /** The kept pairs, best first. */
  results(): ScoredDoc[] {
    const out: ScoredDoc[] = [];
    for (let i = 0; i < this.size; i++) out.push({ doc: this.orders[i] ?? 0, score: this.scores[i] ?? 0 });
    return out.sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  /** (score, order) ranks below slot i. */
  private worse(score: number, order: number, i: number): boolean {
    return below(score, order, this.scores[i] ?? 0, this.orders[i] ?? 0);
  }

  /** (score, order) ranks above slot i. */
  private beats(score: number, order: number, i: number): boolean {
    return below(this.scores[i] ?? 0, this.orders[i] ?? 0, score, order);
  }

  /** Puts (score, order) at the root's place and moves it down below every child that ranks lower. */
  private siftDown(score: number, order: number): void {
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      const right = child + 1;
      if (right < this.size && this.worse(this.scores[right] ?? 0, this.orders[right] ?? 0, child)) child = right;
      if (!this.beats(score, order, child)) break;
      this.move(child, i);
      i = child;
    }
    this.scores[i] = score;
    this.orders[i] = order;
  }

  private move(from: number, to: number): void {
    this.scores[to] = this.scores[from] ?? 0;
    this.orders[to] = this.orders[from] ?? 0;
  }
}

/** The k best of `candidates` by `scores[doc]`, best first; equal scores keep the lower document number first. */
export function topK(candidates: ArrayLike<number>, scores: ArrayLike<number>, k: number): ScoredDoc[] {
  const top = new TopK(k);
  for (let i = 0; i < candidates.length; i++) {
    const doc = candidates[i] ?? 0;
    top.offer(scores[doc] ?? 0, doc);
  }
  return top.results();
}

/** (sa, oa) ranks below (sb, ob): a lower score, or the same score and a later order. */
const below = (sa: number, oa: number, sb: number, ob: number): boolean => sa < sb || (sa === sb && oa > ob);
