// The citation marker grammar, shared by the core (which aligns each marker's claim), the chat renderer and the
// panel's webview (which turn markers into anchors and chips): one definition, so every side counts the same
// markers in the same order.

/** `[3]` or `[1, 4]`: the markers the generator is told to write. */
export const MARKER = /\[(\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*)\]/g;
/**
 * A tail that may still become a marker when the next token arrives: a start of MARKER of any length, so a list of
 * many numbers split across tokens is read as it is in one piece.
 */
const OPEN_TAIL = /\[(?:\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*[ \t]*(?:,[ \t]*)?)?$/;
/** Backticks at the end of what has arrived: the run may go on in the next token (`` ` `` + `` `x`` ``). */
const BACKTICK_TAIL = /`+$/;
/** How far after an opening backtick run its closing run is looked for: code spans are short. */
const CODE_SPAN_LIMIT = 400;
/** A fence: three or more backticks or tildes that open a line's text (indented by at most FENCE_INDENT columns). */
const FENCE_RUN = /^(`{3,}|~{3,})/;
/** FENCE_RUN where the scan stands. */
const FENCE_RUN_HERE = /(`{3,}|~{3,})/y;
/**
 * The most columns past its container's content (the list item it is in, or else the content of the block quote it
 * is in, or the line start) a fence, list marker or quote marker may be indented by; a line indented more is indented
 * code, or a paragraph going on.
 */
const FENCE_INDENT = 3;
/** A line's opening (white space, quote markers) that may become a fence with the next token (`` + `ts`). */
const OPEN_FENCE_TAIL = /(^|\n)([ \t>]*[`~]{1,2})$/;
/** A list item's marker and the one to four spaces after it: its content starts after them (`1. ```bash`). */
const LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)]) {1,4}(?! )/;
const LIST_ITEM_HERE = new RegExp(LIST_ITEM.source.slice(1), 'y');
/**
 * What the rest of a line may be while more of it has yet to come and it may still be a list item (or a fence in
 * one).
 */
const MAY_BE_LIST_FENCE = /^(?:[-*+]|\d{1,9}[.)]?)(?: *| {1,4}[`~]{1,2})$/;
/**
 * A line that leaves no paragraph open: an ATX heading or a thematic break (SETEXT_UNDERLINE, after a paragraph). A
 * line indented four columns after one is indented code, not a paragraph going on.
 */
const HEADING_OR_RULE = /^(?:#{1,6}(?:[ \t]|\r?$)|([-*_])[ \t]*(?:\1[ \t]*){2,}\r?$)/;
/** The underline that makes the paragraph above it a heading. */
const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*\r?$/;
/** What the rest of a line may be while more of it has yet to come and it may still be a heading or a rule. */
const MAY_BE_HEADING_OR_RULE = /^(?:#{1,6}|[-*_=][-*_= \t]*)$/;
/** MARKER where the scan stands, and nowhere after it. */
const MARKER_HERE = new RegExp(MARKER.source, 'y');
/**
 * A line that is a link reference definition with a marker's label (`[1]: https://example.com "Title"`; a list of
 * sources written as such), where no paragraph goes on: markdown-it renders no text for it, and it cites nothing. Its
 * destination is on its line, its title too if it has one, and the line is at most DEFINITION_LINE_LIMIT long.
 */
const DEFINITION = new RegExp(
  String.raw`^${MARKER.source}:[ \t]*(?:<[^<>\n]*>|[^\s<]\S*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\r?$`,
);
const DEFINITION_LINE_LIMIT = 400;
/** What the rest of a line may be while more of it has yet to come and it may still be a definition. */
const MAY_BE_DEFINITION = new RegExp(`^${MARKER.source}(?::.*)?$`);

/** Whether a line whose text after its indentation is `text`, where no paragraph goes on, is a definition. */
function isDefinition(text: string): boolean {
  return text.length <= DEFINITION_LINE_LIMIT && DEFINITION.test(text);
}

/**
 * How far after its `(` an inline link's destination and title, or after its `<` an autolink, are read: a link that
 * runs longer is taken as text (what the scanner decides never depends on how the text was split into tokens).
 */
const LINK_LIMIT = 1000;
/** An autolink (`<https://example.com/a[1]>`), as markdown-it reads one: a scheme, a colon, no white space. */
const AUTOLINK_HERE = /<[A-Za-z][A-Za-z0-9.+-]{1,31}:[^<>\x00-\x20]*>/y;
/** A start of an autolink that what arrives next may complete. */
const OPEN_AUTOLINK = /^<(?:[A-Za-z][A-Za-z0-9.+-]{0,31}(?::[^<>\x00-\x20]*)?)?$/;
/** The most nested parentheses markdown-it reads in a link's destination. */
const DESTINATION_PARENS = 32;

/** How much of a fence line after its run decides what it is (its info string, or what shows it is no fence). */
const FENCE_LINE_LIMIT = 400;

/**
 * The fence open after a line whose text after its indentation is `text` (the line, or its first FENCE_LINE_LIMIT
 * characters after the run), given the fence open before it (its run; undefined outside fences), as CommonMark reads
 * fences: outside, a fence run opens one, but for backticks followed by another backtick on the line
 * (```` ```ts``` ```` is inline code); inside, only a run of the same character at least as long with nothing after it
 * closes it.
 */
export function fenceAfter(text: string, open: string | undefined): string | undefined {
  const run = FENCE_RUN.exec(text)?.[1];
  if (run === undefined) return open;
  const rest = text.slice(run.length, run.length + FENCE_LINE_LIMIT);
  if (open === undefined) return run[0] === '`' && rest.includes('`') ? undefined : run;
  return run[0] === open[0] && run.length >= open.length && rest.trim() === '' ? undefined : open;
}

/**
 * An open fence: its run; the column its container's content starts at (the list item it is in; 0 at the top level
 * of its quote, or of the answer); the block quotes it is in (`> ```ts`): a line with fewer `>` ends the quote, and
 * the fence with it; and how many list items were open around it: a line that ends one of them ends the fence too.
 */
export interface OpenFence {
  run: string;
  base: number;
  quotes: number;
  items: number;
}

/**
 * An open list item: the column its content starts at, counted from the content of the block quote it is in (the
 * line start outside quotes), and how many quotes that is.
 */
export interface OpenItem {
  content: number;
  quotes: number;
}

/**
 * What the lines before a line leave open, as far as telling code from text goes: a fence, the list items (innermost
 * last; a fence or a nested item in one may be indented up to three columns past its content), whether a paragraph
 * goes on (an indented line continues it) and whether an indented code block does. Block quotes are followed: a
 * quote's content starts after its `>` and one space, and columns inside it count from there; lazy continuation
 * lines are not followed.
 */
export interface LineContext {
  readonly fence: OpenFence | undefined;
  readonly items: readonly OpenItem[];
  /** The paragraph that goes on, and whether it began in a list item (a lazy line after it keeps it there). */
  readonly paragraph: false | 'top-level' | 'in-list';
  readonly indentedCode: boolean;
  /** The block quotes the last line that was not blank is in: a line in more opens a quote, which ends a paragraph. */
  readonly quotes: number;
}

/** The context of an answer's first line. */
export const ANSWER_START: LineContext = {
  fence: undefined,
  items: [],
  paragraph: false,
  indentedCode: false,
  quotes: 0,
};

/** Whether `line`, in the context the lines before it leave, opens another item of a list that is open. */
export function continuesList(line: string, before: LineContext): boolean {
  return before.items.length > 0 && LIST_ITEM.test(line.trimStart());
}

/** The context after a whole line, its indentation and block quote markers included: what the panel's blocks go by. */
export function contextAfterLine(line: string, before: LineContext): LineContext {
  const start = new LineStart(before);
  let i = 0;
  while (i < line.length && start.take(line[i] as string)) i++;
  return start.contextAfter(line.slice(i));
}

/**
 * The line that closes the code block `text` leaves open (its run, in the block quotes and list item the block is
 * in), on a line of its own; empty when it leaves none open.
 */
export function closingFence(text: string): string {
  let context = ANSWER_START;
  for (const line of text.split('\n')) context = contextAfterLine(line, context);
  const { fence, items } = context;
  if (!fence) return '';
  // each quote marker where the content it is in starts: after the list item open at that depth, if any
  let opening = '';
  for (let quotes = 0; quotes < fence.quotes; quotes++)
    opening += `${' '.repeat(items.filter(item => item.quotes === quotes).at(-1)?.content ?? 0)}> `;
  return `${text.endsWith('\n') ? '' : '\n'}${opening}${' '.repeat(fence.base)}${fence.run}`;
}

/**
 * A line's opening, read a character at a time as it streams in: its white space and block quote markers. `indent`
 * counts the columns of white space from the content of the innermost quote so far (a tab runs to the next multiple
 * of four from the line start; the one space a `>` takes may be a tab's first column).
 */
class LineStart {
  indent = 0;
  quotes = 0;
  /** The context before the line, less the list items (and a fence in them) that its quote markers ended. */
  private context: LineContext;
  private column = 0;
  private afterQuote = false;

  constructor(before: LineContext) {
    this.context = before;
  }

  /** Reads `ch` if it belongs to the line's opening (white space, or a quote marker); false when the text starts. */
  take(ch: string): boolean {
    if (ch === ' ' || ch === '\t') {
      const width = ch === '\t' ? 4 - (this.column % 4) : 1;
      this.column += width;
      this.indent += this.afterQuote ? width - 1 : width;
      this.afterQuote = false;
      return true;
    }
    const quoted = ch === '>' ? this.quoteMarkerAt() : undefined;
    if (quoted === undefined) return false;
    this.context = quoted;
    this.quotes++;
    this.indent = 0;
    this.column++;
    this.afterQuote = true;
    return true;
  }

  /** The context where the line's text starts: what its indentation and quotes leave open of the lines before. */
  at(): LineContext {
    return contextAtText(this.indent, withinQuotes(this.context, this.quotes), this.quotes);
  }

  /** The context after the line, whose text after its opening is `text` (see contextAfterText). */
  contextAfter(text: string): LineContext {
    return contextAfterText(this.indent, text, this.context, this.quotes);
  }

  /**
   * If a `>` here is a quote marker, the context it leaves (the list items it is indented less than end, and a fence
   * in them); undefined if it is text: in a fence it is not one more of the quotes the fence is in, or it is indented
   * more than three columns past its container.
   */
  private quoteMarkerAt(): LineContext | undefined {
    const at = contextAtText(this.indent, this.context, this.quotes, true);
    if (at.fence !== undefined && this.quotes >= at.fence.quotes) return undefined;
    return this.indent - itemContent(at, this.quotes) <= FENCE_INDENT ? at : undefined;
  }
}

/**
 * The context a line with `quotes` quote markers opens in: a fence in more quotes ended with them, and a quote that
 * opens ends the paragraph (a paragraph goes on into fewer, lazily).
 */
function withinQuotes(before: LineContext, quotes: number): LineContext {
  if (before.fence !== undefined && quotes < before.fence.quotes)
    return { ...before, fence: undefined, paragraph: false };
  return before.fence === undefined && quotes > before.quotes ? { ...before, paragraph: false } : before;
}

/**
 * The context after a line indented `indent` columns (counted from the content of its `quotes`-th block quote, or the
 * line start) whose text after that is `text` (whole; or, for a line with a fence run, FENCE_LINE_LIMIT characters
 * after the run; for any other, far enough to show whether it opens with a list item's marker). A blank line ends a
 * paragraph. Inside a fence, only a closing run indented at most three columns past its base changes anything. Outside,
 * a line indented four or more past its container is indented code unless it continues a paragraph; any other may open
 * a list item (its content becomes the container) and a fence after it, or is a paragraph's.
 */
function contextAfterText(indent: number, text: string, outside: LineContext, quotes: number): LineContext {
  const before = withinQuotes(outside, quotes);
  // a blank line ends the paragraph, and the quotes it is not in, with their items
  if (isBlank(text[0])) return { ...contextAtText(Infinity, before, quotes), paragraph: false };
  const at = { ...contextAtText(indent, before, quotes), quotes };
  if (at.fence !== undefined) {
    if (indent - at.fence.base > FENCE_INDENT || fenceAfter(text, at.fence.run) !== undefined) return at;
    return { ...at, fence: undefined, paragraph: false };
  }
  // a paragraph's line in fewer quotes than the paragraph goes on in the paragraph's (lazily)
  const paragraphQuotes = Math.max(quotes, before.quotes);
  if (indent - containerOf(at, quotes) > FENCE_INDENT) {
    return at.paragraph && !at.indentedCode
      ? { ...at, quotes: paragraphQuotes }
      : { ...at, paragraph: false, indentedCode: true };
  }
  if (
    HEADING_OR_RULE.test(text) ||
    (at.paragraph && SETEXT_UNDERLINE.test(text)) ||
    (!at.paragraph && isDefinition(text))
  ) {
    return { ...at, paragraph: false, indentedCode: false };
  }
  const item = opensItem(LIST_ITEM.exec(text)?.[0], text, at, before);
  const items = item === undefined ? at.items : [...at.items, { content: indent + item.length, quotes }];
  const run = fenceAfter(item === undefined ? text : text.slice(item.length), undefined);
  const fence =
    run === undefined ? undefined : { run, base: itemContent({ items }, quotes), quotes, items: items.length };
  const inList = items.length > 0 || at.paragraph === 'in-list';
  const paragraph = fence === undefined && (inList ? 'in-list' : 'top-level');
  const goesOn = item === undefined && paragraph !== false && at.paragraph !== false;
  return { fence, items, paragraph, indentedCode: false, quotes: goesOn ? paragraphQuotes : quotes };
}

/**
 * `item` (the list marker that opens the line `text`) if it opens a list item there. A new list cannot interrupt a
 * paragraph unless it is numbered from 1 (or bulleted) and its first item holds something: `The steps:` then
 * `2. run it` goes on with the paragraph, and so does `1. a` then `   2. b` (a list in the item). A marker that ends
 * an item (`1. a` then `2. b`), or follows a list whose items a line without indentation closed (read here as ending
 * them, where CommonMark would carry on the item's paragraph), opens the list's next item.
 */
function opensItem(item: string | undefined, text: string, at: LineContext, before: LineContext): string | undefined {
  const interrupts =
    at.paragraph !== false &&
    at.items.length === before.items.length &&
    !(at.paragraph === 'in-list' && at.items.length === 0);
  if (item === undefined || !interrupts) return item;
  const numbered = /^\d/.test(item);
  return (numbered && Number.parseInt(item, 10) !== 1) || text.slice(item.length).trim() === '' ? undefined : item;
}

/**
 * The context where a line's text (or its next quote marker, `atMarker`) starts, `indent` columns into the content
 * of its `quotes`-th quote: an item of that quote whose content starts further right ends, with the items and a fence
 * in it; so does, where the text starts, an item in more quotes than the line has (its quote ended). A blank line
 * (`indent` Infinity) ends only the latter.
 */
function contextAtText(indent: number, before: LineContext, quotes: number, atMarker = false): LineContext {
  const end = before.items.findIndex(item =>
    item.quotes === quotes ? indent < item.content : !atMarker && item.quotes > quotes,
  );
  if (end < 0) return before;
  const fence = before.fence !== undefined && before.fence.items > end ? undefined : before.fence;
  return { ...before, fence, items: before.items.slice(0, end) };
}

/** The column where the content of the innermost list item open in the `quotes`-th quote starts; 0 if none is. */
function itemContent(context: Pick<LineContext, 'items'>, quotes: number): number {
  const item = context.items.at(-1);
  return item?.quotes === quotes ? item.content : 0;
}

/** The column a line's text is measured from, in its `quotes`-th quote: its open fence's, or its innermost item's. */
function containerOf(context: LineContext, quotes: number): number {
  return context.fence?.base ?? itemContent(context, quotes);
}

/** Whether a line whose text after its indentation starts with `first` is blank (the scanner sees a CR of CRLF). */
function isBlank(first: string | undefined): boolean {
  return first === undefined || first === '\r';
}

/** Whether the line a context is for is code: inside a fence, or indented code. */
function inCode(context: LineContext): boolean {
  return context.fence !== undefined || context.indentedCode;
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
 * it is complete; markers inside fenced code blocks and inline code are text, not citations (`arr[1]` in code), and
 * so are those in a link's destination or title (`[docs](https://x.org/a[1]b "see [2]")`) and in an autolink
 * (`<https://x.org/[3]>`), which markdown-it renders as no text of the answer. A link is read as markdown-it reads
 * it, on one line: its text's brackets balance (a marker's `]` may close it: `[1](url)`), a `(` right after the closing
 * bracket opens its destination, and that link, once its `)` has arrived, keeps the brackets before it from closing
 * another link (links do not nest). So the text after a `](` or a `<` is held back until its line shows whether it is
 * a link (its `)` or `>`, the line's end, or LINK_LIMIT characters). A
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
  /** What the lines scanned so far leave open (a fence, list items…); once a line's start is read, that line's. */
  private context: LineContext = ANSWER_START;
  /** The length of the backtick run that opened the inline code the scan is in; 0 outside inline code. */
  private codeRun = 0;
  /** Whether the current line holds nothing but white space so far: a fence run may still open its text. */
  private atLineStart = true;
  /** The current line's white space and quote markers, while `atLineStart`. */
  private line = new LineStart(ANSWER_START);
  /** The `[` of the current line that may still open a link's text, innermost last: true for an image's (`![`). */
  private openers: boolean[] = [];
  /** Whether the last character scanned closed a link's text (`link`) or an image's (`image`): a `(` may follow. */
  private closed: 'link' | 'image' | undefined;
  /** The last character scanned (an escaping backslash, an image's `!`). */
  private previous = '';

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
    return index > 0 || this.atLineStart ? { index } : undefined;
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
        if (this.line.take(ch)) {
          plain += ch;
          i++;
          continue;
        }
        // the line's text starts here: what it is (a list item, a fence line, indented code, text) is known from
        // its start, but for a fence run, which the rest of its line decides
        const eol = text.indexOf('\n', i);
        const { indent, quotes } = this.line;
        const at = this.line.at();
        const canOpen = at.fence === undefined && indent - containerOf(at, quotes) <= FENCE_INDENT;
        const rest = eol < 0 && !final ? text.slice(i) : undefined;
        const mayDefine = canOpen && !at.paragraph;
        if (
          canOpen &&
          rest !== undefined &&
          (MAY_BE_LIST_FENCE.test(rest) ||
            MAY_BE_HEADING_OR_RULE.test(rest) ||
            (mayDefine && rest.length <= DEFINITION_LINE_LIMIT && MAY_BE_DEFINITION.test(rest)))
        ) {
          this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
          break;
        }
        LIST_ITEM_HERE.lastIndex = i;
        const item = canOpen ? LIST_ITEM_HERE.exec(text)?.[0] : undefined;
        const runAt = i + (item?.length ?? 0);
        FENCE_RUN_HERE.lastIndex = runAt;
        const run = indent - containerOf(at, quotes) <= FENCE_INDENT ? FENCE_RUN_HERE.exec(text)?.[1] : undefined;
        if (run !== undefined && eol < 0 && !final && text.length - runAt - run.length <= FENCE_LINE_LIMIT) {
          this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
          break;
        }
        this.atLineStart = false;
        this.context = this.line.contextAfter(text.slice(i, eol < 0 ? text.length : eol));
        if (run !== undefined && (at.fence !== undefined || this.context.fence !== undefined)) {
          // a fence line: its run, and the info string after an opening one, are code
          plain += text.slice(i, runAt + run.length);
          i = runAt + run.length;
          continue;
        }
        const line = text.slice(i, eol < 0 ? text.length : eol);
        if (mayDefine && isDefinition(line)) {
          // a link reference definition: text, not a citation
          plain += line;
          i += line.length;
          continue;
        }
        // any other line: indented code, or text (```ts``` on one line is inline code, read below)
      }
      const closedBefore = this.closed;
      this.closed = undefined;
      if (!inCode(this.context) && ch === '`') {
        const run = backtickRun(text, i);
        if (this.codeRun === 0) {
          const closed = closedOnItsLine(text, i + run.length, run.length);
          if (closed === undefined && !final) {
            this.closed = closedBefore;
            this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
            break;
          }
          if (closed) this.codeRun = run.length;
        } else if (this.codeRun === run.length) this.codeRun = 0;
        plain += run;
        i += run.length;
        continue;
      }
      if (!inCode(this.context) && this.codeRun === 0) {
        const escaped = (i > 0 ? text[i - 1] : this.previous) === '\\';
        // a link's destination and title, or an autolink: no text of the answer, so no citation in them
        const end =
          ch === '(' && closedBefore !== undefined
            ? linkTailEnd(text, i)
            : ch === '<' && !escaped
              ? autolinkEnd(text, i)
              : false;
        if (end === undefined && !final) {
          this.closed = closedBefore;
          this.pending = text.slice(i) + this.pending; // read again once more of the line has arrived
          break;
        }
        if (end) {
          // a link's text holds no other link: the brackets open around it no longer open one
          if (ch === '(' && closedBefore === 'link') this.openers = this.openers.filter(image => image);
          plain += text.slice(i, end);
          i = end;
          continue;
        }
        if (ch === '[') {
          MARKER_HERE.lastIndex = i;
          const m = MARKER_HERE.exec(text);
          if (m) {
            if (plain) out.push({ type: 'text', text: plain });
            plain = '';
            for (const n of markerNumbers(m[1] ?? '')) out.push({ type: 'marker', n, ordinal: this.ordinal++ });
            i += m[0].length;
            if (!escaped) this.closed = 'link';
            continue;
          }
          if (!escaped) this.openers.push((i > 0 ? text[i - 1] : this.previous) === '!');
        } else if (ch === ']' && !escaped && this.openers.length > 0) {
          this.closed = this.openers.pop() ? 'image' : 'link';
        }
      }
      plain += ch;
      i++;
    }
    if (i > 0) this.previous = text[i - 1] as string;
    if (plain) out.push({ type: 'text', text: plain });
    return out;
  }

  private endLine(): void {
    if (this.atLineStart) this.context = this.line.contextAfter(''); // a blank line
    this.atLineStart = true;
    this.line = new LineStart(this.context);
    // inline code does not cross a paragraph in practice; ending it at a line end keeps one stray backtick from
    // hiding every later marker
    this.codeRun = 0;
    this.openers = [];
    this.closed = undefined;
  }
}

/**
 * Where the destination and title of an inline link whose `(` is at `from` end (after its `)`), as markdown-it reads
 * them on one line within LINK_LIMIT characters; false when they are no link's; undefined when `text` ends first.
 */
function linkTailEnd(text: string, from: number): number | false | undefined {
  const stop = from + LINK_LIMIT;
  // past the limit reads as the line's end, so the answer does not depend on how much has arrived
  const at = (k: number): string | undefined => (k >= stop ? '\n' : text[k]);
  let i = from + 1;
  const skipSpaces = () => {
    while (at(i) === ' ' || at(i) === '\t') i++;
  };
  skipSpaces();
  let ch = at(i);
  if (ch === undefined) return undefined;
  if (ch === '<') {
    // `<a destination with spaces>`
    for (i++; ; i++) {
      ch = at(i);
      if (ch === undefined) return undefined;
      if (ch === '\n' || ch === '<') return false;
      if (ch === '>') break;
      if (ch === '\\' && at(i + 1) !== '\n') i++;
    }
    i++;
  } else {
    // no white space or control character; parentheses balanced
    let depth = 0;
    for (; ; i++) {
      ch = at(i);
      if (ch === undefined) return undefined;
      if (ch <= ' ' || ch === '\x7f') break;
      if (ch === '\\') {
        const next = at(i + 1);
        if (next === undefined) return undefined;
        if (next <= ' ') break;
        i++;
      } else if (ch === '(') {
        if (++depth > DESTINATION_PARENS) return false;
      } else if (ch === ')') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (depth > 0) return false;
  }
  const destinationEnd = i;
  skipSpaces();
  ch = at(i);
  if (ch === undefined) return undefined;
  if (i > destinationEnd && (ch === '"' || ch === "'" || ch === '(')) {
    const close = ch === '(' ? ')' : ch;
    for (i++; ; i++) {
      ch = at(i);
      if (ch === undefined) return undefined;
      if (ch === '\n' || (close === ')' && ch === '(')) return false;
      if (ch === close) break;
      if (ch === '\\' && at(i + 1) !== '\n') i++;
    }
    i++;
    skipSpaces();
    ch = at(i);
    if (ch === undefined) return undefined;
  }
  return ch === ')' ? i + 1 : false;
}

/** Where an autolink whose `<` is at `from` ends (after its `>`); false when none does; undefined when `text` ends first. */
function autolinkEnd(text: string, from: number): number | false | undefined {
  AUTOLINK_HERE.lastIndex = from;
  const m = AUTOLINK_HERE.exec(text);
  if (m) return m[0].length <= LINK_LIMIT ? from + m[0].length : false;
  return text.length - from < LINK_LIMIT && OPEN_AUTOLINK.test(text.slice(from)) ? undefined : false;
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

/**
 * The white space that goes with a marker no surface shows (every number of it invented): the spaces and tabs before
 * it, after text on its line, so `cold [7].` reads `cold.` and `cold [7] and` reads `cold and`, not `cold .` and
 * `cold  and`; or, where it opens its line's text, the spaces and tabs after it, so `[7] Foo` reads `Foo` (and an
 * indented `   [7] Foo` does not become indented code). Markers with nothing between them are one run (`[7][1]`):
 * the space goes only when the whole run is hidden. Text is written as it comes but for such trailing spaces, which
 * are held back until what follows shows whether they stay; a line's indentation always stays. Every surface that
 * leaves invented numbers out writes its text through one.
 */
export class SpaceBeforeHidden {
  /** Trailing spaces of the text written last, after text on its line: not written yet. */
  private held = '';
  /** Whether the line written so far holds more than white space. */
  private lineHasText = false;
  /** Whether markers came after the held spaces, and none of them is shown. */
  private hiddenRun = false;
  /** Whether a run of hidden markers opened its line's text: the spaces after it are not written. */
  private openedLine = false;

  /** What to write for the piece of text `text`. */
  text(text: string): string {
    if (this.openedLine) {
      text = text.replace(/^[ \t]+/, '');
      this.openedLine = text === '';
    }
    if (text === '') return '';
    const out = this.release();
    const trailing = /[ \t]*$/.exec(text)?.[0] ?? '';
    const body = text.slice(0, text.length - trailing.length);
    const newline = body.lastIndexOf('\n');
    const lineText = /\S/.test(newline < 0 ? body : body.slice(newline + 1));
    this.lineHasText = newline < 0 ? this.lineHasText || lineText : lineText;
    if (!this.lineHasText) return out + text;
    this.held = trailing;
    return out + body;
  }

  /** What to write before a marker, `shown` or not (then nothing of it is written). */
  marker(shown: boolean): string {
    if (!shown) {
      this.hiddenRun = true;
      this.openedLine ||= !this.lineHasText;
      return '';
    }
    this.hiddenRun = false;
    this.openedLine = false;
    this.lineHasText = true;
    return this.release();
  }

  /** What is held at the end of the text. */
  flush(): string {
    return this.release();
  }

  /** The held spaces: none when only hidden markers followed them. */
  private release(): string {
    const out = this.hiddenRun ? '' : this.held;
    this.held = '';
    this.hiddenRun = false;
    return out;
  }
}

/**
 * Streamed answer text as every surface shows it: each number of a marker that names none of the answer's `sources`
 * sources is left out (`[1, 7]` of three sources reads `[1]`, and `[7]` goes), since the model invented it. Markers
 * that name sources, and brackets in code or links, stay as written; a marker left out takes the space before it
 * (SpaceBeforeHidden). `citedAs` gives, by a marker number's ordinal, the source its citation points at when that
 * is not the number written (the check moved it): such a number is written as that source's, as the panel's chip
 * shows it. Text that may still become a marker is held back, as MarkerScanner holds it, and so are trailing spaces,
 * until the next push or the flush.
 */
export class WithoutInventedNumbers {
  private readonly scanner = new MarkerScanner();
  private readonly spaces = new SpaceBeforeHidden();
  /** What was pushed and not yet written: the scanner's pieces are read off its front. */
  private written = '';

  constructor(
    private readonly sources: number,
    private readonly citedAs: (ordinal: number) => number | undefined = () => undefined,
  ) {}

  push(text: string): string {
    this.written += text;
    return this.write(this.scanner.push(text));
  }

  flush(): string {
    return this.write(this.scanner.flush()) + this.spaces.flush();
  }

  private write(pieces: MarkerPiece[]): string {
    let out = '';
    for (let k = 0; k < pieces.length; k++) {
      const piece = pieces[k] as MarkerPiece;
      if (piece.type === 'text') {
        out += this.spaces.text(piece.text);
        this.written = this.written.slice(piece.text.length);
        continue;
      }
      // the marker as written: its numbers are this piece and the ones after it
      MARKER_HERE.lastIndex = 0;
      const marker = MARKER_HERE.exec(this.written)?.[0] ?? '';
      const numbers = markerNumbers(marker.slice(1, -1));
      // each number's own piece holds its ordinal
      const named = numbers.flatMap((n, j) => {
        const own = pieces[k + j];
        if (n < 1 || n > this.sources) return [];
        return [(own?.type === 'marker' ? this.citedAs(own.ordinal) : undefined) ?? n];
      });
      k += numbers.length - 1;
      const asWritten = named.length === numbers.length && named.every((n, j) => n === numbers[j]);
      const shown = asWritten ? marker : named.length > 0 ? `[${named.join(', ')}]` : '';
      out += this.spaces.marker(shown !== '') + shown;
      this.written = this.written.slice(marker.length);
    }
    return out;
  }
}

/**
 * `text`, a whole answer written from `sources` sources, without its invented numbers and with the numbers `citedAs`
 * moves written as moved (see WithoutInventedNumbers).
 */
export function withoutInventedNumbers(
  text: string,
  sources: number,
  citedAs?: (ordinal: number) => number | undefined,
): string {
  const filter = new WithoutInventedNumbers(sources, citedAs);
  return filter.push(text) + filter.flush();
}

/** Every marker number of a whole text, in order (outside code), with its ordinal. */
export function markersOf(text: string): { n: number; ordinal: number }[] {
  const scanner = new MarkerScanner();
  const pieces = [...scanner.push(text), ...scanner.flush()];
  return pieces.flatMap(p => (p.type === 'marker' ? [{ n: p.n, ordinal: p.ordinal }] : []));
}

/**
 * Quoted text (a search's query, a heading) as markdown that shows each `[n]` as written and holds no marker: its
 * closing bracket escaped (`[1\]`), so no surface takes `arr[1]` for a citation of the first source.
 */
export const quotedWithoutMarkers = (text: string): string => text.replace(MARKER, m => `${m.slice(0, -1)}\\]`);
