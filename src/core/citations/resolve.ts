import type { Citation, Support } from '../events';
import { passageRef, type Passage } from '../passage';
import { alignClaim, claimTerms, type Alignment, type ClaimTerms, type TermWeight } from './align';
import type { ClaimMarker } from './claims';
import { analysePassage } from './passageUnits';

/**
 * The verdict weighs the claim's terms by IDF and asks two things. Is the cited passage about the claim: does the
 * section that holds its lines (the part under the same heading, or all of it) hold at least a quarter of the
 * claim's weight, with no other retrieved passage that the claim does not cite holding a fifth of it more, nor a
 * fifth more of its distinct terms counted alike (two at least)? And do the lines hold its core, a tenth? Then the citation is
 * `supported`; while the section holds a tenth it is `partial`, else `unsupported`. What the section holds tells a
 * right citation from a wrong one far better than what the few chosen lines hold (claims paraphrase, and a window of
 * sentences holds only part of their words); comparing with the other passages keeps the verdict fair where claims
 * share few words with any source. The weighted share follows the claim's rarest terms, the counted one its wording:
 * a passage that shares the claim's rare name but far less of what it says about it is another topic's. Chosen on
 * the climate-fever-cite dev set so that about one right citation in seven is flagged, and checked on both halves
 * of it (docs/CITATIONS.md has the figures).
 */
export const SECTION_SUPPORTS_FROM = 0.25;
export const ELSEWHERE_MARGIN = 0.2;
export const LINES_SUPPORT_FROM = 0.1;
export const PARTIAL_FROM = 0.1;
/**
 * Another retrieved passage takes the citation when its best lines score this much higher (BM25 of the window over
 * the claim's total weight) and it holds at least as much of the claim: clearly better, not merely different.
 */
export const MOVE_MARGIN = 0.2;
/**
 * A claim that cites several chunks of one file (`[1][2]`, both of a.ts) says it with the file: each of those
 * citations takes the best lines among them when they rank this much higher (as its lines were chosen, over the
 * claim's total weight) than its own chunk's best lines. A citation of a chunk that lacks the claim moves to the
 * chunk beside it that holds it.
 */
export const SAME_FILE_MARGIN = 0.1;

export type CitationCheck = 'lexical' | 'model' | 'off';

/** One source aligned to a claim: its number (1-based), the passage, and its best lines. */
interface Aligned {
  n: number;
  passage: Passage;
  alignment: Alignment | undefined;
}

/**
 * Turns each marker into a citation: the claim aligned to the lines of its passage that support it, with a verdict.
 * With checking on, a claim that another retrieved passage clearly supports better moves there, and one that cites
 * several chunks of one file takes the best lines among them.
 */
export class CitationResolver {
  private weight: TermWeight | undefined;
  /** The last claim's sources aligned to it: its other markers (`[1][3]`) are resolved against the same. */
  private last: { claim: string; terms: ClaimTerms; aligned: (Alignment | undefined)[] } | undefined;

  constructor(
    private readonly sources: readonly Passage[],
    private readonly check: CitationCheck,
    /** IDF from the workspace index; without it, IDF over the sources' sentences and lines (worked out when needed). */
    weight?: TermWeight,
  ) {
    this.weight = weight;
  }

  /**
   * The citation of one marker; undefined when its number names no source. `cocited`: the numbers its claim cites
   * (`[1][3]` → 1, 3), whose passages say the claim together and are no rivals in the verdict.
   */
  resolve(marker: Pick<ClaimMarker, 'n' | 'ordinal' | 'claim'>, cocited: readonly number[] = []): Citation | undefined {
    const cited = this.sources[marker.n - 1];
    if (!cited) return undefined;
    const own = this.alignedTo(marker.claim, marker.n) ?? this.holdsNone(cited);
    let chosen: Aligned = { n: marker.n, passage: cited, alignment: own };
    let support: Support | undefined;
    if (this.check !== 'off' && !own) support = 'partial';
    else if (this.check !== 'off' && own) {
      const inFile = this.bestOfFile(marker, cited, own, cocited);
      // the other sources are aligned only to be compared with: moved to, or weighed against
      const all = this.sources.map((passage, i) => ({
        n: i + 1,
        passage,
        alignment: this.alignedTo(marker.claim, i + 1),
      }));
      const better = betterSource(inFile.alignment, all);
      chosen = better ?? inFile;
      const rivals = all.filter(x => x.n === chosen.n || !cocited.includes(x.n));
      support = verdict(
        better?.alignment ?? inFile.alignment,
        mostElsewhere(chosen.n, rivals),
        this.last?.terms.terms.length,
      );
    }
    const { n, passage, alignment } = chosen;
    const citation: Citation = {
      n,
      ordinal: marker.ordinal,
      passage,
      claim: marker.claim,
      startLine: alignment?.startLine ?? passage.startLine,
      endLine: alignment?.endLine ?? passage.endLine,
    };
    if (support) citation.support = support;
    if (n !== marker.n) citation.movedFrom = marker.n;
    return citation;
  }

  /**
   * Of the chunks of the cited file that the claim cites, the one whose best lines rank clearly above the cited
   * chunk's own (`SAME_FILE_MARGIN`), the highest; else the cited chunk.
   */
  private bestOfFile(
    marker: Pick<ClaimMarker, 'n' | 'claim'>,
    cited: Passage,
    own: Alignment,
    cocited: readonly number[],
  ): Aligned & { alignment: Alignment } {
    let best = { n: marker.n, passage: cited, alignment: own };
    for (const n of new Set(cocited)) {
      const passage = this.sources[n - 1];
      if (n === marker.n || !passage || passage.path !== cited.path || passage.location !== cited.location) continue;
      const a = this.alignedTo(marker.claim, n);
      if (!a || a.rank < own.rank + SAME_FILE_MARGIN || a.rank <= best.alignment.rank) continue;
      best = { n, passage, alignment: a };
    }
    return best;
  }

  /**
   * A passage with nothing to align (empty, or headings only) against the last claim: when the claim has terms, the
   * whole passage holding none of it, judged and maybe moved as any passage that holds none of it is. Undefined for
   * a claim without terms, which nothing can be judged on.
   */
  private holdsNone(passage: Passage): Alignment | undefined {
    if (!this.last || this.last.terms.total <= 0) return undefined;
    return {
      startLine: passage.startLine,
      endLine: passage.endLine,
      coverage: 0,
      sectionCoverage: 0,
      sectionTerms: 0,
      score: 0,
      rank: 0,
    };
  }

  /** Source `n` aligned to `claim` (worked out once per claim and source). */
  private alignedTo(claim: string, n: number): Alignment | undefined {
    if (this.last?.claim !== claim) {
      this.weight ??= weightsFromPassages(this.sources);
      this.last = { claim, terms: claimTerms(claim, this.weight), aligned: [] };
    }
    const { terms, aligned } = this.last;
    if (!(n - 1 in aligned)) aligned[n - 1] = alignClaim(terms, this.sources[n - 1] as Passage);
    return aligned[n - 1];
  }
}

/** The source whose best lines score clearly above the cited ones and that holds as much of the claim, if any. */
function betterSource(own: Alignment, all: readonly Aligned[]): (Aligned & { alignment: Alignment }) | undefined {
  let best: (Aligned & { alignment: Alignment }) | undefined;
  for (const other of all) {
    const a = other.alignment;
    if (!a || a === own || a.score < own.score + MOVE_MARGIN || a.sectionCoverage < own.sectionCoverage) continue;
    if (!best || a.score > best.alignment.score) best = { ...other, alignment: a };
  }
  return best;
}

/** The shares of a claim a section holds: of its weight, and of its distinct terms counted alike. */
type SectionShares = Pick<Alignment, 'sectionCoverage' | 'sectionTerms'>;

/** The largest shares of the claim, each on its own, that the section of any source but source `n` holds. */
function mostElsewhere(n: number, all: readonly Aligned[]): SectionShares {
  const most = { sectionCoverage: 0, sectionTerms: 0 };
  for (const x of all)
    if (x.n !== n && x.alignment) {
      most.sectionCoverage = Math.max(most.sectionCoverage, x.alignment.sectionCoverage);
      most.sectionTerms = Math.max(most.sectionTerms, x.alignment.sectionTerms);
    }
  return most;
}

/** Shares of a handful of terms move in steps (a fifth of five terms is one): equal ones compare as equal. */
const EPSILON = 1e-9;
/**
 * The fewest more of a claim's distinct terms another passage must hold to be its rival by wording: one more of a
 * short claim's three or four is a word of its phrasing (`From the workspace: Flux capacitor`), not another topic.
 */
const FEWEST_MORE_TERMS = 2;

/**
 * The verdict on a citation's lines, given the most of the claim that other retrieved passages' sections hold, and
 * how many distinct terms the claim has (unknown: 0, and the counted share is not compared).
 */
export function verdict(
  a: Pick<Alignment, 'coverage'> & SectionShares,
  elsewhere: SectionShares = { sectionCoverage: 0, sectionTerms: 0 },
  claimTerms = 0,
): Support {
  const moreTerms = elsewhere.sectionTerms - a.sectionTerms;
  const wordedElsewhere =
    moreTerms > ELSEWHERE_MARGIN + EPSILON && moreTerms * claimTerms >= FEWEST_MORE_TERMS - EPSILON;
  const aboutIt =
    a.sectionCoverage >= SECTION_SUPPORTS_FROM &&
    a.sectionCoverage >= elsewhere.sectionCoverage - ELSEWHERE_MARGIN - EPSILON &&
    !wordedElsewhere;
  if (aboutIt && a.coverage >= LINES_SUPPORT_FROM) return 'supported';
  return a.sectionCoverage >= PARTIAL_FROM ? 'partial' : 'unsupported';
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
