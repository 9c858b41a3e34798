import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IndexKeeper, type KeptIndex } from '../../../src/cli/indexKeeper';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import { walkedFolders, type IndexStats, type SyncProgress } from '../../../src/index';
import { outOfMemory } from '../../../src/index/build/workerLimits';
import { emptySkipCounts } from '../../../src/index/discovery/skipReasons';
import { ManualClock } from '../../fakes/fakeClock';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

const statsOf = (files: number, chunks: number): IndexStats => ({
  files,
  chunks,
  segments: 1,
  deletedChunks: 0,
  skipped: emptySkipCounts(),
  indexBytes: 0,
  builtAt: 0,
  timings: { discoverMs: 0, indexMs: 0, readMs: 0, saveMs: 0, threads: 1 },
  filesRead: files,
  filesUnchanged: 0,
});

/** An index that records its syncs and updates; `firstSync` runs inside the first sync (progress, say). */
function recordingIndex(
  walked: () => Promise<string[]>,
  firstSync: () => Promise<void> | void = () => undefined,
): KeptIndex & { syncs: number; updated: string[] } {
  const index = {
    syncs: 0,
    updated: [] as string[],
    stats: (): IndexStats | undefined => (index.syncs > 0 ? statsOf(1, 1) : undefined),
    refresh: async (): Promise<IndexStats> => {
      if (index.syncs === 0) await firstSync();
      index.syncs++;
      return statsOf(1, 1);
    },
    update: (paths: readonly string[]): Promise<void> => {
      index.updated.push(...paths);
      return Promise.resolve();
    },
    walkedFolders: walked,
    hasSavedIndex: () => Promise.resolve(false),
  };
  return index;
}

/**
 * Writes a file until the index is handed it: a folder's watch begins a moment after the folder appears, so one
 * write may come before it. Once a write in 300 ms, slower than the watcher's batching, which each write restarts.
 */
async function writeUntilHandedOver(index: { updated: string[] }, file: string): Promise<void> {
  const handed = await until(
    async () => {
      await writeFile(file, '# Fresh\n');
      return index.updated.includes(file);
    },
    { everyMs: 300 },
  );
  assert.ok(handed, `${file} was not handed over: ${JSON.stringify(index.updated)}`);
}

/** An index whose first sync fails with `reason`. */
const failingIndex = (reason: string): KeptIndex => ({
  refresh: () => Promise.reject(new Error(reason)),
  update: () => Promise.resolve(),
  stats: () => undefined,
  walkedFolders: () => Promise.resolve([]),
  hasSavedIndex: () => Promise.resolve(false),
});

describe('the index keeper of grounded mcp', () => {
  const dirs = tempDirs();
  let keeper: IndexKeeper | undefined;
  afterEach(() => {
    keeper?.dispose();
    keeper = undefined;
  });

  it('tells the client, as an error, why the index could not be built, and the log too', async () => {
    const said: [string, string][] = [];
    const logged: string[] = [];
    keeper = new IndexKeeper(
      (level, message) => said.push([level, message]),
      message => logged.push(message),
    );
    await keeper.start(failingIndex('EACCES: permission denied, mkdir /store'), ['/ws']);
    assert.deepEqual(said, [
      ['info', 'indexing the folder…'],
      ['error', 'indexing failed: EACCES: permission denied, mkdir /store'],
    ]);
    assert.deepEqual(logged, ['indexing failed: EACCES: permission denied, mkdir /store']);
  });

  it("says a failure the index wrote for VS Code in the CLI's words: no setting the server has no flag for", async () => {
    const said: [string, string][] = [];
    const logged: string[] = [];
    keeper = new IndexKeeper(
      (level, message) => said.push([level, message]),
      message => logged.push(message),
    );
    const index: KeptIndex = { ...failingIndex(''), refresh: () => Promise.reject(outOfMemory(4096)) };
    await keeper.start(index, ['/ws']);
    const failed = said.find(([level]) => level === 'error')?.[1] ?? '';
    assert.match(failed, /^indexing failed: The index ran out of memory \(its limit is 4096 MB\)/);
    assert.match(failed, /\.groundedignore in the folder/);
    assert.doesNotMatch(failed, /grounded\.index\./);
    assert.deepEqual(logged, [failed]);
  });

  it('hands over a file created in a folder with no indexed file, and one in a folder created while it runs', async () => {
    const root = await dirs.make('grounded-keeper-');
    await mkdir(join(root, 'empty'));
    await mkdir(join(root, 'binaries'));
    await writeFile(join(root, 'binaries', 'blob.bin'), Buffer.from([1, 0, 2]));
    const index = recordingIndex(() => walkedFolders([root]));
    keeper = new IndexKeeper(() => undefined, assert.fail);
    await keeper.start(index, [root]);
    await writeFile(join(root, 'empty', 'new.md'), '# New\n');
    await writeFile(join(root, 'binaries', 'notes.md'), '# Notes\n');
    assert.ok(await until(() => index.updated.includes(join(root, 'empty', 'new.md'))), JSON.stringify(index.updated));
    assert.ok(await until(() => index.updated.includes(join(root, 'binaries', 'notes.md'))));
    await mkdir(join(root, 'later'));
    assert.ok(
      await until(() => index.updated.includes(join(root, 'later'))),
      'the new folder is an event in its parent',
    );
    // the new folder's watch begins shortly after its creation: files written into it meanwhile are found too
    // (the folder is handed to the index again then), so the test writes until the file is handed over
    await writeUntilHandedOver(index, join(root, 'later', 'fresh.md'));
  });

  it('watches a folder deleted and made again (a branch switch, a clean build): its new files are handed over', async () => {
    const root = await dirs.make('grounded-keeper-');
    await mkdir(join(root, 'docs'));
    const index = recordingIndex(() => walkedFolders([root]));
    keeper = new IndexKeeper(() => undefined, assert.fail);
    await keeper.start(index, [root]);
    await rm(join(root, 'docs'), { recursive: true });
    assert.ok(await until(() => index.updated.includes(join(root, 'docs'))), 'the deletion is an event in the parent');
    await mkdir(join(root, 'docs'));
    // a watch on the deleted folder hears nothing of the new one: the file is handed over only once it is watched
    // anew (or the folder handed to the index again), so the test writes until it is
    await writeUntilHandedOver(index, join(root, 'docs', 'fresh.md'));
  });

  it('syncs every 30 s instead when a folder cannot be watched, and stops when disposed', async () => {
    const clock = new ManualClock();
    const logged: string[] = [];
    // a path the system refuses to watch (a NUL byte in it)
    const index = recordingIndex(() => Promise.resolve(['/ws/bad\0folder']));
    keeper = new IndexKeeper(
      () => undefined,
      message => logged.push(message),
      clock,
    );
    await keeper.start(index, ['/ws']);
    assert.equal(index.syncs, 2, 'the first sync, and the one after the watch began');
    assert.match(logged.join('\n'), /cannot watch .*; the index is brought up to date every 30 s instead/);
    assert.deepEqual(clock.repeating, [30_000]);
    clock.advance(29_999);
    assert.equal(index.syncs, 2);
    clock.advance(1);
    assert.equal(index.syncs, 3);
    clock.advance(60_000);
    assert.equal(index.syncs, 5);
    keeper.dispose();
    assert.deepEqual(clock.repeating, [], 'no sync after the keeper is disposed');
  });

  it('says the first sync’s progress at most once a second, and always its end, and no later sync’s', async () => {
    const clock = new ManualClock();
    const said: string[] = [];
    keeper = new IndexKeeper(
      (_level, message) => said.push(message),
      () => undefined,
      clock,
    );
    const progress = (done: number, total: number, afterMs: number): void => {
      clock.advance(afterMs);
      keeper?.hooks.onProgress?.({ done, total });
    };
    const index = recordingIndex(
      () => Promise.resolve([]),
      () => {
        progress(0, 10, 0);
        progress(3, 10, 400);
        progress(5, 10, 600);
        progress(6, 10, 999);
        progress(10, 10, 1);
      },
    );
    await keeper.start(index, ['/ws']);
    progress(1, 1, 5000);
    assert.deepEqual(
      said.filter(m => m.startsWith('indexing:')),
      ['indexing: 0 of 10 files read', 'indexing: 5 of 10 files read', 'indexing: 10 of 10 files read'],
    );
  });

  it('says no count of files read when the first sync has none to read, and marks a total still growing', async () => {
    const said: string[] = [];
    keeper = new IndexKeeper(
      (_level, message) => said.push(message),
      () => undefined,
      new ManualClock(),
    );
    const index = recordingIndex(
      () => Promise.resolve([]),
      () => {
        keeper?.hooks.onProgress?.({ done: 0, total: 0 });
        keeper?.hooks.onProgress?.({ done: 0, total: 0, growing: true });
        keeper?.hooks.onProgress?.({ done: 3, total: 40, growing: true });
      },
    );
    await keeper.start(index, ['/ws']);
    assert.deepEqual(
      said.filter(m => m.startsWith('indexing:')),
      ['indexing: 3 of 40+ files read'],
    );
    assert.ok(
      said.some(m => m.startsWith('index ready: 1 file,')),
      said.join('\n'),
    );
  });

  it('tells how far the first build got while nothing can be searched, and nothing once it can', async () => {
    let during: SyncProgress | undefined;
    let searchable = false;
    let whenSearchable: SyncProgress | undefined = { done: -1, total: -1 };
    keeper = new IndexKeeper(
      () => undefined,
      () => undefined,
      new ManualClock(),
    );
    const index = recordingIndex(
      () => Promise.resolve([]),
      async () => {
        keeper?.hooks.onProgress?.({ done: 40, total: 100 });
        during = await keeper?.building();
        searchable = true; // files appeared in the index while the build still runs
        whenSearchable = await keeper?.building();
      },
    );
    const stats = index.stats;
    index.stats = () => (searchable ? statsOf(1, 1) : stats());
    assert.equal(await keeper.building(), undefined, 'before the build');
    await keeper.start(index, ['/ws']);
    assert.deepEqual(during, { done: 40, total: 100 });
    assert.equal(whenSearchable, undefined, 'the build still runs, but the index can be searched');
    assert.equal(await keeper.building(), undefined, 'after the build');
  });

  it('reports no build while a saved index loads: a search waits for it and finds what it holds', async () => {
    const ws = await dirs.make('grounded-keeper-ws-');
    const store = join(await dirs.make('grounded-keeper-store-'), 'store');
    await writeFile(join(ws, 'guide.md'), '# Guide\n\nCalibrate the sprocket weekly.\n');
    const first = new LocalRetriever({ folders: () => [ws], storeDir: store });
    await first.refresh();
    await first.flush();
    first.dispose();
    const local = new LocalRetriever({ folders: () => [ws], storeDir: store });
    try {
      keeper = new IndexKeeper(
        () => undefined,
        () => undefined,
      );
      const started = keeper.start(local, [ws]);
      assert.equal(await keeper.building(), undefined, 'the saved index is searched, not reported as building');
      const passages = await local.search('sprocket', { k: 3 });
      assert.deepEqual(
        passages.map(p => p.path),
        ['guide.md'],
      );
      await started;
    } finally {
      keeper?.dispose();
      local.dispose();
    }
  });
});
