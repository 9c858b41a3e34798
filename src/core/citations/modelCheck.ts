import type { Citation, Support } from '../events';
import { passagePlace } from '../passage';
import { MAX_LINES } from './align';
import { sliceWhole } from '../../shared/wholeCharacters';

/** The prompt of the one model call that checks every claim of an answer against its cited lines. */
export const CHECK_SYSTEM = `You check citations. For each numbered claim you get numbered source lines; the cited ones are marked with ">".
Decide whether the cited lines support the claim. "supported": they state the claim. "partial": they state part of it. "unsupported": they do not state it, or they contradict it.
When other lines shown state the claim better, give the verdict for those lines and their first and last line numbers.
Reply with JSON only, in the form {"verdicts": ["supported", {"support": "supported", "lines": [12, 14]}, ...]}, one entry per claim, in order.`;

/** Source text quoted per claim at most, so an answer with many citations still fits a small context window. */
const QUOTE_CHARS = 1600;
/** A quoted line longer than this is cut (minified code, a table's one long row). */
const LINE_CHARS = 400;
/** Lines shown on either side of the cited ones: where the model may find lines that state the claim better. */
const CONTEXT_LINES = 4;

/** The lines shown to the checker for one claim, 1-based inclusive in the citation's numbering. */
export interface ShownLines {
  first: number;
  last: number;
}

/**
 * The check call's user message: per claim, its text and its passage's lines from a few before the cited ones to a
 * few after (cited ones marked with ">", each line numbered), within QUOTE_CHARS: the cited lines first, then the
 * lines around them, after and before in turn, while they fit; and the lines each claim shows, which bound the lines
 * the checker may give back.
 */
export function checkPrompt(citations: readonly Citation[]): { text: string; shown: ShownLines[] } {
  const shown: ShownLines[] = [];
  const text = citations
    .map((c, i) => {
      const lines = c.passage.text.split(/\r?\n/);
      const first = Math.max(c.passage.startLine, c.startLine - CONTEXT_LINES);
      const end = Math.min(c.passage.endLine, c.endLine + CONTEXT_LINES);
      const row = (n: number) =>
        `${n >= c.startLine && n <= c.endLine ? '>' : ' '} ${n}: ${sliceWhole(lines[n - c.passage.startLine] ?? '', 0, LINE_CHARS)}\n`;
      // the cited lines first (the first of them whatever its length), then context after and before them in turn:
      // long lines around them never crowd out the lines the claim is checked against
      let lo = c.startLine;
      let hi = c.startLine;
      let size = row(lo).length;
      const fits = (n: number) => size + row(n).length <= QUOTE_CHARS;
      while (hi < c.endLine && fits(hi + 1)) size += row(++hi).length;
      for (let grew = true; grew;) {
        grew = false;
        if (hi < end && fits(hi + 1)) {
          size += row(++hi).length;
          grew = true;
        }
        if (lo > first && fits(lo - 1)) {
          size += row(--lo).length;
          grew = true;
        }
      }
      let quoted = '';
      for (let n = lo; n <= hi; n++) quoted += row(n);
      shown.push({ first: lo, last: hi });
      return `Claim ${i + 1}: ${c.claim}\nSource lines (${passagePlace(c.passage)}):\n${quoted}`;
    })
    .join('\n');
  return { text, shown };
}

/** One claim's verdict, and the lines the checker found to state it better than the cited ones, if any. */
export interface CheckVerdict {
  support: Support;
  lines?: { startLine: number; endLine: number };
}

/**
 * A verdict as the checker may word it: its qualifier decides, not the word after it ("not supported" is
 * unsupported, "partially supported" partial).
 */
const VERDICT_WORD =
  /\b(?:unsupported|not\s+supported|(?:partially|partly)\s+supported|partial(?:ly)?|partly|supported)\b/gi;

function supportOf(word: string): Support {
  const w = word.toLowerCase();
  if (w === 'unsupported' || w.startsWith('not')) return 'unsupported';
  return w.startsWith('part') ? 'partial' : 'supported';
}

/**
 * Reads the checker's answer (its reply past any reasoning, as invokeWithRetry gives it) leniently:
 * `{"verdicts": [...]}`, a bare list, objects with a `support` or `verdict` field and maybe `lines: [first, last]`, or
 * one verdict word per line. Undefined unless there is exactly one readable verdict per claim. Lines are kept only
 * where they are a run of at most eight of the lines shown for that claim (`shown`, by claim); a verdict with unusable
 * lines keeps its verdict and drops the lines.
 */
export function parseVerdicts(
  answer: string,
  count: number,
  shown: readonly ShownLines[] = [],
): CheckVerdict[] | undefined {
  const asVerdict = (v: unknown, i: number): CheckVerdict | undefined => {
    const record = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    const word = typeof v === 'string' ? v : (record?.support ?? record?.verdict);
    // the verdict as the whole of its field ("Supported." too), never a word of a longer text
    const text = typeof word === 'string' ? word.trim().replace(/[.!]+$/, '') : '';
    const found = text.match(VERDICT_WORD);
    if (found?.length !== 1 || found[0] !== text) return undefined;
    const support = supportOf(text);
    const lines = linesWithin(record?.lines, shown[i]);
    return lines ? { support, lines } : { support };
  };
  for (const value of jsonValues(answer)) {
    const list = Array.isArray(value)
      ? value
      : value && typeof value === 'object'
        ? (value as { verdicts?: unknown }).verdicts
        : undefined;
    if (!Array.isArray(list)) continue;
    const verdicts = list.map(asVerdict);
    if (verdicts.length === count && verdicts.every(v => v !== undefined)) return verdicts as CheckVerdict[];
    // a list of verdicts, but not one readable verdict per claim; a list of anything else (`[1]`) is not the reply
    if (!Array.isArray(value) || verdicts.some(v => v !== undefined)) return undefined;
  }
  const words = answer.match(VERDICT_WORD) ?? [];
  return words.length === count ? words.map(w => ({ support: supportOf(w) })) : undefined;
}

/** Opening brackets tried as the start of JSON, at most: a reply holds its JSON early on. */
const JSON_TRIES = 16;

/**
 * The JSON objects and lists in `text`, in order: each balanced run from a `{` or `[` (brackets inside strings not
 * counted) that parses, without what follows it ("{...} Note: claim {2} is weak" gives the object).
 */
function* jsonValues(text: string): Generator<unknown> {
  let tries = 0;
  for (const opening of text.matchAll(/[{[]/g)) {
    if (tries++ >= JSON_TRIES) return;
    const end = balancedEnd(text, opening.index);
    if (end < 0) continue;
    try {
      yield JSON.parse(text.slice(opening.index, end)) as unknown;
    } catch {
      // not JSON: a later bracket may open some
    }
  }
}

/** The offset after the bracket that closes the one at `start`, or -1 when none does. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * `[first, last]` as a cited range, when both are whole numbers within `shown` and span at most MAX_LINES, as many
 * lines as a window of alignment holds.
 */
function linesWithin(value: unknown, shown: ShownLines | undefined): CheckVerdict['lines'] | undefined {
  if (!shown || !Array.isArray(value) || value.length < 1 || value.length > 2) return undefined;
  const [startLine, endLine = startLine] = value as unknown[];
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine)) return undefined;
  const s = startLine as number;
  const e = endLine as number;
  if (s > e || s < shown.first || e > shown.last || e - s + 1 > MAX_LINES) return undefined;
  return { startLine: s, endLine: e };
}
