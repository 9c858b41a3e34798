import { StringList } from '../base/stringList';
import { notLinesOfFile, pairsOf, type DrainedTerms, type Postings, type TermCounter } from './termCounter';
import { TERM_COUNTER_WASM } from './termCounterWasm';
import { DEFAULT_TOKENIZER_OPTIONS, stemOf, STOPWORDS, tokenize } from './tokenizer';

/** The exports of assembly/termCounter.ts (addresses are byte offsets into `memory`). */
interface TermCounterExports {
  memory: WebAssembly.Memory;
  init(identifierLimit: number): void;
  reset(): void;
  scratchFor(n: number): number;
  fileFor(n: number): number;
  setFile(n: number): number;
  countLines(first: number, last: number, weight: number): number;
  textFor(n: number): number;
  termFor(n: number): number;
  termOf(start: number, length: number): number;
  termCount(): number;
  termTextAt(): number;
  termOffsetsAt(): number;
  sortTerms(): void;
  sortedTextAt(): number;
  sortedOffsetsAt(): number;
  ranksAt(): number;
  touchedAt(): number;
  drainedAt(): number;
  identifierCount(): number;
  countId(id: number, weight: number): void;
  countPairs(n: number, weight: number): void;
  drain(): number;
  endDocument(doc: number): number;
  saturated(first: number, end: number): number;
  copyPostings(first: number, end: number): void;
  postingCount(): number;
  postingTermsAt(): number;
  postingDocsAt(): number;
  postingTfsAt(): number;
  count(from: number, last: number, weight: number): void;
}

/** Compiled once per thread, on first use (the module is small). */
let compiled: WebAssembly.Module | undefined;
const termCounterModule = (): WebAssembly.Module =>
  (compiled ??= new WebAssembly.Module(Buffer.from(TERM_COUNTER_WASM, 'base64')));

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Counters of this thread that counted a segment and were disposed, ready to count the next. An instance's memory
 * is reserved address space that only a garbage collection gives back: a new instance per saved file would make
 * every few saves wait for a full collection of the extension host's heap.
 */
const idle: WasmTermCounter[] = [];
const MAX_IDLE = 2;
/** A counter whose memory grew past this (a large build) is left to the garbage collector rather than kept. */
const MAX_IDLE_BYTES = 64 * 1024 * 1024;

/** A counter for the shipped tokenizer: one this thread used before (reset), or a new one. */
export function wasmTermCounter(): WasmTermCounter {
  return idle.pop() ?? new WasmTermCounter();
}

/**
 * The shipped tokenizer's term counter, in WebAssembly: identifiers are found in the UTF-8 bytes and looked up by
 * their bytes in a table inside the module, so a repeated identifier costs a hash and a compare and no string, and
 * the dictionary (term → number) is a table there too; it splits identifiers into pieces (camelCase, digits,
 * snake_case) as the tokenizer does. It calls back here for what it cannot do alone: the stem of a piece it meets
 * for the first time (stopwords, Porter) and the terms of any stretch of non-ASCII text (the tokenizer's own
 * regex). The dictionary is sorted there too. Counts equal `tokenize`'s exactly (the tokenizer's default options).
 */
export class WasmTermCounter implements TermCounter {
  private readonly exports: TermCounterExports;
  private heap: ArrayBuffer;
  private bytes: Buffer;
  private words: Uint32Array;

  constructor(
    /** Identifiers remembered before the table starts over (bounds its memory on huge vocabularies). */
    identifierLimit = 1 << 20,
  ) {
    const o = DEFAULT_TOKENIZER_OPTIONS;
    if (!o.stopwords || !o.stem || !o.compounds)
      throw new Error('The term counter mirrors the default tokenizer options.');
    const instance = new WebAssembly.Instance(termCounterModule(), {
      env: {
        pieceTerm: (start: number, end: number): number => this.pieceTerm(start, end),
        span: (start: number, end: number, weight: number): void => this.span(start, end, weight),
        abort: (): never => {
          throw new Error('The term counter failed (out of memory?).');
        },
      },
    });
    this.exports = instance.exports as unknown as TermCounterExports;
    this.exports.init(identifierLimit);
    this.heap = this.exports.memory.buffer;
    this.bytes = Buffer.from(this.heap);
    this.words = new Uint32Array(this.heap);
  }

  /** Done with this counter (what `postings()` and `drain()` returned must no longer be read): it is reset and kept for reuse. */
  dispose(): void {
    if (idle.includes(this) || idle.length >= MAX_IDLE || this.exports.memory.buffer.byteLength > MAX_IDLE_BYTES)
      return;
    this.exports.reset();
    idle.push(this);
  }

  /** Identifiers in the module's table now. */
  get identifierCount(): number {
    return this.exports.identifierCount();
  }

  get termCount(): number {
    return this.exports.termCount();
  }

  term(id: number): string {
    this.refresh();
    const offsets = new Uint32Array(this.heap, this.exports.termOffsetsAt(), this.exports.termCount() + 1);
    const text = this.exports.termTextAt();
    return this.bytes.toString('utf8', text + (offsets[id] ?? 0), text + (offsets[id + 1] ?? 0));
  }

  termId(term: string): number {
    const { at, length } = this.encode(term, n => this.exports.termFor(n));
    return this.exports.termOf(at, length);
  }

  /** Sorted in the module; the lists are copied out, so they outlive the counter. */
  sortedTerms(): { list: StringList; ranks: Uint32Array } {
    this.exports.sortTerms();
    const n = this.exports.termCount();
    const { buffer } = this.exports.memory;
    const offsets = new Uint32Array(buffer, this.exports.sortedOffsetsAt(), n + 1).slice();
    const bytes = new Uint8Array(buffer, this.exports.sortedTextAt(), offsets[n] ?? 0).slice();
    const ranks = new Uint32Array(buffer, this.exports.ranksAt(), n).slice();
    return { list: new StringList(bytes, offsets), ranks };
  }

  setFile(bytes: Uint8Array): void {
    const at = this.exports.fileFor(bytes.length);
    this.refresh();
    this.bytes.set(bytes, at);
    this.exports.setFile(bytes.length);
  }

  addLines(first: number, last: number, weight: number): void {
    if (!this.exports.countLines(first, last, Math.max(weight, 0))) throw notLinesOfFile(first, last);
  }

  add(text: string | undefined, weight: number): void {
    if (!text || weight <= 0) return;
    const { at, length } = this.encode(text, n => this.exports.textFor(n));
    this.exports.count(at, at + length, weight);
  }

  countOnce(text: string): Uint32Array {
    this.add(text, 1);
    return pairsOf(this.drain());
  }

  addCounted(pairs: Uint32Array | Int32Array, weight: number): void {
    if (weight <= 0 || pairs.length === 0) return;
    const at = this.exports.scratchFor(pairs.length);
    this.refresh();
    this.words.set(pairs, at >>> 2);
    this.exports.countPairs(pairs.length / 2, weight);
  }

  drain(): DrainedTerms {
    const n = this.exports.drain();
    const { buffer } = this.exports.memory;
    return {
      ids: new Uint32Array(buffer, this.exports.touchedAt(), n),
      counts: new Uint32Array(buffer, this.exports.drainedAt(), n),
    };
  }

  endDocument(doc: number): number {
    return this.exports.endDocument(doc);
  }

  get postingCount(): number {
    return this.exports.postingCount();
  }

  saturated(first: number, end: number): boolean {
    return this.exports.saturated(first, end) !== 0;
  }

  copyPostings(first: number, end: number): void {
    this.exports.copyPostings(first, end);
  }

  postings(): Postings {
    const n = this.exports.postingCount();
    const { buffer } = this.exports.memory;
    return {
      terms: new Uint32Array(buffer, this.exports.postingTermsAt(), n),
      docs: new Uint32Array(buffer, this.exports.postingDocsAt(), n),
      tfs: new Uint16Array(buffer, this.exports.postingTfsAt(), n),
    };
  }

  /** `text` as UTF-8 in the module's buffer that `bufferFor(bytes)` gives (at most 3 bytes per UTF-16 unit). */
  private encode(text: string, bufferFor: (bytes: number) => number): { at: number; length: number } {
    const at = bufferFor(text.length * 3);
    this.refresh();
    return { at, length: encoder.encodeInto(text, this.bytes.subarray(at, at + text.length * 3)).written };
  }

  /** Views of the module's memory, renewed when it has grown (growing detaches the old buffer). */
  private refresh(): void {
    if (this.heap === this.exports.memory.buffer) return;
    this.heap = this.exports.memory.buffer;
    this.bytes = Buffer.from(this.heap);
    this.words = new Uint32Array(this.heap);
  }

  /** A piece of an ASCII identifier seen for the first time: its stem's number, or -1 for a stopword. */
  private pieceTerm(start: number, end: number): number {
    this.refresh();
    const lower = this.bytes.toString('latin1', start, end).toLowerCase();
    return STOPWORDS.has(lower) ? -1 : this.termId(stemOf(lower));
  }

  /** Text with non-ASCII characters (between ASCII separators): counted as `tokenize` splits it. */
  private span(start: number, end: number, weight: number): void {
    this.refresh();
    for (const term of tokenize(utf8.decode(this.bytes.subarray(start, end))))
      this.exports.countId(this.termId(term), weight);
  }
}
