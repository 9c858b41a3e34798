import { tokenize } from '../../index/terms/tokenizer';
import type { Passage } from '../passage';
import { passageUnits, type Unit } from './passageUnits';

/** A term's weight: its inverse document frequency in the workspace index (or in the passages, without one). */
export type TermWeight = (term: string) => number;

/** The lines of a passage that best support a claim, and how much of the claim they cover. */
export interface Alignment {
  /** 1-based file lines, inclusive. */
  startLine: number;
  endLine: number;
  /** The share of the claim's weighted terms that the lines hold, 0..1. */
  coverage: number;
}

/** A window holds at most this many units: sentences of prose, or lines of code, tables and lists. */
const MAX_SENTENCES = 4;
const MAX_LINES = 8;
/** BM25's saturation and length normalisation, as the index ranks chunks (a window is scored as a tiny document). */
const K1 = 1.2;
const B = 0.75;

/** The claim's distinct terms, analysed as the index analyses text, with their weights. */
export interface ClaimTerms {
  terms: string[];
  weights: number[];
  total: number;
}

export function claimTerms(claim: string, weight: TermWeight): ClaimTerms {
  const terms = [...new Set(tokenize(claim))];
  const weights = terms.map(t => weight(t));
  return { terms, weights, total: weights.reduce((a, b) => a + b, 0) };
}

/**
 * The run of whole lines of `passage` that supports the claim best: every window of 1–4 consecutive sentences
 * (prose) or 1–8 lines (code, tables, lists) is scored with BM25 against the claim, its length measured against the
 * passage's average unit, so a window grows only while what it adds outweighs its length; equal scores go to the
 * window with fewer lines. Undefined when the claim has no terms or the passage no text.
 */
export function alignClaim(claim: ClaimTerms, passage: Passage): Alignment | undefined {
  if (claim.total <= 0) return undefined;
  const units = passageUnits(passage);
  if (units.length === 0) return undefined;
  let chosen: Window | undefined;
  for (const w of scoreWindows(claim, units)) {
    if (!chosen || w.score > chosen.score + 1e-9 || (Math.abs(w.score - chosen.score) <= 1e-9 && w.last - w.first < chosen.last - chosen.first)) chosen = w;
  }
  if (!chosen || chosen.score === 0) {
    // nothing of the claim is there: point at the passage's first unit rather than the whole passage
    const first = units[0] as Unit;
    return { startLine: passage.startLine + first.first, endLine: passage.startLine + first.last, coverage: 0 };
  }
  return { startLine: passage.startLine + chosen.first, endLine: passage.startLine + chosen.last, coverage: chosen.covered / claim.total };
}

interface Window {
  first: number;
  last: number;
  /** The weight of the claim's terms the window holds. */
  covered: number;
  score: number;
}

/** Every window's coverage and BM25 score, grown one unit at a time from each start. */
function scoreWindows(claim: ClaimTerms, units: readonly Unit[]): Window[] {
  // each unit as the claim terms it holds (index, count), so growing a window is a few array reads
  const held = units.map(u => {
    const ids: [number, number][] = [];
    claim.terms.forEach((t, i) => {
      const tf = u.terms.get(t);
      if (tf) ids.push([i, tf]);
    });
    return ids;
  });
  const average = units.reduce((a, u) => a + u.length, 0) / units.length;
  const out: Window[] = [];
  const tf = new Float64Array(claim.terms.length);
  for (let s = 0; s < units.length; s++) {
    const start = units[s] as Unit;
    const max = start.kind === 'sentence' ? MAX_SENTENCES : MAX_LINES;
    tf.fill(0);
    let covered = 0;
    let length = 0;
    for (let e = s; e < units.length && e - s < max; e++) {
      const unit = units[e] as Unit;
      if (unit.run !== start.run) break;
      length += unit.length;
      for (const [i, count] of held[e] ?? []) {
        if (tf[i] === 0) covered += claim.weights[i] ?? 0;
        tf[i] = (tf[i] ?? 0) + count;
      }
      const norm = K1 * (1 - B + (B * length) / average);
      let score = 0;
      for (let i = 0; i < tf.length; i++) {
        const f = tf[i] ?? 0;
        if (f > 0) score += ((claim.weights[i] ?? 0) * f * (K1 + 1)) / (f + norm);
      }
      out.push({ first: start.first, last: Math.max(start.last, unit.last), covered, score });
    }
  }
  return out;
}

/** The best window's BM25 score over the claim's total weight (for comparing passages). */
export function bestScore(claim: ClaimTerms, passage: Passage): number {
  if (claim.total <= 0) return 0;
  let best = 0;
  for (const w of scoreWindows(claim, passageUnits(passage))) best = Math.max(best, w.score);
  return best / claim.total;
}
