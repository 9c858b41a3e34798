import type { SegmentedIndex } from './segments/segmentedIndex';
import { tokenize } from './terms/tokenizer';

/**
 * Term weights of an index sent in one message: the weight of each term of some texts (a question and the passages
 * that answer it) and of the index's most common terms, and what every other term weighs. A claim is written from
 * the passages, so its terms are almost all among theirs; the common terms cover the everyday words a claim adds.
 */
export interface TermWeightTable {
  terms: string[];
  weights: number[];
  /** The weight of a term the table does not list: one the index does not hold, the most a term weighs. */
  otherwise: number;
}

/** The index's terms in at least this many chunks are sent with every table (a few thousand at most). */
const COMMON_TERMS = 1024;

/** The table for `texts`' terms, as `index` analyses text, plus its COMMON_TERMS most common terms. */
export function termWeightTable(index: SegmentedIndex, texts: readonly string[]): TermWeightTable {
  const base = commonWeights(index);
  const known = new Set(base.terms);
  const terms = [...base.terms];
  const weights = [...base.weights];
  for (const text of texts)
    for (const term of tokenize(text)) {
      if (known.has(term)) continue;
      known.add(term);
      terms.push(term);
      weights.push(index.termWeight(term));
    }
  return { terms, weights, otherwise: base.otherwise };
}

const tables = new WeakMap<SegmentedIndex, { key: string; table: TermWeightTable }>();

/** The table of the common terms alone, kept until the index changes (its counts tell). */
function commonWeights(index: SegmentedIndex): TermWeightTable {
  const key = `${index.segmentList.map(s => s.id).join(',')}:${index.chunkCount}:${index.deletedCount}`;
  const kept = tables.get(index);
  if (kept?.key === key) return kept.table;
  const terms = commonTerms(index);
  const table = { terms, weights: terms.map(t => index.termWeight(t)), otherwise: index.termWeight('') };
  tables.set(index, { key, table });
  return table;
}

/** A term's weight from a table (what the host's citations call for every claim term). */
export function weightLookup(table: TermWeightTable): (term: string) => number {
  const weights = new Map<string, number>();
  table.terms.forEach((term, i) => weights.set(term, table.weights[i] ?? table.otherwise));
  return term => weights.get(term) ?? table.otherwise;
}

const common = new WeakMap<object, string[]>();

/**
 * The COMMON_TERMS terms in the most chunks of `index`'s largest segment (the common words of a corpus are common
 * in any large part of it), kept per segment: a segment never changes, so they are found once per segment.
 */
function commonTerms(index: SegmentedIndex): string[] {
  const largest = index.segmentList.reduce<SegmentedIndex['segmentList'][number] | undefined>(
    (best, s) => (!best || s.termCount > best.termCount ? s : best),
    undefined,
  );
  if (!largest) return [];
  const kept = common.get(largest);
  if (kept) return kept;
  const n = largest.termCount;
  const dfs = new Uint32Array(n);
  for (let id = 0; id < n; id++) dfs[id] = largest.documentFrequency(id);
  // The COMMON_TERMS-th highest document frequency: terms above it, then terms at it until the table is full.
  const least = n <= COMMON_TERMS ? 0 : (dfs.slice().sort()[n - COMMON_TERMS] ?? 0);
  const ids: number[] = [];
  for (let id = 0; id < n; id++) if ((dfs[id] ?? 0) > least) ids.push(id);
  for (let id = 0; id < n && ids.length < COMMON_TERMS; id++) if (dfs[id] === least) ids.push(id);
  const terms = ids.map(id => largest.data.terms.get(id));
  common.set(largest, terms);
  return terms;
}
