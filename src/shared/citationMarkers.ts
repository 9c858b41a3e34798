// The citation marker grammar, shared by the core (which aligns each marker's claim), the chat renderer and the
// panel's webview (which turn markers into anchors and chips): one definition, so every side counts the same
// markers in the same order.

/** `[3]` or `[1, 4]`: the markers the generator is told to write. */
export const MARKER = /\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\]/g;
/** A tail that may still become a marker when the next token arrives. */
const OPEN_TAIL = /\[[\d, \t]{0,16}$/;
/** Backticks at the end of what has arrived: the run may go on in the next token (`` ` `` + `` `x`` ``). */
const BACKTICK_TAIL = /`+$/;
/** How far after an opening backtick run its closing run is looked for: code spans are short. */
const CODE_SPAN_LIMIT = 400;
/** A fence: three or more backticks or tildes that open a line's text, indented by at most three columns. */
const FENCE_RUN = /^(`{3,}|~{3,})/;
/** FENCE_RUN where the scan stands. */
const FENCE_RUN_HERE = /(`{3,}|~{3,})/y;
/** The most columns a fence line may be indented by (more is indented code, or a paragraph going on). */
const FENCE_INDENT = 3;
/** A line start that may still become a fence when the next token arrives (`` + `ts`). */
const OPEN_FENCE_TAIL = /(^|\n)( {0,3}[`~]{1,2})$/;
/** A list item's marker and the one to four spaces after it: a fence may open right after it (`1. ```bash`). */
const LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)]) {1,4}(?! )/;
const LIST_ITEM_HERE = new RegExp(LIST_ITEM.source.slice(1), 'y');
/** What the rest of a line may be while more of it has yet to come and a fence may still open after a list marker. */
const MAY_BE_LIST_FENCE = /^(?:[-*+]|\d{1,9}[.)]?)(?: *| {1,4}[`~]{1,2})$/;
/** MARKER where the scan stands, and nowhere after it. */
const MARKER_HERE = new RegExp(MARKER.source, 'y');

/** How much of a fence line after its run decides what it is (its info string, or what shows it is no fence). */
const FENCE_LINE_LIMIT = 400;

/**
 * The fence open after a line whose text after its indentation is `text` (the line, or its first FENCE_LINE_LIMIT
 * characters after the run), given the fence open before it (its run; undefined outside fences), as CommonMark reads
 * fences: outside, a fence run opens one, but for backticks followed by another backtick on the line (```` ```ts``` ````
 * is inline code); inside, only a run of the same character at least as long with nothing after it closes it. What
 * the core, the chat renderer and the webview's blocks all go by.
 */
function fenceAfter(text: string, open: string | undefined): string | undefined {
  const run = FENCE_RUN.exec(text)?.[1];
  if (run === undefined) return open;
  const rest = text.slice(run.length, run.length + FENCE_LINE_LIMIT);
  if (open === undefined) return run[0] === '`' && rest.includes('`') ? undefined : run;
  return run[0] === open[0] && run.length >= open.length && rest.trim() === '' ? undefined : open;
}

/**
 * An open fence: its run, and the column its list item's content starts at when it opened right after a list marker
 * (0 otherwise): a line indented less ends the item, and the fence with it.
 */
export interface OpenFence {
  run: string;
  base: number;
}

/** fenceOfLine for a whole line, its indentation included: what the panel's blocks go by. */
export function fenceAfterLine(line: string, open: OpenFence | undefined): OpenFence | undefined {
  const white = /^[ \t]*/.exec(line)?.[0] ?? '';
  return fenceOfLine(columnsAfter(white, 0), line.slice(white.length), open);
}

/**
 * The fence open after a line indented `indent` columns whose text after that is `text` (whole, or FENCE_LINE_LIMIT
 * characters after a fence run), given the one open before it. Inside a fence, a line indented less than its base
 * ends it (its list item ended) and is read as outside; a fence line is indented at most three columns past the base
 * (outside: past 0), and may open right after a list item's marker (`1. ```bash`: the item's content is its base).
 */
function fenceOfLine(indent: number, text: string, open: OpenFence | undefined): OpenFence | undefined {
  if (open !== undefined && !endsItsItem(indent, text[0], open)) {
    if (indent - open.base > FENCE_INDENT) return open;
    return fenceAfter(text, open.run) === undefined ? undefined : open;
  }
  if (indent > FENCE_INDENT) return undefined;
  const item = LIST_ITEM.exec(text)?.[0];
  const run = fenceAfter(item === undefined ? text : text.slice(item.length), undefined);
  return run === undefined ? undefined : { run, base: item === undefined ? 0 : indent + item.length };
}

/**
 * Whether a line indented `indent` columns, whose first character after that is `first`, ends the list item of the
 * open fence `open` (and the fence with it): it is indented less than the item's content and not blank. The scanner
 * decides this at the line's first character, so a blank line is one whose text is nothing or starts with a CR.
 */
function endsItsItem(indent: number, first: string | undefined, open: OpenFence): boolean {
  return indent < open.base && first !== undefined && first !== '\r';
}

/** The column that spaces and tabs reach from column `from` (a tab runs to the next multiple of four). */
function columnsAfter(white: string, from: number): number {
  let column = from;
  for (const ch of white) column = ch === '\t' ? column + 4 - (column % 4) : column + 1;
  return column;
}

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
  /** Where the text scanned so far stands: inside a fence, inside inline code, at a line start. */
  private fence: OpenFence | undefined;
  /** The length of the backtick run that opened the inline code the scan is in; 0 outside inline code. */
  private codeRun = 0;
  /** Whether the current line holds nothing but white space so far: a fence run may still open its text. */
  private atLineStart = true;
  /** The columns of white space the current line opens with, while `atLineStart`. */
  private indent = 0;

  push(text: string): MarkerPiece[] {
    this.pending += text;
    // hold back a possible marker tail, and a line start that may still become a fence (`` + `ts`)
    const tail = OPEN_TAIL.exec(this.pending) ?? this.openFence() ?? BACKTICK_TAIL.exec(this.pending);
    const ready = tail ? this.pending.slice(0, tail.index) : this.pending;
    this.pending = tail ? this.pending.slice(tail.index) : '';
    return this.scan(ready);
  }

  private openFence(): { index: number } | undefined {
    const m = OPEN_FENCE_TAIL.exec(this.pending);
    if (!m) return undefined;
    const index = m.index + (m[1] ?? '').length;
    return index > 0 || (this.atLineStart && this.indent <= FENCE_INDENT) ? { index } : undefined;
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
      if (this.atLineStart) {
        if (ch === ' ' || ch === '\t') {
          this.indent = columnsAfter(ch, this.indent);
          plain += ch;
          i++;
          continue;
        }
        // the line's text starts here: a fence run opens or closes code, which the rest of its line decides; outside
        // code, a fence may open right after a list item's marker; a fence ends with its list item
        const eol = text.indexOf('\n', i);
        if (this.fence !== undefined && endsItsItem(this.indent, ch, this.fence)) this.fence = undefined;
        if (
          this.fence === undefined &&
          this.indent <= FENCE_INDENT &&
          eol < 0 &&
          !final &&
          MAY_BE_LIST_FENCE.test(text.slice(i))
        ) {
          this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
          break;
        }
        LIST_ITEM_HERE.lastIndex = i;
        const item = this.fence === undefined ? LIST_ITEM_HERE.exec(text)?.[0] : undefined;
        const at = i + (item?.length ?? 0);
        FENCE_RUN_HERE.lastIndex = at;
        const run = this.indent - (this.fence?.base ?? 0) <= FENCE_INDENT ? FENCE_RUN_HERE.exec(text)?.[1] : undefined;
        if (run !== undefined) {
          const decided = eol >= 0 || final || text.length - at - run.length > FENCE_LINE_LIMIT;
          if (!decided) {
            this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
            break;
          }
          this.atLineStart = false;
          const after = fenceOfLine(this.indent, text.slice(i, eol < 0 ? text.length : eol), this.fence);
          if (after !== undefined || this.fence !== undefined) {
            this.fence = after;
            plain += text.slice(i, at + run.length);
            i = at + run.length;
            continue;
          }
          // not a fence (```ts``` on one line): inline code, read below
        }
        this.atLineStart = false;
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
          i += m[0].length;
          continue;
        }
      }
      plain += ch;
      i++;
    }
    if (plain) out.push({ type: 'text', text: plain });
    return out;
  }

  private endLine(): void {
    this.atLineStart = true;
    this.indent = 0;
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
