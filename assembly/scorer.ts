// AssemblyScript: BM25 term-at-a-time over one segment, compiled to WebAssembly (src/index/scoring/scorerWasm.ts holds
// the result; `npm run build:wasm` rebuilds it). Each segment has its own memory, laid out by
// src/index/scoring/wasmScorer.ts: the segment's postings (documents, term frequencies), its documents' lengths, one
// score per document (zero between queries), its deletion bits, the query's terms and room for the top k. A query with
// common terms adds every posting of its terms into the scores — a loop with no branch, which WebAssembly runs faster
// than MaxScore walks the same lists in JavaScript — then reads the scores once, in document order,
// keeping the k best.

/**
 * Adds each of the `termCount` terms described at `terms` (16 bytes each: first posting, end, weight as f64) to the
 * scores: weight · tf / (tf + normBase + normPerLength · length), summed in the order given (as exhaustive scoring
 * sums them, so every score is the same to the bit). Then keeps the k best live documents at `topScores` /
 * `topDocs` — a heap, worst first: by score, then by document (a later document never displaces an equal score) —
 * and sets every score back to zero. Returns how many it kept.
 */
export function score(
  docs: usize,
  tfs: usize,
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
): u32 {
  for (let t: u32 = 0; t < termCount; t++) {
    const term = terms + (<usize>t << 4);
    const end = load<u32>(term + 4);
    const weight = load<f64>(term + 8);
    for (let p = load<u32>(term); p < end; p++) {
      const doc = load<u32>(docs + (<usize>p << 2));
      const tf = <f64>load<u16>(tfs + (<usize>p << 1));
      const at = scores + (<usize>doc << 3);
      store<f64>(at, load<f64>(at) + (weight * tf) / (tf + normBase + normPerLength * <f64>load<u32>(lengths + (<usize>doc << 2))));
    }
  }
  let size: u32 = 0;
  // Matching documents score above 0; once k are kept, a newcomer must beat the worst of them.
  let threshold: f64 = 0;
  for (let doc: u32 = 0; doc < docCount; doc++) {
    const at = scores + (<usize>doc << 3);
    const s = load<f64>(at);
    store<f64>(at, 0);
    if (s <= threshold) continue;
    if (deleted != 0 && (load<u8>(deleted + (<usize>doc >> 3)) & (1 << (doc & 7))) != 0) continue;
    if (size < k) {
      siftUp(topScores, topDocs, size++, s, doc);
      if (size == k) threshold = scoreAt(topScores, 0);
    } else {
      siftDown(topScores, topDocs, size, s, doc);
      threshold = scoreAt(topScores, 0);
    }
  }
  return size;
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
