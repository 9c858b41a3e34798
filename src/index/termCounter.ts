import { grown } from './growableArray';
import { tokenize, type Tokenizer } from './tokenizer';
import { WasmTermCounter } from './wasmTermCounter';

/**
 * Counts one document's weighted terms straight into term numbers: the builder's hot loop. A document is counted
 * from strings (`add`) and from byte ranges of the file set with `setFile` (`addBytes`: the lines of a chunk, no
 * string made), then `drain`ed. Either way the terms are those of the tokenizer over the same text.
 */
export interface TermCounter {
  /** The UTF-8 bytes of the file whose chunks are counted next with `addBytes`. */
  setFile(bytes: Uint8Array): void;
  /** Counts the terms of the file's bytes [from, to), `weight` times each. */
  addBytes(from: number, to: number, weight: number): void;
  /** Counts the terms of `text`, `weight` times each. */
  add(text: string | undefined, weight: number): void;
  /** The terms of `text` as (term number, count) pairs, for `addCounted`. Call between documents (after `drain`). */
  countOnce(text: string): Uint32Array;
  /** Counts pairs from `countOnce`, each `weight` times. */
  addCounted(pairs: Uint32Array, weight: number): void;
  /** Hands each counted term (in first-seen order) to `emit`, then resets for the next document. */
  drain(emit: (termId: number, count: number) => void): void;
}

/**
 * A counter for `tokenizer`, numbering terms with `termId` (the dictionary: a term's number, assigned on first
 * sight). The shipped tokenizer counts in WebAssembly over UTF-8 bytes; any other runs as given.
 */
export function createTermCounter(tokenizer: Tokenizer, termId: (term: string) => number): TermCounter {
  return tokenizer === tokenize ? new WasmTermCounter(termId) : new TokenizerTermCounter(tokenizer, termId);
}

const utf8 = new TextDecoder();

/** Counts whatever terms a tokenizer returns (the variants compared by the benchmarks, test tokenizers). */
export class TokenizerTermCounter implements TermCounter {
  private counts: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touched: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  private touchedCount = 0;
  private file: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly termId: (term: string) => number,
  ) {}

  setFile(bytes: Uint8Array): void {
    this.file = bytes;
  }

  addBytes(from: number, to: number, weight: number): void {
    this.add(utf8.decode(this.file.subarray(from, to)), weight);
  }

  add(text: string | undefined, weight: number): void {
    if (!text || weight <= 0) return;
    for (const term of this.tokenizer(text)) this.count(this.termId(term), weight);
  }

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

  addCounted(pairs: Uint32Array, weight: number): void {
    if (weight <= 0) return;
    for (let i = 0; i < pairs.length; i += 2) this.count(pairs[i] ?? 0, (pairs[i + 1] ?? 0) * weight);
  }

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
