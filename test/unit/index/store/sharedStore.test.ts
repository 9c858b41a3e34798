import assert from 'node:assert/strict';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STORE_MARKER } from '../../../../src/index/discovery/storeMarker';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { IndexStore, manifestStamp, snapshotOf } from '../../../../src/index/store/indexStore';
import { lockStore } from '../../../../src/index/store/storeLock';
import { WorkspaceIndex } from '../../../../src/index/workspaceIndex';
import { tempDirs } from '../../../support/tempDirs';
import { until } from '../../../support/until';

// Live indexes of one folder over one store (two processes serving one workspace): each saves its own updates,
// numbering new segments from the same stored id. The store is read back as it is, without a sync that would
// repair it from the disk.

/** The best hit's path for `query` in the index saved in `store`, as loaded, with no sync. */
async function storedHit(store: string, query: string): Promise<string | undefined> {
  const stored = await new IndexStore(store).load();
  assert.ok(stored, 'the store holds an index');
  const index = await SegmentedIndex.open(snapshotOf(stored), () => Promise.resolve());
  return index.search(query, 1)[0]?.path;
}

describe('a store that live indexes save to', () => {
  const dirs = tempDirs();
  let ws: string;
  let store: string;
  let notices: string[];
  let saves: number;
  const live = (): WorkspaceIndex =>
    new WorkspaceIndex({
      folders: () => [ws],
      storeDir: store,
      workerFile: false,
      persistDelayMs: 10,
      onNotice: m => notices.push(m),
      onSaving: () => saves++,
    });
  const write = (name: string, text: string) => writeFile(join(ws, `${name}.md`), `# ${name}\n\n${text}\n`);
  /**
   * Syncs `index`, then takes the store's lock as another process would and saves an edit of x.md in `index`: the
   * stamp of the manifest before, and what releases the lock.
   */
  const editWhileLocked = async (index: WorkspaceIndex) => {
    await index.sync();
    await index.flush();
    const before = await manifestStamp(store);
    const release = await lockStore(store);
    await write('x', 'The flux capacitor needs plutonium.');
    await index.update([join(ws, 'x.md')]);
    return { before, release };
  };
  beforeEach(async () => {
    const temp = await dirs.make('grounded-shared-');
    ws = join(temp, 'ws');
    store = join(temp, 'store');
    notices = [];
    saves = 0;
    await mkdir(ws);
    for (const name of ['x', 'y', 'z']) await write(name, 'Nothing yet.');
    // enough other files that three edits leave few chunks deleted: each is saved, not merged by a sync
    for (let i = 0; i < 30; i++) await write(`note${i}`, `Note ${i} says nothing.`);
  });

  it("never holds one index's manifest over the other's segments: a save after another writer's syncs instead", async () => {
    const a = live();
    const b = live();
    try {
      for (const index of [a, b]) {
        await index.sync();
        await index.flush();
      }
      const edit = async (index: WorkspaceIndex, name: string, text: string) => {
        await write(name, text);
        await index.update([join(ws, `${name}.md`)]);
        await index.flush();
      };
      await edit(a, 'x', 'The flux capacitor needs plutonium.');
      await edit(b, 'y', 'The hoverboard floats over water.');
      await edit(a, 'z', 'The almanac lists sports results.');
    } finally {
      await a.close();
      await b.close();
    }
    assert.deepEqual(notices, [], 'nothing was found damaged or rebuilt');
    assert.equal(await storedHit(store, 'flux capacitor plutonium'), 'x.md');
    assert.equal(await storedHit(store, 'hoverboard floats'), 'y.md');
    assert.equal(await storedHit(store, 'almanac sports'), 'z.md');
  });

  it("tells in its counts that an update's save failed, until a save succeeds", async () => {
    const index = live();
    try {
      await index.sync();
      await index.flush();
      const stored = await new IndexStore(store).load();
      // a folder where the update's segment goes: its write fails, as one on a full disk would
      const blocked = join(store, `seg-${stored?.manifest.nextSegmentId ?? 0}.bin`);
      await mkdir(blocked);
      await write('x', 'The flux capacitor needs plutonium.');
      await index.update([join(ws, 'x.md')]);
      await index.flush();
      assert.match(index.stats()?.saveProblem ?? '', /could not be saved in .*store/);
      assert.match(notices.join('\n'), /could not save the workspace index/);
      await rmdir(blocked);
      await write('y', 'The hoverboard floats over water.');
      await index.update([join(ws, 'y.md')]);
      await index.flush();
      assert.equal(index.stats()?.saveProblem, undefined);
    } finally {
      await index.close();
    }
    assert.equal(await storedHit(store, 'flux capacitor plutonium'), 'x.md');
  });

  it('says what the next start reads again after a sync could not save: every file, or only those changed', async () => {
    // a folder where the first segment goes: the first build's save fails, as one on a full disk would
    await mkdir(join(store, 'seg-1.bin'), { recursive: true });
    await writeFile(join(store, STORE_MARKER), '');
    const first = live();
    await first.sync().finally(() => first.close());
    assert.match(notices.join('\n'), /could not save the workspace index: .*the next start reads every file again\./);
    await rmdir(join(store, 'seg-1.bin'));
    const second = live();
    await second.sync().finally(() => second.close());
    const saved = await new IndexStore(store).load();
    await mkdir(join(store, `seg-${saved?.manifest.nextSegmentId ?? 0}.bin`));
    await write('x', 'The flux capacitor needs plutonium.');
    notices = [];
    const third = live();
    await third.sync().finally(() => third.close());
    assert.match(
      notices.join('\n'),
      /could not save the workspace index: .*the next start reads the files changed since the index was last saved\./,
    );
  });

  it('writes nothing while another process holds the store, and saves the edit by a sync once it is free', async () => {
    const index = live();
    try {
      const { before, release } = await editWhileLocked(index);
      // the save gives up waiting for the lock and hands the edit to a sync, which waits for the lock in turn
      assert.ok(await until(() => index.isSyncing));
      assert.equal(await manifestStamp(store), before, 'nothing is saved while the lock is held');
      await release();
      await index.flush();
    } finally {
      await index.close();
    }
    assert.deepEqual(notices, []);
    assert.equal(await storedHit(store, 'flux capacitor plutonium'), 'x.md');
  });

  it('flushes only once the saves under way have written, one waiting for the lock and one that started meanwhile', async () => {
    const index = live();
    try {
      const { before, release } = await editWhileLocked(index);
      assert.ok(await until(() => saves > 0), "the timer's save has started: it waits for the lock");
      const flushed = index.flush();
      // a second save starts while flush waits for the first, and queues behind it
      await write('y', 'The warp coil hums quietly.');
      await index.update([join(ws, 'y.md')]);
      assert.ok(await until(() => saves > 1), 'a second save has started');
      await release();
      await flushed;
      assert.notEqual(await manifestStamp(store), before, 'the saves were written when flush returned');
      assert.equal(await storedHit(store, 'warp coil hums'), 'y.md');
    } finally {
      await index.close();
    }
    assert.equal(await storedHit(store, 'flux capacitor plutonium'), 'x.md');
  });
});
