import { porterStem } from './porterStemmer';
import { americanSpelling } from './spelling';

/** Turns text (a query, a chunk, a title or a path) into index terms. */
export type Tokenizer = (text: string) => string[];

export interface TokenizerOptions {
  /** Drop common English function words (Lucene's 33). */
  stopwords: boolean;
  /** Reduce words to their Porter stem (`parsing` → `pars`). */
  stem: boolean;
  /** Also emit a split identifier whole (`getUserName` → … `getusername`), so exact identifiers rank first. */
  compounds: boolean;
}

/** Measured on the retrieval sets (see test/bench/tokenizerVariants.ts); chosen once, not per data set. */
export const DEFAULT_TOKENIZER_OPTIONS: Readonly<TokenizerOptions> = { stopwords: true, stem: true, compounds: true };

/** Lucene's English stop set: small on purpose, so code words (`new`, `get`, `set`, `do`) survive. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split(
    ' ',
  ),
);

/**
 * An identifier: letters/digits joined by `_` (snake_case); `.`, `/`, `\`, `-` and spaces separate. A trailing
 * possessive `'s` is matched with it (and dropped in `analyse`, where the result is cached), as Lucene's English
 * analyzer drops it.
 */
export const IDENTIFIER = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:_+[\p{L}\p{N}][\p{L}\p{M}\p{N}]*)*(?:['\u2019]s\b)?/gu;
const POSSESSIVE = /['\u2019]s$/;
/** Pieces inside one identifier: `HTTPServer` → HTTP, Server; `utf8Decode` → utf, 8, Decode; `foo_bar` → foo, bar. */
const PIECE = /\p{Lu}+(?![\p{Ll}\p{M}])|\p{Lu}?[\p{Ll}\p{Lo}\p{Lt}\p{Lm}\p{M}]+|\p{Lu}+|\p{N}+/gu;
/**
 * A Greek letter in an identifier (in NFKC, as `analyse` has it), as science names things (TNF-α, NF-κB, Aβ42, β2,
 * IFNγ): spelled as its name, so TNF-α and TNF-alpha, tnfα and TNFα share their terms. Beside another Greek letter or
 * a combining mark it is part of a Greek word (καλημέρα) and stays as it is, as does mu before a Latin letter: the
 * unit prefix of μm, μg and μM.
 */
const LONE_GREEK = /(?<![\p{Script=Greek}\p{M}])\p{Script=Greek}(?![\p{Script=Greek}\p{M}])/gu;
const LATIN = /\p{Script=Latin}/u;
/**
 * Letters of Chinese and Japanese, written without spaces between words, and of Korean, whose words carry their
 * particles (파일을 is 파일 with its object particle): a run of them is no word. Script extensions, so that the
 * marks both kana use (ー in サーバー) are in the run.
 */
const CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]+/gu;
const HAS_CJK = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]/u;
const NON_ASCII = /[^\x00-\x7f]/;
const NOT_IN_IDENTIFIER = /[^\p{L}\p{M}\p{N}_]/gu;
/** The Greek letters in order, and their names. */
const GREEK_LETTERS = 'αβγδεζηθικλμνξοπρστυφχψω';
const GREEK_NAMES =
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'.split(
    ' ',
  );
const spellGreek = (identifier: string): string =>
  identifier
    .replace(LONE_GREEK, (letter: string, at: number) => {
      // a capital and the final sigma are the same letter (NFKC has made ϑ θ and ϕ φ)
      const index = GREEK_LETTERS.indexOf(letter.toLowerCase().replace('ς', 'σ'));
      const name = GREEK_NAMES[index];
      if (name === undefined || (name === 'mu' && LATIN.test(identifier[at + 1] ?? ''))) return letter;
      return `_${name}_`;
    })
    .replace(/^_+|_+$/g, '');

/**
 * The terms of a run of CJK letters, as a search engine reads them (Lucene's CJK bigrams, with its unigrams): each
 * letter, and each two neighbours. A query's word, of one letter or more, is then found inside a sentence that runs
 * on without spaces (天気 in 東京都の天気は晴れ, 설정 in 설정을).
 */
function cjkTerms(run: string, terms: string[]): void {
  const letters = Array.from(run);
  letters.forEach((letter, i) => {
    terms.push(letter);
    if (i > 0) terms.push(`${letters[i - 1] ?? ''}${letter}`);
  });
}

/** The term of a lowercase word that is no stopword: its stem, British and American spellings alike. */
export const stemOf = (word: string): string => porterStem(americanSpelling(word));

/** Builds a tokenizer; `tokenize` is the one with the shipped defaults. */
export function createTokenizer(options: Readonly<TokenizerOptions> = DEFAULT_TOKENIZER_OPTIONS): Tokenizer {
  // Identifiers repeat a lot in code and prose, so each one is analysed once (the cache is dropped when it grows large).
  let cache = new Map<string, readonly string[]>();
  const analyse = (token: string): readonly string[] => {
    // compatibility forms are their plain letters and digits (CO₂ is CO2, ﬁle is file, ＡＢＣ is ABC), and text in
    // either normal form gives the same terms (macOS writes file names decomposed); what NFKC makes of a character
    // that is no letter or digit (½ is 1⁄2) divides pieces as `_` does
    const normal = NON_ASCII.test(token)
      ? spellGreek(token.normalize('NFKC').replace(POSSESSIVE, '').replace(NOT_IN_IDENTIFIER, '_'))
      : token.replace(POSSESSIVE, '');
    // CJK runs give their own terms (cjkTerms) and divide the rest of the identifier as `_` does
    const cjk: string[] = [];
    const identifier = HAS_CJK.test(normal)
      ? normal.replace(CJK, run => {
          cjkTerms(run, cjk);
          return '_';
        })
      : normal;
    const pieces = SIMPLE.test(identifier) ? [identifier] : (identifier.match(PIECE) ?? []);
    const terms: string[] = [];
    for (const piece of pieces) {
      const lower = piece.toLowerCase();
      if (options.stopwords && STOPWORDS.has(lower)) continue;
      terms.push(options.stem ? stemOf(lower) : lower);
    }
    if (options.compounds && pieces.length > 1) terms.push(identifier.replace(/_/g, '').toLowerCase());
    for (const term of cjk) terms.push(term);
    return terms;
  };
  return (text: string): string[] => {
    const out: string[] = [];
    for (const identifier of text.match(IDENTIFIER) ?? []) {
      let terms = cache.get(identifier);
      if (terms === undefined) {
        terms = analyse(identifier);
        // a run of CJK letters is a clause, seldom seen twice, with two terms per letter: not worth its memory
        if (!HAS_CJK.test(identifier)) {
          if (cache.size >= CACHE_LIMIT) cache = new Map();
          cache.set(identifier, terms);
        }
      }
      for (const term of terms) out.push(term);
    }
    return out;
  };
}

const CACHE_LIMIT = 100_000;
/** One piece only: lowercase letters (the common case), skipping the piece regex. */
const SIMPLE = /^[a-z]+$/;

export const tokenize: Tokenizer = createTokenizer();
