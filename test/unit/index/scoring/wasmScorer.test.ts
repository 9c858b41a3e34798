import assert from 'node:assert/strict';
import { SegmentScorer, type ScorerTerm } from '../../../../src/index/scoring/wasmScorer';
import { encodePostings, firstBlockAt, POSTING_BLOCK } from '../../../../src/index/segments/postings';
import { random } from '../../../fakes/seededRandom';

interface Hit {
  score: number;
  doc: number;
}

/** Best first, then lower document first: the order both sides are compared in. */
const ranked = (hits: Hit[]): Hit[] => hits.sort((a, b) => b.score - a.score || a.doc - b.doc);

/**
 * Random terms over `docCount` documents (some lists past a block, many tfs of 1) with their lengths, a scorer over
 * them, and exhaustive scoring in JavaScript to compare it with: each term's contributions added in query order.
 */
async function randomSegment(
  seed: number,
  docCount: number,
  shares: readonly number[] = [0.02, 0.2, 0.9, 0.02, 0.2, 0.9],
  lengthOf: (next: () => number) => number = next => 1 + Math.floor(next() * 200),
  tfOf: (next: () => number) => number = next => (next() < 0.6 ? 1 : 1 + Math.floor(next() * 9)),
) {
  const next = random(seed);
  const termCount = shares.length;
  const lists = shares.map(share => {
    const docs: number[] = [];
    for (let doc = 0; doc < docCount; doc++) if (next() < share) docs.push(doc);
    return { docs, tfs: docs.map(() => tfOf(next)) };
  });
  const starts = new Uint32Array(termCount + 1);
  lists.forEach((l, t) => (starts[t + 1] = (starts[t] ?? 0) + l.docs.length));
  const { postingStarts, postings } = encodePostings(
    starts,
    Uint32Array.from(lists.flatMap(l => l.docs)),
    Uint16Array.from(lists.flatMap(l => l.tfs)),
  );
  const lengths = Uint32Array.from({ length: docCount }, () => lengthOf(next));
  const scorer = await SegmentScorer.create(postings, lengths, async () => {});
  /** The query's terms for the scorer, each bounded by exactly its largest contribution (as tight as a bound gets). */
  const terms = (ids: number[], weights: number[], normBase: number, normPerLength: number): ScorerTerm[] =>
    ids.map((t, i) => {
      const { docs, tfs } = lists[t] ?? { docs: [], tfs: [] };
      const weight = weights[i] ?? 0;
      let bound = 0;
      docs.forEach((doc, p) => {
        const tf = tfs[p] ?? 0;
        bound = Math.max(bound, (weight * tf) / (tf + normBase + normPerLength * (lengths[doc] ?? 0)));
      });
      return { blocksAt: firstBlockAt(postings, postingStarts[t] ?? 0), count: docs.length, weight, bound };
    });
  const exhaustive = (
    ids: number[],
    weights: number[],
    normBase: number,
    normPerLength: number,
    deleted: Uint8Array | undefined,
    k: number,
  ): Hit[] => {
    const scores = new Float64Array(docCount);
    ids.forEach((t, i) => {
      const { docs, tfs } = lists[t] ?? { docs: [], tfs: [] };
      const weight = weights[i] ?? 0;
      docs.forEach((doc, p) => {
        const tf = tfs[p] ?? 0;
        scores[doc] = (scores[doc] ?? 0) + (weight * tf) / (tf + normBase + normPerLength * (lengths[doc] ?? 0));
      });
    });
    const hits: Hit[] = [];
    scores.forEach((score, doc) => {
      if (score > 0 && !(deleted && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0)) hits.push({ score, doc });
    });
    return ranked(hits).slice(0, k);
  };
  return { next, scorer, terms, exhaustive, termCount };
}

describe('WebAssembly scorer', () => {
  it('keeps exactly the k best live documents of exhaustive scoring, whatever the document count and deletions', async () => {
    // Counts around the groups of 8 scores the scorer reads at a time, and past a block of postings.
    for (const docCount of [1, 7, 8, 9, 16, 17, 63, 64, 65, POSTING_BLOCK + 3, 1000, 4099]) {
      const { next, scorer, terms, exhaustive, termCount } = await randomSegment(docCount, docCount);
      // Several queries in a row on one scorer: each starts from scores set back to zero.
      for (let query = 0; query < 8; query++) {
        const ids = Array.from({ length: 1 + Math.floor(next() * 3) }, () => Math.floor(next() * termCount));
        const weights = ids.map(() => 0.5 + next() * 3);
        const deleted =
          query % 2 === 0 ? undefined : Uint8Array.from({ length: Math.ceil(docCount / 8) }, () => next() * 256);
        const k = [1, 3, 10, 5000][query % 4] ?? 10;
        const got: Hit[] = [];
        scorer.score(terms(ids, weights, 0.4, 0.003), 0.4, 0.003, deleted, Math.min(k, 1024), (score, doc) =>
          got.push({ score, doc }),
        );
        const expected = exhaustive(ids, weights, 0.4, 0.003, deleted, Math.min(k, 1024));
        assert.deepEqual(ranked(got), expected, `${docCount} documents, query ${query}`);
      }
    }
  });

  /** Randomly deleted documents (a share of them), as deletion bits. */
  const deletions = (next: () => number, docCount: number, share: number): Uint8Array => {
    const bits = new Uint8Array(Math.ceil(docCount / 8));
    for (let doc = 0; doc < docCount; doc++)
      if (next() < share) bits[doc >>> 3] = (bits[doc >>> 3] ?? 0) | (1 << (doc & 7));
    return bits;
  };

  it('prunes a query of rare and common terms to exactly the top k of exhaustive scoring, ties and deletions included', async () => {
    // Terms from a handful of documents to most of them, lists of many blocks: the rare terms are added up, the common
    // ones only looked up for their candidates, and the top k must still be every document exhaustive scoring keeps.
    const shares = [0.0015, 0.004, 0.03, 0.12, 0.35, 0.7];
    for (const seed of [1, 2, 3]) {
      const docCount = 20_000 + seed * 1000;
      const { next, scorer, terms, exhaustive } = await randomSegment(seed, docCount, shares);
      for (let query = 0; query < 40; query++) {
        // A rare term (anywhere in the query: scores are summed in query order) beside common ones.
        const ids = [0, 1, 2, 3, 4, 5].filter(() => next() < 0.5);
        if (ids.length < 2) ids.push(Math.floor(next() * 2), 3 + Math.floor(next() * 3));
        ids.sort(() => next() - 0.5);
        const weights = ids.map(t => (6 - t) * (0.5 + next()));
        const deleted = query % 3 === 0 ? deletions(next, docCount, 0.2) : undefined;
        const k = [1, 10, 10, 25, 200, 1024][query % 6] ?? 10;
        const got: Hit[] = [];
        scorer.score(terms(ids, weights, 0.3, 0.009), 0.3, 0.009, deleted, k, (score, doc) => got.push({ score, doc }));
        assert.deepEqual(
          ranked(got),
          exhaustive(ids, weights, 0.3, 0.009, deleted, k),
          `seed ${seed}, query ${query}: terms ${ids.join(' ')}, k ${k}`,
        );
      }
    }
  });

  it('keeps documents only the common terms reach when the rare terms match fewer than k', async () => {
    const { next, scorer, terms, exhaustive } = await randomSegment(11, 9000, [0.0005, 0.5, 0.8]);
    for (const k of [5, 20, 100, 1024]) {
      const ids = [0, 1, 2];
      const weights = [9, 1.2 + next(), 0.4];
      const got: Hit[] = [];
      scorer.score(terms(ids, weights, 0.3, 0.01), 0.3, 0.01, undefined, k, (score, doc) => got.push({ score, doc }));
      assert.deepEqual(ranked(got), exhaustive(ids, weights, 0.3, 0.01, undefined, k), `k ${k}`);
      assert.equal(got.length, k);
    }
  });

  it('breaks ties in index order when pruning: of equal scores the earlier documents are kept', async () => {
    // Every document of the same length and every tf 1: a document's score is fixed by which terms it holds, so
    // hundreds tie, and the k kept must be the first of them.
    const { scorer, terms, exhaustive } = await randomSegment(
      5,
      12_000,
      [0.003, 0.05, 0.4, 0.8],
      () => 40,
      () => 1,
    );
    for (const ids of [
      [0, 2, 3],
      [3, 1, 2],
      [2, 0],
      [1, 3],
    ]) {
      const weights = ids.map(t => 4 - t);
      for (const k of [1, 10, 300]) {
        const got: Hit[] = [];
        scorer.score(terms(ids, weights, 0.3, 0.02), 0.3, 0.02, undefined, k, (score, doc) => got.push({ score, doc }));
        assert.deepEqual(
          ranked(got),
          exhaustive(ids, weights, 0.3, 0.02, undefined, k),
          `terms ${ids.join(' ')}, k ${k}`,
        );
      }
    }
  });
});
