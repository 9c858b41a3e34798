import assert from 'node:assert/strict';
import { bm25Idf, type Bm25Fields } from '../../../../src/index/scoring/bm25';
import { topK } from '../../../../src/index/scoring/topK';
import { noFiles } from '../../../../src/index/segments/fileTable';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';

const words = (text: string): string[] => text.split(' ').filter(Boolean);
const params = { k1: 1.2, b: 0.75, titleBoost: 2, pathBoost: 1 };

/** One segment of documents, searched through the index's scoring (hits as document numbers). */
function indexOf(docs: readonly Bm25Fields[]) {
  const builder = new SegmentBuilder(words, params);
  const file = builder.addFile('', '');
  for (const doc of docs) builder.addChunk(file, { ...doc, startLine: 1, endLine: 1 });
  const segment = builder.build(1);
  const index = new SegmentedIndex(
    { segments: [segment.data], deletions: [], files: noFiles(), nextSegmentId: 2 },
    words,
    params,
  );
  return {
    search: (query: string, k: number) => index.rank(query, k),
    documentFrequency: (term: string) => segment.documentFrequency(segment.termId(term)),
  };
}

describe('BM25 scoring', () => {
  const docs = ['apple banana apple', 'banana cherry', 'cherry cherry cherry date', 'elder'];
  const build = () => indexOf(docs.map(text => ({ text })));

  it('uses idf = ln(1 + (N − df + 0.5) / (df + 0.5))', () => {
    assert.equal(bm25Idf(4, 1), Math.log(1 + 3.5 / 1.5));
    assert.equal(bm25Idf(10, 10), Math.log(1 + 0.5 / 10.5));
  });

  it('scores a query exactly as the formula computed by hand', () => {
    // N = 4, lengths 3, 2, 4, 1 → avgdl 2.5
    const norm = (dl: number) => 1.2 * (1 - 0.75 + (0.75 * dl) / 2.5);
    const idfBanana = Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5));
    const idfCherry = Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5));
    const idfApple = Math.log(1 + (4 - 1 + 0.5) / (1 + 0.5));
    const expected = [
      { doc: 0, score: (idfApple * 2) / (2 + norm(3)) + (idfBanana * 1) / (1 + norm(3)) },
      { doc: 1, score: (idfBanana * 1) / (1 + norm(2)) + (idfCherry * 1) / (1 + norm(2)) },
      { doc: 2, score: (idfCherry * 3) / (3 + norm(4)) },
    ].sort((a, b) => b.score - a.score);
    const got = build().search('apple banana cherry', 10);
    assert.deepEqual(
      got.map(h => h.doc),
      expected.map(e => e.doc),
    );
    got.forEach((h, i) =>
      assert.ok(Math.abs(h.score - (expected[i]?.score ?? NaN)) < 1e-12, `doc ${h.doc}: ${h.score}`),
    );
  });

  it('counts a repeated query term once per occurrence', () => {
    const index = build();
    const once = index.search('date', 1)[0]?.score ?? 0;
    const twice = index.search('date date', 1)[0]?.score ?? 0;
    assert.ok(once > 0);
    assert.ok(Math.abs(twice - 2 * once) < 1e-12);
  });

  it('returns only k hits, nothing for unknown terms, and resets between queries', () => {
    const index = build();
    assert.equal(index.search('banana cherry', 1).length, 1);
    assert.deepEqual(index.search('zebra', 5), []);
    assert.deepEqual(
      index.search('elder', 5).map(h => h.doc),
      [3],
    );
    assert.equal(index.documentFrequency('cherry'), 2);
  });

  it('boosts title terms by counting them titleBoost times', () => {
    const index = indexOf([
      { text: 'setup guide', title: 'install' },
      { text: 'install setup guide' },
      { text: 'other' },
    ]);
    const hits = index.search('install', 2);
    assert.equal(hits[0]?.doc, 0);
    // doc 0: tf 2 (boosted), length 4; doc 1: tf 1, length 3; avgdl (4 + 3 + 1) / 3
    const norm = (dl: number) => 1.2 * (1 - 0.75 + (0.75 * dl) / (8 / 3));
    const idf = Math.log(1 + 1.5 / 2.5);
    assert.ok(Math.abs((hits[0]?.score ?? 0) - (idf * 2) / (2 + norm(4))) < 1e-12);
  });
});

describe('topK', () => {
  it('keeps the k best, best first, lower document first on ties', () => {
    const scores = [0.5, 2, 1, 2, 0.1, 3];
    assert.deepEqual(topK([0, 1, 2, 3, 4, 5], scores, 3), [
      { doc: 5, score: 3 },
      { doc: 1, score: 2 },
      { doc: 3, score: 2 },
    ]);
  });

  it('matches a full sort on random scores', () => {
    const scores = Array.from({ length: 500 }, (_, i) => Math.floor(Math.abs(Math.sin(i * 7.3)) * 50));
    const docs = scores.map((_, i) => i);
    const sorted = [...docs].sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b).slice(0, 25);
    assert.deepEqual(
      topK(docs, scores, 25).map(h => h.doc),
      sorted,
    );
  });
});
