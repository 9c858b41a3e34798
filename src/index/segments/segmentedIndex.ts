import type { SkipReason } from '../discovery/skipReasons';
import { bm25Idf, DEFAULT_BM25_PARAMS, type Bm25Params } from '../scoring/bm25';
import { TopK, type ScoredDoc } from '../scoring/topK';
import { tokenize, type Tokenizer } from '../terms/tokenizer';
import { noFiles, FileTable, type FileColumns, type FileRecord } from './fileTable';
import { scoreWithMaxScore } from './maxScore';
import { Segment, WARMED_MIN_POSTINGS, type SegmentData } from './segment';
import { isDeleted, mergeSegments } from './segmentMerge';

/** Everything needed to rebuild a `SegmentedIndex`: what the store saves and what the worker hands over. */
export interface IndexSnapshot {
  segments: SegmentData[];
  /** Deletion bits per segment (same order), undefined when none is deleted. */
  deletions: (Uint8Array | undefined)[];
  files: FileColumns;
  nextSegmentId: number;
}

/** A search result before its text is read: where it is and how well it matched. */
export interface IndexHit {
  path: string;
  location: string;
  startLine: number;
  endLine: number;
  title?: string;
  score: number;
  file: FileRecord;
}

/**
 * A term in at least this share of the chunks is common. A query with a common term is scored term at a time in
 * WebAssembly (see SegmentScorer: every posting added up, or with a rare term beside the common ones, the rare terms'
 * candidates scored and the common terms only looked up for them), and a query of rarer terms only by MaxScore, in
 * JavaScript, which skips most postings. With compressed postings MaxScore pays for decoding in JavaScript, and a
 * common term's lists are where it decodes most (docs/PERFORMANCE.md).
 */
export const SCORE_ALL_MIN_SHARE = 1 / 64;

/** Small segments (one saved file, a batch of edits) are merged in-process once there are more than this many. */
export const SMALL_SEGMENT_DOCS = 4096;
const MAX_SMALL_SEGMENTS = 6;
/** More deleted documents than this fraction call for a full merge (in the worker): df drifts, memory is wasted. */
export const MAX_DELETED_FRACTION = 0.25;

/**
 * The searchable index: immutable segments, a deletion bitset per segment, and the file table. Scores use
 * index-wide statistics (live document count and average length; document frequency counts deleted documents
 * until a merge drops them, as Lucene does), so a query ranks the same whichever segment holds a chunk.
 */
export class SegmentedIndex {
  private segments: Segment[] = [];
  private readonly deletions = new Map<number, Uint8Array>();
  private readonly deletedIn = new Map<number, number>();
  private fileTable: FileTable;
  private liveDocs = 0;
  private liveLength = 0;
  nextSegmentId: number;

  constructor(
    snapshot: IndexSnapshot = { segments: [], deletions: [], files: noFiles(), nextSegmentId: 1 },
    private readonly tokenizer: Tokenizer = tokenize,
    private readonly params: Readonly<Bm25Params> = DEFAULT_BM25_PARAMS,
  ) {
    this.nextSegmentId = snapshot.nextSegmentId;
    snapshot.segments.forEach((data, i) => this.addSegment(data, snapshot.deletions[i]));
    this.fileTable = FileTable.of(snapshot.files);
  }

  /**
   * `new SegmentedIndex(snapshot)` for the host thread, a segment per step: hashing the file table of a large
   * workspace is one long loop, far longer while the garbage collector marks a large heap, so
   * `step` (see createYielder) is awaited every few hundred files.
   */
  static async open(snapshot: IndexSnapshot, step: () => Promise<void>): Promise<SegmentedIndex> {
    const index = new SegmentedIndex({ ...snapshot, segments: [], deletions: [], files: noFiles() });
    for (let i = 0; i < snapshot.segments.length; i++) {
      await step();
      index.addSegment(snapshot.segments[i] as SegmentData, snapshot.deletions[i]);
    }
    index.fileTable = await FileTable.open(snapshot.files, step);
    return index;
  }

  /** Takes a segment of the snapshot in, with its deletions. */
  private addSegment(data: SegmentData, deleted: Uint8Array | undefined): void {
    const segment = new Segment(data);
    this.segments.push(segment);
    this.liveDocs += segment.docCount;
    this.liveLength += segment.totalLength;
    if (!deleted) return;
    this.deletions.set(segment.id, deleted);
    for (let d = 0; d < segment.docCount; d++) if (isDeleted(deleted, d)) this.forget(segment, d);
  }

  get chunkCount(): number {
    return this.liveDocs;
  }

  get segmentList(): readonly Segment[] {
    return this.segments;
  }

  get deletedCount(): number {
    let n = 0;
    for (const count of this.deletedIn.values()) n += count;
    return n;
  }

  file(location: string): FileRecord | undefined {
    return this.fileTable.get(location);
  }

  files(): IterableIterator<FileRecord> {
    return this.fileTable.values();
  }

  /** Files with a record: indexed or skipped when read. */
  get fileCount(): number {
    return this.fileTable.size;
  }

  /** Every file's location (cheaper than `files()`: no record is made). */
  fileLocations(): IterableIterator<string> {
    return this.fileTable.locations();
  }

  /** Indexed files, and skipped files added to `skipped` by reason. */
  countFiles(skipped: Record<SkipReason, number>): number {
    return this.fileTable.countFiles(skipped);
  }

  snapshot(): IndexSnapshot {
    return {
      segments: this.segments.map(s => s.data),
      deletions: this.segments.map(s => this.deletions.get(s.id)),
      files: this.fileTable.columns(),
      nextSegmentId: this.nextSegmentId,
    };
  }

  /** A term's BM25 inverse document frequency over the live chunks (a term it does not hold weighs the most). */
  termWeight(term: string): number {
    let df = 0;
    for (const s of this.segments) df += s.documentFrequency(s.termId(term));
    return bm25Idf(this.liveDocs, Math.min(df, this.liveDocs));
  }

  /** The k best chunks, best first; equal scores in index order. */
  search(query: string, k: number): IndexHit[] {
    return this.rank(query, k).map(({ doc, score }) => this.hit(doc, score));
  }

  /** Like `search`, as positions in index order (segment after segment); for the evaluation of one segment. */
  rank(query: string, k: number): ScoredDoc[] {
    if (k <= 0 || this.liveDocs === 0) return [];
    const counts = new Map<string, number>();
    for (const term of this.tokenizer(query)) counts.set(term, (counts.get(term) ?? 0) + 1);
    const terms = [...counts.keys()];
    const idsBySegment = this.segments.map(s => terms.map(t => s.termId(t)));
    // Postings of the query's common terms (in SCORE_ALL_MIN_SHARE of the chunks or more).
    let common = 0;
    const weights = terms.map((term, i) => {
      let df = 0;
      this.segments.forEach((s, j) => (df += s.documentFrequency(idsBySegment[j]?.[i] ?? -1)));
      if (df >= this.liveDocs * SCORE_ALL_MIN_SHARE) common += df;
      return (counts.get(term) ?? 0) * bm25Idf(this.liveDocs, Math.min(df, this.liveDocs));
    });
    const { normBase, normPerLength } = this.lengthNorm();
    const top = new TopK(k);
    let base = 0;
    const parts = this.segments.map((segment, j) => {
      const part = { segment, termIds: idsBySegment[j] ?? [], deleted: this.deletions.get(segment.id), base };
      base += segment.docCount;
      return part;
    });
    // A common term: every posting added up in WebAssembly, where the segment has its scorer; MaxScore for the rest.
    // Either way each segment's top k is exact, so the merged one is too. Segments are taken in index order, as
    // MaxScore needs (a document that only ties the k-th score is passed over, being later than it).
    const allAtOnce = common > 0;
    let run: typeof parts = [];
    for (const part of parts) {
      if (!allAtOnce || !part.segment.canScoreAll(terms.length, k)) {
        run.push(part);
        continue;
      }
      scoreWithMaxScore(run, weights, normBase, normPerLength, top);
      run = [];
      part.segment.scoreAll(part.termIds, weights, normBase, normPerLength, part.deleted, k, (score, doc) =>
        top.offer(score, part.base + doc),
      );
    }
    scoreWithMaxScore(run, weights, normBase, normPerLength, top);
    return top.results();
  }

  /**
   * Makes each segment's WebAssembly scorer (see Segment.prepareScorer) in steps, while the host is idle after an
   * install or an update; until a segment has one (or when its memory cannot be had), MaxScore scores it. Stops
   * when `stillWanted` turns false.
   */
  async prepareScorers(step: () => Promise<void>, stillWanted: () => boolean): Promise<void> {
    for (const segment of [...this.segments]) {
      if (!stillWanted()) return;
      await segment.prepareScorer(step).catch(() => undefined);
    }
  }

  /**
   * Computes the MaxScore bounds of every term with at least `minPostings` postings, awaiting `step` between terms,
   * while the host is idle after an install: otherwise the first query using a common term pays one pass over its
   * postings, and a common term ("return") has a long list of them. Stops when `stillWanted` turns false.
   */
  async warmBounds(
    step: () => Promise<void>,
    stillWanted: () => boolean,
    minPostings = WARMED_MIN_POSTINGS,
  ): Promise<void> {
    for (const segment of [...this.segments]) {
      for (let id = 0; id < segment.termCount; id++) {
        if (segment.documentFrequency(id) < minPostings) continue;
        await step();
        if (!stillWanted()) return;
        const { normBase, normPerLength } = this.lengthNorm();
        segment.impacts(id, normBase, normPerLength);
      }
    }
  }

  /** lengthNorm(dl) = k1 · (1 − b + b · dl / avgdl) as normBase + normPerLength · dl, with the live average. */
  private lengthNorm(): { normBase: number; normPerLength: number } {
    const { k1, b } = this.params;
    return { normBase: k1 * (1 - b), normPerLength: (k1 * b) / (this.liveLength / this.liveDocs || 1) };
  }

  /**
   * Replaces what the index holds for some files: the chunks of every file in `removed` and of every file in
   * `records` are deleted, then `segments` (holding the new chunks) are added and the records kept.
   */
  replaceFiles(removed: readonly string[], records: FileColumns, segments: readonly Segment[] = []): void {
    for (const location of [...removed, ...records.locations.toArray()]) {
      const old = this.fileTable.get(location);
      if (old) this.deleteDocs(old);
      this.fileTable.delete(location);
    }
    for (const segment of segments) {
      if (segment.docCount === 0) continue;
      this.segments.push(segment);
      this.liveDocs += segment.docCount;
      this.liveLength += segment.totalLength;
    }
    this.fileTable.append(records);
    const emptied = this.segments.filter(s => this.liveIn(s) === 0);
    this.segments = this.segments.filter(s => !emptied.includes(s));
    for (const gone of emptied) {
      this.deletions.delete(gone.id);
      this.deletedIn.delete(gone.id);
    }
  }

  /** New stats for files whose bytes did not change (their chunks stay). */
  restamp(records: readonly FileRecord[]): void {
    for (const r of records) this.fileTable.set(r);
  }

  /** Small segments to merge in-process now, or undefined when there are few enough. */
  smallSegmentsToMerge(): number[] | undefined {
    const small = this.segments.filter(s => s.docCount < SMALL_SEGMENT_DOCS);
    return small.length > MAX_SMALL_SEGMENTS ? small.map(s => s.id) : undefined;
  }

  /**
   * True when so much is deleted that a full merge (in the worker) pays off: one segment with many deletions (files
   * removed after a build) is rewritten as well, else its deleted documents would keep counting in df until some
   * later change added a segment.
   */
  needsFullMerge(): boolean {
    const total = this.liveDocs + this.deletedCount;
    return this.deletedCount > total * MAX_DELETED_FRACTION;
  }

  /** Merges the given segments (all when omitted) into one, placed where the first of them was. */
  merge(ids?: readonly number[]): void {
    const chosen = this.segments.filter(s => !ids || ids.includes(s.id));
    if (chosen.length < 2 && !chosen.some(s => this.deletions.has(s.id))) return;
    const id = this.nextSegmentId++;
    const { segment, docMaps } = mergeSegments(
      chosen.map(s => ({ segment: s, deleted: this.deletions.get(s.id) })),
      id,
    );
    const mapById = new Map(chosen.map((s, i) => [s.id, docMaps[i] as Int32Array]));
    this.fileTable.moveDocs(mapById, id);
    const at = this.segments.indexOf(chosen[0] as Segment);
    this.segments = this.segments.filter(s => !mapById.has(s.id));
    if (segment.docCount > 0) this.segments.splice(at, 0, segment);
    for (const s of chosen) {
      this.deletions.delete(s.id);
      this.deletedIn.delete(s.id);
    }
  }

  /** Bytes held by the segments' arrays and strings (the file table and scratch not counted). */
  get byteSize(): number {
    return (
      this.segments.reduce((n, s) => n + s.byteSize, 0) +
      [...this.deletions.values()].reduce((n, d) => n + d.byteLength, 0)
    );
  }

  private hit(order: number, score: number): IndexHit {
    let doc = order;
    let segment = this.segments[0];
    for (const s of this.segments) {
      segment = s;
      if (doc < s.docCount) break;
      doc -= s.docCount;
    }
    const data = (segment as Segment).data;
    const file = data.docFiles[doc] ?? 0;
    const location = data.fileLocations.get(file);
    const title = data.docTitles.get(doc);
    const hit: IndexHit = {
      path: data.filePaths.get(file),
      location,
      startLine: data.docStartLines[doc] ?? 1,
      endLine: data.docEndLines[doc] ?? 1,
      score,
      file: this.fileTable.get(location) ?? {
        path: data.filePaths.get(file),
        location,
        mtimeMs: 0,
        size: 0,
        hash: '',
        segment: -1,
        firstDoc: 0,
        docCount: 0,
      },
    };
    if (title) hit.title = title;
    return hit;
  }

  private deleteDocs(record: FileRecord): void {
    const segment = this.segments.find(s => s.id === record.segment);
    if (!segment || record.docCount === 0) return;
    let bits = this.deletions.get(segment.id);
    if (!bits) this.deletions.set(segment.id, (bits = new Uint8Array((segment.docCount + 7) >>> 3)));
    for (let d = record.firstDoc; d < record.firstDoc + record.docCount && d < segment.docCount; d++) {
      if (isDeleted(bits, d)) continue;
      bits[d >>> 3] = (bits[d >>> 3] ?? 0) | (1 << (d & 7));
      this.forget(segment, d);
    }
  }

  private forget(segment: Segment, doc: number): void {
    this.deletedIn.set(segment.id, (this.deletedIn.get(segment.id) ?? 0) + 1);
    this.liveDocs--;
    this.liveLength -= segment.data.docLengths[doc] ?? 0;
  }

  private liveIn(segment: Segment): number {
    return segment.docCount - (this.deletedIn.get(segment.id) ?? 0);
  }
}
