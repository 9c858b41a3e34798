import type { Citation, Support } from '../events';
import { passageRef, type Passage } from '../passage';
import { alignClaim, claimTerms, type Alignment, type ClaimTerms, type TermWeight } from './align';
import type { ClaimMarker } from './claims';
import { analysePassage } from './passageUnits';

/**
 * The coverage (IDF-weighted share of the claim's terms that the aligned lines hold) from which a citation is
 * `supported`, and from which it is at least `partial`. Chosen on the climate-fever-cite dev set, trading right
 * citations flagged against wrong ones let through (docs/CITATIONS.md has the distributions and the figures).
 */
export const SUPPORTED_FROM = 0.2;
export const PARTIAL_FROM = 0.1;
/**
 * Another retrieved passage takes the citation when its best lines score this much higher (BM25 of the window over
 * the claim's total weight): clearly better, not merely different.
 */
export const MOVE_MARGIN = 0.2;

export type CitationCheck = 'lexical' | 'model' | 'off';

/**
 * Turns each marker into a citation: the claim aligned to the lines of its passage that support it, with a verdict.
 * With checking on, a claim that another retrieved passage clearly supports better moves there.
 */
export class CitationResolver {
  private weight: TermWeight | undefined;

  constructor(
    private readonly sources: readonly Passage[],
    private readonly check: CitationCheck,
    /** IDF from the workspace index; without it, IDF over the sources' sentences and lines (worked out when needed). */
    weight?: TermWeight,
  ) {
    this.weight = weight;
  }

  /** The citation of one marker; undefined when its number names no source. */
  resolve(marker: ClaimMarker): Citation | undefined {
    const cited = this.sources[marker.n - 1];
    if (!cited) return undefined;
    this.weight ??= weightsFromPassages(this.sources);
    const terms = claimTerms(marker.claim, this.weight);
    let n = marker.n;
    let passage = cited;
    let alignment = alignClaim(terms, cited);
    let movedFrom: number | undefined;
    if (this.check !== 'off' && alignment) {
      const better = this.betterSource(terms, marker.n, alignment.score);
      if (better) {
        movedFrom = marker.n;
        ({ n, passage, alignment } = better);
      }
    }
    const citation: Citation = {
      n,
      ordinal: marker.ordinal,
      passage,
      claim: marker.claim,
      startLine: alignment?.startLine ?? passage.startLine,
      endLine: alignment?.endLine ?? passage.endLine,
    };
    if (this.check !== 'off') citation.support = alignment ? verdict(alignment.coverage) : 'partial';
    if (movedFrom !== undefined) citation.movedFrom = movedFrom;
    return citation;
  }

  /** The source whose best lines score clearly above the cited passage's, if any (the best such), aligned. */
  private betterSource(
    terms: ClaimTerms,
    n: number,
    score: number,
  ): { n: number; passage: Passage; alignment: Alignment } | undefined {
    let best: { n: number; passage: Passage; alignment: Alignment } | undefined;
    this.sources.forEach((passage, i) => {
      if (i + 1 === n) return;
      const alignment = alignClaim(terms, passage);
      if (!alignment || alignment.score < score + MOVE_MARGIN) return;
      if (!best || alignment.score > best.alignment.score) best = { n: i + 1, passage, alignment };
    });
    return best;
  }
}

export function verdict(coverage: number): Support {
  return coverage >= SUPPORTED_FROM ? 'supported' : coverage >= PARTIAL_FROM ? 'partial' : 'unsupported';
}

/** BM25's IDF over the sources' units as documents: the weights to use when no index statistics are at hand. */
export function weightsFromPassages(sources: readonly Passage[]): TermWeight {
  const analyses = sources.map(analysePassage);
  const count = analyses.reduce((a, x) => a + x.units.length, 0);
  // a term's postings list holds two numbers per unit it occurs in
  return term =>
    idf(
      count,
      analyses.reduce((df, x) => df + (x.postings.get(term)?.length ?? 0) / 2, 0),
    );
}

export function idf(documents: number, df: number): number {
  return Math.log(1 + (documents - df + 0.5) / (df + 0.5));
}

/** The cited lines' text, 1-based inclusive, from the passage that holds them. */
export function citedText(c: Pick<Citation, 'passage' | 'startLine' | 'endLine'>): string {
  const lines = c.passage.text.split(/\r?\n/);
  return lines.slice(c.startLine - c.passage.startLine, c.endLine - c.passage.startLine + 1).join('\n');
}

/** The cited lines as a passage of their own: what a surface opens, and what is re-found when the file changed. */
export function citedSpan(c: Pick<Citation, 'passage' | 'startLine' | 'endLine'>): Passage {
  if (c.startLine === c.passage.startLine && c.endLine === c.passage.endLine) return c.passage;
  return {
    ...c.passage,
    id: passageRef(c.passage, c.startLine, c.endLine),
    startLine: c.startLine,
    endLine: c.endLine,
    text: citedText(c),
  };
}
