import { grown } from './growableArray';
import { IdentifierScanner } from './identifierScanner';
import { IdentifierTerms } from './identifierTerms';
import { tokenize, type Tokenizer } from './tokenizer';

/**
 * Counts one document's weighted terms straight into term numbers, the builder's hot loop. With the shipped
 * tokenizer it scans identifiers by character code and caches identifier → term numbers by their characters, so
 * a repeated identifier costs a hash and a compare and allocates nothing; with any other tokenizer it maps each
 * term through the dictionary. Same result either way: `tokenize(text)` is the concatenation of
 * `tokenize(identifier)` over the identifiers of `text`.
 */
export class TermCounter {
  private counts: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touched: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touchedCount = 0;
  private readonly scanner = new IdentifierScanner();
  private readonly identifiers: IdentifierTerms | undefined;

  constructor(
    private readonly tokenizer: Tokenizer,
    /** The dictionary: a term's number, assigned on first sight. */
    private readonly termId: (term: string) => number,
  ) {
    if (tokenizer === tokenize) this.identifiers = new IdentifierTerms(termId);
  }

  add(text: string | undefined, weight: number): void {
    if (!text || weight <= 0) return;
    flatten(text);
    const { scanner, identifiers } = this;
    if (identifiers === undefined) {
      for (const term of this.tokenizer(text)) this.count(this.termId(term), weight);
      return;
    }
    const table = identifiers.table;
    scanner.reset(text);
    while (scanner.next()) {
      const entry = identifiers.lookup(text, scanner.start, scanner.end, scanner.hash);
      const ids = table.ids;
      for (let i = table.idStart(entry), last = table.idEnd(entry); i < last; i++) this.count(ids[i] ?? 0, weight);
    }
  }

  /** The terms of `text` as (term number, count) pairs, for `addCounted`. Call between documents (after `drain`). */
  countOnce(text: string): Uint32Array {
    this.add(text, 1);
    const pairs = new Uint32Array(this.touchedCount * 2);
    let at = 0;
    this.drain((id, count) => {
      pairs[at++] = id;
      pairs[at++] = count;
    });
    return pairs;
  }

  /** Counts pairs from `countOnce`, each `weight` times. */
  addCounted(pairs: Uint32Array, weight: number): void {
    if (weight <= 0) return;
    for (let i = 0; i < pairs.length; i += 2) this.count(pairs[i] ?? 0, (pairs[i + 1] ?? 0) * weight);
  }

  /** Hands each counted term (in first-seen order) to `emit`, then resets for the next document. */
  drain(emit: (termId: number, count: number) => void): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const id = this.touched[i] ?? 0;
      emit(id, this.counts[id] ?? 0);
      this.counts[id] = 0;
    }
    this.touchedCount = 0;
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
 * V8 keeps a concatenated string (a title joined from parts) as a rope until something flattens it; scanning a
 * rope by `charCodeAt` is several times slower and makes the optimized scanner slower for every string after it.
 * `Number()` flattens its argument in place (the usual trick; the number itself is not wanted).
 */
function flatten(text: string): void {
  Number(text);
}
