import { TopK } from '../scoring/topK';
import { NO_DOC, type PostingCursor } from './postings';
import { BOUND_SAFETY, type Segment } from './segment';

/** One query term in one segment, ordered by its bound. */
interface TermCursor {
  /** Position of the term in the query (contributions are summed in this order, as exhaustive scoring does). */
  slot: number;
  /** The term's number in the segment. */
  id: number;
  weight: number;
  bound: number;
  /** Where the term's postings are read; block b of them holds its postings [b · 128, (b + 1) · 128). */
  postings: PostingCursor;
  /** Postings of the term. */
  count: number;
  /** Per block, the most this term can add there is blockMax[block] × blockFactor (weight × impact, inflated like `bound`). */
  blockMax: Float64Array;
  blockFactor: number;
}

/** A segment to score, with the query's term numbers in it (-1: absent) and its deletions. */
export interface SegmentTerms {
  segment: Segment;
  termIds: readonly number[];
  deleted: Uint8Array | undefined;
  /** Where its documents start in index order (the segments before it hold `base` documents). */
  base: number;
}

/**
 * Scores the segments into `top` with MaxScore (Turtle & Flood): terms are sorted by their largest possible
 * contribution; once the k-th best score reaches the sum of the smallest bounds, documents holding only those
 * terms cannot enter, so only the other ("essential") terms' postings are walked and the rest are looked up by
 * advancing their cursors (which pass over whole blocks by their headers), and only while the document can still
 * make it. Block-max bounds (per block of 128 postings of a term) then skip runs of documents whose blocks cannot add
 * up to the threshold — so a single common term ("return") does not walk all its postings, nor decode them — and the rarest term seeds the threshold before any segment is scored
 * (seedThreshold, from the segment with most of its documents: the best documents may sit in the last one). The
 * top k is exactly that of exhaustive scoring, scores bit for bit: a document's score is summed in query order,
 * and documents come in ascending order so a later document that only ties the k-th score never enters (TopK
 * ranks ties by order; the seed is lowered by a hair, so an earlier document tying a later one's score enters).
 * `weights[i]` is idf × query count of term i; lengthNorm(dl) = normBase + normPerLength · dl.
 */
export function scoreWithMaxScore(
  parts: readonly SegmentTerms[],
  weights: readonly number[],
  normBase: number,
  normPerLength: number,
  top: TopK,
): void {
  const contributions = new Float64Array(weights.length);
  const present = new Uint8Array(weights.length);
  const plans = parts.map(part => ({ part, cursors: cursorsOf(part, weights, normBase, normPerLength) }));
  const seeder =
    plans[
      seedingSegment(
        plans.map(p => p.cursors),
        weights.length,
      )
    ];
  const seed = seeder
    ? seedThreshold(
        seeder.cursors,
        top.k,
        normBase,
        normPerLength,
        seeder.part.segment,
        seeder.part.deleted,
        contributions,
        present,
      )
    : -Infinity;
  for (const { part, cursors } of plans)
    scoreSegment(part, cursors, normBase, normPerLength, top, seed, contributions, present);
}

/**
 * Which segment seeds the threshold (one pass is enough; seeding each would score the rare documents once more per
 * segment): the one holding the most documents of the query's rarest term, where the best documents most likely are.
 */
function seedingSegment(cursorsBySegment: readonly TermCursor[][], slots: number): number {
  const postings = cursorsBySegment.map(cursors => {
    const bySlot = new Float64Array(slots);
    for (const c of cursors) bySlot[c.slot] = c.count;
    return bySlot;
  });
  let rarest = -1;
  let fewest = Infinity;
  for (let slot = 0; slot < slots; slot++) {
    const total = postings.reduce((sum, bySlot) => sum + (bySlot[slot] ?? 0), 0);
    if (total > 0 && total < fewest) [rarest, fewest] = [slot, total];
  }
  let best = 0;
  postings.forEach((bySlot, i) => {
    if ((bySlot[rarest] ?? 0) > (postings[best]?.[rarest] ?? 0)) best = i;
  });
  return best;
}

/** The query's terms present in the segment, by bound, smallest first. */
function cursorsOf(
  { segment, termIds }: SegmentTerms,
  weights: readonly number[],
  normBase: number,
  normPerLength: number,
): TermCursor[] {
  const cursors: TermCursor[] = [];
  termIds.forEach((id, slot) => {
    const weight = weights[slot] ?? 0;
    if (id < 0 || !(weight > 0)) return;
    const impacts = segment.impacts(id, normBase, normPerLength);
    const factor = weight * impacts.scale * BOUND_SAFETY;
    const postings = segment.cursor(id, true);
    cursors.push({
      slot,
      id,
      weight,
      bound: impacts.max * factor,
      postings,
      count: postings.count,
      blockMax: impacts.blocks,
      blockFactor: factor,
    });
  });
  return cursors.sort((a, b) => a.bound - b.bound);
}

/** MaxScore over one segment (see scoreWithMaxScore); `seed`: a score the k-th best is sure to reach. */
function scoreSegment(
  { segment, deleted, base }: SegmentTerms,
  cursors: TermCursor[],
  normBase: number,
  normPerLength: number,
  top: TopK,
  seed: number,
  contributions: Float64Array,
  present: Uint8Array,
): void {
  const { docLengths } = segment.data;
  const n = cursors.length;
  if (n === 0) return;
  /** upTo[i]: the most terms 0..i can add together. */
  const upTo = new Float64Array(n);
  cursors.reduce((sum, c, i) => (upTo[i] = sum + c.bound), 0);
  let threshold = Math.max(top.threshold, seed);
  let firstEssential = 0;
  while (firstEssential < n && (upTo[firstEssential] ?? 0) <= threshold) firstEssential++;
  // The cursors were made undecoded: the essential terms' are read from their first posting (one alone is left to
  // nextCandidate, which may pass over its first blocks undecoded); the others only advance.
  if (firstEssential < n - 1)
    for (let i = firstEssential; i < n; i++) (cursors[i] as TermCursor).postings.ensureDecoded();

  // Documents up to `checkedUpTo` were found to have a block-max bound above `checkedAgainst`: while both hold,
  // the essential terms are still in the same blocks and the bound need not be summed again.
  let checkedUpTo = -1;
  let checkedAgainst = threshold;
  while (firstEssential < n) {
    if (firstEssential === n - 1) {
      // One essential term (the usual case once the top k is full): walk its postings in a tight loop to the next
      // document that could still enter, instead of taking each document through the general step below.
      const c = cursors[n - 1] as TermCursor;
      nextCandidate(c, n > 1 ? (upTo[n - 2] ?? 0) : 0, threshold, docLengths, normBase, normPerLength, deleted);
    }
    let doc = NO_DOC;
    for (let i = firstEssential; i < n; i++) doc = Math.min(doc, (cursors[i] as TermCursor).postings.doc);
    if (doc === NO_DOC) break;
    if (doc > checkedUpTo || threshold !== checkedAgainst) {
      // The block-max bound of every document up to the first end of an essential term's current block: the
      // non-essential terms' bounds plus each essential term's current block bound.
      let blockBound = firstEssential > 0 ? (upTo[firstEssential - 1] ?? 0) : 0;
      let blockEnd = NO_DOC;
      for (let i = firstEssential; i < n; i++) {
        const c = cursors[i] as TermCursor;
        if (c.postings.done) continue;
        blockBound += (c.blockMax[c.postings.block] ?? Infinity) * c.blockFactor;
        blockEnd = Math.min(blockEnd, c.postings.blockLastDoc);
      }
      if (blockBound <= threshold) {
        // No document in [doc, blockEnd] can enter: skip them all (each essential term's postings there lie in
        // its current block, where it adds at most its block bound).
        for (let i = firstEssential; i < n; i++) (cursors[i] as TermCursor).postings.advance(blockEnd + 1);
        continue;
      }
      checkedUpTo = blockEnd;
      checkedAgainst = threshold;
    }
    const dead = deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0;
    const scaledLength = normPerLength * (docLengths[doc] ?? 0);
    let partial = 0;
    for (let i = firstEssential; i < n; i++) {
      const { postings } = cursors[i] as TermCursor;
      if (postings.doc !== doc) continue;
      const tf = postings.tf;
      postings.next();
      if (dead) continue;
      const c = cursors[i] as TermCursor;
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
      c.postings.advance(doc);
      if (c.postings.doc !== doc) continue;
      const tf = c.postings.tf;
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

/**
 * Moves `c` from where it stands to its first posting whose document is live and could still enter the top k: its
 * contribution plus `rest` (the most the other terms can add) above `threshold` (past the end when none is). A block
 * whose bound cannot get there is passed over whole, undecoded. The sum is formed as the general step's pruning test
 * forms it, so the two agree on every document.
 */
function nextCandidate(
  c: TermCursor,
  rest: number,
  threshold: number,
  docLengths: Uint32Array,
  normBase: number,
  normPerLength: number,
  deleted: Uint8Array | undefined,
): void {
  const { weight, blockMax, blockFactor, postings } = c;
  while (!postings.done) {
    if (postings.atBlockStart && (blockMax[postings.block] ?? Infinity) * blockFactor + rest <= threshold) {
      postings.skipBlock();
      continue;
    }
    postings.ensureDecoded();
    const doc = postings.doc;
    const tf = postings.tf;
    const contribution = (weight * tf) / (tf + normBase + normPerLength * (docLengths[doc] ?? 0)); // as exhaustive scoring groups it
    if (
      contribution + rest > threshold &&
      (deleted === undefined || ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) === 0)
    )
      return;
    postings.next();
  }
  postings.ensureDecoded();
}

/** The rare terms' documents are scored in full when their lists add up to this many postings at most… */
const SEED_MAX_POSTINGS = 4096;
/** …each of them this many times shorter than the longest list. */
const SEED_MIN_SKEW = 8;
/** Else by what the rarest term adds alone, when the longest list is this many times longer (else not worth a pass). */
const SEED_MIN_SKEW_ALONE = 2;

/**
 * A score the k-th best is sure to reach, from the documents of the query's rare terms: the exact scores of every
 * document holding one of the terms much rarer than the most common one (identifiers next to "string" or
 * "return"; a long identifier and its pieces: `runtimedyld`, `dyld`, `jit`), when there are few enough; else what
 * the rarest term alone adds to each of its documents (a score holds every contribution, so its k-th best reaches
 * the k-th best of these). Plain MaxScore starts from nothing and walks the common terms' postings until k good
 * documents have turned up ("const ossl" scores many times the documents it needs), which makes the slowest
 * queries. The seed is lowered by a hair below a real k-th score, so a document that ties it is still offered
 * (ties keep index order) and the result stays exactly that of exhaustive scoring; the main loop scores these
 * documents again, the same way. -Infinity when there is nothing to seed from.
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
  const length = (c: TermCursor): number => c.postings.remaining;
  const byLength = [...cursors].sort((a, b) => length(a) - length(b));
  const rarest = byLength[0] as TermCursor;
  const longest = length(byLength[byLength.length - 1] as TermCursor);
  let rare = 0;
  let postings = 0;
  for (const c of byLength) {
    if (postings >= k || postings + length(c) > SEED_MAX_POSTINGS || longest < length(c) * SEED_MIN_SKEW) break;
    postings += length(c);
    rare++;
  }
  const { docLengths } = segment.data;
  const isLive = (doc: number): boolean =>
    deleted === undefined || ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) === 0;
  const best = new TopK(k);
  if (rare > 0 && postings >= k) {
    const docs = new Uint32Array(postings);
    let n = 0;
    for (const c of byLength.slice(0, rare))
      for (const postings = segment.cursor(c.id); !postings.done; postings.next()) docs[n++] = postings.doc;
    docs.sort();
    // Cursors of their own: the main loop starts the terms' cursors from their first postings.
    const seekers = cursors.map(c => segment.cursor(c.id, true));
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i] ?? 0;
      if ((i > 0 && docs[i - 1] === doc) || !isLive(doc)) continue;
      const scaledLength = normPerLength * (docLengths[doc] ?? 0);
      for (let j = 0; j < cursors.length; j++) {
        const c = cursors[j] as TermCursor;
        const seeker = seekers[j] as PostingCursor;
        seeker.advance(doc);
        if (seeker.doc !== doc) continue;
        const tf = seeker.tf;
        contributions[c.slot] = (c.weight * tf) / (tf + normBase + scaledLength); // as exhaustive scoring groups it
        present[c.slot] = 1;
      }
      let score = 0;
      for (let slot = 0; slot < present.length; slot++) {
        if (present[slot] === 0) continue;
        score += contributions[slot] ?? 0;
        present[slot] = 0;
      }
      best.offer(score, doc);
    }
  } else if (length(rarest) >= k && longest >= length(rarest) * SEED_MIN_SKEW_ALONE) {
    for (const postings = segment.cursor(rarest.id); !postings.done; postings.next()) {
      const doc = postings.doc;
      if (!isLive(doc)) continue;
      const tf = postings.tf;
      best.offer((rarest.weight * tf) / (tf + normBase + normPerLength * (docLengths[doc] ?? 0)), doc); // as exhaustive scoring groups it
    }
  }
  const kth = best.threshold;
  return kth > 0 ? kth * (1 - 1e-9) : -Infinity;
}
