import type { Citation } from '../events';
import type { Passage } from '../passage';
import type { TermWeight } from './align';
import { ClaimTracker } from './claims';
import { analysePassage } from './passageUnits';
import { CitationResolver, type CitationCheck } from './resolve';

/**
 * Follows the answer as it streams and resolves each citation as soon as its marker is complete (its claim is
 * complete by then), so surfaces can show the exact lines while the answer is still being written.
 */
export class CitationStream {
  private readonly tracker = new ClaimTracker();
  private readonly resolver: CitationResolver;
  readonly citations: Citation[] = [];

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

  private resolveAll(markers: ReturnType<ClaimTracker['push']>): Citation[] {
    const out: Citation[] = [];
    for (const marker of markers) {
      const citation = this.resolver.resolve(marker);
      if (citation) out.push(citation);
    }
    this.citations.push(...out);
    return out;
  }
}
