import { tokenize } from '../../index';
import type { Passage } from '../passage';
import { analysePassage, closedCompounds, type PassageAnalysis, type Unit } from './passageUnits';

/** A term's weight: its inverse document frequency in the workspace index (or in the passages, without one). */
export type TermWeight = (term: string) => number;

/** The lines of a passage that best support a claim, and how much of the claim they cover. */
export interface Alignment {
  /** 1-based file lines, inclusive. */
  startLine: number;
  endLine: number;
  /** The share of the claim's weighted terms that the lines hold, 0..1. */
  coverage: number;
  /**
   * The share of the claim's weighted terms that the lines' section holds (the part of the passage under the same
   * heading; all of it when it has none), 0..1: at least `coverage`. Says whether the passage is about the claim.
   */
  sectionCoverage: number;
  /**
   * The share of the claim's distinct terms, each counted once whatever its weight, that the lines' section holds,
   * 0..1. Beside `sectionCoverage`, which the claim's rarest terms dominate, it says how much of the claim's wording
   * the passage shares.
   */
  sectionTerms: number;
  /** The lines' BM25 score over the claim's total weight: compares the best lines of different passages. */
  score: number;
  /**
   * What the lines were chosen by, over the claim's total weight: their score with the quoted phrases they hold
   * counted, in code times the share of the claim they hold to the ¼ (and lower for a window that leaves a block).
   * Compares the best lines of chunks of one file.
   */
  rank: number;
}

/** A window holds at most this many units: sentences of prose, or lines of code and tables. */
const MAX_SENTENCES = 4;
export const MAX_LINES = 8;
/**
 * In code, a window ranks by its BM25 score times the share of the claim it holds to this power. A line of code is
 * seldom a whole statement: against the passage's short average line, BM25's length normalisation lets the one line
 * that names a claim's identifiers (a signature, a doc comment's summary) outscore the few lines that do the thing and
 * hold more of the claim. In prose, sentences, table rows and quotes are whole statements and rank by BM25 alone.
 */
const CODE_COVERAGE_POWER = 0.25;
/**
 * In code, a window that starts inside a block and runs out of it (a later line is indented less than its first)
 * ranks at this share of its score: it joins the tail of one block to what follows it, where the window that starts
 * at the block's own first line, or ends with it, holds whole statements. Any share from a half to 0.8 chooses the
 * same lines on code-cite.
 */
const CUT_BLOCK_SHARE = 0.8;
/**
 * The share of its rank that a prose window keeps when it holds a sentence that frames the findings (`Unit.framing`:
 * under a structured abstract's label such as BACKGROUND, OBJECTIVE, METHODS, or saying what is not known or what was
 * asked). Those sentences state the question in the claim's own words ("To determine whether a salt substitute
 * reduces stroke…") or what was done, not what was found; such a window still wins where the results and conclusions
 * hold half as much of the claim (the shares tried are in docs/CITATIONS.md).
 */
const FRAMING_SHARE = 0.5;
/**
 * In prose, two terms that follow each other in the claim count once more where a sentence holds them within
 * `PROXIMITY_SPAN` terms of each other, in either order, weighing this share of what the two weigh (scored by BM25 as a
 * term, ranking windows only): sentences of one article share its topic words, and the one that says the claim tends
 * to say its words together ("all the negative patterns are applied" for "negative patterns are applied first").
 */
const PROXIMITY_SHARE = 0.25;
const PROXIMITY_SPAN = 8;
/** BM25's saturation and length normalisation, as the index ranks chunks (a window is scored as a tiny document). */
const K1 = 1.2;
const B = 0.75;

/** The claim's distinct terms, analysed as the index analyses text, with their weights, and the phrases it quotes. */
export interface ClaimTerms {
  text: string;
  terms: string[];
  weights: number[];
  total: number;
  phrases: ClaimPhrase[];
  /**
   * The claim's pairs of terms that follow each other (its stop words dropped), each pair once, weighing
   * `PROXIMITY_SHARE` of what the two weigh.
   */
  pairs: ClaimPhrase[];
  /** The claim's hyphenated words: the term each has written closed, and its own terms (pre-industrial). */
  compounds: { closed: string; terms: string[] }[];
}

/**
 * What a claim quotes, of two words or more: inline code or text in quotation marks (`retries: Infinity`, "Relative
 * value not allowed"), as the terms it reads as in order, weighing what those terms weigh together. A single word or
 * name (`maxWorkers`) is not one: the index already reads a name as a term of its own, besides its parts.
 */
export interface ClaimPhrase {
  terms: string[];
  weight: number;
}

/**
 * Inline code, and text in double, curly or single quotation marks (a single mark that ends or starts a word is an
 * apostrophe: don't, the users' files, the ‘90s).
 */
const QUOTED =
  /`([^`]+)`|"([^"]+)"|\u201c([^\u201d]+)\u201d|(?<![\p{L}\p{N}])[\u2018']([^\u2018\u2019']+)[\u2019'](?![\p{L}\p{N}])/gu;

export function claimTerms(claim: string, weight: TermWeight): ClaimTerms {
  const terms = [...new Set(tokenize(claim))];
  const weights = terms.map(t => weight(t));
  const phrases: ClaimPhrase[] = [];
  for (const m of claim.matchAll(QUOTED)) {
    const text = m.slice(1).find(g => g !== undefined) ?? '';
    const quoted = tokenize(text);
    if (!/\S\s+\S/.test(text) || quoted.length < 2) continue;
    if (phrases.some(p => p.terms.join(' ') === quoted.join(' '))) continue; // quoted twice, held once
    phrases.push({ terms: quoted, weight: [...new Set(quoted)].reduce((sum, t) => sum + weight(t), 0) });
  }
  const pairs: ClaimPhrase[] = [];
  // looked up by key and by term, so a long claim (a sentence of thousands of words) costs time linear in its length
  const paired = new Set<string>();
  const weightOf = new Map(terms.map((t, i) => [t, weights[i] ?? 0]));
  const sequence = tokenize(claim);
  for (let i = 0; i + 1 < sequence.length; i++) {
    const pair = [sequence[i] as string, sequence[i + 1] as string];
    const [a, b] = pair as [string, string];
    // a pair is the same in either order: held once
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (a === b || paired.has(key)) continue;
    paired.add(key);
    pairs.push({ terms: pair, weight: PROXIMITY_SHARE * ((weightOf.get(a) ?? 0) + (weightOf.get(b) ?? 0)) });
  }
  const compounds = closedCompounds(claim).map(({ word, closed }) => ({ closed, terms: [...new Set(tokenize(word))] }));
  return { text: claim, terms, weights, total: weights.reduce((a, b) => a + b, 0), phrases, pairs, compounds };
}

/**
 * Where each claim term occurs in the passage, as `postings` lists ([unit, count, …]). Where the claim uses one form
 * of an abbreviation that the passage defines and not the other, a unit that uses either form holds the claim's
 * form's terms, once each: the passage's "MSCs" says the claim's "mesenchymal stem cells", its "Content Security
 * Policy" the claim's "CSP", and its "API" the claim's "APIs". A claim that uses both forms is matched as it is written.
 * A word written hyphenated on one side and closed on the other (pre-industrial, preindustrial) is matched the same
 * way: a unit that writes it either way holds the claim's terms of it.
 */
function claimPostings(claim: ClaimTerms, analysis: PassageAnalysis): (readonly number[] | undefined)[] {
  const lists = claim.terms.map(t => analysis.postings.get(t));
  /** Claim term `term`, where the claim has it, is held once by each of `units` that does not hold it already. */
  const holdIn = (term: string, units: readonly number[]) => {
    const i = claim.terms.indexOf(term);
    if (i < 0 || units.length === 0) return;
    const list = [...(lists[i] ?? [])];
    // a set of the units held, not a scan of the list per unit: a long passage that uses both forms throughout
    const held = new Set(unitsOf(list));
    for (const u of units) {
      if (held.has(u)) continue;
      held.add(u);
      list.push(u, 1);
    }
    lists[i] = list;
  };
  const claimHolds = new Set(claim.terms);
  for (const { abbreviation, shortUnits, longUnits } of analysis.abbreviations) {
    const short = abbreviation.uses.test(claim.text);
    if (short === abbreviation.longTerms.every(t => claimHolds.has(t))) continue;
    const form = short ? abbreviation.shortTerms : abbreviation.longTerms;
    const units = short ? [...shortUnits, ...longUnits] : shortUnits;
    for (const term of form) holdIn(term, units);
  }
  // the claim's hyphenated words where the passage writes them closed, and its closed words where it hyphenates them
  for (const { closed, terms } of claim.compounds) {
    const units = unitsOf(analysis.postings.get(closed));
    for (const term of terms) holdIn(term, units);
  }
  for (const term of claim.terms) holdIn(term, analysis.hyphenated.get(term) ?? []);
  return lists;
}

/** The units of a postings list ([unit, count, …]). */
function unitsOf(list: readonly number[] | undefined): number[] {
  const units: number[] = [];
  for (let j = 0; list && j < list.length; j += 2) units.push(list[j] as number);
  return units;
}

/**
 * The run of whole lines of `passage` that supports the claim best: every window of 1–4 consecutive sentences
 * (prose, list items) or 1–8 lines (code, tables) is scored with BM25 against the claim, its length measured against
 * the passage's average unit, so a window grows only while what it adds outweighs its length (in code, windows also
 * weigh the share of the claim they hold, and one that starts inside a block it leaves ranks lower; in prose, the
 * claim's pairs of terms their sentences hold close together);
 * equal ranks go to the window with fewer lines. Undefined when the claim
 * has no terms or the passage no text.
 */
export function alignClaim(claim: ClaimTerms, passage: Passage): Alignment | undefined {
  if (claim.total <= 0) return undefined;
  const analysis = analysePassage(passage);
  const { units } = analysis;
  const head = units[0];
  if (!head) return undefined;
  // a window's lines, 0-based: from its first unit's first line to the later of its units' last lines
  const linesOf = (from: number, to: number) => {
    const start = units[from] as Unit;
    return { first: start.first, last: Math.max(start.last, (units[to] as Unit).last) };
  };
  let best: { from: number; to: number; covered: number; score: number; rank: number; lines: number } | undefined;
  const postings = claimPostings(claim, analysis);
  // a window ranks by the claim's terms and the phrases it quotes, where the passage holds them as written; its
  // coverage and score, which say whether it supports the claim, count the terms alone
  const phrases = phrasePostings(claim.phrases, analysis, postings, claim.terms);
  // in prose, a window also ranks by the claim's pairs of terms that its sentences hold close together
  const pairs = analysis.prose ? claim.pairs : [];
  const near = pairPostings(pairs, analysis);
  const rankWeights = [...claim.weights, ...claim.phrases.map(p => p.weight), ...pairs.map(p => p.weight)];
  const rankTotal = rankWeights.reduce((a, b) => a + b, 0);
  const entries = { terms: claim.terms.length, phrases: claim.phrases.length };
  forEachWindow(rankWeights, entries, analysis, [...postings, ...phrases, ...near], (from, to, window) => {
    const { first, last } = linesOf(from, to);
    const lines = last - first;
    const { covered, score } = window;
    const rank = analysis.prose
      ? window.rankScore * (framing(units, from, to) ? FRAMING_SHARE : 1)
      : window.rankScore *
        Math.pow(window.rankCovered / rankTotal, CODE_COVERAGE_POWER) *
        (leavesBlock(units, from, to) ? CUT_BLOCK_SHARE : 1);
    if (!best || rank > best.rank + 1e-9 || (Math.abs(rank - best.rank) <= 1e-9 && lines < best.lines))
      best = { from, to, covered, score, rank, lines };
  });
  if (!best || best.score === 0) {
    // nothing of the claim is there: point at the passage's first unit rather than the whole passage
    return {
      startLine: passage.startLine + head.first,
      endLine: passage.startLine + head.last,
      coverage: 0,
      sectionCoverage: 0,
      sectionTerms: 0,
      score: 0,
      rank: 0,
    };
  }
  const { first, last } = linesOf(best.from, best.to);
  const held = heldInSections(claim, analysis, postings, best.from, best.to);
  return {
    startLine: passage.startLine + first,
    endLine: passage.startLine + last,
    coverage: best.covered / claim.total,
    sectionCoverage: held.weight / claim.total,
    sectionTerms: held.terms / claim.terms.length,
    score: best.score / claim.total,
    rank: best.rank / claim.total,
  };
}

/** Whether a unit of `from`..`to` is a sentence that frames the findings (`Unit.framing`). */
function framing(units: readonly Unit[], from: number, to: number): boolean {
  for (let u = from; u <= to; u++) if (units[u]?.framing) return true;
  return false;
}

/** Whether a later unit of `from`..`to` is indented less than the first: the window starts inside a block it leaves. */
function leavesBlock(units: readonly Unit[], from: number, to: number): boolean {
  const indent = (units[from] as Unit).indent;
  for (let u = from + 1; u <= to; u++) if ((units[u] as Unit).indent < indent) return true;
  return false;
}

/** The claim terms that the sections of units `from`..`to` hold anywhere: their weight, and how many. */
function heldInSections(
  claim: ClaimTerms,
  analysis: PassageAnalysis,
  postings: readonly (readonly number[] | undefined)[],
  from: number,
  to: number,
): { weight: number; terms: number } {
  const { units } = analysis;
  const first = (units[from] as Unit).section;
  const last = (units[to] as Unit).section;
  const held = { weight: 0, terms: 0 };
  claim.terms.forEach((_, i) => {
    const list = postings[i] ?? [];
    for (let j = 0; j < list.length; j += 2) {
      const section = (units[list[j] as number] as Unit).section;
      if (section >= first && section <= last) {
        held.weight += claim.weights[i] ?? 0;
        held.terms++;
        return;
      }
    }
  });
  return held;
}

/**
 * For each phrase, the units that hold its terms in order, as postings ([unit, 1, …]); `postings` are the claim
 * terms' (`terms`), which hold every unit that may.
 */
function phrasePostings(
  phrases: readonly ClaimPhrase[],
  analysis: PassageAnalysis,
  postings: readonly (readonly number[] | undefined)[],
  terms: readonly string[],
): (readonly number[] | undefined)[] {
  return phrases.map(phrase => {
    const candidates = postings[terms.indexOf(phrase.terms[0] as string)] ?? [];
    const found: number[] = [];
    for (let j = 0; j < candidates.length; j += 2) {
      const unit = candidates[j] as number;
      if (holdsInOrder((analysis.units[unit] as Unit).terms, phrase.terms)) found.push(unit, 1);
    }
    return found.length > 0 ? found : undefined;
  });
}

/**
 * For each pair of claim terms, the units (as postings, [unit, 1, …]) that hold both within `PROXIMITY_SPAN` terms of
 * each other, in either order, as the passage writes them.
 */
function pairPostings(pairs: readonly ClaimPhrase[], analysis: PassageAnalysis): (readonly number[] | undefined)[] {
  return pairs.map(({ terms: [a, b] }) => {
    // the units that hold both, walking the two postings lists (each in unit order) together
    const listA = analysis.postings.get(a as string) ?? [];
    const listB = analysis.postings.get(b as string) ?? [];
    const found: number[] = [];
    for (let i = 0, j = 0; i < listA.length && j < listB.length;) {
      const unitA = listA[i] as number;
      const unitB = listB[j] as number;
      if (unitA < unitB) i += 2;
      else if (unitB < unitA) j += 2;
      else {
        if (holdsNear((analysis.units[unitA] as Unit).terms, a as string, b as string)) found.push(unitA, 1);
        i += 2;
        j += 2;
      }
    }
    return found.length > 0 ? found : undefined;
  });
}

/** Whether `terms` holds `a` and `b` within `PROXIMITY_SPAN` terms of each other. */
function holdsNear(terms: readonly string[], a: string, b: string): boolean {
  let lastA = -Infinity;
  let lastB = -Infinity;
  for (let i = 0; i < terms.length; i++) {
    if (terms[i] === a) lastA = i;
    else if (terms[i] === b) lastB = i;
    else continue;
    if (Math.abs(lastA - lastB) <= PROXIMITY_SPAN) return true;
  }
  return false;
}

/** Whether `terms` holds `run`, one term after another. */
function holdsInOrder(terms: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= terms.length; i++) if (run.every((t, k) => terms[i + k] === t)) return true;
  return false;
}

/**
 * One window's figures: the weight of the claim terms it holds and its BM25 score, and what windows rank by: the same
 * with the weight of each quoted phrase it holds added to both, and the BM25 score of the claim's pairs of terms its
 * sentences hold close together added to the score.
 */
interface WindowFigures {
  covered: number;
  score: number;
  rankCovered: number;
  rankScore: number;
}

/**
 * Calls `visit` with every window that holds a claim term: its first and last unit, and its figures (one object,
 * reused). Entries of `weights` and `postings` are the claim's terms (`entries.terms` of them), then its phrases
 * (`entries.phrases`), then its pairs of terms held close together. Windows grow one unit at a time from each start;
 * only units that hold a claim term are looked at, through the passage's postings.
 */
function forEachWindow(
  weights: readonly number[],
  entries: { terms: number; phrases: number },
  analysis: PassageAnalysis,
  postings: readonly (readonly number[] | undefined)[],
  visit: (first: number, last: number, window: WindowFigures) => void,
): void {
  const { units, averageLength } = analysis;
  // the claim terms each unit holds, as [term, count, term, count, …]
  const held: (number[] | undefined)[] = new Array(units.length);
  postings.forEach((list, i) => {
    if (!list) return;
    for (let j = 0; j < list.length; j += 2) {
      const unit = list[j] as number;
      (held[unit] ??= []).push(i, list[j + 1] as number);
    }
  });
  const tf = new Float64Array(weights.length);
  const touched: number[] = [];
  const window: WindowFigures = { covered: 0, score: 0, rankCovered: 0, rankScore: 0 };
  for (let s = 0; s < units.length; s++) {
    if (!held[s]) continue; // a window that starts without a claim term is beaten by the same window without its start
    const start = units[s] as Unit;
    const max = start.kind === 'sentence' ? MAX_SENTENCES : MAX_LINES;
    let length = 0;
    for (let e = s; e < units.length && e - s < max; e++) {
      const unit = units[e] as Unit;
      if (unit.run !== start.run) break;
      length += unit.length;
      const add = held[e];
      if (add) {
        for (let j = 0; j < add.length; j += 2) {
          const i = add[j] as number;
          if (tf[i] === 0) touched.push(i);
          tf[i] = (tf[i] ?? 0) + (add[j + 1] as number);
        }
      } else if (e > s) continue; // the window ends on a unit without a claim term: its shorter self scores higher
      const norm = K1 * (1 - B + (B * length) / averageLength);
      window.covered = window.score = window.rankCovered = window.rankScore = 0;
      for (const i of touched) {
        const weight = weights[i] ?? 0;
        window.rankCovered += weight;
        if (i >= entries.terms && i < entries.terms + entries.phrases) {
          // a phrase held adds its weight whatever the window's length: windows that hold the same phrases keep
          // the order their terms give them
          window.rankScore += weight;
          continue;
        }
        const f = tf[i] as number;
        const score = (weight * f * (K1 + 1)) / (f + norm);
        window.rankScore += score;
        if (i >= entries.terms) continue; // a pair held close together ranks the window and says no more of the claim
        window.covered += weight;
        window.score += score;
      }
      visit(s, e, window);
    }
    for (const i of touched) tf[i] = 0;
    touched.length = 0;
  }
}
