import * as assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HybridVectorStore, type VectorEntry } from '../../../src/retrievers/hybridVectorStore';

/** A full garbage collection, so what is measured is what is still held. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('hybrid vector store', () => {
  it('holds each searchable vector once, not a copy beside the matrix it searches', () => {
    const count = 2000;
    const dimensions = 1024; // 8 MB of vectors
    const entries: VectorEntry[] = Array.from({ length: count }, (_, i) => ({
      id: `f${i}.md:1-1`,
      path: `f${i}.md`,
      location: `/ws/f${i}.md`,
      startLine: 1,
      endLine: 1,
      contentHash: `h${i}`,
    }));
    collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    const store = new HybridVectorStore();
    entries.forEach((e, i) => {
      const v = new Float32Array(dimensions);
      v[i % dimensions] = 1;
      store.set(e.contentHash, v);
    });
    store.setEntries(entries, e => e.contentHash);
    collectGarbage();
    const held = process.memoryUsage().arrayBuffers - before;
    const vectorBytes = count * dimensions * 4;
    assert.ok(held < vectorBytes * 1.5, `${(held / vectorBytes).toFixed(2)} times the vectors' size is held`);
    // still searchable, and still the cache the embedder reads
    assert.equal(
      store.nearest(
        Float32Array.from({ length: dimensions }, (_, j) => (j === 7 ? 1 : 0)),
        1,
      )[0]?.entry.id,
      'f7.md:1-1',
    );
    assert.equal(store.get('h7')?.[7], 1);
  });
});
