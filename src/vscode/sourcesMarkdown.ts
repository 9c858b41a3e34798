import { passageLabel, type Passage } from '../core/passage';
import { escapeName } from '../shared/terminalText';
import { toStoredPassage } from './storedPassage';

/** One distinct cited range of an answer, and the final verdict on the claims that cite it, in words. */
export interface CitedRange {
  span: Passage;
  /** Absent when every claim that cites the range is supported (or was not checked). */
  verdict?: string;
}

/** Opens a cited range from a link in a chat answer; not in the palette. */
export const OPEN_CITATION = 'grounded.openCitation';

/**
 * Text shown as written, on one line: control characters as escapes (`\n`), so a file name with a blank line in it
 * cannot end the paragraph and spill a link's arguments as text, then every ASCII punctuation character escaped,
 * so a name starts no link, emphasis, heading, HTML or entity (`&lt;` stays as written).
 */
const escapeMarkdown = (text: string): string => escapeName(text).replace(/[!-/:-@[-`{-~]/g, c => `\\${c}`);

/**
 * A command link's argument: URI-encoded JSON with its parentheses encoded too, which `encodeURIComponent` leaves
 * as they are and which would end the markdown link early (a heading such as `Step 1) Install`).
 */
export function commandArgs(args: unknown[]): string {
  return encodeURIComponent(JSON.stringify(args)).replace(/[()]/g, c => (c === '(' ? '%28' : '%29'));
}

/**
 * The cited ranges as one line of markdown links under a chat answer (`label` says what they are), each followed by
 * its verdict where its lines do not support what cites them: with the model check the final verdicts arrive after
 * the answer's anchors were written, so this is where chat shows them.
 */
export function sourcesMarkdown(ranges: readonly CitedRange[], label: string): string {
  const links = ranges.map(({ span, verdict }) => {
    const place = passageLabel(span, span.startLine, span.endLine);
    const link = `[${escapeMarkdown(place)}](command:${OPEN_CITATION}?${commandArgs([toStoredPassage(span)])})`;
    return verdict ? `${link} — *${escapeMarkdown(verdict)}*` : link;
  });
  return `\n\n**${label}:** ${links.join(' · ')}`;
}
