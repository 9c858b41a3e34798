import type { Segment } from './segment';
import type { TopK } from './topK';

/**
 * Bounds are inflated by this factor so that rounding (a contribution computed as w·tf/den, the bound as w·max)
 * can never make a bound smaller than a score it bounds.
 */
const SAFETY = 1 + 1e-9;

/** One query term in one segment, ordered by its bound. */
interface TermCursor {
  /** Position of the term in the query (contributions are summed in this order, as exhaustive scoring does). */
  slot: number;
  weight: number;
  bound: number;
  at: number;
  end: number;
}

/**
 * Scores one segment into `top` with MaxScore (Turtle & Flood): terms are sorted by their largest possible
 * contribution; once the k-th best score reaches the sum of the smallest bounds, documents holding only those
 * terms cannot enter, so only the other ("essential") terms' postings are walked and the rest are looked up by
 * galloping search, and only while the document can still make it. The top k is exactly that of exhaustive
 * scoring, scores bit for bit: a document's score is summed in query order, and documents come in ascending order
 * so a later document that only ties the k-th score never enters (TopK ranks ties by order).
 * `weights[i]` is idf × query count of `termIds[i]`; lengthNorm(dl) = normBase + normPerLength · dl.
 */
export function scoreWithMaxScore(
  segment: Segment,
  termIds: readonly number[],
  weights: readonly number[],
  normBase: number,
  normPerLength: number,
  deleted: Uint8Array | undefined,
  top: TopK,
  base: number,
): void {
  const { postingStarts, postingDocs, postingTfs, docLengths } = segment.data;
  const cursors: TermCursor[] = [];
  termIds.forEach((id, slot) => {
    const weight = weights[slot] ?? 0;
    if (id < 0 || !(weight > 0)) return;
    const bound = weight * segment.maxImpact(id, normBase, normPerLength) * SAFETY;
    cursors.push({ slot, weight, bound, at: postingStarts[id] ?? 0, end: postingStarts[id + 1] ?? 0 });
  });
  const n = cursors.length;
  if (n === 0) return;
  cursors.sort((a, b) => a.bound - b.bound);
  /** upTo[i]: the most terms 0..i can add together. */
  const upTo = new Float64Array(n);
  cursors.reduce((sum, c, i) => (upTo[i] = sum + c.bound), 0);
  const contributions = new Float64Array(termIds.length);
  const present = new Uint8Array(termIds.length);
  let threshold = top.threshold;
  let firstEssential = 0;
  while (firstEssential < n && (upTo[firstEssential] ?? 0) <= threshold) firstEssential++;

  while (firstEssential < n) {
    let doc = 0xffffffff;
    for (let i = firstEssential; i < n; i++) {
      const c = cursors[i] as TermCursor;
      if (c.at < c.end) doc = Math.min(doc, postingDocs[c.at] ?? 0);
    }
    if (doc === 0xffffffff) break;
    const dead = deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0;
    const scaledLength = normPerLength * (docLengths[doc] ?? 0);
    let partial = 0;
    for (let i = firstEssential; i < n; i++) {
      const c = cursors[i] as TermCursor;
      if (c.at >= c.end || postingDocs[c.at] !== doc) continue;
      const tf = postingTfs[c.at] ?? 0;
      c.at++;
      if (dead) continue;
      const contribution = (c.weight * tf) / (tf + normBase + scaledLength); // as exhaustive scoring groups it
      contributions[c.slot] = contribution;
      present[c.slot] = 1;
      partial += contribution;
    }
    if (dead) continue;
    let pruned = false;
    for (let i = firstEssential - 1; i >= 0; i--) {
      if (partial + (upTo[i] ?? 0) <= threshold) {
        pruned = true;
        break;
      }
      const c = cursors[i] as TermCursor;
      c.at = seek(postingDocs, c.at, c.end, doc);
      if (c.at >= c.end || postingDocs[c.at] !== doc) continue;
      const tf = postingTfs[c.at] ?? 0;
      const contribution = (c.weight * tf) / (tf + normBase + scaledLength); // as exhaustive scoring groups it
      contributions[c.slot] = contribution;
      present[c.slot] = 1;
      partial += contribution;
    }
    let score = 0;
    for (let slot = 0; slot < present.length; slot++) {
      if (present[slot] === 0) continue;
      score += contributions[slot] ?? 0;
      present[slot] = 0;
    }
    if (pruned || score <= threshold) continue;
    top.offer(score, base + doc);
    threshold = top.threshold;
    while (firstEssential < n && (upTo[firstEssential] ?? 0) <= threshold) firstEssential++;
  }
}

/** The first position in [from, end) whose document is ≥ doc (galloping, then binary search); end if none. */
export function seek(docs: Uint32Array, from: number, end: number, doc: number): number {
  if (from >= end || (docs[from] ?? 0) >= doc) return from;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < end && (docs[hi] ?? 0) < doc) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > end) hi = end;
  // docs[lo] < doc; the answer is in (lo, hi].
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if ((docs[mid] ?? 0) < doc) lo = mid;
    else hi = mid;
  }
  return hi;
}
