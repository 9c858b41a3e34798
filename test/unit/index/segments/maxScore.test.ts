import assert from 'node:assert/strict';
import { StringList } from '../../../../src/index/base/stringList';
import { manifestOf } from '../../../../src/index/build/syncIndex';
import { emptySkipCounts } from '../../../../src/index/discovery/skipReasons';
import { bm25Idf, DEFAULT_BM25_PARAMS } from '../../../../src/index/scoring/bm25';
import { TopK, type ScoredDoc } from '../../../../src/index/scoring/topK';
import { SegmentScorer } from '../../../../src/index/scoring/wasmScorer';
import { noFiles, fileColumns, type FileRecord } from '../../../../src/index/segments/fileTable';
import { Segment } from '../../../../src/index/segments/segment';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { isDeleted } from '../../../../src/index/segments/segmentMerge';
import { IndexStore, snapshotOf } from '../../../../src/index/store/indexStore';
import { random } from '../../../fakes/seededRandom';
import { tempDirs } from '../../../support/tempDirs';

const words = (text: string): string[] => text.split(' ').filter(Boolean);

/** Zipf-like vocabulary: a few very common words (long postings, low bounds) and many rare ones. */
function randomDoc(next: () => number, vocabulary: number): string {
  const length = 1 + Math.floor(next() * 30);
  return Array.from({ length }, () => `w${Math.floor(vocabulary * next() ** 3)}`).join(' ');
}

/** An index of several segments (one file per document), with some files deleted by updates. */
function randomIndex(seed: number, docs: number, vocabulary: number): { index: SegmentedIndex; next: () => number } {
  const next = random(seed);
  const index = new SegmentedIndex({ segments: [], deletions: [], files: noFiles(), nextSegmentId: 1 }, words);
  let made = 0;
  while (made < docs) {
    const builder = new SegmentBuilder(words);
    const id = index.nextSegmentId++;
    const records: FileRecord[] = [];
    const size = 1 + Math.floor(next() * docs * 0.4);
    for (let i = 0; i < size && made < docs; i++, made++) {
      const location = `/ws/f${made}`;
      const file = builder.addFile(`f${made}`, location);
      const firstDoc = builder.addChunk(file, {
        text: randomDoc(next, vocabulary),
        title: next() < 0.2 ? `w${made % 7}` : undefined,
        startLine: 1,
        endLine: 1,
      });
      records.push({ path: `f${made}`, location, mtimeMs: 1, size: 1, hash: '', segment: id, firstDoc, docCount: 1 });
    }
    const gone = [...index.files()].filter(() => next() < 0.1).map(r => r.location);
    index.replaceFiles(gone, fileColumns(records), [builder.build(id)]);
  }
  return { index, next };
}

/** The reference: every posting of every query term scored (Segment.score), then the k best. */
function exhaustive(index: SegmentedIndex, query: string, k: number): ScoredDoc[] {
  const terms = [...new Set(words(query))];
  const counts = new Map<string, number>();
  for (const t of words(query)) counts.set(t, (counts.get(t) ?? 0) + 1);
  const segments = index.segmentList;
  const deletions = index.snapshot().deletions;
  const n = index.chunkCount;
  let total = 0;
  segments.forEach((s, i) => {
    for (let d = 0; d < s.docCount; d++) if (!isDeleted(deletions[i], d)) total += s.data.docLengths[d] ?? 0;
  });
  const weights = terms.map(
    t =>
      (counts.get(t) ?? 0) *
      bm25Idf(
        n,
        Math.min(
          n,
          segments.reduce((df, s) => df + s.documentFrequency(s.termId(t)), 0),
        ),
      ),
  );
  const { k1, b } = DEFAULT_BM25_PARAMS;
  const top = new TopK(k);
  let base = 0;
  segments.forEach((s, i) => {
    const offset = base;
    s.score(
      terms.map(t => s.termId(t)),
      weights,
      k1 * (1 - b),
      (k1 * b) / (total / n),
      deletions[i],
      (doc, score) => top.offer(score, offset + doc),
    );
    base += s.docCount;
  });
  return top.results();
}

describe('MaxScore top-k', () => {
  it('returns exactly the top k of exhaustive scoring, scores bit for bit, on random corpora', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { index, next } = randomIndex(seed, 400 + seed * 150, 60 + seed * 40);
      for (let q = 0; q < 60; q++) {
        const query = Array.from(
          { length: 1 + Math.floor(next() * 5) },
          () => `w${Math.floor(120 * next() ** 2)}`,
        ).join(' ');
        for (const k of [1, 3, 10, 50])
          assert.deepEqual(index.rank(query, k), exhaustive(index, query, k), `seed ${seed}, "${query}", k=${k}`);
      }
    }
  });

  it('skips whole blocks of a common term and still returns exactly the exhaustive top k', () => {
    // 5000 documents: "common" has 39 blocks of postings, a few documents score high, most cannot enter.
    const next = random(11);
    const builder = new SegmentBuilder(words);
    const file = builder.addFile('f', '/ws/f');
    for (let i = 0; i < 5000; i++) {
      const repeats = next() < 0.01 ? 5 : 1;
      const text = [
        ...Array<string>(repeats).fill('common'),
        ...(i % 97 === 0 ? ['rare'] : []),
        ...Array.from({ length: 1 + Math.floor(next() * 20) }, () => `w${i % 13}`),
      ];
      builder.addChunk(file, { text: text.join(' '), startLine: 1, endLine: 1 });
    }
    const index = new SegmentedIndex(
      { segments: [builder.build(1).data], deletions: [], files: noFiles(), nextSegmentId: 2 },
      words,
    );
    for (const query of ['common', 'common rare', 'common w3', 'rare w5 common'])
      for (const k of [1, 10, 100])
        assert.deepEqual(index.rank(query, k), exhaustive(index, query, k), `"${query}", k=${k}`);
  });

  it('keeps ties in index order, as exhaustive scoring does', () => {
    const builder = new SegmentBuilder(words);
    const file = builder.addFile('f', '/ws/f');
    for (let i = 0; i < 50; i++)
      builder.addChunk(file, { text: i % 5 === 0 ? 'common rare' : 'common other', startLine: 1, endLine: 1 });
    const index = new SegmentedIndex(
      { segments: [builder.build(1).data], deletions: [], files: noFiles(), nextSegmentId: 2 },
      words,
    );
    assert.deepEqual(index.rank('common rare', 4), exhaustive(index, 'common rare', 4));
    assert.deepEqual(index.rank('common', 7), exhaustive(index, 'common', 7));
  });

  it('seeds from the later segment that holds most of the rare term, and still keeps earlier ties first', () => {
    // The rare term's documents sit mostly in the second segment; the first holds two that tie them exactly.
    const segmentOf = (id: number, texts: string[]) => {
      const builder = new SegmentBuilder(words);
      const file = builder.addFile(`f${id}`, `/ws/f${id}`);
      for (const text of texts) builder.addChunk(file, { text, startLine: 1, endLine: 1 });
      return builder.build(id).data;
    };
    const filler = (n: number, text: string) => Array.from({ length: n }, () => text);
    const first = segmentOf(1, [
      ...filler(300, 'common other'),
      'common rare',
      ...filler(300, 'common'),
      'common rare',
    ]);
    const second = segmentOf(2, [...filler(200, 'common'), ...filler(40, 'common rare'), ...filler(100, 'other')]);
    const index = new SegmentedIndex(
      { segments: [first, second], deletions: [undefined, undefined], files: noFiles(), nextSegmentId: 3 },
      words,
    );
    for (const query of ['common rare', 'rare common common', 'other rare'])
      for (const k of [1, 2, 3, 10])
        assert.deepEqual(index.rank(query, k), exhaustive(index, query, k), `"${query}", k=${k}`);
    assert.deepEqual(
      index.rank('common rare', 2).map(r => r.doc),
      [300, 601],
    );
  });

  it('seeds from several rare terms when the rarest has fewer than k documents, counting a document that holds two once', () => {
    const builder = new SegmentBuilder(words);
    const file = builder.addFile('f', '/ws/f');
    const texts = [
      ...Array.from({ length: 400 }, (_, i) => (i % 50 === 0 ? 'common common' : 'common filler')),
      'common alpha beta',
      'alpha beta',
      'common alpha',
    ];
    for (const text of texts) builder.addChunk(file, { text, startLine: 1, endLine: 1 });
    const index = new SegmentedIndex(
      { segments: [builder.build(1).data], deletions: [undefined], files: noFiles(), nextSegmentId: 2 },
      words,
    );
    for (const query of ['common alpha beta', 'alpha common', 'beta alpha common common'])
      for (const k of [2, 3, 4, 5, 8])
        assert.deepEqual(index.rank(query, k), exhaustive(index, query, k), `"${query}", k=${k}`);
  });
});

describe('scoring every posting in WebAssembly (queries of common terms)', () => {
  const dirs = tempDirs();
  /** Calls of Segment.scoreAll during `fn`: proof that the WebAssembly path was taken. */
  function scoreAllCalls(fn: () => void): number {
    const original = Segment.prototype.scoreAll;
    let calls = 0;
    Segment.prototype.scoreAll = function (this: Segment, ...args: Parameters<Segment['scoreAll']>) {
      calls++;
      return original.apply(this, args);
    };
    try {
      fn();
    } finally {
      Segment.prototype.scoreAll = original;
    }
    return calls;
  }

  it('returns exactly the exhaustive top k, scores bit for bit, with every segment or only some prepared, deletions made after', async () => {
    for (const seed of [21, 22, 23, 24]) {
      const { index, next } = randomIndex(seed, 600 + seed * 20, 80);
      const segments = index.segmentList;
      // Some segments get their scorer, the others are scored by MaxScore in the same query.
      for (const [i, segment] of segments.entries())
        if (seed % 2 === 0 || i % 2 === 0) await segment.prepareScorer(async () => {});
      const gone = [...index.files()].filter(() => next() < 0.1).map(r => r.location);
      index.replaceFiles(gone, fileColumns([]));
      let calls = 0;
      for (let q = 0; q < 40; q++) {
        const query = Array.from({ length: 1 + Math.floor(next() * 4) }, () => `w${Math.floor(8 * next() ** 2)}`).join(
          ' ',
        );
        for (const k of [1, 3, 10, 50])
          calls += scoreAllCalls(() =>
            assert.deepEqual(index.rank(query, k), exhaustive(index, query, k), `seed ${seed}, "${query}", k=${k}`),
          );
      }
      assert.ok(calls > 0, 'no query was scored in WebAssembly');
    }
  });

  it('sends a query with a common term to the scorer, even beside a rare term with k postings, and one of rare terms only to MaxScore, ties in index order', async () => {
    const builder = new SegmentBuilder(words);
    const file = builder.addFile('f', '/ws/f');
    for (let i = 0; i < 500; i++)
      builder.addChunk(file, {
        text: i % 5 === 0 ? 'common often' : i % 100 === 21 ? 'common rare' : 'common other',
        startLine: 1,
        endLine: 1,
      });
    const index = new SegmentedIndex(
      { segments: [builder.build(1).data], deletions: [undefined], files: noFiles(), nextSegmentId: 2 },
      words,
    );
    await index.prepareScorers(
      async () => {},
      () => true,
    );
    assert.equal(
      scoreAllCalls(() => assert.deepEqual(index.rank('common often', 7), exhaustive(index, 'common often', 7))),
      1,
    );
    assert.equal(
      scoreAllCalls(() => assert.deepEqual(index.rank('common', 9), exhaustive(index, 'common', 9))),
      1,
    );
    // "rare" is in 5 chunks: enough to seed MaxScore for a top 3, but "common" sends the query to the scorer.
    assert.equal(
      scoreAllCalls(() => assert.deepEqual(index.rank('common rare', 3), exhaustive(index, 'common rare', 3))),
      1,
    );
    assert.equal(
      scoreAllCalls(() => assert.deepEqual(index.rank('common rare', 10), exhaustive(index, 'common rare', 10))),
      1,
    );
    for (const k of [3, 10])
      assert.equal(
        scoreAllCalls(() => assert.deepEqual(index.rank('rare', k), exhaustive(index, 'rare', k))),
        0,
      );
  });

  it('scores a segment whose scorer could not be made by MaxScore, and still makes the others', async () => {
    const { index, next } = randomIndex(41, 700, 60);
    const create = SegmentScorer.create;
    let made = 0;
    SegmentScorer.create = (...args: Parameters<typeof create>) =>
      made++ === 0
        ? Promise.reject(new RangeError('WebAssembly.Memory(): could not allocate memory'))
        : create(...args);
    try {
      await index.prepareScorers(
        async () => {},
        () => true,
      );
    } finally {
      SegmentScorer.create = create;
    }
    const segments = index.segmentList;
    assert.ok(segments.length >= 2);
    assert.deepEqual(
      segments.map(s => s.canScoreAll(1, 10)),
      segments.map((_, i) => i > 0),
    );
    for (let q = 0; q < 30; q++) {
      const query = Array.from({ length: 1 + Math.floor(next() * 3) }, () => `w${Math.floor(6 * next())}`).join(' ');
      assert.deepEqual(index.rank(query, 10), exhaustive(index, query, 10), `"${query}"`);
    }
  });

  it('lets go of the file bytes a loaded segment was mapped onto, answering as before', async () => {
    const dir = await dirs.make('grounded-scorer-');
    const { index } = randomIndex(31, 500, 60);
    const store = new IndexStore(dir);
    await store.save(
      manifestOf(index, ['/ws'], emptySkipCounts(), 1),
      index.segmentList.map(s => s.data),
    );
    const stored = await store.load();
    assert.ok(stored);
    const loaded = new SegmentedIndex(snapshotOf(stored), words);
    const before = ['w0 w1', 'w2', 'w0 w3 w5'].map(q => loaded.rank(q, 10));
    const fileBuffers = new Set(loaded.segmentList.map(s => s.data.postings.buffer));
    await loaded.prepareScorers(
      async () => {},
      () => true,
    );
    for (const { data } of loaded.segmentList) {
      const arrays = Object.values(data).flatMap(v =>
        v instanceof StringList ? [v.bytes, v.offsets] : ArrayBuffer.isView(v) ? [v] : [],
      );
      assert.ok(
        arrays.every(a => !fileBuffers.has(a.buffer)),
        'an array still views the file bytes',
      );
    }
    assert.deepEqual(
      ['w0 w1', 'w2', 'w0 w3 w5'].map(q => loaded.rank(q, 10)),
      before,
    );
  });
});
