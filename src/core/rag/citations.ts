import type { Citation } from '../events';
import type { Passage } from '../passage';

/** `[3]` or `[1, 4]`: the markers the generator is told to write. */
const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
/** A tail that may still become a marker when the next token arrives. */
const OPEN_TAIL = /\[[\d,\s]{0,16}$/;

/** The passages an answer cites, in order of first mention; numbers outside 1..n are dropped. */
export function parseCitations(answer: string, sources: readonly Passage[]): Citation[] {
  const seen = new Set<number>();
  const citations: Citation[] = [];
  for (const match of answer.matchAll(MARKER)) {
    for (const n of numbers(match[1] ?? '')) {
      const passage = sources[n - 1];
      if (passage && !seen.has(n)) {
        seen.add(n);
        citations.push({ n, passage });
      }
    }
  }
  return citations;
}

export type Segment = { type: 'text'; text: string } | { type: 'cite'; n: number; passage: Passage };

/**
 * Turns streamed text into text and citation segments, holding back a possible marker split across
 * tokens (`[` + `2]`) until it is complete. Invented numbers are removed from the text.
 */
export class CitationSegmenter {
  private pending = '';

  constructor(private readonly sources: readonly Passage[]) {}

  push(text: string): Segment[] {
    this.pending += text;
    const tail = OPEN_TAIL.exec(this.pending);
    const ready = tail ? this.pending.slice(0, tail.index) : this.pending;
    this.pending = tail ? this.pending.slice(tail.index) : '';
    return this.split(ready);
  }

  /** Everything held back, at the end of the stream. */
  flush(): Segment[] {
    const rest = this.pending;
    this.pending = '';
    return this.split(rest);
  }

  private split(text: string): Segment[] {
    const out: Segment[] = [];
    let last = 0;
    for (const match of text.matchAll(MARKER)) {
      const before = text.slice(last, match.index);
      if (before) out.push({ type: 'text', text: before });
      for (const n of numbers(match[1] ?? '')) {
        const passage = this.sources[n - 1];
        if (passage) out.push({ type: 'cite', n, passage });
      }
      last = (match.index ?? 0) + match[0].length;
    }
    const after = text.slice(last);
    if (after) out.push({ type: 'text', text: after });
    return out;
  }
}

function numbers(list: string): number[] {
  return list.split(',').map(s => Number.parseInt(s.trim(), 10)).filter(n => Number.isInteger(n));
}
