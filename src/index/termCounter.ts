import { grown, GrowableUint32 } from './growableArray';
import { lineOffsets, type LineOffsets } from './lineOffsets';
import { StringList } from './stringList';
import { tokenize, type Tokenizer } from './tokenizer';
import { wasmTermCounter } from './wasmTermCounter';

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

/** A counter for `tokenizer`: the shipped tokenizer counts in WebAssembly over UTF-8 bytes; any other runs as given. */
export function createTermCounter(tokenizer: Tokenizer): TermCounter {
  return tokenizer === tokenize ? wasmTermCounter() : new TokenizerTermCounter(tokenizer);
}

const utf8 = new TextDecoder();

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

/** Counts whatever terms a tokenizer returns (the variants compared by the benchmarks, test tokenizers). */
export class TokenizerTermCounter implements TermCounter {
  private counts: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touched: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private drained: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touchedCount = 0;
  private file: Uint8Array = new Uint8Array(0);
  private lines: LineOffsets = lineOffsets(this.file);
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly postingTerms = new GrowableUint32(1 << 16);
  private readonly postingDocs = new GrowableUint32(1 << 16);
  private readonly postingTfs = new GrowableUint32(1 << 16);

  constructor(private readonly tokenizer: Tokenizer) {}

  get termCount(): number {
    return this.terms.length;
  }

  term(id: number): string {
    return this.terms[id] ?? '';
  }

  sortedTerms(): { list: StringList; ranks: Uint32Array } {
    const sorted = sortStrings(this.terms);
    const ranks = new Uint32Array(sorted.length);
    sorted.forEach((term, r) => (ranks[this.termIds.get(term) ?? 0] = r));
    return { list: StringList.from(sorted), ranks };
  }

  termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.termIds.set(term, id);
      this.terms.push(term);
    }
    return id;
  }

  setFile(bytes: Uint8Array): void {
    this.file = bytes;
    this.lines = lineOffsets(bytes);
  }

  addLines(first: number, last: number, weight: number): void {
    const { starts, ends } = this.lines;
    if (first < 1 || first > last || last > starts.length) throw notLinesOfFile(first, last);
    this.add(utf8.decode(this.file.subarray(starts[first - 1], ends[last - 1])), weight);
  }

  add(text: string | undefined, weight: number): void {
    if (!text || weight <= 0) return;
    for (const term of this.tokenizer(text)) this.count(this.termId(term), weight);
  }

  countOnce(text: string): Uint32Array {
    this.add(text, 1);
    return pairsOf(this.drain());
  }

  addCounted(pairs: Uint32Array | Int32Array, weight: number): void {
    if (weight <= 0) return;
    for (let i = 0; i < pairs.length; i += 2) this.count(pairs[i] ?? 0, (pairs[i + 1] ?? 0) * weight);
  }

  drain(): DrainedTerms {
    const n = this.touchedCount;
    if (this.drained.length < n) this.drained = new Uint32Array(this.touched.length);
    for (let i = 0; i < n; i++) {
      const id = this.touched[i] ?? 0;
      this.drained[i] = this.counts[id] ?? 0;
      this.counts[id] = 0;
    }
    this.touchedCount = 0;
    return { ids: this.touched.subarray(0, n), counts: this.drained.subarray(0, n) };
  }

  endDocument(doc: number): number {
    const { ids, counts } = this.drain();
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const tf = Math.min(counts[i] ?? 0, MAX_TF);
      if (tf === 0) continue;
      this.postingTerms.push(ids[i] ?? 0);
      this.postingDocs.push(doc);
      this.postingTfs.push(tf);
      length += tf;
    }
    return length;
  }

  dispose(): void {
    // Nothing to give back: the arrays go with the counter.
  }

  postings(): Postings {
    return { terms: this.postingTerms.toArray(), docs: this.postingDocs.toArray(), tfs: Uint16Array.from(this.postingTfs.toArray()) };
  }

  get postingCount(): number {
    return this.postingTerms.length;
  }

  saturated(first: number, end: number): boolean {
    for (let p = first; p < end; p++) if (this.postingTfs.get(p) === MAX_TF) return true;
    return false;
  }

  copyPostings(first: number, end: number): void {
    for (let p = first; p < end; p++) this.count(this.postingTerms.get(p), this.postingTfs.get(p));
  }

  private count(id: number, weight: number): void {
    if (id >= this.counts.length) this.counts = grown(this.counts, id + 1);
    const before = this.counts[id] ?? 0;
    if (before === 0) {
      if (this.touchedCount === this.touched.length) this.touched = grown(this.touched, this.touchedCount + 1);
      this.touched[this.touchedCount++] = id;
    }
    this.counts[id] = before + weight;
  }
}

/**
 * The strings in UTF-16 code-unit order (as `<` compares them): bucketed by their first two code units, then each
 * bucket by the default sort (which compares code units too). About twice as fast as one sort of a million terms.
 */
export function sortStrings(strings: readonly string[]): string[] {
  const buckets = new Map<number, string[]>();
  for (const s of strings) {
    // A one-unit string sorts before any longer string with the same first unit: key offset 0 vs 1 + second unit.
    const key = s.length === 0 ? -1 : s.charCodeAt(0) * 0x10001 + (s.length > 1 ? s.charCodeAt(1) + 1 : 0);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(s);
    else buckets.set(key, [s]);
  }
  const out: string[] = [];
  for (const key of [...buckets.keys()].sort((a, b) => a - b)) for (const s of (buckets.get(key) ?? []).sort()) out.push(s);
  return out;
}
