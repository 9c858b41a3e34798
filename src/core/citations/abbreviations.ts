import { tokenize } from '../../index';

/**
 * An abbreviation that a passage defines, as in "mesenchymal stem cells (MSCs)": a sentence that later says MSCs
 * says mesenchymal stem cells, and a claim may use either form. `uses` finds the short form as a word, case and all
 * (its plural too); `shortTerms` and `longTerms` are each form's terms as the index analyses them: a text that holds
 * every one of `longTerms` says the long form, in whatever inflection.
 */
export interface Abbreviation {
  short: string;
  long: string;
  uses: RegExp;
  shortTerms: string[];
  longTerms: string[];
}

/** A passage defines at most this many: each costs a pattern per unit. */
const MOST = 24;
/**
 * A short form in brackets after the words it abbreviates: 2–10 characters, starting with a letter, at least two of
 * them capitals or digits (IPCC, MSCs, IL-6).
 */
const DEFINITION = /\(\s*(\p{L}[\p{L}\p{N}-]{1,9})\s*\)/gu;
const WORD = /[\p{L}\p{N}]/u;

/**
 * The abbreviations that `text` defines, found as Schwartz and Hearst do (PSB 2003): the long form is the shortest run
 * of the words before the brackets whose letters hold the short form's letters and digits in order, the first at the
 * start of a word, within min(characters + 5, 2 × characters) words.
 */
export function definedAbbreviations(text: string): Abbreviation[] {
  const out: Abbreviation[] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(DEFINITION)) {
    if (out.length >= MOST) break;
    const raw = m[1] as string;
    // a plural short form (MSCs) abbreviates the plural long form; its singular is the form to look for
    const short = raw.replace(/(?<=\p{Lu})s$/u, '');
    const key = short.toLowerCase();
    if ((short.match(/[\p{Lu}\p{N}]/gu) ?? []).length < 2 || seen.has(key)) continue;
    const characters = short.replace(/[^\p{L}\p{N}]/gu, '').length;
    const before = text
      .slice(Math.max(0, (m.index ?? 0) - 300), m.index)
      .split(/\s+/)
      .filter(Boolean);
    const long = longForm(key, before.slice(-Math.min(characters + 5, characters * 2)).join(' '));
    if (!long) continue;
    const longTerms = [...new Set(tokenize(long))];
    const shortTerms = [...new Set(tokenize(short))];
    if (longTerms.length < 2 || shortTerms.length === 0) continue;
    seen.add(key);
    out.push({
      short,
      long,
      uses: new RegExp(`(?<![\\p{L}\\p{N}])${escape(short)}s?(?![\\p{L}\\p{N}])`, 'u'),
      shortTerms,
      longTerms,
    });
  }
  return out;
}

/**
 * The shortest end of `words` that holds the characters of `short` (lower-case) in order, case aside, its first one
 * at the start of a word; undefined when there is none or when one of its words is the short form itself.
 */
function longForm(short: string, words: string): string | undefined {
  const l = words.toLowerCase();
  let li = l.length - 1;
  for (let si = short.length - 1; si >= 0; si--) {
    const c = short[si] as string;
    if (!WORD.test(c)) continue;
    while (li >= 0 && (l[li] !== c || (si === 0 && li > 0 && WORD.test(l[li - 1] as string)))) li--;
    if (li < 0) return undefined;
    li--;
  }
  const long = words.slice(l.lastIndexOf(' ', li) + 1).replace(/[,;:]+$/, '');
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
