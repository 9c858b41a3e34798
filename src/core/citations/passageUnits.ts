import { chunkKind, tokenize } from '../../index';
import type { Passage } from '../passage';
import { definedAbbreviations, type Abbreviation } from './abbreviations';
import { FramingReader } from './framing';

/**
 * The smallest pieces a citation can point at: a sentence of prose (of a list item too), or one line of code, a table
 * row or a quote. `first` and `last` are 0-based lines of the passage's text; a sentence may share its first and last line
 * with its neighbours. `run` numbers the stretches of one kind: a window never joins two stretches. `section` numbers
 * the parts of prose between headings (code is one section): what a claim's lines are about.
 */
export interface Unit {
  kind: 'sentence' | 'line';
  first: number;
  last: number;
  run: number;
  section: number;
  /**
   * The indentation of the unit's first line, in columns (a tab four): in code, where a window of lines starts
   * inside a block and runs out of it.
   */
  indent: number;
  /** The unit's length in terms (a sentence's in words: without its numbers and the asides that hold figures). */
  length: number;
  /**
   * A sentence that frames findings rather than states one: under a structured abstract's label of what frames them
   * (BACKGROUND, OBJECTIVE, METHODS…), or one that says what is not known or what was asked (framing.ts).
   */
  framing?: boolean;
  /** The unit's terms in order: where a claim's quoted phrase is looked for. */
  terms: readonly string[];
}

/** A passage split into units, with where each term occurs: `postings.get(term)` is [unit, count, unit, count, …]. */
export interface PassageAnalysis {
  units: Unit[];
  postings: ReadonlyMap<string, readonly number[]>;
  /** The units' mean length in terms. */
  averageLength: number;
  /** Prose (sentences, with tables, quotes and fenced code as lines) rather than code (every unit a line). */
  prose: boolean;
  /** The abbreviations the passage defines, with the units that use each form (a unit may use both). */
  abbreviations: readonly AbbreviationUse[];
  /** The term of each word the passage (prose) writes hyphenated, as it would be written closed, and the units that do. */
  hyphenated: ReadonlyMap<string, readonly number[]>;
}

/** Hyphens: the ASCII one, and Unicode's hyphen and non-breaking hyphen (which models write), for a character class. */
const HYPHENS = '\\u2010\\u2011-';
/** Letters joined by hyphens into one word: pre-industrial, e-mail, Anti-Inflammatory (not COVID-19, not --flag). */
const HYPHENATED = new RegExp(
  `(?<![\\p{L}\\p{N}${HYPHENS}])\\p{L}+(?:[${HYPHENS}]\\p{L}+)+(?![\\p{L}\\p{N}${HYPHENS}])`,
  'gu',
);
/** Whether a text may hold a hyphenated word: most hold none, and skip the pattern. */
const MAY_HYPHENATE = new RegExp(`[${HYPHENS}]`, 'u');
const HYPHEN = new RegExp(`[${HYPHENS}]`, 'gu');

/** The term a hyphenated word has written closed (pre-industrial and Pre-Industrial as preindustrial), if one. */
function closedTerm(word: string): string | undefined {
  const terms = tokenize(word.replace(HYPHEN, '').toLowerCase());
  return terms.length === 1 ? terms[0] : undefined;
}

/** The hyphenated words of `text` that have a term written closed, each with that term. */
export function closedCompounds(text: string): { word: string; closed: string }[] {
  const out: { word: string; closed: string }[] = [];
  for (const [word] of MAY_HYPHENATE.test(text) ? text.matchAll(HYPHENATED) : []) {
    const closed = closedTerm(word);
    if (closed !== undefined) out.push({ word, closed });
  }
  return out;
}

export interface AbbreviationUse {
  abbreviation: Abbreviation;
  shortUnits: readonly number[];
  longUnits: readonly number[];
}

/**
 * Whether a file's text is prose, split into sentences; everything else is split into lines. Prose is what the index
 * chunks as Markdown (R Markdown and Quarto too) or as plain text, but for logs, tables, dotfiles (`.gitignore`) and
 * build files (`Makefile`, `Dockerfile`), whose lines stand alone; a PDF's passage is lines of a page's text layer
 * and a Word document's is its text as Markdown: prose too.
 */
function isProse(path: string): boolean {
  const kind = chunkKind(path);
  if (kind === 'markdown') return true;
  if (kind === 'text') return !LINE_BY_LINE.test(path);
  return PROSE_DOCUMENT.test(path);
}
const LINE_BY_LINE = /\.(?:log|csv|tsv)$|(?:^|\/)(?:\.[^/]*|[a-z]*file)$/i;
const PROSE_DOCUMENT = /\.(?:rtf|pdf|docx)$/i;
const FENCE = /^ {0,3}(?:`{3,}|~{3,})/;
/** A line that stands alone in prose: a table row that opens with a pipe, a quote. */
const STRUCTURAL = /^\s*(?:\||>)/;
/** A cell divider of a row without outer pipes (`Basic | $10 | 1`), outside inline code. */
const CELL_DIVIDER = /\S \| (?=\S)/g;
/** Inline code on one line: what claims and table rows read past (`a || b`, `string | number`). */
export const INLINE_CODE = /`[^`\n]*`/g;
const dividers = (line: string | undefined): number =>
  line?.includes('|') ? (line.replace(INLINE_CODE, '').match(CELL_DIVIDER) ?? []).length : 0;
/**
 * Whether line `i` stands alone: a structural line, or a table row without outer pipes, as GFM and a Word document's
 * text write them: two cell dividers, or one with a row next to it (`string | number` in a sentence is neither).
 */
function standsAlone(lines: readonly string[], i: number): boolean {
  const line = lines[i] as string;
  if (STRUCTURAL.test(line)) return true;
  const own = dividers(line);
  return own >= 2 || (own === 1 && (dividers(lines[i - 1]) > 0 || dividers(lines[i + 1]) > 0));
}
/** A list item's first line: it starts a paragraph, which the lines of prose right after it (indented or not) continue. */
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s/;
/** A heading or a rule: context for what follows (the passage's title), never the lines that support a claim. */
const HEADING = /^\s*(?:#{1,6}(?:\s|$)|[-=_*]{3,}\s*$)/;
/**
 * The end of a sentence: terminal punctuation (and closing quotes or brackets) before white space and a capital, a
 * digit, a Greek letter, or a word that starts lower-case but holds a capital or digit (mRNA, p53, iOS, α-synuclein:
 * the names that begin sentences in technical prose), each maybe after a quote or bracket; or at the end of the
 * paragraph; or Chinese and Japanese `。！？`, which no space follows. Abbreviations are checked separately. A run
 * of punctuation is matched from its start only: tried from each of its marks, a long run (`.....`) took time
 * quadratic in its length.
 */
const SENTENCE_END =
  /(?<![.!?])[.!?]+["'\u2019\u201d)\]]*(?=\s+["'\u2018\u201c(\[]?(?:[\p{Lu}\p{N}\p{Script=Greek}]|\p{Ll}+[\p{Lu}\p{N}])|\s*$)|(?<![。！？])[。！？]+["'\u2019\u201d)\]」』）]*/gu;
/** A line whose last word closes a clause: punctuation, maybe then a closing quote or bracket. */
const ENDS_CLAUSE = /[.!?:;,]["'\u2019\u201d)\]]*$/;
/** A line that opens as a sentence does: a capital or a digit, maybe after an opening quote or bracket. */
const OPENS_SENTENCE = /^["'\u2018\u201c(\[]?[\p{Lu}\p{N}]/u;
/** Words after which a full stop does not end a sentence: titles, references, dotted ones (e.g., U.S.). */
const ABBREVIATION =
  /(?:^|[\s(])(?:etc|vs|cf|al|approx|ca|Mr|Mrs|Ms|Dr|Prof|St|No|Figs?|Eqs?|Refs?|Tab|Sect?|Vol|pp|Inc|Ltd|Co|Jr|Sr|(?:\p{L}\.)+\p{L})\.$/u;
/**
 * A single capital before a full stop is an initial (J. Smith, George W. Bush, Hepatitis B. Smith) unless the word
 * after it is one that opens sentences: then it is a name that ends one (vitamin D. The, in C. It runs, Plan B. We).
 */
const OPENERS = new Set(
  'The This These Those That It Its We Our They Their There Here He She His Her You In On At By For From To With As After Before During Although Though While When Where If But And Or So Thus Hence However Therefore Moreover Furthermore Also Each Both Most Some Such No Not All'.split(
    ' ',
  ),
);
/** A term that is a number: the index reads 0.83 as 0 and 83, and 95% as 95. */
const NUMBER = /^\d+$/;
/** An aside in parentheses that holds a figure: a result's statistics (HR 0.83, 95% CI 0.72–0.95; n = 120). */
const FIGURES_ASIDE = /\([^()\d]*\d[^()]*\)/g;
const NEXT_WORD = /^\s+["'\u2018\u201c(\[*_]*(\p{L}+)/u;

const cache = new WeakMap<Passage, PassageAnalysis>();

/** The passage's units in order, analysed with the index's own tokenizer (cached per passage object). */
export function analysePassage(passage: Passage): PassageAnalysis {
  let analysis = cache.get(passage);
  if (!analysis) {
    analysis = splitUnits(passage.text.split(/\r?\n/), passage.prose ?? isProse(passage.path));
    cache.set(passage, analysis);
  }
  return analysis;
}

export function splitUnits(lines: readonly string[], prose: boolean): PassageAnalysis {
  const units: Unit[] = [];
  const postings = new Map<string, number[]>();
  let total = 0;
  let run = 0;
  let section = 0;
  let kind: Unit['kind'] | undefined;
  // prose defines abbreviations; in code, `f (AB)` is a call
  const abbreviations = (prose ? definedAbbreviations(lines.join('\n')) : []).map(abbreviation => ({
    abbreviation,
    shortUnits: [] as number[],
    longUnits: [] as number[],
  }));
  // the terms of either form of any of them: a unit that holds none uses none
  const abbreviationTerms = new Set(
    abbreviations.flatMap(a => [...a.abbreviation.shortTerms, ...a.abbreviation.longTerms]),
  );
  const hyphenated = new Map<string, number[]>();
  const framing = new FramingReader();
  const add = (k: Unit['kind'], first: number, last: number, text: string) => {
    const tokens = tokenize(text);
    if (tokens.length === 0) return;
    const unit = units.length;
    // prose, where a word is spelled both ways (in code, a hyphen joins no word)
    for (const { closed } of prose ? closedCompounds(text) : []) {
      const list = hyphenated.get(closed) ?? [];
      if (list.at(-1) !== unit) list.push(unit);
      hyphenated.set(closed, list);
    }
    notePostings(postings, unit, tokens);
    if (tokens.some(t => abbreviationTerms.has(t))) noteAbbreviations(abbreviations, postings, unit, text);
    if (k !== kind) run++;
    kind = k;
    // a sentence's length counts its words, not its figures: a result's statistics (HR 0.83, 95% CI 0.72–0.95) are
    // no words of its to match a claim by, and counted they put the sentence that reports the finding behind the
    // conclusion that restates it without them
    const length = k === 'sentence' ? wordsOf(text, tokens) : tokens.length;
    total += length;
    const indent = indentation(lines[first] ?? '');
    const frames = k === 'sentence' && framing.frames(text);
    units.push({
      kind: k,
      first,
      last,
      run,
      section,
      indent,
      length,
      terms: tokens,
      ...(frames ? { framing: true } : {}),
    });
  };
  const done = (): PassageAnalysis => ({
    units,
    postings,
    averageLength: units.length > 0 ? total / units.length : 0,
    prose,
    abbreviations,
    hyphenated,
  });
  if (!prose) {
    lines.forEach((line, i) => add('line', i, i, line));
    return done();
  }
  let inFence = false;
  let paragraph: number[] = [];
  // a list item is a paragraph of its own, started by its marker line: its sentences never run into the next item
  const endParagraph = () => {
    if (paragraph.length > 0) for (const s of sentences(lines, paragraph)) add('sentence', s.first, s.last, s.text);
    paragraph = [];
    framing.endParagraph();
  };
  lines.forEach((line, i) => {
    if (FENCE.test(line)) {
      endParagraph();
      inFence = !inFence;
      return;
    }
    if (!inFence && HEADING.test(line)) {
      endParagraph();
      section++;
      kind = undefined; // a window never runs across a heading, blank lines around it or not
      return;
    }
    if (!inFence && LIST_ITEM.test(line)) {
      endParagraph();
      paragraph.push(i);
      return;
    }
    if (inFence || standsAlone(lines, i)) {
      endParagraph();
      add('line', i, i, line);
      return;
    }
    if (!line.trim()) {
      endParagraph();
      kind = undefined;
      return;
    }
    paragraph.push(i);
  });
  endParagraph();
  return done();
}

/** How many words a sentence says: its terms, less its numbers and the asides in parentheses that hold figures. */
function wordsOf(text: string, tokens: readonly string[]): number {
  const plain = text.replace(FIGURES_ASIDE, ' ');
  const words = plain === text ? tokens : tokenize(plain);
  return Math.max(1, words.filter(t => !NUMBER.test(t)).length);
}

/** Adds unit `unit` (the last one added), which holds `tokens`, to the postings of its terms. */
function notePostings(postings: Map<string, number[]>, unit: number, tokens: readonly string[]): void {
  for (const t of tokens) {
    const list = postings.get(t);
    if (!list) postings.set(t, [unit, 1]);
    else if (list[list.length - 2] === unit) list[list.length - 1] = (list[list.length - 1] ?? 0) + 1;
    else list.push(unit, 1);
  }
}

/**
 * Records which forms of the passage's abbreviations unit `unit` (the last one added) uses: the short form when it
 * holds one of its terms and the form itself, case and all; the long form when it holds every one of its terms (a
 * term's postings list ends with this unit when the unit holds it).
 */
function noteAbbreviations(
  abbreviations: readonly { abbreviation: Abbreviation; shortUnits: number[]; longUnits: number[] }[],
  postings: ReadonlyMap<string, readonly number[]>,
  unit: number,
  text: string,
): void {
  const holds = (t: string) => postings.get(t)?.at(-2) === unit;
  for (const a of abbreviations) {
    if (a.abbreviation.shortTerms.some(holds) && a.abbreviation.uses.test(text)) a.shortUnits.push(unit);
    if (a.abbreviation.longTerms.every(holds)) a.longUnits.push(unit);
  }
}

/** A line's leading white space in columns, a tab counting four. */
function indentation(line: string): number {
  let columns = 0;
  for (const c of line) {
    if (c === ' ') columns++;
    else if (c === '\t') columns += 4;
    else break;
  }
  return columns;
}

/** The sentences of a paragraph (consecutive prose lines), each with the lines it spans. */
function sentences(
  lines: readonly string[],
  paragraph: readonly number[],
): { first: number; last: number; text: string }[] {
  // The paragraph as one string, and where each of its lines starts in it. A list item's marker is blanked: `1.` is
  // neither a sentence of its own nor a term of the item.
  const starts: number[] = [];
  let text = '';
  for (const i of paragraph) {
    starts.push(text.length);
    text += (lines[i] ?? '') + ' ';
  }
  text = text.replace(LIST_ITEM, marker => ' '.repeat(marker.length));
  const lineAt = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return paragraph[lo] ?? 0;
  };
  const out: { first: number; last: number; text: string }[] = [];
  let from = 0;
  const push = (to: number) => {
    const piece = text.slice(from, to);
    const lead = piece.length - piece.trimStart().length;
    if (piece.trim())
      out.push({ first: lineAt(from + lead), last: lineAt(Math.max(from + lead, to - 1)), text: piece });
    from = to;
  };
  const ends: number[] = [];
  for (const m of text.matchAll(SENTENCE_END))
    if (!endsInAbbreviation(text, m.index ?? 0)) ends.push((m.index ?? 0) + m[0].length);
  for (const j of titleLines(lines, paragraph)) ends.push((starts[j + 1] ?? text.length) - 1);
  for (const end of ends.sort((a, b) => a - b)) if (end > from) push(end);
  push(text.length);
  return out;
}

/**
 * The lines of a paragraph (its indexes into `paragraph`) that stand alone though nothing ends them: shorter than
 * six tenths of its usual line, without closing punctuation, and followed by a line that starts with a capital or
 * a digit: a title or a label over the text, as a PDF page's text layer holds them ("Churn analysis" over its
 * first sentence), never a line of wrapped prose, which runs to the wrap width.
 */
function titleLines(lines: readonly string[], paragraph: readonly number[]): number[] {
  if (paragraph.length < 2) return [];
  const lengths = paragraph.map(i => (lines[i] ?? '').trim().length);
  // the paragraph's usual line, its upper median: one long URL or link does not make every wrapped line short
  const usual = [...lengths].sort((a, b) => a - b)[paragraph.length >> 1] ?? 0;
  const out: number[] = [];
  for (let j = 0; j + 1 < paragraph.length; j++) {
    if ((lengths[j] ?? 0) >= 0.6 * usual) continue;
    const line = (lines[paragraph[j] as number] ?? '').trim();
    if (!ENDS_CLAUSE.test(line) && OPENS_SENTENCE.test((lines[paragraph[j + 1] as number] ?? '').trim())) out.push(j);
  }
  return out;
}

/** Whether the full stop at `dot` in `text` ends an abbreviation (e.g., Fig., U.S.) rather than a sentence. */
export function endsInAbbreviation(text: string, dot: number): boolean {
  if (text[dot] !== '.') return false;
  if (ABBREVIATION.test(text.slice(Math.max(0, dot - 12), dot + 1))) return true;
  // an initial is a capital alone before the dot
  if (!/[A-Z]/.test(text[dot - 1] ?? '') || /[\p{L}\p{N}]/u.test(text[dot - 2] ?? '')) return false;
  const next = NEXT_WORD.exec(text.slice(dot + 1, dot + 40))?.[1];
  return next === undefined || !OPENERS.has(next);
}
