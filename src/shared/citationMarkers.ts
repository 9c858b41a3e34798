// The citation marker grammar, shared by the core (which aligns each marker's claim), the chat renderer and the
// panel's webview (which turn markers into anchors and chips): one definition, so every side counts the same
// markers in the same order.

/** `[3]` or `[1, 4]`: the markers the generator is told to write. */
export const MARKER = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
/** A tail that may still become a marker when the next token arrives. */
const OPEN_TAIL = /\[[\d,\s]{0,16}$/;
/** Backticks at the end of what has arrived: the run may go on in the next token (`` ` `` + `` `x`` ``). */
const BACKTICK_TAIL = /`+$/;
/** How far after an opening backtick run its closing run is looked for: code spans are short. */
const CODE_SPAN_LIMIT = 400;
/** A fence line: three or more backticks or tildes, indented by at most three spaces. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** MARKER where the scan stands, and nowhere after it. */
const MARKER_HERE = new RegExp(MARKER.source, 'y');
/** How much of a line's start the scanner keeps: enough to tell whether it is up to three spaces. */
const LINE_START = 4;

/** The numbers of one marker's list: `1, 4` → [1, 4]. */
export function markerNumbers(list: string): number[] {
  return list
    .split(',')
    .map(s => Number.parseInt(s.trim(), 10))
    .filter(n => Number.isInteger(n));
}

/** A piece of streamed answer text: prose, or one cited number (a `[1, 4]` marker gives two). */
export type MarkerPiece = { type: 'text'; text: string } | { type: 'marker'; n: number; ordinal: number };

/**
 * Splits streamed text into text and markers, in order. A marker split across tokens (`[` + `2]`) is held back until
 * it is complete; markers inside fenced code blocks and inline code are text, not citations (`arr[1]` in code). A
 * code span opens with a run of backticks and closes with a run of the same length on its line, as CommonMark reads
 * it; a run that nothing closes is a literal backtick (`` Press the ` key [1] ``). So a run is held back until its
 * line shows which it is: a closing run, the line's end, or CODE_SPAN_LIMIT characters without either (then it is
 * taken as literal: what the scanner decides never depends on how the text was split into tokens).
 * `ordinal` counts the markers' numbers from 0 over the whole answer: the core and every surface that feeds the same
 * text through a scanner get the same ordinals, which is how a surface finds the citation event of a marker.
 */
export class MarkerScanner {
  private pending = '';
  private ordinal = 0;
  /** Where the text scanned so far stands: inside a fence (and which), inside inline code, at a line start. */
  private fence: string | undefined;
  /** The length of the backtick run that opened the inline code the scan is in; 0 outside inline code. */
  private codeRun = 0;
  /** The start of the current line (its first LINE_START characters: the scan's cost stays linear in long lines). */
  private line = '';

  push(text: string): MarkerPiece[] {
    this.pending += text;
    // hold back a possible marker tail, and a line start that may still become a fence (`` + `ts`)
    const tail = OPEN_TAIL.exec(this.pending) ?? this.openFence() ?? BACKTICK_TAIL.exec(this.pending);
    const ready = tail ? this.pending.slice(0, tail.index) : this.pending;
    this.pending = tail ? this.pending.slice(tail.index) : '';
    return this.scan(ready);
  }

  private openFence(): { index: number } | undefined {
    const m = /(^|\n)( {0,3}[`~]{1,2})$/.exec(this.pending);
    if (!m) return undefined;
    const index = m.index + (m[1] ?? '').length;
    return index > 0 || /^ {0,3}$/.test(this.line) ? { index } : undefined;
  }

  /** Everything held back, at the end of the stream. */
  flush(): MarkerPiece[] {
    const rest = this.pending;
    this.pending = '';
    return this.scan(rest, true);
  }

  /** `final`: nothing follows `text`; otherwise what cannot be read yet goes back in front of `pending`. */
  private scan(text: string, final = false): MarkerPiece[] {
    const out: MarkerPiece[] = [];
    let plain = '';
    let i = 0;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\n') {
        this.endLine();
        plain += ch;
        i++;
        continue;
      }
      if (this.line === '' || /^ {1,3}$/.test(this.line)) {
        // at a line's start: a fence line toggles code; read the whole marker run of it
        const eol = text.indexOf('\n', i);
        const rest = text.slice(i, eol < 0 ? text.length : eol);
        const fence = FENCE.exec(this.line + rest);
        if (fence && (this.fence === undefined || fence[1]?.startsWith(this.fence))) {
          this.fence = this.fence === undefined ? (fence[1] ?? '').slice(0, 3) : undefined;
          const consumed = fence[0].length - this.line.length;
          plain += rest.slice(0, consumed);
          this.extendLine(rest.slice(0, consumed));
          i += consumed;
          continue;
        }
      }
      if (this.fence === undefined && ch === '`') {
        const run = backtickRun(text, i);
        if (this.codeRun === 0) {
          const closed = closedOnItsLine(text, i + run.length, run.length);
          if (closed === undefined && !final) {
            this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
            break;
          }
          if (closed) this.codeRun = run.length;
        } else if (this.codeRun === run.length) this.codeRun = 0;
        plain += run;
        this.extendLine(run);
        i += run.length;
        continue;
      }
      if (this.fence === undefined && this.codeRun === 0 && ch === '[') {
        MARKER_HERE.lastIndex = i;
        const m = MARKER_HERE.exec(text);
        if (m) {
          if (plain) out.push({ type: 'text', text: plain });
          plain = '';
          for (const n of markerNumbers(m[1] ?? '')) out.push({ type: 'marker', n, ordinal: this.ordinal++ });
          this.extendLine(m[0]);
          i += m[0].length;
          continue;
        }
      }
      plain += ch;
      this.extendLine(ch);
      i++;
    }
    if (plain) out.push({ type: 'text', text: plain });
    return out;
  }

  private extendLine(text: string): void {
    if (this.line.length < LINE_START) this.line = (this.line + text).slice(0, LINE_START);
  }

  private endLine(): void {
    this.line = '';
    // inline code does not cross a paragraph in practice; ending it at a line end keeps one stray backtick from
    // hiding every later marker
    this.codeRun = 0;
  }
}

/** The run of backticks that starts at `at`. */
function backtickRun(text: string, at: number): string {
  let end = at;
  while (text[end] === '`') end++;
  return text.slice(at, end);
}

/**
 * Whether a run of exactly `length` backticks follows `from` on its line, within CODE_SPAN_LIMIT characters (a code
 * span opens there: true), the line or the limit ends first (false), or `text` ends first (undefined: not known yet).
 */
function closedOnItsLine(text: string, from: number, length: number): boolean | undefined {
  const limit = from + CODE_SPAN_LIMIT;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\n' || i >= limit) return false;
    if (text[i] !== '`') continue;
    const run = backtickRun(text, i);
    if (run.length === length) return true;
    i += run.length - 1;
  }
  return undefined;
}

/** Every marker number of a whole text, in order (outside code), with its ordinal. */
export function markersOf(text: string): { n: number; ordinal: number }[] {
  const scanner = new MarkerScanner();
  const pieces = [...scanner.push(text), ...scanner.flush()];
  return pieces.flatMap(p => (p.type === 'marker' ? [{ n: p.n, ordinal: p.ordinal }] : []));
}
