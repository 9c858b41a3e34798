import type { Passage } from '../../../src/core/passage';
import { bm25Idf } from '../../../src/index/scoring/bm25';
import { tokenize } from '../../../src/index/terms/tokenizer';

/**
 * Seeded workspace-like text for the citation benchmark: Markdown prose wrapped at 100 characters and TypeScript,
 * over one vocabulary whose words are drawn by Zipf's law (function words most often, a long tail of rare words),
 * and claims made from a passage's sentences or lines with some words changed.
 */

/** English function words, the head of the distribution as in real text. */
const FUNCTION_WORDS =
  'the of and to in a is that for it as with was on be by this are or from at which an not have can when each its into more'.split(
    ' ',
  );
const FUNCTION_SET: ReadonlySet<string> = new Set(FUNCTION_WORDS);
const SYLLABLES =
  'ka lo mer tin sa vo ren du pel gra shi mon tex ba rin cho fal ne qua zor li pa sten vik hol mu dra fen ot cal'.split(
    ' ',
  );
/** Zipf–Mandelbrot: the word of rank r is drawn with weight 1 / (r + 2.7). */
const ZIPF_SHIFT = 2.7;
const VOCABULARY_SIZE = 6000;
const WRAP = 100;

export class Vocabulary {
  readonly words: string[];
  private readonly cumulative: Float64Array;

  constructor(private readonly rand: () => number) {
    const words = new Set(FUNCTION_WORDS);
    while (words.size < VOCABULARY_SIZE) {
      const syllables = 2 + Math.floor(rand() * 3);
      words.add(Array.from({ length: syllables }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(''));
    }
    this.words = [...words];
    this.cumulative = new Float64Array(this.words.length);
    let sum = 0;
    this.words.forEach((_, r) => (this.cumulative[r] = sum += 1 / (r + 1 + ZIPF_SHIFT)));
  }

  /** One word, drawn by its frequency. */
  word(): string {
    const target = this.rand() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return this.words[lo] ?? 'the';
  }

  /** A word drawn by frequency among the content words: a name, never a function word. */
  contentWord(): string {
    for (;;) {
      const w = this.word();
      if (!FUNCTION_SET.has(w)) return w;
    }
  }

  sentence(min = 8, max = 24): string {
    const length = min + Math.floor(this.rand() * (max - min + 1));
    const words = Array.from({ length }, () => this.word());
    const first = words[0] ?? 'the';
    words[0] = first[0]?.toUpperCase() + first.slice(1);
    return `${words.join(' ')}.`;
  }

  identifier(): string {
    const parts = 1 + Math.floor(this.rand() * 3);
    return Array.from({ length: parts }, (_, i) => {
      const w = this.contentWord();
      return i === 0 ? w : (w[0]?.toUpperCase() ?? '') + w.slice(1);
    }).join('');
  }
}

/** Markdown prose of exactly `lines` lines: headings, paragraphs of 2–7 sentences wrapped at 100 characters, some lists. */
export function proseText(v: Vocabulary, rand: () => number, lines: number): string {
  const out: string[] = [`# ${v.sentence(2, 5).slice(0, -1)}`, ''];
  while (out.length < lines) {
    const roll = rand();
    if (roll < 0.1) out.push(`## ${v.sentence(2, 5).slice(0, -1)}`, '');
    else if (roll < 0.2) {
      const items = 2 + Math.floor(rand() * 4);
      for (let i = 0; i < items; i++) out.push(`- ${v.sentence(4, 12)}`);
      out.push('');
    } else {
      const sentences = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => v.sentence());
      out.push(...wrap(sentences.join(' ')), '');
    }
  }
  return out.slice(0, lines).join('\n');
}

/**
 * TypeScript of exactly `lines` lines: functions with comments, declarations, conditions and calls. As in real code,
 * names repeat: each function uses a few locals and the file's own names more than new ones.
 */
export function codeText(v: Vocabulary, rand: () => number, lines: number): string {
  const out: string[] = [];
  const fileNames = Array.from({ length: 12 + Math.floor(lines / 20) }, () => v.identifier());
  const pickFrom = (names: string[]) => names[Math.floor(rand() * names.length)] ?? 'value';
  let locals: string[] = [];
  const id = () => {
    const roll = rand();
    return roll < 0.5 ? pickFrom(locals) : roll < 0.85 ? pickFrom(fileNames) : v.identifier();
  };
  while (out.length < lines) {
    locals = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => v.identifier());
    out.push(
      `/** ${v.sentence(6, 16)} */`,
      `export function ${pickFrom(fileNames)}(${id()}: ${cap(id())}, ${id()}: number): ${cap(id())} {`,
    );
    const body = 3 + Math.floor(rand() * 12);
    for (let i = 0; i < body; i++) {
      const roll = rand();
      if (roll < 0.15) out.push(`  // ${v.sentence(5, 14)}`);
      else if (roll < 0.45) out.push(`  const ${id()} = ${id()}.${id()}(${id()}, ${Math.floor(rand() * 100)});`);
      else if (roll < 0.65) out.push(`  if (${id()} > ${id()}.${id()}) return ${id()};`);
      else if (roll < 0.8) out.push(`  ${id()}.${id()}('${v.sentence(3, 8).slice(0, -1)}');`);
      else out.push(`  for (const ${id()} of ${id()}) ${id()}.push(${id()}.${id()});`);
    }
    out.push(`  return ${id()};`, '}', '');
  }
  return out.slice(0, lines).join('\n');
}

/** A passage of one generated file, starting at line 1. */
export function passageOf(path: string, text: string): Passage {
  const lines = text.split('\n').length;
  return { id: `${path}:1-${lines}`, path, location: `/ws/${path}`, startLine: 1, endLine: lines, text, score: 1 };
}

/**
 * A claim made from one sentence (prose) or line (code) of the passage: its words, each changed to another word
 * of the vocabulary with probability 0.25 or dropped with probability 0.1, as an answer paraphrases its source.
 */
export function claimFrom(passage: Passage, v: Vocabulary, rand: () => number): string {
  const pieces = passage.path.endsWith('.md')
    ? passage.text
        .replace(/^#.*$/gm, '')
        .replace(/^- /gm, '')
        .split(/(?<=\.)\s+/)
    : passage.text.split('\n');
  const candidates = pieces.map(p => words(p)).filter(ws => ws.length >= 5);
  const source = candidates[Math.floor(rand() * candidates.length)] ?? ['the', 'passage', 'says', 'nothing', 'more'];
  const changed = source.flatMap(w => {
    const roll = rand();
    return roll < 0.1 ? [] : roll < 0.35 ? [v.word()] : [w];
  });
  return changed.join(' ');
}

/** The words of a sentence or a line of code (identifiers split at their humps, as a person would say them). */
function words(text: string): string[] {
  return (text.match(/[A-Za-z]+/g) ?? []).flatMap(w => w.split(/(?=[A-Z])/)).map(w => w.toLowerCase());
}

/**
 * The IDF of a workspace index over `chunks` generated chunks of 60 lines (half prose, half code): what
 * `Retriever.termWeights()` gives the citations in ask().
 */
export function indexWeights(v: Vocabulary, rand: () => number, chunks: number): (term: string) => number {
  const df = new Map<string, number>();
  for (let i = 0; i < chunks; i++) {
    const text = i % 2 === 0 ? proseText(v, rand, 60) : codeText(v, rand, 60);
    for (const t of new Set(tokenize(text))) df.set(t, (df.get(t) ?? 0) + 1);
  }
  return term => bm25Idf(chunks, df.get(term) ?? 0);
}

function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > WRAP) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

const cap = (s: string): string => (s[0]?.toUpperCase() ?? '') + s.slice(1);
