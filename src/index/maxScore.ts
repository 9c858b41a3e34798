import { IMPACT_BLOCK_SHIFT, type Segment } from './segment';
import { TopK } from './topK';

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
  /** The term's first posting: block b holds postings [start + b · 128, start + (b + 1) · 128). */
  start: number;
  at: number;
  end: number;
  /** Per block, the most this term can add there (weight × block max impact, inflated like `bound`). */
  blockBounds: Float64Array;
}

/**
 * Scores one segment into `top` with MaxScore (Turtle & Flood): terms are sorted by their largest possible
 * contribution; once the k-th best score reaches the sum of the smallest bounds, documents holding only those
 * terms cannot enter, so only the other ("essential") terms' postings are walked and the rest are looked up by
 * galloping search, and only while the document can still make it. Block-max bounds (per 128 postings of a term)
 * then skip runs of documents whose blocks cannot add up to the threshold — a single common term ("return") no
 * longer walks all its postings — and a rare term seeds the threshold (seedThreshold). The top k is exactly that
 * of exhaustive scoring, scores bit for bit: a document's score is summed in query order, and documents come in
 * ascending order so a later document that only ties the k-th score never enters (TopK ranks ties by order).
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
    const impacts = segment.impacts(id, normBase, normPerLength);
    const factor = weight * impacts.scale * SAFETY;
    const start = postingStarts[id] ?? 0;
    const blockBounds = impacts.blocks.map(b => b * factor);
    cursors.push({ slot, weight, bound: impacts.max * factor, start, at: start, end: postingStarts[id + 1] ?? 0, blockBounds });
  });
  const n = cursors.length;
  if (n === 0) return;
  cursors.sort((a, b) => a.bound - b.bound);
  /** upTo[i]: the most terms 0..i can add together. */
  const upTo = new Float64Array(n);
  cursors.reduce((sum, c, i) => (upTo[i] = sum + c.bound), 0);
  const contributions = new Float64Array(termIds.length);
  const present = new Uint8Array(termIds.length);
  // A top k already full (an earlier segment filled it) is threshold enough: seeding would score the rare term twice.
  const seed = top.threshold > -Infinity ? -Infinity : seedThreshold(cursors, top.k, normBase, normPerLength, segment, deleted, contributions, present);
  let threshold = Math.max(top.threshold, seed);
  let firstEssential = 0;
  while (firstEssential < n && (upTo[firstEssential] ?? 0) <= threshold) firstEssential++;

  // Documents up to `checkedUpTo` were found to have a block-max bound above `checkedAgainst`: while both hold,
  // the essential terms are still in the same blocks and the bound need not be summed again.
  let checkedUpTo = -1;
  let checkedAgainst = threshold;
  while (firstEssential < n) {
    let doc = 0xffffffff;
    for (let i = firstEssential; i < n; i++) {
      const c = cursors[i] as TermCursor;
      if (c.at < c.end) doc = Math.min(doc, postingDocs[c.at] ?? 0);
    }
    if (doc === 0xffffffff) break;
    if (doc > checkedUpTo || threshold !== checkedAgainst) {
      // The block-max bound of every document up to the first end of an essential term's current block: the
      // non-essential terms' bounds plus each essential term's current block bound.
      let blockBound = firstEssential > 0 ? (upTo[firstEssential - 1] ?? 0) : 0;
      let blockEnd = 0xffffffff;
      for (let i = firstEssential; i < n; i++) {
        const c = cursors[i] as TermCursor;
        if (c.at >= c.end) continue;
        const block = (c.at - c.start) >>> IMPACT_BLOCK_SHIFT;
        blockBound += c.blockBounds[block] ?? Infinity;
        blockEnd = Math.min(blockEnd, postingDocs[Math.min(c.start + ((block + 1) << IMPACT_BLOCK_SHIFT), c.end) - 1] ?? 0);
      }
      if (blockBound <= threshold) {
        // No document in [doc, blockEnd] can enter: skip them all (each essential term's postings there lie in
        // its current block, where it adds at most its block bound).
        for (let i = firstEssential; i < n; i++) {
          const c = cursors[i] as TermCursor;
          c.at = seek(postingDocs, c.at, c.end, blockEnd + 1);
        }
        continue;
      }
      checkedUpTo = blockEnd;
      checkedAgainst = threshold;
    }
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
    threshold = Math.max(top.threshold, seed);
    while (firstEssential < n && (upTo[firstEssential] ?? 0) <= threshold) firstEssential++;
  }
}

/** The rarest term is seeded from when its list is this short and the longest is this many times longer. */
const SEED_MAX_POSTINGS = 4096;
const SEED_MIN_SKEW = 8;

/**
 * A score the k-th best is sure to reach, from fully scoring the documents of the query's rarest term when it is
 * much rarer than the most common one (an identifier next to "string" or "return"). Plain MaxScore starts from
 * nothing and walks the common term's postings until k documents holding the rare term have turned up: that was
 * most of the slowest queries. The seed is lowered by a hair below a real k-th score, so a document that ties it
 * is still offered (ties keep index order) and the result stays exactly that of exhaustive scoring; the main loop
 * scores these documents again, the same way. -Infinity when there is nothing to seed from.
 */
function seedThreshold(
  cursors: readonly TermCursor[],
  k: number,
  normBase: number,
  normPerLength: number,
  segment: Segment,
  deleted: Uint8Array | undefined,
  contributions: Float64Array,
  present: Uint8Array,
): number {
  if (cursors.length < 2 || k <= 0) return -Infinity;
  let rarest = cursors[0] as TermCursor;
  let longest = 0;
  for (const c of cursors) {
    if (c.end - c.at < rarest.end - rarest.at) rarest = c;
    longest = Math.max(longest, c.end - c.at);
  }
  const length = rarest.end - rarest.at;
  if (length < k || length > SEED_MAX_POSTINGS || longest < length * SEED_MIN_SKEW) return -Infinity;
  const { postingDocs, postingTfs, docLengths } = segment.data;
  const positions = cursors.map(c => c.at);
  const best = new TopK(k);
  for (let p = rarest.at; p < rarest.end; p++) {
    const doc = postingDocs[p] ?? 0;
    if (deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0) continue;
    const scaledLength = normPerLength * (docLengths[doc] ?? 0);
    cursors.forEach((c, i) => {
      const at = (positions[i] = seek(postingDocs, positions[i] ?? c.at, c.end, doc));
      if (at >= c.end || postingDocs[at] !== doc) return;
      const tf = postingTfs[at] ?? 0;
      contributions[c.slot] = (c.weight * tf) / (tf + normBase + scaledLength); // as exhaustive scoring groups it
      present[c.slot] = 1;
    });
    let score = 0;
    for (let slot = 0; slot < present.length; slot++) {
      if (present[slot] === 0) continue;
      score += contributions[slot] ?? 0;
      present[slot] = 0;
    }
    best.offer(score, doc);
  }
  const kth = best.threshold;
  return kth > 0 ? kth * (1 - 1e-9) : -Infinity;
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
