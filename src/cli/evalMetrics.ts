/** Relevance judgments: query id → document id → graded relevance (relevant when > 0). */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** One retrieved document of a run. */
export interface RunEntry {
  doc: string;
  score: number;
}

/** A run: query id → retrieved documents (any order; `trecOrder` decides). */
export type Run = ReadonlyMap<string, readonly RunEntry[]>;

export interface RetrievalMetrics {
  ndcgAt10: number;
  mrrAt10: number;
  recallAt10: number;
  recallAt100: number;
}

export const METRIC_LABELS: Readonly<Record<keyof RetrievalMetrics, string>> = {
  ndcgAt10: 'nDCG@10',
  mrrAt10: 'MRR@10',
  recallAt10: 'Recall@10',
  recallAt100: 'Recall@100',
};

/** trec_eval's order: score descending, then document id descending (string order). */
export function trecOrder(entries: readonly RunEntry[]): RunEntry[] {
  return [...entries].sort((a, b) => b.score - a.score || (a.doc < b.doc ? 1 : a.doc > b.doc ? -1 : 0));
}

/** The metrics of one query; `judged` are that query's qrels. */
export function queryMetrics(entries: readonly RunEntry[], judged: ReadonlyMap<string, number>): RetrievalMetrics {
  const ranked = trecOrder(entries);
  const relevantCount = [...judged.values()].filter(g => g > 0).length;
  let dcg = 0;
  let firstRelevant = 0;
  let foundAt10 = 0;
  let foundAt100 = 0;
  for (let i = 0; i < Math.min(ranked.length, 100); i++) {
    const gain = judged.get(ranked[i]?.doc ?? '') ?? 0;
    if (gain <= 0) continue;
    if (i < 10) {
      dcg += gain / Math.log2(i + 2);
      foundAt10++;
      if (firstRelevant === 0) firstRelevant = i + 1;
    }
    foundAt100++;
  }
  const ideal = [...judged.values()].filter(g => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(ideal.length, 10); i++) idcg += (ideal[i] ?? 0) / Math.log2(i + 2);
  return {
    ndcgAt10: idcg > 0 ? dcg / idcg : 0,
    mrrAt10: firstRelevant > 0 ? 1 / firstRelevant : 0,
    recallAt10: relevantCount > 0 ? foundAt10 / relevantCount : 0,
    recallAt100: relevantCount > 0 ? foundAt100 / relevantCount : 0,
  };
}

/**
 * Means over every query in the qrels that has a relevant document (as trec_eval -c: a query without results scores
 * 0; as trec_eval, a query whose judgements are all 0 is left out, since nothing it could find would count).
 */
export function evaluateRun(run: Run, qrels: Qrels): { mean: RetrievalMetrics; queries: number } {
  const sum: RetrievalMetrics = { ndcgAt10: 0, mrrAt10: 0, recallAt10: 0, recallAt100: 0 };
  let queries = 0;
  for (const [queryId, judged] of qrels) {
    if (![...judged.values()].some(grade => grade > 0)) continue;
    const m = queryMetrics(run.get(queryId) ?? [], judged);
    sum.ndcgAt10 += m.ndcgAt10;
    sum.mrrAt10 += m.mrrAt10;
    sum.recallAt10 += m.recallAt10;
    sum.recallAt100 += m.recallAt100;
    queries++;
  }
  const n = queries || 1;
  return {
    mean: {
      ndcgAt10: sum.ndcgAt10 / n,
      mrrAt10: sum.mrrAt10 / n,
      recallAt10: sum.recallAt10 / n,
      recallAt100: sum.recallAt100 / n,
    },
    queries,
  };
}

/** A TREC run file: `qid Q0 docid rank score tag`, one line per retrieved document, in trec_eval order. */
export function formatTrecRun(run: Run, tag = 'grounded'): string {
  const lines: string[] = [];
  for (const [queryId, entries] of run) {
    trecOrder(entries).forEach((e, i) => lines.push(`${queryId} Q0 ${e.doc} ${i + 1} ${e.score} ${tag}`));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
