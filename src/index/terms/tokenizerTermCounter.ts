import { grown, GrowableUint32 } from '../base/growableArray';
import { StringList } from '../base/stringList';
import { lineOffsets, type LineOffsets } from '../chunking/lineOffsets';
import { MAX_TF, notLinesOfFile, pairsOf, type DrainedTerms, type Postings, type TermCounter } from './termCounter';
import type { Tokenizer } from './tokenizer';

const utf8 = new TextDecoder();

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
    return {
      terms: this.postingTerms.toArray(),
      docs: this.postingDocs.toArray(),
      tfs: Uint16Array.from(this.postingTfs.toArray()),
    };
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
 * bucket by the default sort (which compares code units too): small buckets sort faster than one large sort of a
 * vocabulary.
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
  for (const key of [...buckets.keys()].sort((a, b) => a - b))
    for (const s of (buckets.get(key) ?? []).sort()) out.push(s);
  return out;
}
