import { GrowableUint32 } from '../base/growableArray';
import { FrontCodedList } from '../base/frontCodedList';
import { StringList } from '../base/stringList';
import type { ChunkSpan } from '../chunking/chunker';
import { DEFAULT_BM25_PARAMS, type Bm25Fields, type Bm25Params } from '../scoring/bm25';
import { createTermCounter } from '../terms/createTermCounter';
import type { TermCounter } from '../terms/termCounter';
import { tokenize, type Tokenizer } from '../terms/tokenizer';
import { encodePostings } from './postings';
import { Segment } from './segment';

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
  /** Per file: its first document (its documents follow one another). */
  private readonly fileFirstDocs = new GrowableUint32();
  /** Per document: where its postings end in the counter's (they start where the previous document's end). */
  private readonly docPostingEnds = new GrowableUint32();

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
    this.fileFirstDocs.push(this.docCount);
    this.counter.setFile(bytes ?? new Uint8Array(0));
    return this.filePaths.length - 1;
  }

  /**
   * Registers a file whose content is that of file `source`, added before with `addLines` at a path of the same
   * chunk kind (so it chunks the same): its chunks are source's — lines, titles, terms — but for the path's terms, and are made from
   * source's postings without reading the text again. Returns the file's number, or undefined (nothing added) when
   * one of source's term counts saturated, so its postings cannot give it back: add the file as any other.
   */
  addCopy(path: string, location: string, source: number): number | undefined {
    this.checkOpen();
    const firstDoc = this.fileFirstDocs.get(source);
    const endDoc = source + 1 < this.fileFirstDocs.length ? this.fileFirstDocs.get(source + 1) : this.docCount;
    if (endDoc <= firstDoc || this.counter.saturated(this.postingStart(firstDoc), this.postingStart(endDoc)))
      return undefined;
    const pathTerms = this.counter.countOnce(path);
    // What replaces source's path terms in each chunk: the new path's counts minus the old.
    const change = new Map<number, number>();
    const old = this.filePathTerms[source] ?? new Uint32Array(0);
    for (let i = 0; i < old.length; i += 2) change.set(old[i] ?? 0, -(old[i + 1] ?? 0));
    for (let i = 0; i < pathTerms.length; i += 2)
      change.set(pathTerms[i] ?? 0, (change.get(pathTerms[i] ?? 0) ?? 0) + (pathTerms[i + 1] ?? 0));
    let pathChange = new Int32Array(change.size * 2);
    let n = 0;
    for (const [term, delta] of change) {
      if (delta === 0) continue;
      pathChange[n++] = term;
      pathChange[n++] = delta;
    }
    pathChange = pathChange.subarray(0, n);
    const file = this.filePaths.length;
    this.filePaths.push(path);
    this.fileLocations.push(location);
    this.filePathTerms.push(pathTerms);
    this.fileFirstDocs.push(this.docCount);
    for (let d = firstDoc; d < endDoc; d++) {
      this.counter.copyPostings(this.postingStart(d), this.postingStart(d + 1));
      this.counter.addCounted(pathChange, this.params.pathBoost);
      this.recordDocument(file, this.docStartLines.get(d), this.docEndLines.get(d), this.docTitles[d] ?? '');
    }
    return file;
  }

  /** Where document `doc`'s postings start in the counter's (for doc = docCount: where the next one's will). */
  private postingStart(doc: number): number {
    return doc === 0 ? 0 : this.docPostingEnds.get(doc - 1);
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
    // Fields merged into one weighted bag of terms (a simple BM25F): title and path terms count several times.
    this.counter.add(chunk.title, this.params.titleBoost);
    if (chunk.path !== undefined) this.counter.add(chunk.path, this.params.pathBoost);
    else this.counter.addCounted(this.filePathTerms[file] ?? new Uint32Array(0), this.params.pathBoost);
    return this.recordDocument(file, chunk.startLine, chunk.endLine, chunk.title ?? '');
  }

  /** Ends the document counted so far and records where it is. */
  private recordDocument(file: number, startLine: number, endLine: number, title: string): number {
    const doc = this.docLengths.length;
    this.docLengths.push(this.counter.endDocument(doc));
    this.docPostingEnds.push(this.counter.postingCount);
    this.docFiles.push(file);
    this.docStartLines.push(startLine);
    this.docEndLines.push(endLine);
    this.docTitles.push(title);
    return doc;
  }

  /** The segment of everything added; the builder is done (it cannot add or build again). */
  build(id: number): Segment {
    this.checkOpen();
    // Rank the terms in sorted order, then bucket postings by rank (a counting sort keeps documents ascending).
    const { list: terms, ranks: rank } = this.counter.sortedTerms();
    const termCount = terms.length;
    const postingStarts = new Uint32Array(termCount + 1);
    // The counter's postings are ours to change now: each term number becomes its rank, looked up once.
    const { terms: postingRank, docs: postingDoc, tfs: postingTf } = this.counter.postings();
    const count = postingRank.length;
    for (let p = 0; p < count; p++) {
      const r = rank[postingRank[p] ?? 0] ?? 0;
      postingRank[p] = r;
      postingStarts[r + 1] = (postingStarts[r + 1] ?? 0) + 1;
    }
    for (let t = 0; t < termCount; t++) postingStarts[t + 1] = (postingStarts[t + 1] ?? 0) + (postingStarts[t] ?? 0);
    const cursor = postingStarts.slice(0, termCount);
    const postingDocs = new Uint32Array(count);
    const postingTfs = new Uint16Array(count);
    for (let p = 0; p < count; p++) {
      const r = postingRank[p] ?? 0;
      const at = cursor[r] ?? 0;
      cursor[r] = at + 1;
      postingDocs[at] = postingDoc[p] ?? 0;
      postingTfs[at] = postingTf[p] ?? 0;
    }
    this.built = true;
    this.counter.dispose();
    return new Segment({
      id,
      terms: FrontCodedList.of(terms),
      ...encodePostings(postingStarts, postingDocs, postingTfs),
      docLengths: this.docLengths.toArray(),
      docFiles: this.docFiles.toArray(),
      docStartLines: this.docStartLines.toArray(),
      docEndLines: this.docEndLines.toArray(),
      docTitles: StringList.from(this.docTitles),
      filePaths: FrontCodedList.of(StringList.from(this.filePaths)),
      fileLocations: FrontCodedList.of(StringList.from(this.fileLocations)),
    });
  }
}
