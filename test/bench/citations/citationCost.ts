import { performance } from 'node:perf_hooks';
import type { ClaimMarker } from '../../../src/core/citations/claims';
import { CitationResolver, type CitationCheck } from '../../../src/core/citations/resolve';
import type { Passage } from '../../../src/core/passage';
import { claimFrom, codeText, passageOf, proseText, type Vocabulary } from './syntheticText';

/** Sources per answer, as ask() gives the generator (maxContext). */
export const SOURCES = 6;
/** Generated files per kind and size, from which each trial's sources are drawn. */
const POOL = 8;

/** Milliseconds per citation, sorted: `firstTouch` on passages never seen before, `warm` on passages already split. */
export interface CitationCost {
  firstTouch: number[];
  warm: number[];
  /** Warm, with checking off: the alignment in the cited passage alone. */
  warmUnchecked: number[];
}

interface Trial {
  sources: Passage[];
  marker: Pick<ClaimMarker, 'n' | 'ordinal' | 'claim'>;
}

/**
 * The cost one marker adds as the answer streams, `CitationResolver.resolve`: the claim aligned in its passage of
 * `lines` lines and, with checking on, scored against the other five sources. Each trial's sources are three
 * prose and three code files in random order; the claim comes from one of them, which it cites.
 */
export function citationCost(
  lines: number,
  trials: number,
  v: Vocabulary,
  rand: () => number,
  weight: (term: string) => number,
): CitationCost {
  const prose = Array.from({ length: POOL }, (_, i) => passageOf(`docs/guide${i}.md`, proseText(v, rand, lines)));
  const code = Array.from({ length: POOL }, (_, i) => passageOf(`src/module${i}.ts`, codeText(v, rand, lines)));
  const pick = (pool: Passage[]) => shuffle([...pool], rand).slice(0, SOURCES / 2);
  const all: Trial[] = Array.from({ length: trials }, (_, ordinal) => {
    const sources = shuffle([...pick(prose), ...pick(code)], rand);
    const n = 1 + Math.floor(rand() * SOURCES);
    return { sources, marker: { n, ordinal, claim: claimFrom(sources[n - 1] as Passage, v, rand) } };
  });
  const time = (trial: Trial, check: CitationCheck, fresh: boolean) => {
    // a copy of each passage is a passage never split before (units are cached per passage object)
    const sources = fresh ? trial.sources.map(p => ({ ...p })) : trial.sources;
    const resolver = new CitationResolver(sources, check, weight);
    const t0 = performance.now();
    if (!resolver.resolve(trial.marker)) throw new Error('a marker of the benchmark names no source');
    return performance.now() - t0;
  };
  const warmUp = all.slice(0, Math.min(20, trials));
  for (const trial of warmUp) time(trial, 'lexical', true);
  const firstTouch = all.map(trial => time(trial, 'lexical', true));
  for (const trial of all) time(trial, 'lexical', false); // splits every pooled passage once
  const warm = all.map(trial => time(trial, 'lexical', false));
  const warmUnchecked = all.map(trial => time(trial, 'off', false));
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
  return { firstTouch: sorted(firstTouch), warm: sorted(warm), warmUnchecked: sorted(warmUnchecked) };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}
