// Which sources a finished answer shows, decided once for chat, the panel and `grounded ask`.
import type { AnswerMode, Citation, Support } from '../core/events';
import { passageRef, type Passage } from '../core/passage';

/**
 * `cited`: the answer's citations, one per claim in answer order; `ranges`, the first citation of each distinct range
 * (path and lines) in the order first cited; `numbers`, each cited source number once. `written-from`: the answer
 * cites nothing, so the passages a model wrote it from are shown; search results cite every result they list, so a
 * search that cites nothing shows nothing.
 */
export type SourcesToShow<P = Passage> =
  | { kind: 'cited'; citations: Citation[]; ranges: Citation[]; numbers: number[] }
  | { kind: 'written-from'; sources: P[] };

/** What tells cited ranges apart: a citation's path and lines. */
export const rangeKey = (c: Citation): string => passageRef(c.passage, c.startLine, c.endLine);

export function sourcesToShow<P = Passage>(
  done: { citations: readonly Citation[]; mode: AnswerMode },
  sources: readonly P[],
): SourcesToShow<P> {
  if (done.citations.length === 0) return { kind: 'written-from', sources: done.mode === 'answer' ? [...sources] : [] };
  const ranges = new Map<string, Citation>();
  for (const c of done.citations) {
    const key = rangeKey(c);
    if (!ranges.has(key)) ranges.set(key, c);
  }
  return {
    kind: 'cited',
    citations: [...done.citations],
    ranges: [...ranges.values()],
    numbers: [...new Set(done.citations.map(c => c.n))],
  };
}

/**
 * What checking said of the claims that cite one range, in words: empty when each is supported (or was not checked);
 * a range cited by claims with different verdicts says how many. Chat's Sources list and the panel's say it alike.
 */
export function verdictWords(supports: readonly (Support | undefined)[]): string {
  const count = (support: Support) => supports.filter(s => s === support).length;
  const words = [
    [count('unsupported'), 'not in the source'],
    [count('partial'), 'partly supported'],
  ] as const;
  return words
    .filter(([n]) => n > 0)
    .map(([n, word]) => (n < supports.length ? `${word} for ${n} of ${supports.length} claims` : word))
    .join('; ');
}
