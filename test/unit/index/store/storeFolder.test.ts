import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncIndex } from '../../../../src/index/build/syncIndex';
import { STORE_MARKER } from '../../../../src/index/discovery/storeMarker';
import { IndexStore } from '../../../../src/index/store/indexStore';
import { makeFolder, StoreFolderError } from '../../../../src/index/store/storeFolder';
import { settleFiles } from '../../../support/settledFiles';
import { tempDirs } from '../../../support/tempDirs';

/** Every file of a folder with its bytes. */
async function contents(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(
    await Promise.all(names.map(async n => [n, (await readFile(join(dir, n))).toString('hex')] as const)),
  );
}

describe('the index store folder', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let store: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-store-folder-');
    ws = join(temp, 'ws');
    store = join(temp, 'store');
    await mkdir(ws);
    await writeFile(join(ws, 'a.md'), '# Apples\n\nred fruit\n');
    await settleFiles(ws); // the index reads settled files once; racily clean ones again
  });

  const sync = () => syncIndex({ folders: [ws], rules: {}, storeDir: store });

  it('creates and marks a new folder, and keeps the index there', async () => {
    const result = await sync();
    assert.equal(result.saveProblem, undefined);
    assert.deepEqual(
      (await readdir(store)).filter(n => n !== 'manifest.bin' && !/^seg-\d+\.bin$/.test(n)),
      [STORE_MARKER],
    );
    assert.match(await readFile(join(store, STORE_MARKER), 'utf8'), /Grounded workspace index/);
    assert.ok(await new IndexStore(store).load());
  });

  it("refuses a folder holding files that are not Grounded's, leaves every byte of it alone, and indexes in memory", async () => {
    await mkdir(store);
    await writeFile(join(store, 'thesis.tmp'), 'chapter one');
    await writeFile(join(store, 'seg-7.bin'), 'my segment');
    await writeFile(join(store, 'manifest.bin'), 'my manifest');
    const before = await contents(store);
    await assert.rejects(new IndexStore(store).load(), StoreFolderError);
    const result = await sync();
    assert.equal(result.storeRefused, true);
    assert.match(result.saveProblem ?? '', /holds files that are not Grounded's/);
    assert.equal(result.stats.files, 1);
    await assert.rejects(new IndexStore(store).clear(), StoreFolderError);
    assert.deepEqual(await contents(store), before);
  });

  it("refuses a folder whose files only look like Grounded's (names right, contents not)", async () => {
    await mkdir(store);
    await writeFile(join(store, 'seg-7.bin'), 'my segment');
    const before = await contents(store);
    assert.equal((await sync()).storeRefused, true);
    assert.deepEqual(await contents(store), before);
  });

  it('adopts an unmarked store written by an earlier Grounded, keeping its index', async () => {
    await sync();
    await unlink(join(store, STORE_MARKER));
    await writeFile(join(store, `manifest.bin.${process.pid}.1.tmp`), ''); // a save that was cut short
    const again = await sync();
    assert.equal(again.storeRefused, undefined);
    assert.equal(again.stats.filesRead, 0, 'the adopted index was used');
    await writeFile(join(ws, 'b.md'), 'banana\n');
    await sync(); // a save: the folder is marked now
    assert.ok(existsSync(join(store, STORE_MARKER)));
  });

  it("deletes only Grounded's own files in its folder", async () => {
    await sync();
    await writeFile(join(store, 'notes.txt'), 'mine');
    await writeFile(join(store, 'seg-x.bin'), 'mine too');
    await writeFile(join(store, 'draft.tmp'), 'mine as well');
    await writeFile(join(ws, 'b.md'), 'banana\n');
    await syncIndex({ folders: [ws], rules: {}, storeDir: store, fromScratch: true });
    await new IndexStore(store).clear();
    assert.deepEqual((await readdir(store)).sort(), [STORE_MARKER, 'draft.tmp', 'notes.txt', 'seg-x.bin']);
  });

  it('creates a folder one level at a time, and fails at once where mkdir cannot (/proc), instead of hanging', async function () {
    await makeFolder(join(temp, 'a', 'b', 'c'));
    assert.ok(existsSync(join(temp, 'a', 'b', 'c')));
    if (!existsSync('/proc/self')) this.skip();
    await assert.rejects(makeFolder('/proc/x'), { code: 'ENOENT' });
  });
});
