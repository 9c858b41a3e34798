import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { GroundedError } from '../../../../src/core/errors';
import { MAX_INDEX_THREADS } from '../../../../src/index/build/helperThreads';
import { DEFAULT_WORKER_FILE, runSyncTask } from '../../../../src/index/build/indexWorkerClient';
import { transferList } from '../../../../src/index/build/workerMessages';
import { fileColumns } from '../../../../src/index/segments/fileTable';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { IndexStore, snapshotOf, type StoredIndex } from '../../../../src/index/store/indexStore';
import { tempDirs } from '../../../support/tempDirs';

describe('the index worker', () => {
  const dirs = tempDirs();
  let ws: string;
  before(async () => {
    ws = await dirs.make('grounded-worker-');
    for (let i = 0; i < 300; i++)
      await writeFile(join(ws, `f${i}.md`), `# File ${i}\n\nalpha beta gamma ${i % 7 === 0 ? 'heptagon' : ''}\n`);
  });

  it('moves a result’s buffers to the receiving thread, and two empty indexes share none of them', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      for (let i = 0; i < 2; i++) {
        const empty = new SegmentedIndex().snapshot();
        port1.postMessage(empty, transferList(empty));
      }
      const some = {
        ...new SegmentedIndex().snapshot(),
        files: fileColumns([
          { path: 'a.md', location: '/ws/a.md', mtimeMs: 1, size: 2, hash: '', segment: -1, firstDoc: 0, docCount: 0 },
        ]),
      };
      port1.postMessage(some, transferList(some));
      assert.equal(some.files.stamps.length, 0, 'a column was moved, not copied');
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('runs under a heap limit, and a worker stopped by it fails with a message that says how to index less', async () => {
    const workerFile = join(__dirname, '../../../fakes/hungryWorker.js');
    await assert.rejects(runSyncTask({ folders: [ws], rules: {} }, { workerFile, heapMb: 32 }), (e: unknown) => {
      assert.ok(e instanceof GroundedError, String(e));
      assert.equal(e.kind, 'index');
      assert.match(e.message, /ran out of memory \(its limit is 32 MB\).*grounded\.index\.include/);
      return true;
    });
  });

  it('finds its script beside the compiled module', () => {
    assert.ok(existsSync(DEFAULT_WORKER_FILE), DEFAULT_WORKER_FILE);
  });

  it('builds in a worker thread with progress, and the result answers like an in-process build', async () => {
    const progress: number[] = [];
    const inWorker = await runSyncTask({ folders: [ws], rules: {} }, { onProgress: p => progress.push(p.done) });
    const inProcess = await runSyncTask({ folders: [ws], rules: {} }, { workerFile: false });
    assert.equal(inWorker.stats.files, 300);
    assert.equal(progress[progress.length - 1], 300);
    const a = new SegmentedIndex(inWorker.snapshot).search('heptagon', 50);
    const b = new SegmentedIndex(inProcess.snapshot).search('heptagon', 50);
    assert.equal(a.length, 43);
    const key = (hits: typeof a) => hits.map(h => `${h.path} ${h.score}`).sort(); // equal scores: in document order, which threads change
    assert.deepEqual(key(a), key(b));
  });

  it('keeps a result that is still being taken in when the worker exits', async () => {
    const workerFile = join(__dirname, '../../../fakes/exitAfterResultWorker.js');
    const result = await runSyncTask({ folders: [ws], rules: {} }, { workerFile });
    assert.equal(result.snapshot.files.paths.length, 60_000);
  });

  it('reports a worker that stops before its result', async () => {
    const workerFile = join(ws, 'exits.js');
    await writeFile(workerFile, 'process.exit(3);\n');
    await assert.rejects(
      runSyncTask({ folders: [ws], rules: {} }, { workerFile }),
      /stopped \(exit code 3\) before it finished/,
    );
  });

  it('shares a large build with helper threads in the bundled worker (dist/indexWorker.js), saved as one segment per helper, ranking as one thread does', async function () {
    const bundled = join(__dirname, '../../../../../dist/indexWorker.js');
    if (availableParallelism() < 2 || !existsSync(bundled)) this.skip(); // one core, or not packaged yet
    this.timeout(60_000);
    const big = await dirs.make('grounded-big-');
    const words = ['alpha', 'beta', 'gamma', 'delta', 'parseConfig', 'retry_backoff', 'stream'];
    for (let f = 0; f < 160; f++) {
      const lines = Array.from(
        { length: 1800 },
        (_, i) => `${words[(i * 7 + f) % words.length]} line ${i} of file${f} ${words[(i + f) % words.length]}`,
      );
      await writeFile(join(big, `f${f}.ts`), lines.join('\n'));
    }
    const storeDir = join(big, '.store');
    const shared = await runSyncTask({ folders: [big], rules: {}, storeDir }, { workerFile: bundled });
    const alone = await runSyncTask({ folders: [big], rules: {} }, { workerFile: false });
    assert.equal(shared.stats.timings.threads, Math.min(MAX_INDEX_THREADS, availableParallelism()));
    assert.equal(alone.stats.timings.threads, 1);
    assert.equal(shared.stats.chunks, alone.stats.chunks);
    assert.equal(shared.saveProblem, undefined);
    const stored = await new IndexStore(storeDir).load();
    assert.equal(stored?.segments.length, shared.stats.timings.threads, 'one segment per helper, saved');
    const loaded = new SegmentedIndex(snapshotOf(stored as StoredIndex));
    const key = (index: SegmentedIndex, query: string) =>
      index
        .search(query, 10_000)
        .map(h => `${h.path}:${h.startLine} ${h.score.toFixed(9)}`)
        .sort();
    for (const query of ['parseConfig file17', 'retry backoff line 1799', 'gamma delta']) {
      assert.deepEqual(
        key(new SegmentedIndex(shared.snapshot), query),
        key(new SegmentedIndex(alone.snapshot), query),
        query,
      );
      assert.deepEqual(key(loaded, query), key(new SegmentedIndex(alone.snapshot), query), query);
    }
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    // cancelled at its first progress: the worker posts progress before its result, so the sync is still under way
    const task = runSyncTask(
      { folders: [ws], rules: {} },
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    await assert.rejects(task, { name: 'AbortError' });
  });
});
