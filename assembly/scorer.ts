// AssemblyScript: BM25 term-at-a-time over one segment, compiled to WebAssembly (src/index/scoring/scorerWasm.ts holds
// the result; `npm run build:wasm` rebuilds it). Each segment has its own memory, laid out by
// src/index/scoring/wasmScorer.ts: the segment's compressed postings (src/index/segments/postings.ts describes the
// layout), its documents' lengths, one score per document (zero between queries), its deletion bits, the query's
// terms and room for the top k. A query with common terms decodes every block of its terms and adds each posting into
// the scores — a loop with no branch per posting, which WebAssembly runs faster than MaxScore walks the same lists in
// JavaScript — then reads the scores once, in document order, keeping the k best.

/** Postings in a full block; its header: last document (u32), gap and tf bit widths (u8 each). */
const BLOCK: u32 = 128;
const HEADER: usize = 6;

/**
 * Adds each of the `termCount` terms described at `terms` (16 bytes each: its first block's offset in the postings,
 * its posting count, weight as f64) to the scores: weight · tf / (tf + normBase + normPerLength · length), summed in
 * the order given (as exhaustive scoring sums them, so every score is the same to the bit). Then keeps the k best live
 * documents at `topScores` / `topDocs` — a heap, worst first: by score, then by document (a later document never
 * displaces an equal score) — and sets every score back to zero. Returns how many it kept.
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
): u32 {
  for (let t: u32 = 0; t < termCount; t++) {
    const term = terms + (<usize>t << 4);
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
        }
      } else {
        for (let i: u32 = 0, gapPos: u32 = 0, tfPos: u32 = 0; i < BLOCK; i++, gapPos += gapBits, tfPos += tfBits) {
          doc += <u32>((load<u64>(gaps + <usize>(gapPos >> 3)) >> <u64>(gapPos & 7)) & gapMask) + 1;
          const tf = <f64>(<u32>((load<u64>(tfs + <usize>(tfPos >> 3)) >> <u64>(tfPos & 7)) & tfMask) + 1);
          add(scores, lengths, doc, weight, tf, normBase, normPerLength);
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
    }
  }
  // Matching documents score above 0; once k are kept, a newcomer must beat the worst of them. The scores are read
  // eight at a time, compared with the threshold in SIMD and set back to zero: only a group with one above the
  // threshold is gone through one by one, and most groups are below it.
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

/** The top k's size and the score a newcomer must beat, while `score` reads the scores. */
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
