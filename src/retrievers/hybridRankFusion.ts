import type { Passage } from '../core/passage';

/** The usual RRF constant: it damps the head of each list so one engine's #1 cannot outvote agreement. */
export const RRF_K = 60;

/**
 * Reciprocal-rank fusion: each passage scores Σ 1 / (RRF_K + rank) over the lists it appears in (rank from 1),
 * so rankings on different scales (BM25, ts_rank, cosine) combine without calibration. Ties keep first-list order.
 */
export function fuseByReciprocalRank(lists: readonly (readonly Passage[])[], k: number, rrfK = RRF_K): Passage[] {
  return fuseRankings(lists, p => p.id, k, rrfK).map(({ item, score }) => ({ ...item, score }));
}

/** The same fusion over any ranked items with an id (passages, or documents in `grounded eval`). */
export function fuseRankings<T>(
  lists: readonly (readonly T[])[],
  id: (item: T) => string,
  k: number,
  rrfK = RRF_K,
): { item: T; score: number }[] {
  const fused = new Map<string, { item: T; score: number; order: number }>();
  let order = 0;
  for (const list of lists) {
    list.forEach((item, rank) => {
      const key = id(item);
      const entry = fused.get(key) ?? { item, score: 0, order: order++ };
      entry.score += 1 / (rrfK + rank + 1);
      fused.set(key, entry);
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, k)
    .map(({ item, score }) => ({ item, score }));
}

/** What a fused search says when it answers from its keyword ranking alone: that ranking, and why. */
export const keywordsOnly = (ranking: string, failure: string): string =>
  `Searching by keywords only (${ranking}), as the embeddings failed: ${failure}`;

/** Why a search that did not wait for the workspace's first embedding ranks by keywords alone. */
export const stillEmbedding = (model: string): string =>
  `Searching by keywords only while ${model} embeds the workspace for the first time; a search in a few minutes ranks by meaning too.`;

/** Why a question whose vector is all zeros is not ranked by it: such a vector has no direction. */
export const zeroQuestionVector = (model: string): string =>
  `${model} gave the question a vector of zeros, which ranks nothing.`;
