import { citedText } from '../core/citations/resolve';
import type { Citation } from '../core/events';
import { passagePlace } from '../core/passage';
import { ownHeading } from '../core/searchResults';
import type { CitationView } from '../shared/messages';
import { sliceWhole } from '../shared/wholeCharacters';

/** The hover shows at most this much of the cited lines: enough to recognise them, small enough for a tooltip. */
export const EXCERPT_LINES = 8;
export const EXCERPT_CHARS = 400;

/** A citation as plain data for the webview: where its lines are, what they are said to support, and how well. */
export function toCitationView(c: Citation): CitationView {
  const view: CitationView = {
    ordinal: c.ordinal,
    n: c.n,
    path: passagePlace(c.passage),
    startLine: c.startLine,
    endLine: c.endLine,
    claim: c.claim,
    excerpt: excerptOf(citedText(c)),
  };
  const heading = ownHeading(c.passage, c.startLine - c.passage.startLine);
  if (heading) view.heading = heading;
  if (c.support) view.support = c.support;
  if (c.movedFrom !== undefined) view.movedFrom = c.movedFrom;
  return view;
}

/** The first lines of a text, cut at EXCERPT_LINES lines or EXCERPT_CHARS characters, with `…` where it was cut. */
export function excerptOf(text: string): string {
  const lines = text.split(/\r?\n/);
  let excerpt = lines.slice(0, EXCERPT_LINES).join('\n');
  let cut = lines.length > EXCERPT_LINES;
  if (excerpt.length > EXCERPT_CHARS) {
    excerpt = sliceWhole(excerpt, 0, EXCERPT_CHARS);
    cut = true;
  }
  return cut ? `${excerpt.trimEnd()}…` : excerpt;
}
