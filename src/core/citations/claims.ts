import { MarkerScanner } from '../../shared/citationMarkers';
import { endsInAbbreviation, INLINE_CODE } from './passageUnits';

/**
 * One cited number and the claim its marker closes. `ordinal` counts cited numbers over the answer from 0; `claimId`
 * counts claims, so the markers of one claim (`[1][3]`) share it.
 */
export interface ClaimMarker {
  n: number;
  ordinal: number;
  claim: string;
  claimId: number;
}

/**
 * Where one claim ends and the next begins: a blank line (LF or CRLF), a new list item, a heading (the claim after it
 * starts past its line; a marker on the heading's line cites the heading's words), a setext underline, a rule or a
 * fence line, a table cell (a `|` on a line that starts with one; an escaped `\|` is a pipe in its cell, as GFM
 * reads it), or the end of a sentence (terminal punctuation, closing quotes or brackets, then white space; not the
 * full stop of an abbreviation; Chinese and Japanese `。！？` with nothing after them). Nothing inside inline code is a boundary (`a || b`, `e.g. x`). The start of the text
 * that `claimBefore` reads opens a line only when that text starts one. A run of punctuation is matched from its start
 * only: tried from each of its marks, a long run (`.....`) took time quadratic in its length.
 */
const BOUNDARY =
  /\n[ \t\r]*\n|\n[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+|(?<=^|\n)[ \t]*(?:#{1,6}[ \t](?:[^\n]*\n)?|(?:=+|-+|`{3,}[^\n]*|~{3,}[^\n]*)[ \t\r]*\n)|(?<!\\)\||(?<![.!?])[.!?]+["'\u2019\u201d)\]]*(?=\s)|(?<![。！？])[。！？]+["'\u2019\u201d)\]」』）]*/g;
/** A boundary that only a line's start makes: a heading, an underline or rule, a fence line. */
const LINE_START_ONLY = /^[ \t]*[#=\-`~]/;
const WHITE_SPACE = /\s/;
/** Text with something to say: a letter or a digit. Markers with none between them share a claim. */
export const HAS_WORDS = /[\p{L}\p{N}]/u;

/** A marker that waits for its claim: its number and where it stands among the cited numbers. */
interface WaitingMarker {
  n: number;
  ordinal: number;
}

/**
 * Markers that come before their claim (`According to [1], …`, a list item that opens with `[2]`), and why they wait:
 * they wait for the rest of their sentence, which `since` gathers from its start, and are given it when it ends, the
 * next marker comes or the answer ends.
 * - `naming`: after words that name a source (`According to the README [1]`). They wait only if a `,` or `:` follows
 *   them (then they wait as `after` does); otherwise `naming`, those words, is their claim.
 * - `leadIn`: after a lead-in (`See [2]`). `pointsBack`, the claim before the lead-in (`Flux is 88.`), is theirs when
 *   their lead-in's sentence ends with no words after them (`See [2].`, `Source: [1].`), as a marker after a
 *   sentence's full stop cites that sentence.
 * - `after`: a block opens with them, or a lead-in that names a source ended in a `,` or `:`.
 */
type Waiting =
  | { why: 'naming'; markers: WaitingMarker[]; naming: string }
  | { why: 'leadIn'; markers: WaitingMarker[]; pointsBack: string }
  | { why: 'after'; markers: WaitingMarker[] };

/**
 * The citation since the last marker: markers that wait for their claim, or, once they were given it, where in
 * `since` that claim ended (`claimEnd`): a marker with no words after it cites that claim too (`According to [1], x
 * is y. [2]`). Undefined when neither.
 */
type Pending = Waiting | { why: 'given'; claimEnd: number };

/**
 * Finds the claim each citation marker closes, as the answer streams: the sentence, list item or table cell before
 * the marker (after the previous marker or sentence end). Adjacent markers (`[1][3]`, `[1], [3]`) share one claim.
 * A marker written after the sentence's full stop (`… cold. [2]`) closes that sentence.
 */
export class ClaimTracker {
  private readonly scanner = new MarkerScanner();
  /** The answer's text since the last marker. */
  private since = '';
  /** The claim of the last marker, and its number: the next one shares them when no words come between them. */
  private lastClaim = '';
  private claimId = 0;
  /**
   * Whether the answer's current line, up to where `since` starts, opens with a `|` (a table row; in a quote, after
   * its `>`): undefined while it holds nothing but white space and quote markers. Says whether a `|` later on that
   * line divides cells.
   */
  private tableLine: boolean | undefined;
  /** The markers that wait for their claim, or where the claim they were given ends. */
  private pending: Pending | undefined;

  push(text: string): ClaimMarker[] {
    return this.take(this.scanner.push(text));
  }

  flush(): ClaimMarker[] {
    const out = this.take(this.scanner.flush());
    const waiting = this.waiting();
    if (waiting !== undefined) {
      const claim = waiting.why === 'naming' ? waiting.naming : (this.claimSinceWaiting(waiting, true)?.claim ?? '');
      out.push(...this.give(waiting, claim));
      this.pending = undefined;
    }
    return out;
  }

  /** The markers that wait for their claim, if any. */
  private waiting(): Waiting | undefined {
    return this.pending?.why === 'given' ? undefined : this.pending;
  }

  /** The waiting markers, with `claim` (the claim before them when it has no words) as one new claim. */
  private give(waiting: Waiting, claim: string): ClaimMarker[] {
    if (HAS_WORDS.test(claim)) {
      this.lastClaim = claim;
      this.claimId++;
    }
    return waiting.markers.map(m => ({ ...m, claim: this.lastClaim, claimId: this.claimId }));
  }

  private take(pieces: ReturnType<MarkerScanner['push']>): ClaimMarker[] {
    const out: ClaimMarker[] = [];
    for (const piece of pieces) {
      if (piece.type === 'text') {
        this.since += piece.text;
        out.push(...this.takeText());
        continue;
      }
      const marker = { n: piece.n, ordinal: piece.ordinal };
      const claimEnd = this.pending?.why === 'given' ? this.pending.claimEnd : 0;
      const words = HAS_WORDS.test(this.since.slice(claimEnd).replace(POINTER, ''));
      const waiting = this.waiting();
      let next: Waiting | undefined;
      if (waiting !== undefined && !words) {
        // with no words since the waiting markers, this one waits with them
        next = { ...waiting, markers: [...waiting.markers, marker] };
      } else if (waiting !== undefined) {
        // the text since the waiting markers is their claim, which this marker cites too
        out.push(...this.give(waiting, this.claimSinceWaiting(waiting, true)?.claim ?? ''));
      } else {
        next = this.waitsFor(marker, words);
      }
      if (next === undefined) out.push({ ...marker, claim: this.lastClaim, claimId: this.claimId });
      this.passMarker();
      this.pending = next;
    }
    return out;
  }

  /** The waiting markers whose claim the text in `since` now ends, given it. */
  private takeText(): ClaimMarker[] {
    const waiting = this.waiting();
    if (waiting === undefined) return [];
    if (waiting.why === 'naming') {
      // after words that name a source, a `,` or `:` makes them a lead-in; anything else, the markers' claim
      const next = /\S/.exec(this.since)?.[0];
      if (next === undefined) return [];
      if (next !== ',' && next !== ':') {
        this.pending = undefined;
        return this.give(waiting, waiting.naming);
      }
      this.pending = { why: 'after', markers: waiting.markers };
      return this.takeText();
    }
    const claim = this.claimSinceWaiting(waiting, false);
    if (claim === undefined) return [];
    this.pending = { why: 'given', claimEnd: claim.end };
    return this.give(waiting, claim.claim);
  }

  /**
   * Whether a marker after `since`, with no markers waiting, waits for its claim (and why), or else closes the claim
   * before it, which it then makes the last claim when `words` (words came since the last marker).
   */
  private waitsFor(marker: WaitingMarker, words: boolean): Waiting | undefined {
    if (!words) return opensBlock(this.since, this.claimId, false) ? { why: 'after', markers: [marker] } : undefined;
    const before = claimBefore(this.since, this.tableLine);
    if (LEAD_IN.test(before))
      return { why: 'leadIn', markers: [marker], pointsBack: claimBefore(this.since, this.tableLine, 1) };
    if (SOURCE_LEAD_IN.test(before) && (this.claimId === 0 || opensSentence(this.since, this.tableLine)))
      return { why: 'naming', markers: [marker], naming: before };
    if (opensBlock(this.since, this.claimId, true)) return { why: 'after', markers: [marker] };
    this.lastClaim = before;
    this.claimId++;
    return undefined;
  }

  /**
   * The claim of the waiting markers and where it ends in `since`: the first claim of `since` once a boundary has
   * ended it, or, when `ends` (the sentence ends with the text so far), all of it; the claim before their lead-in when
   * their sentence ended with no words after them. Undefined while it goes on.
   */
  private claimSinceWaiting(waiting: Waiting, ends: boolean): { claim: string; end: number } | undefined {
    const pointsBack = waiting.why === 'leadIn' ? waiting.pointsBack : undefined;
    const after = firstClaim(this.since, this.tableLine, pointsBack !== undefined);
    if (after !== undefined) return { claim: after.claim ?? (pointsBack as string), end: after.end };
    if (!ends) return undefined;
    const claim = claimBefore(this.since, this.tableLine);
    return { claim: HAS_WORDS.test(claim) ? claim : (pointsBack ?? claim), end: this.since.length };
  }

  /**
   * Moves past a marker, whether it waits or not: `tableLine` says how the line `since` ended on opens, and `since`
   * starts again after the marker.
   */
  private passMarker(): void {
    const newline = this.since.lastIndexOf('\n');
    const opening = /[^\s>]/.exec(newline < 0 ? this.since : this.since.slice(newline + 1))?.[0];
    if (newline >= 0 || this.tableLine === undefined)
      this.tableLine = opening === undefined ? undefined : opening === '|';
    // a line that opens with a marker is not a table row
    this.tableLine ??= false;
    this.since = '';
  }
}

/**
 * What may stand before a marker without being its claim: a lead-in to the source (`According to [1], …`, `As
 * described in [2], …`, `See [3]: …`), whose claim is the rest of its sentence.
 */
const LEAD_IN =
  /^(?:according\s+to|as\s+(?:described|shown|noted|explained|documented|discussed|stated|said|per)(?:\s+in)?|per|see(?:\s+also)?|from|in|based\s+on|citing|sources?|refs?\.?)\s*:?$/i;

/** A word for where something is written: a document, a part of one, a file. */
const SOURCE_NOUN =
  /(?:docs?|documentation|guide|guidelines|handbook|manual|readme|changelog|faq|wiki|tutorial|spec|specification|rfc|reference|notes|paper|article|study|report|book|chapter|section|page|paragraph|table|figure|appendix|file|source|passage|excerpt|snippet|comment|docstring|example|config|configuration|post|thread)s?/
    .source;
/** A file's name (`docs/setup.md`, `README.md`) or inline code (`` `config.ts` ``). */
const FILE_NAME =
  /[\w./-]*\.(?:md|mdx|markdown|rst|txt|adoc|pdf|docx?|ipynb|json|ya?ml|toml|ini|cfg|[cm]?[jt]sx?|py|go|rs|java|cs|rb|sh)|`[^`]+`/
    .source;
/**
 * A phrase that names a source: a determiner, at most two more words, then a SOURCE_NOUN or a FILE_NAME, and perhaps
 * its number, letter or file (`the configuration guide`, `section 3`, `appendix B`, `the official Node.js docs`,
 * `` `config.ts` ``).
 */
const SOURCE_PHRASE = String.raw`(?:(?:the|this|that|these|those|its|their|our|your|[\w.-]+['\u2019]s)\s+)?(?:[\w.-]+\s+){0,2}(?:(?:${SOURCE_NOUN})\b|${FILE_NAME})(?:\s+(?:\d[\w.]*|[A-Z]\b|${FILE_NAME}))?`;
/** A verb by which a source says something (`As the guide explains`). */
const SAYS = String.raw`(?:said|explain|describe|note|say|state|show|mention|document|recommend|suggest|warn|advise|report|list|define|confirm|specifie|specify|clarifie|clarify|point)(?:s|d|ed)?(?:\s+(?:it|out))?`;

/**
 * Words before a marker that name its source rather than state a fact (`According to the README [1], …`, `As the
 * configuration guide explains [2], …`, `In the design doc [3]: …`, `See section 4 [1]: …`): with a `,` or `:` after
 * the marker, a lead-in whose claim is the rest of its sentence. Ordinary claims do not open so (`The car has wheels
 * [1], and …`).
 */
const SOURCE_LEAD_IN = new RegExp(
  String.raw`^(?:according\s+to\s.+|as\s+(?:described|shown|noted|explained|documented|discussed|stated|said|mentioned|specified|defined|outlined|detailed|listed|recommended|reported)\s+(?:in|by|on)\s.+|(?:see(?:\s+also)?|cf\.?|based\s+on|citing)\s.+|(?:in|from|per)\s+${SOURCE_PHRASE}|as\s+(?:[\w.'\u2019-]+\s+){1,4}${SAYS})\s*$`,
  'i',
);

/**
 * Whether the claim at the end of `since` (the text since the last marker) opens its sentence: a boundary comes
 * before it there.
 */
function opensSentence(since: string, tableLine: boolean | undefined): boolean {
  const text = unquoted(since, tableLine === undefined);
  const cuts = claimCuts(text, tableLine);
  return cuts.some(cut => cut > 0 && HAS_WORDS.test(text.slice(cut)));
}

/**
 * A marker at the end of the text opens a block: it is the first word of a line after a blank line, or of a list item
 * or heading (what stands before it on its line, such as `**`, holds no letter or digit), or a table row's first cell
 * (`| [3] | Doors open |`: its claim is the cells after it).
 */
const OPENS_BLOCK =
  /\n[ \t\r>]*\n[^\n\p{L}\p{N}]*$|\n[ \t>]*(?:[-*+]|\d{1,3}[.)]|#{1,6})[ \t]+[^\n\p{L}\p{N}]*$|\n[ \t>]*\|[ \t]*$/u;

/**
 * Whether a marker after `since` opens a block (a paragraph or list item that starts with it, whatever the text before
 * it says; or the answer's start, before any claim, `claimId` 0, when `since` holds no words): its claim comes after it.
 * Otherwise (`… cold. [2]`) it cites the sentence before it.
 */
function opensBlock(since: string, claimId: number, words: boolean): boolean {
  return (claimId === 0 && !words) || OPENS_BLOCK.test(since);
}

/**
 * The first claim of `text` (written after a marker that comes before its claim, so mid-line; `tableLine` says whether
 * that line opens with a `|`) once a boundary has ended it; undefined while no boundary has.
 */
export function claimAfter(quoted: string, tableLine = false): string | undefined {
  return firstClaim(quoted, tableLine, false)?.claim;
}

/**
 * `claimAfter`, with where in `quoted` the claim ends. `orNone`: a claim that a boundary ends with no words in it
 * ends the search, without a claim.
 */
function firstClaim(
  quoted: string,
  tableLine = false,
  orNone: boolean,
): { claim: string | undefined; end: number } | undefined {
  const text = unquoted(quoted, false);
  const ends: number[] = [];
  const cuts = claimCuts(text, tableLine, ends);
  for (let i = 1; i < cuts.length; i++) {
    const end = ends[i] as number;
    const piece = text.slice(cuts[i - 1], end);
    if (HAS_WORDS.test(piece)) return { claim: plainClaim(piece), end };
    if (orNone) return { claim: undefined, end };
  }
  return undefined;
}

/**
 * The claim at the end of `text`: its last clause after a boundary, or the one before when the last is empty; with
 * `skip`, the one before that many claims (the claim before a lead-in).
 * `tableLine` says whether the line that `text` continues (when it starts mid-line, after an earlier marker) opens
 * with a `|`; undefined when `text` starts a line.
 */
export function claimBefore(quoted: string, tableLine?: boolean, skip = 0): string {
  const text = unquoted(quoted, tableLine === undefined);
  const cuts = claimCuts(text, tableLine);
  for (let i = cuts.length - 1; i >= 0; i--) {
    const piece = text.slice(cuts[i], i + 1 < cuts.length ? cuts[i + 1] : undefined);
    // the piece the marker ends may open an aside that only points at the source: the claim is before it
    const words = i === cuts.length - 1 ? piece.replace(POINTER, '') : piece;
    if (HAS_WORDS.test(words) && skip-- === 0) return plainClaim(words);
  }
  return '';
}

/**
 * Where the claims of `text` (its block quote markers blanked) start: 0 and the end of each boundary. `ends` is given
 * where the claim before each of them ends: a sentence keeps its full stop, and a claim that a line's boundary ends (a
 * list item's bullet, a heading, a cell's `|`) ends before it.
 */
function claimCuts(text: string, tableLine: boolean | undefined, ends: number[] = []): number[] {
  const cuts = [0];
  ends.push(0);
  // boundaries are looked for outside inline code
  const masked = blankInlineCode(text);
  // the last newline before the current match and the first after it, walked forward with the matches: linear in the
  // text however long its lines
  let newline = -1;
  let next = masked.indexOf('\n');
  for (const m of masked.matchAll(BOUNDARY)) {
    const at = m.index ?? 0;
    // the text's start is a line's only when the text starts one: mid-line, `== x` or `## x` is no heading
    if (at === 0 && tableLine !== undefined && !m[0].startsWith('\n') && LINE_START_ONLY.test(m[0])) continue;
    while (next >= 0 && next < at) {
      newline = next;
      next = masked.indexOf('\n', next + 1);
    }
    if (m[0] === '|') {
      const table = newline < 0 ? (tableLine ?? opensWithPipe(masked, 0, at)) : opensWithPipe(masked, newline + 1, at);
      if (!table) continue;
    } else if (endsInAbbreviation(masked, at)) continue;
    cuts.push(at + m[0].length);
    ends.push(/^[.!?\u3002\uff01\uff1f]/.test(m[0]) ? at + m[0].length : at);
  }
  return cuts;
}

/** `text` with what its inline code quotes blanked, backticks kept, at the same offsets. */
function blankInlineCode(text: string): string {
  return text.replace(INLINE_CODE, code => `\`${' '.repeat(code.length - 2)}\``);
}

/** The block quote markers that open a line (`> `, `> > `), and the line's white space before them. */
const QUOTE_MARKERS = /(^|\n)([ \t]*>(?:[ \t]*>)*)/g;

/**
 * `text` with the block quote markers that open its lines blanked, at the same offsets: a quoted sentence, list item
 * or heading divides claims as it would unquoted. `atLineStart`: whether `text` opens a line (else its start is not).
 */
function unquoted(text: string, atLineStart: boolean): string {
  if (!text.includes('>')) return text;
  return text.replace(QUOTE_MARKERS, (whole, newline: string, markers: string, at: number) =>
    at === 0 && newline === '' && !atLineStart ? whole : newline + ' '.repeat(markers.length),
  );
}

/** A list bullet or number, or a heading's marks, that opens a claim. */
const LINE_MARK = /^\s*(?:[-*+]|\d{1,3}[.)]|#{1,6})\s+/;
/**
 * Emphasis marks, and a backtick that opens no code: stars and underscores that start or end a word (`2*3` and
 * `max_retries` keep theirs).
 */
const EMPHASIS = /`+|(?<![\p{L}\p{N}*_])[*_]+|[*_]+(?![\p{L}\p{N}*_])/gu;
/** A backslash escape of Markdown (`max\_retries`, `2 \* 3`): the character it escapes, as written. */
const ESCAPE = /\\([!-/:-@[-`{-~])/g;
/** Where an escaped character stands while emphasis is dropped: a private-use character per ASCII one. */
const ESCAPED_BASE = 0xe000;
const ESCAPED = /[\ue021-\ue07e]/g;

/**
 * An inline link or image (`[the guide](https://example.com/guide "Title")`): its text (group 2) is read, its
 * destination is not.
 */
const LINK = /(?<!\\)(!?\[)((?:[^\]\\\n]|\\.)*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+"[^"\n]*")?\)/g;

/**
 * A claim as people read it, on one line: without list bullets, heading marks, emphasis and links' destinations (a
 * URL's words are no part of what it says), its inline code as written (`max_retries`, `a*b`: the code's underscores
 * and stars are part of its names, and what it quotes is matched verbatim).
 */
function plainClaim(text: string): string {
  const claim = linkTexts(text.replace(LINE_MARK, ''));
  let plain = '';
  let at = 0;
  for (const code of claim.matchAll(INLINE_CODE)) {
    plain += prose(claim.slice(at, code.index)) + code[0];
    at = code.index + code[0].length;
  }
  return (plain + prose(claim.slice(at))).replace(/\s+/g, ' ').replace(LEFT_OVER, '');
}

/**
 * What a claim's start keeps of the split that made it, no part of what it says: white space, the punctuation that
 * joined it to the marker before (`[1], and …`, `[1]; …`, `[1]: …`, `[1] — …`, CJK `，；：、`) and the brackets or
 * quotes that the marker's clause closed (`(HR 0.8 [1]) and …`); a straight quote or a hyphen only before white space,
 * where it closes a quotation or stands for a dash (`"x" is thrown`, `-5 °C` keep theirs). Its end loses white space.
 */
const LEFT_OVER = /^(?:[\s,;:)\]\u2013\u2014\u2019\u201d\uff0c\uff1b\uff1a\u3001]|["'-]+(?=\s))+|\s+$/g;

/**
 * What only points at the source before a marker, no part of a claim: an aside opened by a bracket after a space that
 * holds nothing, or a word that points (`([1])`, `(see [1])`, `(source: [1])`, `(as described in [2])`); or, the whole
 * of the text after a marker, a word that joins it to the next (`[1] and [2]`, `[1], or [2]`), so both cite one
 * claim. Any other words are the claim's (`(not on Windows [1])`, `(in ms [1])`, `[1] and doors [2]`), and `f(x [1])`
 * is a call.
 */
export const POINTER =
  /(?:^|\s)[([]\s*(?:(?:see(?:\s+also)?|cf\.?|compare|sources?|refs?\.?|from|per|via|according\s+to|as\s+(?:described|shown|noted|explained|documented|discussed)\s+in)\s*:?\s*)?$|^\s*[,;]?\s*(?:and|or|&)\s*$/i;

/** `text` with each link outside inline code (a link's text may hold some) replaced by its text. */
function linkTexts(text: string): string {
  if (!text.includes('](')) return text;
  const masked = blankInlineCode(text);
  let out = '';
  let at = 0;
  for (const m of masked.matchAll(LINK)) {
    const from = m.index + (m[1] as string).length;
    out += text.slice(at, m.index) + text.slice(from, from + (m[2] as string).length);
    at = m.index + m[0].length;
  }
  return out + text.slice(at);
}

/** Text outside inline code as people read it: emphasis marks dropped, escaped characters kept as written. */
function prose(text: string): string {
  return text
    .replace(ESCAPE, (_, c: string) => String.fromCharCode(ESCAPED_BASE + c.charCodeAt(0)))
    .replace(EMPHASIS, '')
    .replace(ESCAPED, c => String.fromCharCode(c.charCodeAt(0) - ESCAPED_BASE));
}

/**
 * Whether the line that starts at `start` opens with a `|` at or before `at`: a table row, whose `|` divide cells (the
 * first opens the first cell). White space is what `ClaimTracker` skips when it reads a line's opening (and quote
 * markers, which `unquoted` blanked).
 */
function opensWithPipe(text: string, start: number, at: number): boolean {
  let i = start;
  while (i < at && WHITE_SPACE.test(text[i] as string)) i++;
  return text[i] === '|';
}
