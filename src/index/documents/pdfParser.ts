/**
 * PDF values read as pdf.js's lexer and parser (`Lexer`, `Parser.getObj`) read them: numbers as `Lexer.getNumber`
 * reads them, strings as the characters `getString` and `getHexString` give (their escapes read), names with their
 * `#` escapes read, references wherever two integers and `R` follow one another. The PDF checks (stream sizes, image
 * streams, encryption) all read values through this one parser.
 */

/** `text` with names' `#` escapes (and any alike) read as the characters they stand for. */
export const unescaped = (text: string): string =>
  text.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * Finds the name `/name` in PDF text however it is written: any of its characters may be a `#` escape (`/Encr#79pt`
 * is `/Encrypt` to pdf.js), and it ends where a name does (so `/EncryptMetadata` is not `/Encrypt`).
 */
export function nameWritten(name: string): RegExp {
  const characters = [...name].map(c => {
    const hex = [...c.charCodeAt(0).toString(16).padStart(2, '0')]
      .map(h => (/[a-f]/.test(h) ? `[${h}${h.toUpperCase()}]` : h))
      .join('');
    return `(?:${c.replace(/[^A-Za-z0-9]/g, '\\$&')}|#${hex})`;
  });
  return new RegExp(`/${characters.join('')}(?![^\\0\\t\\n\\f\\r ()<>[\\]{}/%])`, 'g');
}

/**
 * Whether pdf.js's parser, reading values with streams allowed (as it reads the objects an object stream holds), could
 * make a stream in `text`: a dictionary's `>>`, white space and comments, then the `stream` keyword as a word of its
 * own (pdf.js makes a stream of any dictionary, however deep, whose next token is `stream`). Looked for wherever it
 * stands rather than parsed from where objects start (an object stream's offsets may start pdf.js anywhere), so in a
 * string too. One pass following every `>>` at once, so a line of `>>%` is read once, not again for each `>>` in it.
 */
export function makesStream(text: string): boolean {
  const keyword = 'stream';
  // after a `>>` and white space only; within a comment after one; how much of the keyword follows one
  let gap = false;
  let comment = false;
  let matched = 0;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    const lineEnd = c === 0x0a || c === 0x0d;
    matched = gap && c === 0x73 ? 1 : matched > 0 && c === keyword.charCodeAt(matched) ? matched + 1 : 0;
    if (matched === keyword.length && (at + 1 === text.length || ENDS_WORD.has(text.charCodeAt(at + 1)))) return true;
    const inGap: boolean = gap;
    gap = (inGap && WHITE.has(c)) || (comment && lineEnd) || (c === 0x3e && text.charCodeAt(at - 1) === 0x3e);
    comment = (comment && !lineEnd) || (inGap && c === 0x25);
  }
  return false;
}

export class PdfName {
  constructor(readonly name: string) {}
}
export class Reference {
  constructor(
    readonly number: number,
    readonly generation = 0,
  ) {}
}
export class Command {
  constructor(readonly command: string) {}
}
/** A dictionary's entries in order, repeated keys too (pdf.js keeps a key's last value). */
export class Entries {
  readonly entries: [string, Value][] = [];
  last(key: string): Value | undefined {
    let value: Value | undefined;
    for (const [k, v] of this.entries) if (k === key) value = v;
    return value;
  }
  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }
}
export type Value = PdfName | Reference | Command | Entries | Value[] | number | string | boolean | null | typeof END;

const END = Symbol('end');
/** How deep arrays and dictionaries may nest (a writer's nest a few deep). */
const MAX_DEPTH = 256;
const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set([...'()<>[]{}/%'].map(c => c.charCodeAt(0)));
/** What ends a keyword for pdf.js's lexer: white space or a delimiter. */
const ENDS_WORD = new Set([...WHITE, ...DELIMITERS]);

/**
 * pdf.js's lexer and parser (`Lexer`, `Parser.getObj`) from `start` in `text`; each character read costs `budget`,
 * and so does nesting deeper than MAX_DEPTH: it ends the reading with the budget spent (pdf.js reads nested values
 * by recursion too), rather than overflowing the stack or reading on for ever.
 */
export class Parser {
  private position: number;
  private first: Value = END;
  private second: Value = END;
  private secondAt = 0;
  /** Where the `stream` keyword after the last dictionary read is, when one follows it. */
  streamAt: number | undefined;

  constructor(
    private readonly text: string,
    start: number,
    private readonly budget: { left: number },
  ) {
    this.position = start;
    this.first = this.token();
    this.secondAt = this.skipped();
    this.second = this.token();
  }

  done(): boolean {
    return this.first === END || this.budget.left < 0;
  }

  object(): Value {
    if (this.depth >= MAX_DEPTH) {
      this.budget.left = -1;
      return null;
    }
    this.depth++;
    try {
      return this.value();
    } finally {
      this.depth--;
    }
  }

  private depth = -1;

  private value(): Value {
    const value = this.first;
    this.shift();
    this.streamAt = undefined;
    if (value instanceof Command && value.command === '[') {
      const array: Value[] = [];
      while (!this.is(this.first, ']') && !this.done()) array.push(this.object());
      this.shift();
      return array;
    }
    if (value instanceof Command && value.command === '<<') {
      const dictionary = new Entries();
      while (!this.is(this.first, '>>') && !this.done()) {
        if (!(this.first instanceof PdfName)) {
          this.shift();
          continue;
        }
        const key = this.first.name;
        this.shift();
        if ((this.first as Value) === END) break;
        dictionary.entries.push([key, this.object()]);
      }
      this.streamAt = this.is(this.second, 'stream') ? this.secondAt : undefined;
      if (this.streamAt === undefined) this.shift();
      // a stream as a value within an object: pdf.js reads on past its data, where this does not follow
      else if (this.depth > 0) this.budget.left = -1;
      return dictionary;
    }
    if (typeof value === 'number' && Number.isInteger(value)) {
      if (typeof this.first === 'number' && Number.isInteger(this.first) && this.is(this.second, 'R')) {
        const generation = this.first;
        this.shift();
        this.shift();
        return new Reference(value, generation);
      }
    }
    return value;
  }

  private is(value: Value, command: string): boolean {
    return value instanceof Command && value.command === command;
  }

  private shift(): void {
    this.first = this.second;
    this.secondAt = this.skipped();
    this.second = this.token();
  }

  /** Skips white space and comments; where the next token starts. */
  private skipped(): number {
    const { text } = this;
    let at = this.position;
    for (;;) {
      const c = text.charCodeAt(at);
      if (WHITE.has(c)) at++;
      else if (c === 0x25) while (at < text.length && !/[\r\n]/.test(text[at] ?? '')) at++;
      else break;
    }
    this.budget.left -= at - this.position;
    this.position = at;
    return at;
  }

  private token(): Value {
    const { text } = this;
    const start = this.skipped();
    if (start >= text.length) return END;
    const c = text.charCodeAt(start);
    let at = start + 1;
    let value: Value;
    if (/[0-9+\-.]/.test(text[start] ?? '')) {
      ({ value, end: at } = numberAt(text, start));
    } else if (c === 0x28) {
      ({ value, end: at } = literalStringAt(text, start));
    } else if (c === 0x2f) {
      while (at < text.length && !WHITE.has(text.charCodeAt(at)) && !DELIMITERS.has(text.charCodeAt(at))) at++;
      value = new PdfName(unescaped(text.slice(start + 1, at)));
    } else if (c === 0x3c || c === 0x3e) {
      if (text.charCodeAt(at) === c) value = new Command(text.slice(start, ++at));
      else if (c === 0x3e) value = new Command('>');
      else ({ value, end: at } = hexStringAt(text, start));
    } else if (DELIMITERS.has(c)) {
      value = new Command(text[start] ?? '');
    } else if (
      (c < 0x20 || c > 0x7f) &&
      at < text.length &&
      text.charCodeAt(at) >= 0x20 &&
      text.charCodeAt(at) <= 0x7f
    ) {
      value = new Command(text[start] ?? '');
    } else {
      while (at < text.length && !WHITE.has(text.charCodeAt(at)) && !DELIMITERS.has(text.charCodeAt(at))) at++;
      const word = text.slice(start, at);
      value = word === 'true' ? true : word === 'false' ? false : word === 'null' ? null : new Command(word);
    }
    this.budget.left -= at - start;
    this.position = at;
    return value;
  }
}

/**
 * A number as pdf.js's `Lexer.getNumber` reads it from `start` (a sign, once repeated; line ends after it; a minus
 * sign within the digits skipped; `e` or `E` and digits an exponent, so `4e0` is 4), and where it ends; 0 when no
 * digit follows the sign or point.
 */
function numberAt(text: string, start: number): { value: number; end: number } {
  let at = start;
  const code = (i: number): number => (i < text.length ? text.charCodeAt(i) : -1);
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  let sign = 1;
  if (code(at) === 0x2d) {
    sign = -1;
    at++;
    if (code(at) === 0x2d) at++;
  } else if (code(at) === 0x2b) at++;
  while (code(at) === 0x0a || code(at) === 0x0d) at++;
  let divideBy = 0;
  if (code(at) === 0x2e) {
    divideBy = 10;
    at++;
  }
  if (!isDigit(code(at))) return { value: 0, end: at };
  let base = code(at) - 0x30;
  let power = 0;
  let powerSign = 1;
  let exponent = false;
  for (at++; code(at) >= 0; at++) {
    const c = code(at);
    if (isDigit(c)) {
      if (exponent) power = power * 10 + c - 0x30;
      else {
        if (divideBy !== 0) divideBy *= 10;
        base = base * 10 + c - 0x30;
      }
    } else if (c === 0x2e) {
      if (divideBy === 0) divideBy = 1;
      else break;
    } else if (c === 0x45 || c === 0x65) {
      const next = code(at + 1);
      if (next === 0x2b || next === 0x2d) {
        powerSign = next === 0x2d ? -1 : 1;
        at++;
      } else if (!isDigit(next)) break;
      exponent = true;
    } else if (c !== 0x2d) break;
  }
  if (divideBy !== 0) base /= divideBy;
  if (exponent) base *= 10 ** (powerSign * power);
  return { value: sign * base, end: at };
}

/**
 * A literal string as pdf.js's `Lexer.getString` reads it from its `(` at `start` (balanced parentheses kept; `\\n`,
 * `\\r`, `\\t`, `\\b`, `\\f`, `\\(`, `\\)` and `\\\\` escapes; one to three octal digits a character, unmasked, as
 * pdf.js leaves it; a backslash before a line end joins the lines; before any other character, that character), and
 * where it ends.
 */
function literalStringAt(text: string, start: number): { value: string; end: number } {
  const parts: string[] = [];
  let depth = 1;
  let at = start + 1;
  let run = at;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) break;
    if (c !== 0x5c) {
      at++;
      continue;
    }
    parts.push(text.slice(run, at));
    run = ++at;
    if (at >= text.length) break;
    const e = text.charCodeAt(at++);
    const escape = ESCAPES.get(e);
    if (escape !== undefined) parts.push(escape);
    else if (isOctal(e)) {
      let code = e & 0x0f;
      for (let n = 1; n < 3 && isOctal(text.charCodeAt(at)); n++) code = (code << 3) + (text.charCodeAt(at++) & 0x0f);
      parts.push(String.fromCharCode(code));
    } else if (e === 0x0d) {
      if (text.charCodeAt(at) === 0x0a) at++;
    } else if (e !== 0x0a) parts.push(String.fromCharCode(e));
    run = at;
  }
  parts.push(text.slice(run, at));
  return { value: parts.join(''), end: Math.min(at + 1, text.length) };
}

const isOctal = (c: number): boolean => c >= 0x30 && c <= 0x37;

/** The characters a backslash before these stands for in a literal string. */
const ESCAPES = new Map([
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x28, '('],
  [0x29, ')'],
  [0x5c, '\\'],
]);

/**
 * A hex string as pdf.js's `Lexer.getHexString` reads it from its `<` at `start` (pairs of hex digits a character,
 * anything else skipped, an odd last digit followed by 0), to its `>` or the end of the text, and where it ends.
 */
function hexStringAt(text: string, start: number): { value: string; end: number } {
  const close = text.indexOf('>', start + 1);
  const to = close < 0 ? text.length : close;
  const bytes = Buffer.alloc(Math.ceil((to - start - 1) / 2));
  let length = 0;
  let first = -1;
  for (let at = start + 1; at < to; at++) {
    const digit = parseInt(text[at] ?? '', 16);
    if (Number.isNaN(digit)) continue;
    if (first < 0) first = digit;
    else {
      bytes[length++] = (first << 4) | digit;
      first = -1;
    }
  }
  if (first >= 0) bytes[length++] = first << 4;
  return { value: bytes.toString('latin1', 0, length), end: close < 0 ? text.length : close + 1 };
}

/**
 * Each value written after the name `/key` (however it is written, see `nameWritten`) anywhere in `sources`, read as
 * pdf.js reads it: the numbers, or 'unknown' when one is not a plain number (a reference, a string). How a filter's
 * parameters that change what it decodes to (`/EarlyChange`, `/Columns`) are found without knowing which stream each
 * dictionary belongs to.
 */
export function numbersAfter(sources: readonly string[], key: string): number[] | 'unknown' {
  const found: number[] = [];
  for (const source of sources)
    for (const name of source.matchAll(nameWritten(key))) {
      const value = new Parser(source, name.index + name[0].length, { left: 4096 }).object();
      if (typeof value !== 'number') return 'unknown';
      found.push(value);
    }
  return found;
}
