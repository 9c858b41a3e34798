import { fileChunks, setextHeadingText, TextLines, type ExtractedDocument } from '../index';
import { alignClaim, claimTerms, type Alignment, type TermWeight } from './citations/align';
import { weightsFromPassages } from './citations/resolve';
import { passageLabel, type Passage } from './passage';
import { sliceWhole } from '../shared/wholeCharacters';

/** A search result as people read it: where, under which heading, and the lines that matched. */
export interface SearchResultView {
  /** `path:start-end` of the chunk (`path#page=2:1-9`, `path#cell=3:1-4`; one line as `path:56`): passageLabel. */
  ref: string;
  /** The heading (or symbol) the matched lines are under: the innermost, not the chunk's whole trail. */
  heading?: string;
  /** The lines of the chunk that match the query best, 1-based file lines, inclusive. */
  startLine: number;
  endLine: number;
  lines: string[];
}

/** A matched line longer than this is cut: a minified line would fill the screen. */
const LINE_WIDTH = 160;
const MARKDOWN_HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

/**
 * Each passage as a search result: the run of lines that best matches the query (the lines citations would align a
 * claim with the same words to, `alignClaim`: words the query quotes, `"connection refused"`, rank the lines that
 * hold them as written), and the heading those lines are under. `weight` is the index's IDF
 * when the retriever has one; else the passages' own.
 */
export function searchResultViews(
  passages: readonly Passage[],
  query: string,
  weight?: TermWeight,
): SearchResultView[] {
  const alignments = alignedToQuery(passages, query, weight);
  return passages.map((p, i) => {
    const aligned = alignments[i];
    const startLine = aligned?.startLine ?? p.startLine;
    const endLine = aligned?.endLine ?? Math.min(p.endLine, p.startLine + 2);
    const text = p.text.split('\n');
    const lines = dedent(text.slice(startLine - p.startLine, endLine - p.startLine + 1).map(l => l.trimEnd())).map(l =>
      l.length > LINE_WIDTH ? `${sliceWhole(l, 0, LINE_WIDTH - 1)}…` : l,
    );
    return {
      ref: passageLabel(p, p.startLine, p.endLine),
      heading: ownHeading(p, startLine - p.startLine),
      startLine,
      endLine,
      lines,
    };
  });
}

/**
 * Each passage's run of lines that best matches the query: the lines a claim in its words would be cited by
 * (`alignClaim`; its `score` is 0 where the passage holds none of the query's terms). `weight` is the index's IDF when
 * the retriever has one; else the passages' own.
 */
export function alignedToQuery(
  passages: readonly Passage[],
  query: string,
  weight: TermWeight = weightsFromPassages(passages),
): (Alignment | undefined)[] {
  const terms = claimTerms(query, weight);
  return passages.map(p => alignClaim(terms, p));
}

/** Lines as people read them quoted from a file: each after its number, the numbers right-aligned. */
export function numberedLines(lines: readonly string[], firstLine: number): string[] {
  const width = String(firstLine + lines.length - 1).length;
  return lines.map((line, i) => `${String(firstLine + i).padStart(width)}  ${line}`);
}

/**
 * The heading a line of the passage is under: the last of the chunk's headings whose line comes before it (a chunk
 * packs several sections; its title lists every trail, `Guide > Install; Guide > Configure`), else the innermost
 * heading the chunk starts under. Only a heading line that names a heading of the title's trails counts, so a `#`
 * comment in code is never taken for one.
 */
export function ownHeading(passage: Pick<Passage, 'title' | 'text'>, lineIndex: number): string | undefined {
  const trails = (passage.title ?? '')
    .split('; ')
    .map(t => t.trim())
    .filter(t => t && t !== '…');
  const innermost = trails.map(t => t.split(' > ').at(-1)?.trim() ?? '').filter(Boolean);
  const named = new Set(trails.flatMap(t => t.split(' > ').map(n => n.trim())));
  const all = new TextLines(passage.text);
  for (let i = Math.min(lineIndex, all.length - 1); i >= 0; i--) {
    const line = all.line(i);
    // an ATX heading's text, or a setext heading's: the paragraph above its underline
    const name = (
      MARKDOWN_HEADING.exec(line)?.[1] ??
      (i + 1 < all.length ? setextHeadingText(all, i + 1) : '') ??
      ''
    ).trim();
    if (name && named.has(name)) return name;
  }
  return innermost[0];
}

/**
 * Where line `line` (1-based) of a file's text is now, as a search of the local index would cite it: the `title` of
 * the chunk the index makes of those lines (its heading trail, `fileChunks` with the default document settings) and
 * the `heading` of theirs a citation names (`ownHeading`). Either is absent where there is none: a line past the end,
 * a file without headings. `document`: a Word document's extracted text, which `text` then is. Lines that moved in an
 * edited file are under the headings the file gives them now, not those of the chunk they were cited from.
 */
export function headingsInFile(
  path: string,
  text: string,
  line: number,
  document?: ExtractedDocument,
): { title?: string; heading?: string } {
  const chunk = fileChunks(path, text, {}, document).find(c => c.startLine <= line && line <= c.endLine);
  const heading = chunk && ownHeading(chunk, line - chunk.startLine);
  return {
    ...(chunk?.title === undefined ? {} : { title: chunk.title }),
    ...(heading === undefined ? {} : { heading }),
  };
}

/** The lines without the indentation they all share (blank lines aside), so nested code reads from the margin. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter(l => l.trim()).map(l => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map(l => l.slice(Math.min(common, /^[ \t]*/.exec(l)?.[0].length ?? 0)));
}
