import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createYielder } from '../../../src/index/base/yieldToEventLoop';
import { syncIndex } from '../../../src/index/build/syncIndex';
import { SegmentedIndex } from '../../../src/index/segments/segmentedIndex';
import { IndexStore, snapshotOf } from '../../../src/index/store/indexStore';
import { readFileBytes } from '../../../src/index/store/readFileBytes';
import { WorkspaceIndex } from '../../../src/index/workspaceIndex';
import { random } from '../../fakes/seededRandom';
import { tempDirs } from '../../support/tempDirs';

const hits = (index: SegmentedIndex, query: string) =>
  index
    .search(query, 10)
    .map(h => `${h.path}:${h.startLine}-${h.endLine} ${h.title ?? ''} ${h.score.toFixed(9)} ${h.file.hash}`);

/** A step that always yields (budget 0), counting its calls: the most interleaved a host install can be. */
function countingStep(): { step: () => Promise<void>; calls: () => number } {
  const yielder = createYielder(undefined, 0);
  let calls = 0;
  return {
    step: () => {
      calls++;
      return yielder();
    },
    calls: () => calls,
  };
}

describe('loading and installing the index on the host, in steps', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let store: string;
  const queries = ['parse config', 'héllo wörld', 'emoji 😀 smile', 'function 12', 'notes'];
  // One workspace for the block (the tests only read it): 1500 files, so that the file table alone is hashed in
  // several steps (HASHED_PER_STEP rows each), besides the checksums and the segment.
  before(async function () {
    this.timeout(60_000); // thousands of small files: slow on a loaded disk
    ws = join(await dirs.make('grounded-host-ws-'), 'ws');
    await mkdir(ws);
    for (let i = 0; i < 1500; i++) {
      const text =
        i % 3 === 0
          ? `# Héllo ${i}\n\nwörld notes 😀 smile\n`
          : `export function parseConfig${i}() {\n  return ${i};\n}\n`;
      await writeFile(join(ws, `f${i}.${i % 3 === 0 ? 'md' : 'ts'}`), text);
    }
  });
  beforeEach(async () => {
    temp = await dirs.make('grounded-host-');
    store = join(temp, 'store');
  });

  it('loads a store in steps into the same index as a plain load, passages, titles and file records alike', async () => {
    const built = await syncIndex({ folders: [ws], rules: {}, storeDir: store });
    const inMemory = new SegmentedIndex(built.snapshot);
    const { step, calls } = countingStep();
    const stored = await new IndexStore(store).load(step);
    assert.ok(stored);
    const loaded = await SegmentedIndex.open(snapshotOf(stored), step);
    assert.ok(calls() >= 3, `${calls()} steps`);
    for (const q of queries) assert.deepEqual(hits(loaded, q), hits(inMemory, q));
    assert.deepEqual([...loaded.files()], [...inMemory.files()]);
  });

  it('installs a snapshot in steps exactly as the constructor does', async () => {
    const built = await syncIndex({ folders: [ws], rules: {} });
    const { step, calls } = countingStep();
    const stepped = await SegmentedIndex.open(built.snapshot, step);
    const direct = new SegmentedIndex(built.snapshot);
    assert.ok(calls() >= 1);
    for (const q of queries) assert.deepEqual(hits(stepped, q), hits(direct, q));
    assert.equal(stepped.chunkCount, direct.chunkCount);
    assert.deepEqual([...stepped.files()], [...direct.files()]);
  });

  it('ranks the same after its bounds were warmed in the background', async () => {
    const built = await syncIndex({ folders: [ws], rules: {} });
    const cold = new SegmentedIndex(built.snapshot);
    const warmed = new SegmentedIndex(built.snapshot);
    const { step, calls } = countingStep();
    await warmed.warmBounds(step, () => true, 1);
    assert.ok(calls() > 10);
    for (const q of queries) assert.deepEqual(hits(warmed, q), hits(cold, q));
  });

  it('reads a file of several pieces byte for byte', async () => {
    const file = join(temp, 'big.bin');
    const next = random(7);
    const bytes = new Uint8Array((17 << 20) + 12345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256); // Uint8Array.from is ten times slower
    await writeFile(file, bytes);
    const read = await readFileBytes(file);
    assert.equal(read.byteLength, read.buffer.byteLength); // a buffer of its own: typed arrays view it, workers take it
    assert.ok(Buffer.from(read).equals(readFileSync(file)));
  });
});

describe('the workspace index at start', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let store: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-start-');
    ws = join(temp, 'ws');
    store = join(temp, 'store');
    await mkdir(ws);
    for (let i = 0; i < 50; i++)
      await writeFile(join(ws, `f${i}.ts`), `export function parseConfig${i}() {\n  return ${i};\n}\n`);
  });

  it('serves the saved index as soon as it is loaded, while the first sync still runs', async () => {
    await syncIndex({ folders: [ws], rules: {}, storeDir: store });
    const stalled = join(temp, 'stalled-worker.js');
    await writeFile(stalled, 'setInterval(() => {}, 1000);\n'); // a worker that never answers
    const index = new WorkspaceIndex({ folders: () => [ws], storeDir: store, workerFile: stalled });
    try {
      const ready = await index.ready();
      assert.ok(index.isSyncing, 'the sync is still running');
      assert.equal(ready.search('parseConfig43', 1)[0]?.path, 'f43.ts');
      assert.equal(index.stats()?.files, 50);
    } finally {
      index.dispose();
    }
  });

  it('waits for the sync when the saved index is for other folders', async () => {
    await syncIndex({ folders: [ws], rules: {}, storeDir: store });
    const other = join(temp, 'other');
    await mkdir(other);
    await writeFile(join(other, 'only.md'), '# Only\n\nthe one file here\n');
    const index = new WorkspaceIndex({ folders: () => [other], storeDir: store, workerFile: false });
    try {
      const ready = await index.ready();
      assert.equal(ready.chunkCount, 1);
      assert.equal(ready.search('parse config', 1).length, 0);
    } finally {
      index.dispose();
    }
  });
});
