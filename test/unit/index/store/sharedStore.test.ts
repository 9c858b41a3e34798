import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestStamp } from '../../../../src/index/store/indexStore';
import { lockStore } from '../../../../src/index/store/storeLock';
import { WorkspaceIndex } from '../../../../src/index/workspaceIndex';
import { searchStoreOnce } from '../../../support/storeSession';
import { tempDirs } from '../../../support/tempDirs';

// Two live indexes of one folder over one store (two processes serving one workspace): each saves its own updates,
// numbering new segments from the same stored id.

describe('a store that two live indexes save to', () => {
  const dirs = tempDirs();

  it("never holds one index's manifest over the other's segments: a save after another writer's syncs instead", async () => {
    const temp = await dirs.make('grounded-shared-');
    const ws = join(temp, 'ws');
    const store = join(temp, 'store');
    await mkdir(ws);
    for (const name of ['x', 'y', 'z']) await writeFile(join(ws, `${name}.md`), `# ${name}\n\nNothing yet.\n`);
    const live = (): WorkspaceIndex =>
      new WorkspaceIndex({ folders: () => [ws], storeDir: store, workerFile: false, persistDelayMs: 10 });
    const a = live();
    const b = live();
    try {
      await a.sync();
      await a.flush();
      await b.sync();
      await b.flush();
      const edit = async (index: WorkspaceIndex, name: string, text: string) => {
        await writeFile(join(ws, `${name}.md`), `# ${name}\n\n${text}\n`);
        await index.update([join(ws, `${name}.md`)]);
        await index.flush();
      };
      await edit(a, 'x', 'The flux capacitor needs plutonium.');
      await edit(b, 'y', 'The hoverboard floats over water.');
      await edit(a, 'z', 'The almanac lists sports results.');
    } finally {
      a.dispose();
      b.dispose();
    }
    const next = await searchStoreOnce(ws, store, 'flux capacitor plutonium', 1);
    assert.deepEqual(next.notices, []);
    assert.deepEqual(
      next.hits.map(h => `${h.path}:${h.startLine}-${h.endLine}`),
      ['x.md:1-3'],
    );
    for (const [query, want] of [
      ['hoverboard floats', 'y.md'],
      ['almanac sports', 'z.md'],
    ] as const)
      assert.equal((await searchStoreOnce(ws, store, query, 1)).hits[0]?.path, want);
  });

  it('writes nothing while another process holds the store, and keeps the edit for the sync that follows', async () => {
    const temp = await dirs.make('grounded-shared-');
    const ws = join(temp, 'ws');
    const store = join(temp, 'store');
    await mkdir(ws);
    await writeFile(join(ws, 'x.md'), '# x\n\nNothing yet.\n');
    const index = new WorkspaceIndex({ folders: () => [ws], storeDir: store, workerFile: false, persistDelayMs: 10 });
    try {
      await index.sync();
      await index.flush();
      const before = await manifestStamp(store);
      const release = await lockStore(store);
      await writeFile(join(ws, 'x.md'), '# x\n\nThe flux capacitor needs plutonium.\n');
      await index.update([join(ws, 'x.md')]);
      await new Promise(resolve => setTimeout(resolve, 500));
      assert.equal(await manifestStamp(store), before, 'nothing is saved while the lock is held');
      await release();
      await index.flush();
    } finally {
      index.dispose();
    }
    const next = await searchStoreOnce(ws, store, 'flux capacitor plutonium', 1);
    assert.deepEqual(next.notices, []);
    assert.equal(next.hits[0]?.path, 'x.md');
  });
});
