import { findLines } from './lineOffsets';

const SPACE = 32;
const TAB = 9;

/**
 * A text's lines as offsets into it: no string per line until one is asked for (`line`). The chunker reads lines
 * through this, so a build makes a few strings per chunk instead of one per line of every file. Lines are
 * `splitLines`' lines: BOM dropped, CRLF/CR/LF each end one, a final break starts no extra line. A line number
 * outside the text reads as an empty line.
 */
export class TextLines {
  readonly length: number;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  /** Whether some break is two characters (CRLF): only then do the offsets not give a span's size at once. */
  private readonly crlf: boolean;

  constructor(readonly text: string) {
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    ({ starts: this.starts, ends: this.ends } = findLines(text.length, bom, (code, from) =>
      text.indexOf(code === 13 ? '\r' : '\n', from),
    ));
    this.length = this.starts.length;
    this.crlf = text.includes('\r\n');
  }

  /** Line `i` (0-based), without its break. */
  line(i: number): string {
    return this.text.slice(this.starts[i] ?? 0, this.ends[i] ?? 0);
  }

  /** Lines [start, end) joined by '\n' (one slice when their breaks are all LF already). */
  join(start: number, end: number): string {
    if (end <= start) return '';
    const from = this.starts[start] ?? 0;
    const to = this.ends[end - 1] ?? 0;
    const cr = this.text.indexOf('\r', from);
    if (cr < 0 || cr >= to) return this.text.slice(from, to);
    let joined = this.line(start);
    for (let i = start + 1; i < end; i++) joined += '\n' + this.line(i);
    return joined;
  }

  /** The characters of lines [start, end), counting each line's break as one (what their joined text holds, plus one). */
  chars(start: number, end: number): number {
    if (end <= start) return 0;
    if (!this.crlf) return this.nextStart(end - 1) - (this.starts[start] ?? 0);
    let n = 0;
    for (let i = start; i < end; i++) n += this.width(i) + 1;
    return n;
  }

  /** Where the line after line `i` starts (one past the end of the text's last character after the last line). */
  private nextStart(i: number): number {
    return i + 1 < this.length ? (this.starts[i + 1] ?? 0) : (this.ends[i] ?? 0) + 1;
  }

  /** The characters (UTF-16 units) of line `i`, without its break. */
  width(i: number): number {
    return (this.ends[i] ?? 0) - (this.starts[i] ?? 0);
  }

  /**
   * Empty or white space only (what `/^\s*$/` says of the line). Spaces and tabs are skipped by character code and
   * a printable ASCII character decides at once; anything else (other control characters, Unicode spaces) is left
   * to the regex.
   */
  isBlank(i: number): boolean {
    const end = this.ends[i] ?? 0;
    for (let k = this.starts[i] ?? 0; k < end; k++) {
      const c = this.text.charCodeAt(k);
      if (c === SPACE || c === TAB) continue;
      return c > 32 && c < 127 ? false : BLANK.test(this.line(i));
    }
    return true;
  }

  /** Whether line `i` starts with a character that is not white space (`/^\S/`). */
  startsWithNonSpace(i: number): boolean {
    const at = this.starts[i] ?? 0;
    if (at >= (this.ends[i] ?? 0)) return false;
    const c = this.text.charCodeAt(at);
    if (c > 32 && c < 127) return true;
    return c === SPACE || c === TAB ? false : !WHITE.test(this.text.charAt(at));
  }

  /**
   * The first character of line `i` after its leading spaces and tabs (at most `limit` of them): its code, or
   * -1 when the line ends first or a limit is given and passed.
   */
  firstAfterIndent(i: number, limit = Infinity): number {
    const end = this.ends[i] ?? 0;
    const start = this.starts[i] ?? 0;
    for (let k = start; k < end && k - start <= limit; k++) {
      const c = this.text.charCodeAt(k);
      if (c !== SPACE && c !== TAB) return c;
    }
    return -1;
  }

  /** Leading indentation of line `i`: a space counts 1, a tab 4. */
  indentation(i: number): number {
    const end = this.ends[i] ?? 0;
    let n = 0;
    for (let k = this.starts[i] ?? 0; k < end; k++) {
      const c = this.text.charCodeAt(k);
      if (c === SPACE) n++;
      else if (c === TAB) n += 4;
      else break;
    }
    return n;
  }
}

const BLANK = /^\s*$/;
const WHITE = /\s/;
