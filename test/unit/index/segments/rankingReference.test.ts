import assert from 'node:assert/strict';
import { bm25Idf, DEFAULT_BM25_PARAMS } from '../../../../src/index/scoring/bm25';
import type { ScoredDoc } from '../../../../src/index/scoring/topK';
import { fileColumns, noFiles, type FileRecord } from '../../../../src/index/segments/fileTable';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { random } from '../../../fakes/seededRandom';

const words = (text: string): string[] => text.split(' ').filter(Boolean);

/** One chunk as the reference sees it: its weighted term counts and length, and whether it is deleted. */
interface RefDoc {
  location: string;
  tfs: Map<string, number>;
  length: number;
  deleted: boolean;
}

/** Zipf-like words: a few in most chunks (lists of many blocks), most rare. */
const randomText = (next: () => number, vocabulary: number, most: number): string =>
  Array.from({ length: 1 + Math.floor(next() * most) }, () => `w${Math.floor(vocabulary * next() ** 3)}`).join(' ');

/** Text, title and path as one weighted bag of terms, as the index's BM25F counts them (title ×2, path ×1). */
function refDoc(location: string, text: string, title: string, path: string): RefDoc {
  const tfs = new Map<string, number>();
  const { titleBoost, pathBoost } = DEFAULT_BM25_PARAMS;
  let length = 0;
  for (const [field, boost] of [
    [text, 1],
    [title, titleBoost],
    [path, pathBoost],
  ] as const)
    for (const w of words(field)) {
      tfs.set(w, (tfs.get(w) ?? 0) + boost);
      length += boost;
    }
  return { location, tfs, length, deleted: false };
}

/**
 * BM25 by brute force over the chunks' own term counts, not the index's postings: every chunk of every segment
 * scored, idf from document frequencies that count deleted chunks until a merge drops them (as the index does),
 * contributions summed in query order; the k best, ties in index order.
 */
function bruteForce(segments: readonly RefDoc[][], query: string, k: number): ScoredDoc[] {
  const counts = new Map<string, number>();
  for (const w of words(query)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const all = segments.flat();
  const live = all.filter(d => !d.deleted);
  const n = live.length;
  const avg = live.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const { k1, b } = DEFAULT_BM25_PARAMS;
  const normBase = k1 * (1 - b);
  const normPerLength = (k1 * b) / avg;
  const weights = [...counts].map(
    ([term, count]) => count * bm25Idf(n, Math.min(n, all.filter(d => d.tfs.has(term)).length)),
  );
  const scored: ScoredDoc[] = [];
  all.forEach((d, order) => {
    if (d.deleted) return;
    let score = 0;
    let matched = false;
    [...counts.keys()].forEach((term, i) => {
      const tf = d.tfs.get(term);
      if (tf === undefined) return;
      matched = true;
      score += ((weights[i] ?? 0) * tf) / (tf + normBase + normPerLength * d.length);
    });
    if (matched) scored.push({ doc: order, score });
  });
  return scored.sort((x, y) => y.score - x.score || x.doc - y.doc).slice(0, k);
}

describe('rankings over compressed postings', () => {
  it('are exactly those of brute-force BM25 over the same chunks, through deletions, merges and the WebAssembly scorer, for any k and repeated, ubiquitous or loud terms', async function () {
    // sixteen random corpora, each scored by brute force too: seconds of work, more on a loaded machine
    this.timeout(60_000);
    for (let seed = 1; seed <= 16; seed++) {
      const next = random(seed * 7919);
      const vocabulary = 30 + Math.floor(next() * 400);
      const index = new SegmentedIndex({ segments: [], deletions: [], files: noFiles(), nextSegmentId: 1 }, words);
      const ref: RefDoc[][] = [];
      let made = 0;
      const total = 300 + Math.floor(next() * 2500);
      while (made < total) {
        // A segment of files (one chunk each), some of the earlier files deleted by the same update.
        const builder = new SegmentBuilder(words);
        const id = index.nextSegmentId++;
        const records: FileRecord[] = [];
        const docs: RefDoc[] = [];
        const size = 1 + Math.floor(next() * total * 0.4);
        for (let i = 0; i < size && made < total; i++, made++) {
          const location = `/ws/f${made}`;
          const path = `p${made % 17} w${made % 5}`;
          // "every" is in every chunk (the least idf there is); "loud" is repeated past 255 in a few (tf over a byte)
          const loud = next() < 0.02 ? ' loud'.repeat(300 + Math.floor(next() * 300)) : '';
          const text = `${randomText(next, vocabulary, next() < 0.05 ? 400 : 30)} every${loud}`;
          const title = next() < 0.3 ? randomText(next, vocabulary, 3) : '';
          const file = builder.addFile(path, location);
          const firstDoc = builder.addChunk(file, { text, title, startLine: 1, endLine: 1 });
          records.push({ path, location, mtimeMs: 1, size: 1, hash: '', segment: id, firstDoc, docCount: 1 });
          docs.push(refDoc(location, text, title, path));
        }
        const gone = new Set([...index.files()].filter(() => next() < 0.1).map(r => r.location));
        index.replaceFiles([...gone], fileColumns(records), [builder.build(id)]);
        for (const d of ref.flat()) if (gone.has(d.location)) d.deleted = true;
        ref.push(docs);
        // A segment whose chunks are all deleted leaves the index, and its chunks stop counting in df.
        for (let s = ref.length - 1; s >= 0; s--) if ((ref[s] ?? []).every(d => d.deleted)) ref.splice(s, 1);
        if (next() < 0.25 && index.segmentList.length >= 2) {
          // Merge two segments (the merged one takes the first one's place, deleted chunks gone).
          const at = Math.floor(next() * (index.segmentList.length - 1));
          const chosen = index.segmentList.slice(at, at + 2).map(s => s.id);
          index.merge(chosen);
          const merged = [...(ref[at] ?? []), ...(ref[at + 1] ?? [])].filter(d => !d.deleted);
          ref.splice(at, 2, ...(merged.length > 0 ? [merged] : []));
        }
      }
      assert.deepEqual(
        index.segmentList.map(s => s.docCount),
        ref.map(docs => docs.length),
        'the reference holds the same segments',
      );
      for (const segment of index.segmentList) if (next() < 0.5) await segment.prepareScorer(async () => {});
      for (let q = 0; q < 40; q++) {
        const terms = Array.from({ length: 1 + Math.floor(next() * 5) }, () => {
          const pick = next();
          return pick < 0.1 ? 'every' : pick < 0.15 ? 'loud' : `w${Math.floor(vocabulary * next() ** 2)}`;
        });
        // a repeated term counts as many times (its weight is idf × count)
        const query = [...terms, ...(next() < 0.3 ? [terms[0] ?? 'every'] : [])].join(' ');
        // every match, ranked once: the top k of exhaustive scoring is its first k (5000 is more than match)
        const ranked = bruteForce(ref, query, Infinity);
        for (const k of [0, 1, 5, 10, 40, 5000])
          assert.deepEqual(index.rank(query, k), ranked.slice(0, k), `seed ${seed}, "${query}", k=${k}`);
      }
    }
  });
});
