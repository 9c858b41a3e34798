// AssemblyScript: BM25 term-at-a-time over one segment, compiled to WebAssembly (src/index/scoring/scorerWasm.ts holds
// the result; `npm run build:wasm` rebuilds it). Each segment has its own memory, laid out by
// src/index/scoring/wasmScorer.ts: the segment's compressed postings (src/index/segments/postings.ts describes the
// layout), its documents' lengths, one score per document (zero between queries), a bitmap of candidates (empty
// between queries), its deletion bits, the query's terms and room for the top k. Adding up a posting is a loop with
// no branch per posting, which WebAssembly runs faster than MaxScore walks the same lists in JavaScript; with pruning
// (see `score`) only the rarer terms are added up in full and the common ones are looked up for the candidates.

/** Postings in a full block; its header: last document (u32), gap and tf bit widths (u8 each). */
const BLOCK: u32 = 128;
const HEADER: usize = 6;
/**
 * Bytes per query term at `terms`: its first block's offset in the postings (u32), its posting count (u32), its weight
 * (f64), the most it can add to a document's score (f64, an upper bound), 8 bytes unused.
 */
const TERM: usize = 32;
/** Partial scores are summed in another order than final ones: bars are lowered by this share for the rounding. */
const ROUNDING = 1e-9;
/**
 * A pruned query that has to add up more than this share of its postings (the terms that cannot be left to look up)
 * adds them all up instead: looking the rest up would save too little to pay for the candidates' bookkeeping.
 */
const ADDED_SHARE_TO_GIVE_UP: f64 = 0.12;
/**
 * When no more than this many candidates per result are left once those that cannot pass the bar are dropped, they
 * are all scored in query order at once rather than first completed to find the few that can still enter.
 */
const FEW_CANDIDATES_PER_RESULT: u32 = 32;

/**
 * The k best live documents for the `termCount` terms at `terms` (in query order): each posting adds
 * weight · tf / (tf + normBase + normPerLength · length) to its document's score, summed in query order as exhaustive
 * scoring sums them, so every score is the same to the bit. They are kept at `topScores` / `topDocs` — a heap, worst
 * first: by score, then by document (a later document never displaces an equal score) — and every score is set back
 * to zero. Returns how many it kept.
 *
 * With `order` 0, every posting of every term is added up, then every document's score is read. Otherwise `order`
 * holds the terms' numbers (u32), rarest first, and the query is pruned (term at a time, Moffat and Zobel's
 * "continue", with MaxScore's seeded threshold): terms are added up rarest first, each document they reach marked as a
 * candidate in the bitmap at `touched`, until the terms left cannot together add more than a score the k-th best is
 * sure to pass (`seedBar`). Then no unmarked document can enter the top k, and the terms left are only looked up for
 * the candidates, their blocks walked by the headers and only blocks holding a candidate decoded; a candidate whose
 * score so far plus what the terms still to come can add cannot pass that bar is dropped. The candidates that can
 * still enter are scored again from zero in query order, and only they are read. When adding up the terms that
 * cannot be left would take more than ADDED_SHARE_TO_GIVE_UP of the query's postings, every posting is added up.
 */
export function score(
  postings: usize,
  lengths: usize,
  scores: usize,
  docCount: u32,
  terms: usize,
  termCount: u32,
  normBase: f64,
  normPerLength: f64,
  deleted: usize,
  k: u32,
  topScores: usize,
  topDocs: usize,
  order: usize,
  touched: usize,
): u32 {
  if (order == 0) {
    for (let t: u32 = 0; t < termCount; t++)
      addAll(postings, terms + <usize>t * TERM, lengths, scores, normBase, normPerLength, 0);
    return readAll(scores, docCount, deleted, k, topScores, topDocs);
  }
  // order[..next] are the terms added up so far, order[next..] the others, rarest first.
  let next: u32 = 0;
  let bar: f64 = 0;
  let added: u64 = 0;
  let total: u64 = 0;
  for (let t: u32 = 0; t < termCount; t++) total += load<u32>(terms + <usize>t * TERM + 4);
  while (next < termCount) {
    if (next > 0) {
      const seeded = seedBar(postings, lengths, scores, docCount, terms, order, next, termCount, normBase, normPerLength,
        deleted, k, topScores, topDocs, touched);
      bar = max(bar, seeded);
    }
    // The other terms that can be left to look up, the longest lists first: as long as together they cannot add
    // more than `bar`, a document none of the added-up terms holds cannot enter. The rarest of the others that does
    // not fit is added up next; when all fit, the rest are looked up.
    let left: f64 = 0;
    let rarest: u32 = termCount;
    for (let i = termCount; i > next; i--) {
      const bound = load<f64>(terms + <usize>load<u32>(order + (<usize>(i - 1) << 2)) * TERM + 16);
      if (left + bound <= bar) left += bound;
      else rarest = i - 1;
    }
    if (rarest == termCount) break;
    const chosen = load<u32>(order + (<usize>rarest << 2));
    added += load<u32>(terms + <usize>chosen * TERM + 4);
    if (next > 0 && <f64>added > <f64>total * ADDED_SHARE_TO_GIVE_UP) {
      // Too many postings to add up before the others could be looked up: every posting is added up after all.
      unmarkAll(touched, scores, docCount);
      for (let t: u32 = 0; t < termCount; t++)
        addAll(postings, terms + <usize>t * TERM, lengths, scores, normBase, normPerLength, 0);
      return readAll(scores, docCount, deleted, k, topScores, topDocs);
    }
    for (let i = rarest; i > next; i--) store<u32>(order + (<usize>i << 2), load<u32>(order + (<usize>(i - 1) << 2)));
    store<u32>(order + (<usize>next << 2), chosen);
    addAll(postings, terms + <usize>chosen * TERM, lengths, scores, normBase, normPerLength, touched);
    next++;
  }
  // Candidates that cannot pass the bar whatever the other terms add are dropped before those are looked up. When
  // few are left they are scored from zero in query order at once, each term's list walked once.
  if (next < termCount) {
    const left = drop(touched, scores, docCount, boundFrom(terms, order, next, termCount), bar);
    if (left <= k * FEW_CANDIDATES_PER_RESULT) {
      zeroMarked(touched, scores, docCount);
      for (let t: u32 = 0; t < termCount; t++)
        addMatching(postings, terms + <usize>t * TERM, lengths, scores, normBase, normPerLength, touched, 0, -1);
      return readMarked(scores, docCount, touched, deleted, k, topScores, topDocs);
    }
  }
  for (; next < termCount; next++) {
    const term = terms + <usize>load<u32>(order + (<usize>next << 2)) * TERM;
    const rest = boundFrom(terms, order, next, termCount);
    addMatching(postings, term, lengths, scores, normBase, normPerLength, touched, rest, bar);
  }
  // Every candidate's score is complete now (summed in another order): those no higher than the k-th best, and the
  // deleted, are unmarked; the rest start again from zero.
  const last = kthBest(touched, scores, docCount, deleted, k, topScores) * (1 - ROUNDING);
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    const wordAt = touched + (<usize>w << 3);
    let bits = load<u64>(wordAt);
    let kept: u64 = 0;
    while (bits != 0) {
      const bit = ctz(bits);
      bits &= bits - 1;
      const doc = (w << 6) + <u32>bit;
      const at = scores + (<usize>doc << 3);
      if (load<f64>(at) > last && !isDeleted(deleted, doc)) kept |= (<u64>1) << bit;
      store<f64>(at, 0);
    }
    store<u64>(wordAt, kept);
  }
  for (let t: u32 = 0; t < termCount; t++)
    addMatching(postings, terms + <usize>t * TERM, lengths, scores, normBase, normPerLength, touched, 0, -1);
  return readMarked(scores, docCount, touched, deleted, k, topScores, topDocs);
}

/**
 * A score the k-th best is sure to pass, lowered for rounding: the least full score of the k candidates with the best
 * partial scores (each completed by looking the terms `order[from..]` up), or 0 when fewer than k candidates are
 * live. A full score, not a partial one, as MaxScore's seed is: with common terms beside a rare one, the k-th best
 * partial score stays below what the common terms can add long after the candidates hold the top k. Uses the top k's
 * room.
 */
function seedBar(
  postings: usize,
  lengths: usize,
  scores: usize,
  docCount: u32,
  terms: usize,
  order: usize,
  from: u32,
  termCount: u32,
  normBase: f64,
  normPerLength: f64,
  deleted: usize,
  k: u32,
  topScores: usize,
  topDocs: usize,
  touched: usize,
): f64 {
  kept = 0;
  threshold = 0;
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    let bits = load<u64>(touched + (<usize>w << 3));
    while (bits != 0) {
      const doc = (w << 6) + <u32>ctz(bits);
      bits &= bits - 1;
      keep(load<f64>(scores + (<usize>doc << 3)), doc, deleted, k, topScores, topDocs);
    }
  }
  if (kept < k) return 0;
  // By document, ascending (Shell sort: k may be large), then completed term by term.
  for (let g: u32 = 0; g < 8; g++) {
    const gap = gapAt(g);
    for (let i = gap; i < k; i++) {
      const s = scoreAt(topScores, i);
      const doc = docAt(topDocs, i);
      let j = i;
      for (; j >= gap && docAt(topDocs, j - gap) > doc; j -= gap)
        put(topScores, topDocs, j, scoreAt(topScores, j - gap), docAt(topDocs, j - gap));
      put(topScores, topDocs, j, s, doc);
    }
  }
  for (let t = from; t < termCount; t++) {
    const term = terms + <usize>load<u32>(order + (<usize>t << 2)) * TERM;
    addToSeeds(postings, term, lengths, normBase, normPerLength, k, topScores, topDocs);
  }
  let least = scoreAt(topScores, 0);
  for (let i: u32 = 1; i < k; i++) least = min(least, scoreAt(topScores, i));
  return least * (1 - ROUNDING);
}

/** Shell sort's gap `g` (Ciura's, largest first; the module has no data of its own in the segment's memory). */
function gapAt(g: u32): u32 {
  if (g == 0) return 701;
  if (g == 1) return 301;
  if (g == 2) return 132;
  if (g == 3) return 57;
  if (g == 4) return 23;
  if (g == 5) return 10;
  return g == 6 ? 4 : 1;
}

/** Adds the term at `term` to the k scores at `topScores` of the documents at `topDocs` (ascending). */
function addToSeeds(
  postings: usize,
  term: usize,
  lengths: usize,
  normBase: f64,
  normPerLength: f64,
  k: u32,
  topScores: usize,
  topDocs: usize,
): void {
  let at = postings + <usize>load<u32>(term);
  const count = load<u32>(term + 4);
  const weight = load<f64>(term + 8);
  let doc: u32 = 0xffffffff;
  let i: u32 = 0;
  for (let b: u32 = 0; b < count / BLOCK && i < k; b++) {
    const lastDoc = load<u32>(at);
    const gapBits = <u32>load<u8>(at + 4);
    const tfBits = <u32>load<u8>(at + 5);
    const gaps = at + HEADER;
    const tfs = gaps + (<usize>gapBits << 4);
    if (lastDoc >= docAt(topDocs, i)) {
      const gapMask: u64 = (<u64>1 << gapBits) - 1;
      const tfMask: u64 = (<u64>1 << tfBits) - 1;
      // Decoded up to the last seed in the block only.
      let seed = docAt(topDocs, i);
      for (let p: u32 = 0, gapPos: u32 = 0; p < BLOCK; p++, gapPos += gapBits) {
        doc += <u32>((load<u64>(gaps + <usize>(gapPos >> 3)) >> <u64>(gapPos & 7)) & gapMask) + 1;
        if (doc < seed) continue;
        if (doc == seed) {
          const tfPos = p * tfBits;
          const tf = <f64>(<u32>((load<u64>(tfs + <usize>(tfPos >> 3)) >> <u64>(tfPos & 7)) & tfMask) + 1);
          const slot = topScores + (<usize>i << 3);
          store<f64>(slot, load<f64>(slot) + contribution(lengths, doc, weight, tf, normBase, normPerLength));
        }
        while (i < k && docAt(topDocs, i) <= doc) i++;
        if (i == k) return;
        seed = docAt(topDocs, i);
        if (seed > lastDoc) break;
      }
    }
    doc = lastDoc;
    at = tfs + (<usize>tfBits << 4);
  }
  for (let p: u32 = count & (BLOCK - 1); p > 0 && i < k; p--) {
    let v = varint(at);
    at += varintBytes(v);
    doc += <u32>v + 1;
    v = varint(at);
    at += varintBytes(v);
    while (i < k && docAt(topDocs, i) < doc) i++;
    if (i < k && docAt(topDocs, i) == doc) {
      const slot = topScores + (<usize>i << 3);
      store<f64>(slot, load<f64>(slot) + contribution(lengths, doc, weight, <f64>(<u32>v + 1), normBase, normPerLength));
      i++;
    }
  }
}

/** What one posting adds to its document's score. */
@inline
function contribution(lengths: usize, doc: u32, weight: f64, tf: f64, normBase: f64, normPerLength: f64): f64 {
  return (weight * tf) / (tf + normBase + normPerLength * <f64>load<u32>(lengths + (<usize>doc << 2)));
}

/** Unmarks every candidate and sets its score back to zero. */
function unmarkAll(touched: usize, scores: usize, docCount: u32): void {
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    const wordAt = touched + (<usize>w << 3);
    let bits = load<u64>(wordAt);
    while (bits != 0) {
      store<f64>(scores + (<usize>((w << 6) + <u32>ctz(bits)) << 3), 0);
      bits &= bits - 1;
    }
    store<u64>(wordAt, 0);
  }
}

/** Sets every candidate's score back to zero (they stay marked). */
function zeroMarked(touched: usize, scores: usize, docCount: u32): void {
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    let bits = load<u64>(touched + (<usize>w << 3));
    while (bits != 0) {
      store<f64>(scores + (<usize>((w << 6) + <u32>ctz(bits)) << 3), 0);
      bits &= bits - 1;
    }
  }
}

/**
 * Unmarks, and sets back to zero, every candidate whose score plus `rest` is no more than `bar`; returns how many
 * are left.
 */
function drop(touched: usize, scores: usize, docCount: u32, rest: f64, bar: f64): u32 {
  let left: u32 = 0;
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    const wordAt = touched + (<usize>w << 3);
    let bits = load<u64>(wordAt);
    let kept: u64 = bits;
    while (bits != 0) {
      const bit = ctz(bits);
      bits &= bits - 1;
      const at = scores + (<usize>((w << 6) + <u32>bit) << 3);
      if (load<f64>(at) + rest > bar) continue;
      store<f64>(at, 0);
      kept &= ~((<u64>1) << bit);
    }
    store<u64>(wordAt, kept);
    left += <u32>popcnt(kept);
  }
  return left;
}

/** The most the terms `order[from..]` can add to a document's score together. */
function boundFrom(terms: usize, order: usize, from: u32, termCount: u32): f64 {
  let sum: f64 = 0;
  for (let i = from; i < termCount; i++)
    sum += load<f64>(terms + <usize>load<u32>(order + (<usize>i << 2)) * TERM + 16);
  return sum;
}

/** Whether document `doc` is deleted (`deleted` 0: none is). */
@inline
function isDeleted(deleted: usize, doc: u32): bool {
  return deleted != 0 && (load<u8>(deleted + (<usize>doc >> 3)) & (1 << (doc & 7))) != 0;
}

/** Marks `doc` in the bitmap at `touched` (0: no bitmap). */
@inline
function mark(touched: usize, doc: u32): void {
  if (touched == 0) return;
  const at = touched + (<usize>(doc >> 6) << 3);
  store<u64>(at, load<u64>(at) | ((<u64>1) << <u64>(doc & 63)));
}

/** Whether `doc` is marked in the bitmap at `touched`. */
@inline
function marked(touched: usize, doc: u32): bool {
  return ((load<u64>(touched + (<usize>(doc >> 6) << 3)) >> <u64>(doc & 63)) & 1) != 0;
}

/** The last document in [from, to] marked in the bitmap at `touched`, or -1 when none is. */
@inline
function lastMarkedIn(touched: usize, from: u32, to: u32): i64 {
  const first = from >> 6;
  let w = to >> 6;
  let bits = load<u64>(touched + (<usize>w << 3)) & (~(<u64>0) >> <u64>(63 - (to & 63)));
  while (true) {
    if (w == first) bits &= ~(<u64>0) << <u64>(from & 63);
    if (bits != 0) return (<i64>w << 6) + 63 - <i64>clz(bits);
    if (w == first) return -1;
    w--;
    bits = load<u64>(touched + (<usize>w << 3));
  }
}

/** Adds every posting of the term at `term` to the scores, marking each document in `touched` unless it is 0. */
@inline
function addAll(
  postings: usize,
  term: usize,
  lengths: usize,
  scores: usize,
  normBase: f64,
  normPerLength: f64,
  touched: usize,
): void {
  let at = postings + <usize>load<u32>(term);
  const count = load<u32>(term + 4);
  const weight = load<f64>(term + 8);
  // The document before the current one: the first gap counts from −1.
  let doc: u32 = 0xffffffff;
  for (let b: u32 = 0; b < count / BLOCK; b++) {
    const gapBits = <u32>load<u8>(at + 4);
    const tfBits = <u32>load<u8>(at + 5);
    const gaps = at + HEADER;
    const tfs = gaps + (<usize>gapBits << 4);
    const gapMask: u64 = (<u64>1 << gapBits) - 1;
    const tfMask: u64 = (<u64>1 << tfBits) - 1;
    if (tfBits == 0) {
      // Every tf is 1 (most blocks of the rarer terms): no tf to unpack.
      for (let i: u32 = 0, gapPos: u32 = 0; i < BLOCK; i++, gapPos += gapBits) {
        doc += <u32>((load<u64>(gaps + <usize>(gapPos >> 3)) >> <u64>(gapPos & 7)) & gapMask) + 1;
        add(scores, lengths, doc, weight, 1, normBase, normPerLength);
        mark(touched, doc);
      }
    } else {
      for (let i: u32 = 0, gapPos: u32 = 0, tfPos: u32 = 0; i < BLOCK; i++, gapPos += gapBits, tfPos += tfBits) {
        doc += <u32>((load<u64>(gaps + <usize>(gapPos >> 3)) >> <u64>(gapPos & 7)) & gapMask) + 1;
        const tf = <f64>(<u32>((load<u64>(tfs + <usize>(tfPos >> 3)) >> <u64>(tfPos & 7)) & tfMask) + 1);
        add(scores, lengths, doc, weight, tf, normBase, normPerLength);
        mark(touched, doc);
      }
    }
    at = tfs + (<usize>tfBits << 4);
  }
  for (let i: u32 = count & (BLOCK - 1); i > 0; i--) {
    let v = varint(at);
    at += varintBytes(v);
    doc += <u32>v + 1;
    v = varint(at);
    at += varintBytes(v);
    add(scores, lengths, doc, weight, <f64>(<u32>v + 1), normBase, normPerLength);
    mark(touched, doc);
  }
}

/**
 * Adds the term at `term` to the scores of the documents marked in `touched` only, passing over every full block
 * that holds none by its header. A marked document whose score so far plus `rest` (the most this term and those after
 * it can add) is no more than `bar` cannot enter the top k: it is unmarked and its score set back to zero instead.
 */
function addMatching(
  postings: usize,
  term: usize,
  lengths: usize,
  scores: usize,
  normBase: f64,
  normPerLength: f64,
  touched: usize,
  rest: f64,
  bar: f64,
): void {
  let at = postings + <usize>load<u32>(term);
  const count = load<u32>(term + 4);
  const weight = load<f64>(term + 8);
  let doc: u32 = 0xffffffff;
  for (let b: u32 = 0; b < count / BLOCK; b++) {
    const lastDoc = load<u32>(at);
    const gapBits = <u32>load<u8>(at + 4);
    const tfBits = <u32>load<u8>(at + 5);
    const gaps = at + HEADER;
    const tfs = gaps + (<usize>gapBits << 4);
    const lastMarked = lastMarkedIn(touched, doc + 1, lastDoc);
    if (lastMarked >= 0) {
      // Decoded up to the block's last candidate only.
      const gapMask: u64 = (<u64>1 << gapBits) - 1;
      const tfMask: u64 = (<u64>1 << tfBits) - 1;
      for (let i: u32 = 0, gapPos: u32 = 0; i < BLOCK && <i64>(doc + 1) <= lastMarked; i++, gapPos += gapBits) {
        doc += <u32>((load<u64>(gaps + <usize>(gapPos >> 3)) >> <u64>(gapPos & 7)) & gapMask) + 1;
        if (!marked(touched, doc)) continue;
        const tfPos = i * tfBits;
        const tf = <f64>(<u32>((load<u64>(tfs + <usize>(tfPos >> 3)) >> <u64>(tfPos & 7)) & tfMask) + 1);
        addOrDrop(scores, lengths, touched, doc, weight, tf, normBase, normPerLength, rest, bar);
      }
    }
    doc = lastDoc;
    at = tfs + (<usize>tfBits << 4);
  }
  for (let i: u32 = count & (BLOCK - 1); i > 0; i--) {
    let v = varint(at);
    at += varintBytes(v);
    doc += <u32>v + 1;
    v = varint(at);
    at += varintBytes(v);
    if (marked(touched, doc))
      addOrDrop(scores, lengths, touched, doc, weight, <f64>(<u32>v + 1), normBase, normPerLength, rest, bar);
  }
}

/** Adds one posting's contribution to a candidate's score, or drops the candidate when it cannot pass `bar`. */
@inline
function addOrDrop(
  scores: usize,
  lengths: usize,
  touched: usize,
  doc: u32,
  weight: f64,
  tf: f64,
  normBase: f64,
  normPerLength: f64,
  rest: f64,
  bar: f64,
): void {
  const at = scores + (<usize>doc << 3);
  const before = load<f64>(at);
  if (before + rest <= bar) {
    store<f64>(at, 0);
    const wordAt = touched + (<usize>(doc >> 6) << 3);
    store<u64>(wordAt, load<u64>(wordAt) & ~((<u64>1) << <u64>(doc & 63)));
    return;
  }
  add(scores, lengths, doc, weight, tf, normBase, normPerLength);
}

/**
 * The k-th best score of the live documents marked in `touched` (0 when fewer than k are), found with a heap of k
 * scores at `heap`, worst first.
 */
function kthBest(touched: usize, scores: usize, docCount: u32, deleted: usize, k: u32, heap: usize): f64 {
  let size: u32 = 0;
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    let bits = load<u64>(touched + (<usize>w << 3));
    while (bits != 0) {
      const doc = (w << 6) + <u32>ctz(bits);
      bits &= bits - 1;
      const s = load<f64>(scores + (<usize>doc << 3));
      if ((size == k && s <= load<f64>(heap)) || isDeleted(deleted, doc)) continue;
      let i: u32 = 0;
      if (size < k) {
        // Up from a new last slot past every parent with a higher score.
        i = size++;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          const ps = load<f64>(heap + (<usize>parent << 3));
          if (ps <= s) break;
          store<f64>(heap + (<usize>i << 3), ps);
          i = parent;
        }
      } else {
        // Down from the root past every child with a lower score.
        while (true) {
          let child: u32 = 2 * i + 1;
          if (child >= size) break;
          if (child + 1 < size && load<f64>(heap + (<usize>(child + 1) << 3)) < load<f64>(heap + (<usize>child << 3)))
            child++;
          const cs = load<f64>(heap + (<usize>child << 3));
          if (cs >= s) break;
          store<f64>(heap + (<usize>i << 3), cs);
          i = child;
        }
      }
      store<f64>(heap + (<usize>i << 3), s);
    }
  }
  return size < k ? 0 : load<f64>(heap);
}

/**
 * Keeps the k best live documents of the scores (matching documents score above 0) and sets every score back to
 * zero. Once k are kept a newcomer must beat the worst of them. The scores are read eight at a time, compared with
 * the threshold in SIMD and set back to zero: only a group with one above the threshold is gone through one by one,
 * and most groups are below it.
 */
function readAll(scores: usize, docCount: u32, deleted: usize, k: u32, topScores: usize, topDocs: usize): u32 {
  kept = 0;
  threshold = 0;
  const zero = f64x2.splat(0);
  let doc: u32 = 0;
  for (const groups = docCount & ~7; doc < groups; doc += 8) {
    const at = scores + (<usize>doc << 3);
    const bar = f64x2.splat(threshold);
    const above = v128.or(
      v128.or(f64x2.gt(v128.load(at), bar), f64x2.gt(v128.load(at, 16), bar)),
      v128.or(f64x2.gt(v128.load(at, 32), bar), f64x2.gt(v128.load(at, 48), bar)),
    );
    if (v128.any_true(above))
      for (let i: u32 = 0; i < 8; i++) keep(load<f64>(at + (<usize>i << 3)), doc + i, deleted, k, topScores, topDocs);
    v128.store(at, zero);
    v128.store(at, zero, 16);
    v128.store(at, zero, 32);
    v128.store(at, zero, 48);
  }
  for (; doc < docCount; doc++) {
    const at = scores + (<usize>doc << 3);
    keep(load<f64>(at), doc, deleted, k, topScores, topDocs);
    store<f64>(at, 0);
  }
  return kept;
}

/** Keeps the k best live documents marked in `touched`, setting their scores back to zero and unmarking them. */
function readMarked(scores: usize, docCount: u32, touched: usize, deleted: usize, k: u32, topScores: usize, topDocs: usize): u32 {
  kept = 0;
  threshold = 0;
  const words = (docCount + 63) >> 6;
  for (let w: u32 = 0; w < words; w++) {
    const wordAt = touched + (<usize>w << 3);
    let bits = load<u64>(wordAt);
    while (bits != 0) {
      const doc = (w << 6) + <u32>ctz(bits);
      bits &= bits - 1;
      const at = scores + (<usize>doc << 3);
      keep(load<f64>(at), doc, deleted, k, topScores, topDocs);
      store<f64>(at, 0);
    }
    store<u64>(wordAt, 0);
  }
  return kept;
}

/** The top k's size and the score a newcomer must beat, while the scores are read. */
let kept: u32 = 0;
let threshold: f64 = 0;

/** Keeps document `doc` of score `s` in the top k if it is live and beats the threshold. */
@inline
function keep(s: f64, doc: u32, deleted: usize, k: u32, topScores: usize, topDocs: usize): void {
  if (s <= threshold) return;
  if (deleted != 0 && (load<u8>(deleted + (<usize>doc >> 3)) & (1 << (doc & 7))) != 0) return;
  if (kept < k) {
    siftUp(topScores, topDocs, kept++, s, doc);
    if (kept == k) threshold = scoreAt(topScores, 0);
  } else {
    siftDown(topScores, topDocs, kept, s, doc);
    threshold = scoreAt(topScores, 0);
  }
}

/** Adds one posting's contribution to its document's score. */
@inline
function add(scores: usize, lengths: usize, doc: u32, weight: f64, tf: f64, normBase: f64, normPerLength: f64): void {
  const at = scores + (<usize>doc << 3);
  store<f64>(at, load<f64>(at) + (weight * tf) / (tf + normBase + normPerLength * <f64>load<u32>(lengths + (<usize>doc << 2))));
}

/** The variable-byte number at `at` (7 bits a byte, least significant first; a set high bit means more follow). */
@inline
function varint(at: usize): u64 {
  let v: u64 = 0;
  let shift: u64 = 0;
  while (true) {
    const b = <u64>load<u8>(at++);
    v |= (b & 0x7f) << shift;
    if (b < 0x80) return v;
    shift += 7;
  }
}

/** Bytes the variable-byte number `v` takes. */
@inline
function varintBytes(v: u64): usize {
  let n: usize = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/** (a, da) ranks below (b, db): a lower score, or the same score and a later document. */
@inline
function below(a: f64, da: u32, b: f64, db: u32): bool {
  return a < b || (a == b && da > db);
}

/** Slot `i` of the heap: its score, its document, and setting both. */
@inline
function scoreAt(topScores: usize, i: u32): f64 {
  return load<f64>(topScores + (<usize>i << 3));
}
@inline
function docAt(topDocs: usize, i: u32): u32 {
  return load<u32>(topDocs + (<usize>i << 2));
}
@inline
function put(topScores: usize, topDocs: usize, i: u32, s: f64, doc: u32): void {
  store<f64>(topScores + (<usize>i << 3), s);
  store<u32>(topDocs + (<usize>i << 2), doc);
}

/** Puts (s, doc) at slot `i` of the heap and moves it up above every parent that ranks higher. */
function siftUp(topScores: usize, topDocs: usize, i: u32, s: f64, doc: u32): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const ps = scoreAt(topScores, parent);
    const pd = docAt(topDocs, parent);
    if (!below(s, doc, ps, pd)) break;
    put(topScores, topDocs, i, ps, pd);
    i = parent;
  }
  put(topScores, topDocs, i, s, doc);
}

/** Replaces the heap's worst with (s, doc), which ranks above it, and moves it down below every child that ranks lower. */
function siftDown(topScores: usize, topDocs: usize, size: u32, s: f64, doc: u32): void {
  let i: u32 = 0;
  while (true) {
    let child: u32 = 2 * i + 1;
    if (child >= size) break;
    const right: u32 = child + 1;
    if (right < size && below(scoreAt(topScores, right), docAt(topDocs, right), scoreAt(topScores, child), docAt(topDocs, child))) child = right;
    const cs = scoreAt(topScores, child);
    const cd = docAt(topDocs, child);
    if (!below(cs, cd, s, doc)) break;
    put(topScores, topDocs, i, cs, cd);
    i = child;
  }
  put(topScores, topDocs, i, s, doc);
}
