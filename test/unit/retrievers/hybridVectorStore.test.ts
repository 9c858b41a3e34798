import * as assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HybridVectorStore, type VectorEntry } from '../../../src/retrievers/hybridVectorStore';
import { tempDirs } from '../../support/tempDirs';

describe('hybrid vector store', () => {
  it('holds each searchable vector once, not a copy beside the matrix it searches', () => {
    const count = 200;
    const dimensions = 64;
    const entries: VectorEntry[] = Array.from({ length: count }, (_, i) => ({
      id: `f${i}.md:1-1`,
      path: `f${i}.md`,
      location: `/ws/f${i}.md`,
      startLine: 1,
      endLine: 1,
      contentHash: `h${i}`,
    }));
    const store = new HybridVectorStore();
    entries.forEach((e, i) => {
      const v = new Float32Array(dimensions);
      v[i % dimensions] = 1;
      store.set(e.contentHash, v);
    });
    store.setEntries(entries, e => e.contentHash);
    // every cached vector is a view of one buffer, the matrix that search reads: no second copy is held
    const buffers = new Set(entries.map(e => store.get(e.contentHash)?.buffer));
    assert.equal(buffers.size, 1);
    assert.equal([...buffers][0]?.byteLength, count * dimensions * 4);
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

  it('never ranks a chunk whose vector is all zeros, and ranks nothing for a question whose vector is', () => {
    const entry = (name: string): VectorEntry => ({
      id: `${name}.md:1-1`,
      path: `${name}.md`,
      location: `/ws/${name}.md`,
      startLine: 1,
      endLine: 1,
      contentHash: name,
    });
    const store = new HybridVectorStore();
    store.set('zero', Float32Array.from([0, 0, 0]));
    store.set('near', Float32Array.from([0.8, 0.6, 0]));
    store.set('opposite', Float32Array.from([-1, 0, 0]));
    store.setEntries(['zero', 'near', 'opposite'].map(entry), e => e.contentHash);
    assert.deepEqual(
      store.nearest(Float32Array.from([1, 0, 0]), 3).map(h => h.entry.contentHash),
      ['near', 'opposite'],
    );
    assert.deepEqual(store.nearest(Float32Array.from([0, 0, 0]), 3), []);
  });

  describe('saved', () => {
    const temp = tempDirs();

    it('keeps a checksum of its vectors, and loads a file saved before there was one', async () => {
      const store = new HybridVectorStore();
      store.set('a', Float32Array.from([0.6, 0.8]));
      store.set('b', Float32Array.from([1, 0]));
      const file = join(await temp.make(), 'vectors.bin');
      await store.save(file);
      const bytes = await readFile(file);
      const headerLength = bytes.readUInt32LE(0);
      const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Record<string, unknown>;
      assert.equal(header['format'], 'grounded-vectors-2');
      assert.equal(typeof header['crc32'], 'number');

      // the same vectors as the format without a checksum wrote them
      const old = Buffer.from(JSON.stringify({ format: 'grounded-vectors-1', dimensions: 2, keys: header['keys'] }));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(old.length);
      await writeFile(file, Buffer.concat([length, old, bytes.subarray(4 + headerLength)]));
      const loaded = new HybridVectorStore();
      assert.deepEqual(await loaded.load(file), { loaded: 2 });
      assert.deepEqual([...(loaded.get('a') ?? [])], [...Float32Array.from([0.6, 0.8])]);
    });

    it('saves again a vector set while it was being saved, and again after a save that failed', async () => {
      const dir = await temp.make();
      const file = join(dir, 'vectors.bin');
      const store = new HybridVectorStore();
      store.set('a', Float32Array.from([1, 0]));
      const saving = store.save(file);
      store.set('b', Float32Array.from([0, 1])); // an embedding that lands while the file is written
      await saving;
      await store.save(file);
      const loaded = new HybridVectorStore();
      assert.deepEqual(await loaded.load(file), { loaded: 2 });
      assert.ok(loaded.get('b'), 'the late vector is saved');

      store.set('c', Float32Array.from([1, 1]));
      await writeFile(join(dir, 'blocked'), ''); // a file where the store's folder should be: the save fails
      await assert.rejects(store.save(join(dir, 'blocked', 'vectors.bin')));
      await store.save(file);
      assert.deepEqual(await new HybridVectorStore().load(file), { loaded: 3 });
    });

    it('is saved whole when two stores (two windows, a window and the CLI) save it at once', async () => {
      const dir = await temp.make();
      const file = join(dir, 'vectors.bin');
      const stores = [3, 500].map(count => {
        const store = new HybridVectorStore();
        for (let i = 0; i < count; i++)
          store.set(
            `k${i}`,
            Float32Array.from({ length: 64 }, (_, j) => i + j + 1),
          );
        return store;
      });
      await Promise.all(stores.map(store => store.save(file)));
      const loaded = await new HybridVectorStore().load(file);
      assert.ok(loaded.loaded === 3 || loaded.loaded === 500, JSON.stringify(loaded));
      assert.equal(loaded.problem, undefined);
      assert.deepEqual(await readdir(dir), ['vectors.bin'], 'no temporary file is left');
    });
  });
});
