import { DEFAULT_BM25_PARAMS, type Bm25Fields, type Bm25Params } from './bm25';
import { GrowableUint32 } from './growableArray';
import { Segment } from './segment';
import { StringList } from './stringList';
import type { ChunkSpan } from './chunker';
import { createTermCounter, type TermCounter } from './termCounter';
import { tokenize, type Tokenizer } from './tokenizer';

/** A chunk as the builder takes it. */
export interface ChunkInput extends Bm25Fields {
  startLine: number;
  endLine: number;
}

/**
 * Collects files and their chunks, then freezes them into a `Segment`. Documents are numbered 0, 1, 2… in the
 * order added; postings are collected as (term, doc, tf) triples in growable typed arrays and bucketed by term
 * at the end, so a 100k-chunk build allocates no array per term.
 */
export class SegmentBuilder {
  private readonly docLengths = new GrowableUint32();
  private readonly docFiles = new GrowableUint32();
  private readonly docStartLines = new GrowableUint32();
  private readonly docEndLines = new GrowableUint32();
  private readonly docTitles: string[] = [];
  private readonly filePaths: string[] = [];
  private readonly fileLocations: string[] = [];
  /** Per file: its path's terms as (term number, count) pairs, counted once for all of its chunks. */
  private readonly filePathTerms: Uint32Array[] = [];

  private readonly counter: TermCounter;
  /** Built: its counter went back to the thread's pool and counts for someone else now. */
  private built = false;

  constructor(
    tokenizer: Tokenizer = tokenize,
    private readonly params: Readonly<Bm25Params> = DEFAULT_BM25_PARAMS,
  ) {
    this.counter = createTermCounter(tokenizer);
  }

  get docCount(): number {
    return this.docLengths.length;
  }

  /**
   * Registers a file; its chunks follow, with `addChunk`, or with `addLines` when its UTF-8 `bytes` are given here.
   * Returns the file's number in this segment.
   */
  addFile(path: string, location: string, bytes?: Uint8Array): number {
    this.checkOpen();
    this.filePaths.push(path);
    this.fileLocations.push(location);
    this.filePathTerms.push(this.counter.countOnce(path));
    this.counter.setFile(bytes ?? new Uint8Array(0));
    return this.filePaths.length - 1;
  }

  /** Adds one chunk of file `file` and returns its document number. The path field is the file's display path. */
  addChunk(file: number, chunk: ChunkInput): number {
    this.checkOpen();
    this.counter.add(chunk.text, 1);
    return this.finishChunk(file, chunk);
  }

  /**
   * Adds the chunk `span` of the file last added with its bytes — its text is those lines, counted from the bytes
   * without making a string — and returns its document number.
   */
  addLines(file: number, span: ChunkSpan): number {
    this.checkOpen();
    this.counter.addLines(span.startLine, span.endLine, 1);
    return this.finishChunk(file, span);
  }

  private checkOpen(): void {
    if (this.built) throw new Error('This segment builder has built its segment already: use a new one.');
  }

  /** Counts the chunk's title and path with the text already counted, and records the document. */
  private finishChunk(file: number, chunk: Omit<ChunkInput, 'text'>): number {
    const doc = this.docLengths.length;
    // Fields merged into one weighted bag of terms (a simple BM25F): title and path terms count several times.
    this.counter.add(chunk.title, this.params.titleBoost);
    if (chunk.path !== undefined) this.counter.add(chunk.path, this.params.pathBoost);
    else this.counter.addCounted(this.filePathTerms[file] ?? new Uint32Array(0), this.params.pathBoost);
    this.docLengths.push(this.counter.endDocument(doc));
    this.docFiles.push(file);
    this.docStartLines.push(chunk.startLine);
    this.docEndLines.push(chunk.endLine);
    this.docTitles.push(chunk.title ?? '');
    return doc;
  }

  /** The segment of everything added; the builder is done (it cannot add or build again). */
  build(id: number): Segment {
    this.checkOpen();
    // Rank the terms in sorted order, then bucket postings by rank (a counting sort keeps documents ascending).
    const { list: terms, ranks: rank } = this.counter.sortedTerms();
    const termCount = terms.length;
    const postingStarts = new Uint32Array(termCount + 1);
    const { terms: postingTerm, docs: postingDoc, tfs: postingTf } = this.counter.postings();
    const count = postingTerm.length;
    for (let p = 0; p < count; p++) {
      const slot = (rank[postingTerm[p] ?? 0] ?? 0) + 1;
      postingStarts[slot] = (postingStarts[slot] ?? 0) + 1;
    }
    for (let t = 0; t < termCount; t++) postingStarts[t + 1] = (postingStarts[t + 1] ?? 0) + (postingStarts[t] ?? 0);
    const cursor = postingStarts.slice(0, termCount);
    const postingDocs = new Uint32Array(count);
    const postingTfs = new Uint16Array(count);
    for (let p = 0; p < count; p++) {
      const r = rank[postingTerm[p] ?? 0] ?? 0;
      const at = cursor[r] ?? 0;
      cursor[r] = at + 1;
      postingDocs[at] = postingDoc[p] ?? 0;
      postingTfs[at] = postingTf[p] ?? 0;
    }
    this.built = true;
    this.counter.dispose();
    return new Segment({
      id,
      terms,
      postingStarts,
      postingDocs,
      postingTfs,
      docLengths: this.docLengths.toArray(),
      docFiles: this.docFiles.toArray(),
      docStartLines: this.docStartLines.toArray(),
      docEndLines: this.docEndLines.toArray(),
      docTitles: StringList.from(this.docTitles),
      filePaths: StringList.from(this.filePaths),
      fileLocations: StringList.from(this.fileLocations),
    });
  }
}
