import type { StringList } from '../base/stringList';

/** One document's terms as `drain` hands them over: term numbers (first-seen order) and their counts. */
export interface DrainedTerms {
  /** Views valid until the counter is used again. */
  ids: Uint32Array;
  counts: Uint32Array;
}

/** Postings in document order (views valid until the counter is used again). */
export interface Postings {
  terms: Uint32Array;
  docs: Uint32Array;
  tfs: Uint16Array;
}

/** A term frequency is stored in 16 bits; a term repeated more often in one document saturates anyway. */
export const MAX_TF = 0xffff;

/**
 * Counts one document's weighted terms straight into term numbers: the builder's hot loop. A document is counted
 * from strings (`add`) and from lines of the file set with `setFile` (`addLines`: a chunk's text, no string
 * made), then ended (`endDocument`: its postings are kept) or `drain`ed. Either way the terms are those of
 * the tokenizer over the same text. The counter keeps the dictionary — term numbers are assigned on first sight,
 * 0, 1, 2… — and the postings of the documents it ended.
 */
export interface TermCounter {
  /** Terms in the dictionary. */
  readonly termCount: number;
  /** The term numbered `id`. */
  term(id: number): string;
  /** A term's number, added to the dictionary when new. */
  termId(term: string): number;
  /** The dictionary in JavaScript string order, and each term's rank in it (by term number). */
  sortedTerms(): { list: StringList; ranks: Uint32Array };
  /** The UTF-8 bytes of the file whose chunks are counted next with `addLines`. */
  setFile(bytes: Uint8Array): void;
  /**
   * Counts the terms of the file's lines first..last (1-based, inclusive; the lines `splitLines` finds in its
   * decoded text), `weight` times each. A RangeError when the file has no such lines.
   */
  addLines(first: number, last: number, weight: number): void;
  /** Counts the terms of `text`, `weight` times each. */
  add(text: string | undefined, weight: number): void;
  /** The terms of `text` as (term number, count) pairs, for `addCounted`. Call between documents (after `drain`). */
  countOnce(text: string): Uint32Array;
  /**
   * Counts (term number, count) pairs, each `weight` times: pairs from `countOnce`, or an Int32Array whose negative
   * counts take back that much of what the document counted before.
   */
  addCounted(pairs: Uint32Array | Int32Array, weight: number): void;
  /** Ends the counting without a document: the terms and their counts, in first-seen order. */
  drain(): DrainedTerms;
  /**
   * Ends document `doc`: keeps a posting (term, doc, tf ≤ MAX_TF) per counted term (none for a count taken back to
   * 0); returns the sum of its tfs.
   */
  endDocument(doc: number): number;
  /** The postings of the documents ended so far. */
  postings(): Postings;
  /** How many postings the documents ended so far kept: a document's are the ones its endDocument added. */
  readonly postingCount: number;
  /** Whether one of the kept postings [first, end) saturated at MAX_TF: its true count is lost. */
  saturated(first: number, end: number): boolean;
  /** Counts the kept postings [first, end) into the current document, each term its tf times. */
  copyPostings(first: number, end: number): void;
  /** Done counting: nothing it returned may be read any more (a WebAssembly counter is kept for the next segment). */
  dispose(): void;
}

export const notLinesOfFile = (first: number, last: number): RangeError =>
  new RangeError(`Lines ${first}-${last} are not lines of the file being counted.`);

/** A drained document as (term number, count) pairs, for `addCounted`. */
export function pairsOf({ ids, counts }: DrainedTerms): Uint32Array {
  const pairs = new Uint32Array(ids.length * 2);
  for (let i = 0; i < ids.length; i++) {
    pairs[2 * i] = ids[i] ?? 0;
    pairs[2 * i + 1] = counts[i] ?? 0;
  }
  return pairs;
}
