import { IdentifierTable } from './identifierTable';
import { IDENTIFIER } from './tokenizer';

const SEPARATOR = 0;
const ALNUM = 1;
const UNDERSCORE = 2;
const QUOTE = 3;
/** Classes of the ASCII characters; anything from 128 up is looked at case by case. */
const ASCII = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII[c] = ALNUM;
for (let c = 65; c <= 90; c++) ASCII[c] = ALNUM;
for (let c = 97; c <= 122; c++) ASCII[c] = ALNUM;
ASCII[95] = UNDERSCORE;
ASCII[39] = QUOTE;

const RIGHT_QUOTE = 0x2019;
const LOWER_S = 115;
const UNDERSCORE_CODE = 95;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** `\b` in a /u regex without /i: only [A-Za-z0-9_] are word characters. */
const isWordChar = (c: number): boolean => c < 128 && (ASCII[c] === ALNUM || ASCII[c] === UNDERSCORE);

/**
 * Finds the matches of `IDENTIFIER` in a text as [start, end) positions, without allocating a string per match:
 * the tokenizer's hot loop. ASCII text (nearly all code) is scanned by character codes; a stretch holding other
 * characters (a span between ASCII separators) is handed to the regex itself, so Unicode letters, marks and
 * numbers are matched exactly as `IDENTIFIER` defines them. Both ways give the same matches as
 * `text.match(IDENTIFIER)`: no match crosses an ASCII separator, and the regex looks at nothing before a match.
 */
export class IdentifierScanner {
  /** The current match, valid after `next()` returned true. */
  start = 0;
  end = 0;
  /** `IdentifierTable.hash(text, start, end)` of the current match, computed while scanning (one pass less). */
  hash = 0;
  private text = '';
  private at = 0;
  /** While matching a non-ASCII span with the regex: its end in `text` (else -1), its start and its text. */
  private spanEnd = -1;
  private spanStart = 0;
  private spanText = '';
  private readonly regex = new RegExp(IDENTIFIER.source, IDENTIFIER.flags);

  reset(text: string): void {
    this.text = text;
    this.at = 0;
    this.spanEnd = -1;
  }

  /** Moves to the next identifier; false at the end of the text. */
  next(): boolean {
    if (this.spanEnd >= 0 && this.nextInSpan()) return true;
    const text = this.text;
    const n = text.length;
    let i = this.at;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c >= 128) {
        if (c === RIGHT_QUOTE) i++;
        else return this.enterSpan(i);
        continue;
      }
      if (ASCII[c] !== ALNUM) {
        i++;
        continue;
      }
      const start = i;
      let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
      // The core: letters/digits, then any number of (underscores, letters/digits).
      for (;;) {
        i++;
        while (i < n && (c = text.charCodeAt(i)) < 128 && ASCII[c] === ALNUM) {
          h = Math.imul(h ^ c, FNV_PRIME);
          i++;
        }
        if (i >= n) break;
        if (c >= 128) {
          if (c === RIGHT_QUOTE) break;
          return this.enterSpan(start);
        }
        if (c !== UNDERSCORE_CODE) break;
        let j = i + 1;
        while (j < n && text.charCodeAt(j) === UNDERSCORE_CODE) j++;
        if (j >= n) break;
        c = text.charCodeAt(j);
        if (c >= 128) {
          if (c === RIGHT_QUOTE) break;
          return this.enterSpan(start);
        }
        if (ASCII[c] !== ALNUM) break;
        for (; i < j; i++) h = Math.imul(h ^ UNDERSCORE_CODE, FNV_PRIME);
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      // A possessive `'s` at a word boundary belongs to the match (the analysis drops it).
      let end = i;
      if (i + 1 < n && text.charCodeAt(i + 1) === LOWER_S) {
        const quote = text.charCodeAt(i);
        if ((quote === 39 || quote === RIGHT_QUOTE) && (i + 2 >= n || !isWordChar(text.charCodeAt(i + 2)))) {
          end = i + 2;
          h = Math.imul(Math.imul(h ^ quote, FNV_PRIME) ^ LOWER_S, FNV_PRIME);
        }
      }
      this.hash = h;
      this.start = start;
      this.end = end;
      this.at = end;
      return true;
    }
    this.at = n;
    return false;
  }

  /** Starts matching the span that begins at `from` (up to the next ASCII separator) with the regex. */
  private enterSpan(from: number): boolean {
    const text = this.text;
    let j = from;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c < 128 && ASCII[c] === SEPARATOR) break;
    }
    this.spanStart = from;
    this.spanEnd = j;
    this.spanText = text.slice(from, j);
    this.regex.lastIndex = 0;
    return this.nextInSpan() || this.next();
  }

  private nextInSpan(): boolean {
    const m = this.regex.exec(this.spanText);
    if (m === null) {
      this.at = this.spanEnd;
      this.spanEnd = -1;
      return false;
    }
    this.start = this.spanStart + m.index;
    this.end = this.start + m[0].length;
    this.hash = IdentifierTable.hash(this.text, this.start, this.end);
    return true;
  }
}
