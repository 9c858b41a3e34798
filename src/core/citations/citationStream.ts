import type { Citation } from '../events';
import type { Passage } from '../passage';
import type { TermWeight } from './align';
import { ClaimTracker, type ClaimMarker } from './claims';
import { analysePassage } from './passageUnits';
import { CitationResolver, type CitationCheck } from './resolve';

/**
 * Follows the answer as it streams and resolves each citation as soon as its marker is complete (its claim is
 * complete by then), so surfaces can show the exact lines while the answer is still being written.
 */
export class CitationStream {
  private readonly tracker = new ClaimTracker();
  private readonly resolver: CitationResolver;
  /** Every citation so far, one per marker, in the order of their markers. */
  readonly citations: Citation[] = [];
  /** The markers of the claim being cited. */
  private claim: ClaimMarker[] = [];
  /** Where the citation of each ordinal is in `citations`. */
  private readonly at = new Map<number, number>();

  constructor(
    private readonly sources: readonly Passage[],
    check: CitationCheck,
    weight?: TermWeight,
  ) {
    this.resolver = new CitationResolver(sources, check, weight);
  }

  /**
   * Splits the sources into sentences and lines ahead of the first marker, one source per turn of the event loop,
   * while the model has not answered yet: the first citation then costs what every later one does.
   */
  async prepare(): Promise<void> {
    for (const source of this.sources) {
      await new Promise<void>(resolve => setImmediate(resolve));
      analysePassage(source);
    }
  }

  /** The citations whose markers this text completes. */
  push(text: string): Citation[] {
    return this.resolveAll(this.tracker.push(text));
  }

  /** The citations of a marker held back at the end of the stream. */
  flush(): Citation[] {
    return this.resolveAll(this.tracker.flush());
  }

  /**
   * Resolves each marker; when it is another marker of the claim before it (`[1][3]`), the claim's earlier citations
   * are judged again, now that the claim cites one more source, and those whose verdict, source or lines changed (a
   * chunk of the same file that holds the claim better) are given again.
   */
  private resolveAll(markers: readonly ClaimMarker[]): Citation[] {
    const out: Citation[] = [];
    for (const marker of markers) {
      if (this.claim[0]?.claimId !== marker.claimId) this.claim = [];
      // a number the claim cites again changes no verdict: only a new one has its earlier citations judged again
      const adds = !this.claim.some(m => m.n === marker.n);
      this.claim.push(marker);
      const cocited = this.claim.map(m => m.n);
      for (const earlier of adds ? this.claim.slice(0, -1) : []) {
        const at = this.at.get(earlier.ordinal);
        const again = at === undefined ? undefined : this.resolver.resolve(earlier, cocited);
        if (!again || at === undefined || same(again, this.citations[at])) continue;
        this.citations[at] = again;
        out.push(again);
      }
      const citation = this.resolver.resolve(marker, cocited);
      if (citation) {
        this.at.set(citation.ordinal, this.citations.length);
        this.citations.push(citation);
        out.push(citation);
      }
    }
    return out;
  }
}

/** Whether a citation judged again says what it said: the same verdict on the same lines of the same source. */
function same(a: Citation, b: Citation | undefined): boolean {
  return (
    b !== undefined && a.support === b.support && a.n === b.n && a.startLine === b.startLine && a.endLine === b.endLine
  );
}
