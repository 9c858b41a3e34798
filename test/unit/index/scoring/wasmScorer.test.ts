import assert from 'node:assert/strict';
import { SegmentScorer } from '../../../../src/index/scoring/wasmScorer';
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
async function randomSegment(seed: number, docCount: number) {
  const next = random(seed);
  const termCount = 6;
  const lists = Array.from({ length: termCount }, (_, t) => {
    const share = [0.02, 0.2, 0.9][t % 3] ?? 0.5;
    const docs: number[] = [];
    for (let doc = 0; doc < docCount; doc++) if (next() < share) docs.push(doc);
    return { docs, tfs: docs.map(() => (next() < 0.6 ? 1 : 1 + Math.floor(next() * 9))) };
  });
  const starts = new Uint32Array(termCount + 1);
  lists.forEach((l, t) => (starts[t + 1] = (starts[t] ?? 0) + l.docs.length));
  const { postingStarts, postings } = encodePostings(
    starts,
    Uint32Array.from(lists.flatMap(l => l.docs)),
    Uint16Array.from(lists.flatMap(l => l.tfs)),
  );
  const lengths = Uint32Array.from({ length: docCount }, () => 1 + Math.floor(next() * 200));
  const scorer = await SegmentScorer.create(postings, lengths, async () => {});
  const terms = (ids: number[], weights: number[]) =>
    ids.map((t, i) => ({
      blocksAt: firstBlockAt(postings, postingStarts[t] ?? 0),
      count: lists[t]?.docs.length ?? 0,
      weight: weights[i] ?? 0,
    }));
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
        scorer.score(terms(ids, weights), 0.4, 0.003, deleted, Math.min(k, 1024), (score, doc) =>
          got.push({ score, doc }),
        );
        const expected = exhaustive(ids, weights, 0.4, 0.003, deleted, Math.min(k, 1024));
        assert.deepEqual(ranked(got), expected, `${docCount} documents, query ${query}`);
      }
    }
  });
});
