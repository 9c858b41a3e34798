import { STOPWORDS, tokenize } from '../../index';

/**
 * An abbreviation that a passage defines, as in "mesenchymal stem cells (MSCs)": a sentence that later says MSCs
 * says mesenchymal stem cells, and a claim may use either form. `uses` finds the short form as a word, case and all,
 * singular or plural; `shortTerms` are the terms of both, `longTerms` the long form's, as the index analyses them: a
 * text that holds every one of `longTerms` says the long form, in whatever inflection.
 */
export interface Abbreviation {
  short: string;
  long: string;
  uses: RegExp;
  shortTerms: string[];
  longTerms: string[];
}

/** A passage defines at most this many: each is looked for in every unit that holds one of its terms. */
const MOST = 24;
/**
 * A short form: 2–10 characters, starting with a letter, at least two of them capitals or digits (IPCC, IL-6), a full
 * stop only between digits (PM2.5).
 */
const SHORT = String.raw`\p{L}(?:[\p{L}\p{N}-]|\.(?=\p{N})){1,9}`;
/**
 * Brackets on one line: where a definition may be, when a space comes before them (a call such as f(AB) is none).
 * The scan starts at each bracket, so text with few of them costs little.
 */
const BRACKETS = /\(([^()\n]{1,120})\)/g;
const SPACE = /\s/;
/** The brackets hold a short form: "mesenchymal stem cells (MSCs)". */
const SHORT_ALONE = new RegExp(String.raw`^\s*(${SHORT})\s*$`, 'u');
/** The word before the brackets is a short form, and they hold its long form: "CSP (Content Security Policy)". */
const SHORT_BEFORE = new RegExp(String.raw`(?<![\p{L}\p{N}-])(${SHORT})\s+$`, 'u');
/** Where the words that a long form may take from begin: after a sentence's end, a blank line or a bracket. */
const LAST_BOUNDARY = /^[\s\S]*(?:[.!?]["')\]]*\s|\n\s*\n|[()[\]])/;
const WORD = /[\p{L}\p{N}]/u;
/** A link, code or markup in a long form: it is no name. */
const NOT_A_NAME = /\]\(|:\/\/|[`<>{}=|\\[\]]/;

/**
 * The abbreviations that `text` defines, found as Schwartz and Hearst do (PSB 2003): a short form in brackets after
 * its long form, or a long form in brackets after its short form. The long form is the shortest run of words (in
 * the same sentence, before the brackets; or the brackets' whole text) whose letters hold the short form's letters
 * and digits in order, the first at the start of a word, within min(characters + 5, 2 × characters) words; here also
 * its letters alone when no such run holds its digits (carbon dioxide (CO2)), with no link or code, and at most one
 * word besides function words that opens with a character the short form lacks.
 */
export function definedAbbreviations(text: string): Abbreviation[] {
  const found = new Map<string, Abbreviation>();
  const add = (raw: string, words: string, whole: boolean) => {
    // a plural short form (MSCs) abbreviates the plural long form; its singular is the form to look for
    const short = raw.replace(/(?<=\p{Lu})s$/u, '');
    const key = short.toLowerCase();
    if ((short.match(/[\p{Lu}\p{N}]/gu) ?? []).length < 2 || found.has(key)) return;
    const characters = short.replace(/[^\p{L}\p{N}]/gu, '').length;
    const candidates = words.split(/\s+/).filter(Boolean);
    const within = candidates.slice(-Math.min(characters + 5, characters * 2)).join(' ');
    // a chemical's or measure's number may be no part of its name: carbon dioxide (CO2), fine particulate matter
    // (PM2.5); its letters, two at least, must still spell it
    const letters = key.replace(/[^\p{L}]/gu, '');
    const spelled = longForm(key, within) ?? (letters.length >= 2 ? longForm(letters, within) : undefined);
    if (!spelled || (whole && spelled !== candidates.join(' '))) return;
    // emphasis marks a defined term (**Retrieval-Augmented Generation** (RAG)); it is not part of it
    const long = spelled.replace(/^[*_]+|[*_]+$/g, '');
    // a name: no link or code, and at most one of its words (function words aside) opening with a character that the
    // short form lacks, not a clause that happens to spell it ("that would otherwise live indefinitely (TTL)")
    const named = long.split(/\s+/).filter(w => WORD.test(w) && !STOPWORDS.has(w.toLowerCase()));
    const strange = named.filter(w => !key.includes((WORD.exec(w)?.[0] ?? '').toLowerCase()));
    if (NOT_A_NAME.test(long) || strange.length > 1) return;
    const longTerms = [...new Set(tokenize(long))];
    const shortTerms = [...new Set([...tokenize(short), ...tokenize(`${short}s`)])];
    if (longTerms.length < 2 || shortTerms.length === 0) return;
    found.set(key, {
      short,
      long,
      uses: new RegExp(String.raw`(?<![\p{L}\p{N}])${escape(short)}s?(?![\p{L}\p{N}])`, 'u'),
      shortTerms,
      longTerms,
    });
  };
  for (const m of text.matchAll(BRACKETS)) {
    if (found.size >= MOST) break;
    const at = m.index ?? 0;
    if (!SPACE.test(text[at - 1] ?? '')) continue;
    const inside = m[1] as string;
    const short = SHORT_ALONE.exec(inside)?.[1];
    if (short !== undefined) {
      add(short, text.slice(Math.max(0, at - 300), at).replace(LAST_BOUNDARY, ''), false);
      continue;
    }
    const before = inside.length >= 4 ? SHORT_BEFORE.exec(text.slice(Math.max(0, at - 16), at))?.[1] : undefined;
    if (before !== undefined) add(before, inside, true);
  }
  return [...found.values()];
}

/**
 * The shortest end of `words` that holds the characters of `short` (lower-case) in order, case aside, its first one
 * at the start of a word; undefined when there is none or when one of its words is the short form itself.
 */
function longForm(short: string, words: string): string | undefined {
  // lower-cased a character at a time, keeping any whose lower case is longer (İ), so offsets stay those of `words`
  const l = words.replace(/./gsu, c => {
    const lower = c.toLowerCase();
    return lower.length === c.length ? lower : c;
  });
  let li = l.length - 1;
  for (let si = short.length - 1; si >= 0; si--) {
    const c = short[si] as string;
    if (!WORD.test(c)) continue;
    while (li >= 0 && (l[li] !== c || (si === 0 && li > 0 && WORD.test(l[li - 1] as string)))) li--;
    if (li < 0) return undefined;
    li--;
  }
  const long = words
    .slice(l.lastIndexOf(' ', li) + 1)
    .replace(/[,;:]+$/, '')
    .trim();
  return long
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .includes(short)
    ? undefined
    : long;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
