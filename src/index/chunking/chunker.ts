import { fenceAfter } from '../../shared/citationMarkers';
import { packUnits, type LineUnit } from './chunkPacking';
import { codeUnits, symbolName } from './codeUnits';
import { TextLines } from './textLines';

/** A span of one file's lines: what the index stores and a citation opens. */
export interface Chunk {
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /** Exactly the file's lines startLine..endLine joined by '\n' (no CR, no BOM). */
  text: string;
  /** Markdown heading trail (`Guide > Install`) or code symbol names. */
  title?: string;
}

export type ChunkKind = 'markdown' | 'code' | 'text';

const MARKDOWN = new Set(['md', 'markdown', 'mdx', 'mdown', 'mkd', 'rmd', 'qmd']);
const TEXT = new Set(['txt', 'text', 'rst', 'adoc', 'asciidoc', 'org', 'tex', 'log', 'csv', 'tsv', '']);

/** How a file is split, by its extension: markdown, plain text, or (anything else) code. */
export function chunkKind(path: string): ChunkKind {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : '';
  if (MARKDOWN.has(ext)) return 'markdown';
  if (TEXT.has(ext)) return 'text';
  return 'code';
}

/** The lines of a file: BOM dropped, CRLF/CR/LF all end a line, a final newline does not start an extra line. */
export function splitLines(text: string): string[] {
  const lines = new TextLines(text);
  return Array.from({ length: lines.length }, (_, i) => lines.line(i));
}

/** A chunk as lines of its file, without the text (the index counts its terms from the file's bytes). */
export type ChunkSpan = Omit<Chunk, 'text'>;

/**
 * Splits a file into chunks that cover every line exactly once, in order: markdown by heading sections,
 * code by top-level blocks, other text by paragraphs; small neighbours are packed to ~40–80 lines.
 */
export function chunkText(path: string, text: string): Chunk[] {
  const lines = new TextLines(text);
  return chunkSpans(path, lines).map(span => ({ ...span, text: lines.join(span.startLine - 1, span.endLine) }));
}

/** `chunkText` over a text's lines, without joining each chunk's lines into its text. */
export function chunkSpans(path: string, lines: TextLines): ChunkSpan[] {
  return chunkSpansOfKind(chunkKind(path), lines);
}

/** The headings a markdown text is under, outermost first: what titles its sections (`Guide > Install`). */
export type HeadingTrail = { level: number; text: string }[];

/**
 * `chunkSpans` for text split as `kind` says, whatever it is named (a notebook cell's source, say). Markdown starts
 * under `trail`'s headings, and leaves in it the headings its end is under (so a notebook's next cell goes on from them).
 */
export function chunkSpansOfKind(kind: ChunkKind, lines: TextLines, trail: HeadingTrail = []): ChunkSpan[] {
  if (lines.length === 0) return [];
  const units =
    kind === 'markdown'
      ? markdownUnits(lines, trail)
      : kind === 'code'
        ? codeUnits(lines)
        : paragraphUnits(lines, 0, lines.length);
  return packUnits(lines, units, kind === 'code' ? symbolName : undefined).map(u => {
    const span: ChunkSpan = { startLine: u.start + 1, endLine: u.end };
    if (u.title) span.title = u.title;
    return span;
  });
}

const HASH = 0x23;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const DASH = 0x2d;
const EQUALS = 0x3d;
const DOT = 0x2e;
const PLUS = 0x2b;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(?:`{3,}|~{3,})/;

/**
 * One unit per heading section (the heading starts it), titled with the heading trail. A heading is an ATX line
 * (`## Install`) or a setext one: a paragraph line underlined with `===` or `---`. Only lines that start (after at
 * most three spaces) with `#`, a backtick, `~`, `=` or `-` can be a heading, an underline or a fence: only those are
 * made strings.
 */
function markdownUnits(lines: TextLines, trail: HeadingTrail): LineUnit[] {
  const units: LineUnit[] = [];
  let start = 0;
  let title = trailTitle(trail);
  let fence: string | undefined;
  const from = frontMatterEnd(lines);
  for (let i = from; i < lines.length; i++) {
    const first = lines.firstAfterIndent(i, 3);
    if (first !== HASH && first !== BACKTICK && first !== TILDE && first !== EQUALS && first !== DASH) continue;
    const line = lines.line(i);
    if (FENCE.test(line)) {
      fence = fenceAfter(line.trimStart(), fence);
      continue;
    }
    if (fence !== undefined) continue;
    const heading = atxHeading(line, i) ?? (i > from ? setextHeading(lines, i, line, from) : undefined);
    if (!heading) continue;
    if (heading.at > start) units.push({ start, end: heading.at, title });
    while (trail.length > 0 && (trail[trail.length - 1]?.level ?? 0) >= heading.level) trail.pop();
    trail.push({ level: heading.level, text: heading.text });
    title = trailTitle(trail);
    start = heading.at;
  }
  units.push({ start, end: lines.length, title });
  return units;
}

/** A heading, and the line its section starts at. */
interface Heading {
  level: number;
  text: string;
  at: number;
}

function atxHeading(line: string, i: number): Heading | undefined {
  const h = HEADING.exec(line);
  return h ? { level: h[1]?.length ?? 1, text: (h[2] ?? '').trim(), at: i } : undefined;
}

/**
 * Line `i` as the underline of a setext heading, as CommonMark reads one: its text is the whole paragraph right above
 * it (from the line after a blank line or another block's line, but not above `from`), and the section starts at
 * the paragraph's first line. A paragraph in a list item, a quote or a table makes no heading: the underline is a
 * rule after them. Lines indented four columns where no paragraph was open are indented code, no part of it.
 */
function setextHeading(lines: TextLines, i: number, line: string, from: number): Heading | undefined {
  const underline = SETEXT_UNDERLINE.exec(line)?.[1];
  if (underline === undefined) return undefined;
  let start = i;
  while (start > from && !lines.isBlank(start - 1) && !ENDS_PARAGRAPH_ABOVE.test(lines.line(start - 1))) start--;
  while (start < i && lines.firstAfterIndent(start, 3) < 0) start++;
  const text: string[] = [];
  for (let k = start; k < i; k++) {
    const above = lines.line(k);
    if (NOT_TOP_LEVEL.test(above)) return undefined;
    text.push(above.trim());
  }
  return text.length ? { level: underline === '=' ? 1 : 2, text: text.join(' '), at: start } : undefined;
}

/** The text of the setext heading that line `underline` of `lines` underlines; undefined if it underlines none. */
export function setextHeadingText(lines: TextLines, underline: number): string | undefined {
  return setextHeading(lines, underline, lines.line(underline), 0)?.text;
}

/** The underline of a setext heading: `=` (level 1) or `-` (level 2), repeated. */
export const SETEXT_UNDERLINE = /^ {0,3}([=-])\1*[ \t]*$/;
/** A line after which a paragraph starts: a heading, a fence, a rule or another underline. */
const ENDS_PARAGRAPH_ABOVE = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|`{3,}|~{3,}|[-=]+[ \t]*$|([-*_])[ \t]*(?:\1[ \t]*){2,}$)/;
/**
 * A line that puts the paragraph it is in inside a list item, a quote or a table: a list item's marker, a quote's
 * `>`, a table's delimiter row (`|---|:--|`).
 */
const NOT_TOP_LEVEL = /^ {0,3}(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>|\|?[ \t]*:?-+:?[ \t]*\|[-:| \t]*$)/;

const FRONT_MATTER = /^(---|\+\+\+)[ \t]*$/;
const FRONT_MATTER_END = /^(---|\.\.\.|\+\+\+)[ \t]*$/;
/** A line that sets a key: `title: Install` (YAML), `title = "Install"` (TOML). */
const FRONT_MATTER_KEY = /^["']?[\w.-]+["']?[ \t]*[:=]/;

/**
 * Where the text's front matter ends (0 when it has none): the metadata that static site generators read between a
 * first line `---` and the next `---` or `...` (YAML), or between `+++` lines (TOML), that sets at least one key. Its
 * `#` lines are comments, not headings. A text that only starts with a thematic break has no key there.
 */
function frontMatterEnd(lines: TextLines): number {
  const firstChar = lines.firstAfterIndent(0, 0);
  const open = firstChar === DASH || firstChar === PLUS ? FRONT_MATTER.exec(lines.line(0))?.[1] : undefined;
  if (open === undefined) return 0;
  for (let i = 1; i < lines.length; i++) {
    const first = lines.firstAfterIndent(i, 0);
    if (first !== DASH && first !== DOT && first !== PLUS) continue;
    const close = FRONT_MATTER_END.exec(lines.line(i))?.[1];
    if (close !== open && !(open === '---' && close === '...')) continue;
    for (let k = 1; k < i; k++) if (FRONT_MATTER_KEY.test(lines.line(k))) return i + 1;
    return 0;
  }
  return 0;
}

const trailTitle = (trail: HeadingTrail): string | undefined =>
  trail
    .map(t => t.text)
    .filter(Boolean)
    .join(' > ') || undefined;

/** Paragraphs: a unit ends after a blank line that is followed by text (blank lines stay with the text above). */
export function paragraphUnits(lines: TextLines, from: number, to: number): LineUnit[] {
  const units: LineUnit[] = [];
  let start = from;
  let previousBlank = lines.isBlank(from);
  for (let i = from + 1; i < to; i++) {
    const blank = lines.isBlank(i);
    if (previousBlank && !blank) {
      units.push({ start, end: i });
      start = i;
    }
    previousBlank = blank;
  }
  units.push({ start, end: to });
  return units;
}
