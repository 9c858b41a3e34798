import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import fsPromises from 'node:fs/promises';
import { basename, join } from 'node:path';
import { manifestOf, syncIndex } from '../../../../src/index/build/syncIndex';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { StoreFormatError } from '../../../../src/index/store/binaryFormat';
import { IndexStore, snapshotOf } from '../../../../src/index/store/indexStore';
import { settleFiles } from '../../../support/settledFiles';
import { tempDirs } from '../../../support/tempDirs';

async function workspace(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
}

const hits = (index: SegmentedIndex, query: string) =>
  index.search(query, 5).map(h => `${h.path}:${h.startLine}-${h.endLine} ${h.score.toFixed(9)}`);

describe('index persistence', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let store: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-store-');
    ws = join(temp, 'ws');
    store = join(temp, 'store');
    await mkdir(ws);
    await workspace(ws, {
      'a.md': '# Apples\n\nred fruit\n',
      'b.ts': 'export function parseBanana() {\n  return 1;\n}\n',
      'c.txt': 'cherry notes\n',
    });
    await settleFiles(ws); // the index reads settled files once; racily clean ones again
  });

  const sync = (fromScratch = false) => syncIndex({ folders: [ws], rules: {}, storeDir: store, fromScratch });

  it('round-trips: a loaded store answers exactly as the index that was saved', async () => {
    const built = await sync();
    const loaded = await new IndexStore(store).load();
    assert.ok(loaded);
    const fromDisk = new SegmentedIndex(snapshotOf(loaded));
    const inMemory = new SegmentedIndex(built.snapshot);
    for (const q of ['apples', 'parse banana', 'cherry notes fruit'])
      assert.deepEqual(hits(fromDisk, q), hits(inMemory, q));
    assert.deepEqual(loaded.manifest.files.paths.toArray().sort(), ['a.md', 'b.ts', 'c.txt']);
    assert.equal(loaded.manifest.files.hashes.length, 3 * 20, 'a raw SHA-1 per file');
    assert.ok(
      [...built.snapshot.files.hashes].some(b => b !== 0),
      'hashes are stored',
    );
    assert.deepEqual(
      [...new SegmentedIndex(snapshotOf(loaded)).files()].map(f => f.hash).sort(),
      [...inMemory.files()].map(f => f.hash).sort(),
    );
    for (const f of fromDisk.files()) assert.match(f.hash, /^[0-9a-f]{40}$/);
  });

  it('takes size and mtime from reading on a first build (the walk does not stat), as stat has them', async () => {
    await writeFile(join(ws, 'big.txt'), 'z\n'.repeat(4000));
    await settleFiles(join(ws, 'big.txt'));
    const first = await syncIndex({ folders: [ws], rules: { maxFileBytes: 5000 }, storeDir: store });
    assert.equal(first.stats.skipped['too-large'], 1);
    for (const record of new SegmentedIndex(first.snapshot).files()) {
      const info = await stat(record.location);
      assert.deepEqual([record.size, record.mtimeMs], [info.size, info.mtimeMs], record.path);
    }
    const again = await syncIndex({ folders: [ws], rules: { maxFileBytes: 5000 }, storeDir: store });
    assert.equal(again.stats.filesRead, 0, 'the next sync (which stats) finds every file unchanged');
  });

  it('skips unchanged files by (mtime, size), then by content hash', async () => {
    await sync();
    const again = await sync();
    assert.equal(again.stats.filesRead, 0);
    const { utimes } = await import('node:fs/promises');
    await utimes(join(ws, 'c.txt'), new Date(), new Date(Date.now() + 5000));
    const touched = await sync();
    assert.equal(touched.stats.filesRead, 1, 'the touched file is read');
    assert.equal(touched.snapshot.segments.length, 1, 'and, its bytes unchanged, not re-chunked');
  });

  it('reads a racily clean file again on the next sync, and records its stat once it has settled', async () => {
    const file = join(ws, 'c.txt');
    // both saves in one whole second, as a filesystem that keeps whole seconds gives them; in the future, so the
    // reads fall inside the racy window however slow the machine is
    const tick = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    await writeFile(file, 'alpha notes\n');
    await utimes(file, tick, tick);
    await sync();
    await writeFile(file, 'gamma notes\n');
    await utimes(file, tick, tick);
    const racy = await sync();
    assert.equal(racy.stats.filesRead, 1, 'the racily clean file is read again');
    assert.deepEqual(hits(new SegmentedIndex(racy.snapshot), 'gamma').length, 1);
    assert.deepEqual(hits(new SegmentedIndex(racy.snapshot), 'alpha'), []);
    await settleFiles(file);
    assert.equal((await sync()).stats.filesRead, 1, 'read once more, now settled');
    assert.equal((await sync()).stats.filesRead, 0, 'then left alone: its stat is recorded');
  });

  for (const [damage, reason] of [
    ['flips a byte in a segment', /checksum mismatch/],
    ['truncates the manifest', /payload bytes|shorter than its header/],
    ['writes an old format version', /format version 0/],
  ] as const) {
    it(`detects a store that ${damage}, rebuilds it and says so once`, async () => {
      const good = await sync();
      const names = await readdir(store);
      if (damage.includes('segment')) {
        const seg = join(store, names.find(n => n.startsWith('seg-')) ?? '');
        const bytes = await readFile(seg);
        bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
        await writeFile(seg, bytes);
      } else if (damage.includes('truncates')) {
        const bytes = await readFile(join(store, 'manifest.bin'));
        await writeFile(join(store, 'manifest.bin'), bytes.subarray(0, bytes.length - 10));
      } else {
        const bytes = await readFile(join(store, 'manifest.bin'));
        bytes.writeUInt32LE(0, 4);
        await writeFile(join(store, 'manifest.bin'), bytes);
      }
      await assert.rejects(
        new IndexStore(store).load(),
        (e: unknown) => e instanceof StoreFormatError && reason.test(e.message),
      );
      const rebuilt = await sync();
      assert.match(rebuilt.storeProblem ?? '', reason);
      assert.equal(rebuilt.stats.filesRead, 3, 'every file is read again');
      assert.deepEqual(
        hits(new SegmentedIndex(rebuilt.snapshot), 'parse banana'),
        hits(new SegmentedIndex(good.snapshot), 'parse banana'),
      );
      const healed = await sync();
      assert.equal(healed.storeProblem, undefined, 'reported once: the rebuilt store is sound');
      assert.equal(healed.stats.filesRead, 0);
    });
  }

  it("rebuilds, with a notice, a store whose segment file is another store's by the same name", async () => {
    const good = await sync();
    const otherWs = join(temp, 'other');
    const otherStore = join(temp, 'other-store');
    await mkdir(otherWs);
    await workspace(otherWs, { 'z.md': '# Zebras\n\nstriped horses\n', 'y.md': '# Yaks\n\nshaggy cattle\n' });
    await syncIndex({ folders: [otherWs], rules: {}, storeDir: otherStore });
    const seg = (await readdir(store)).find(n => n.startsWith('seg-')) ?? '';
    assert.ok((await readdir(otherStore)).includes(seg), 'both stores number their first segment alike');
    await writeFile(join(store, seg), await readFile(join(otherStore, seg)));
    const rebuilt = await sync();
    assert.match(rebuilt.storeProblem ?? '', new RegExp(`${seg} is not the segment manifest\\.bin was saved with`));
    assert.equal(rebuilt.stats.filesRead, 3);
    assert.deepEqual(
      hits(new SegmentedIndex(rebuilt.snapshot), 'parse banana'),
      hits(new SegmentedIndex(good.snapshot), 'parse banana'),
    );
    assert.equal((await sync()).storeProblem, undefined, 'reported once: the rebuilt store is sound');
  });

  it('treats a missing segment file as damage, not as an empty index', async () => {
    await sync();
    const seg = (await readdir(store)).find(n => n.startsWith('seg-')) ?? '';
    await rm(join(store, seg));
    const rebuilt = await sync();
    assert.match(rebuilt.storeProblem ?? '', /missing/);
    assert.equal(rebuilt.stats.chunks, 3);
  });

  it('writes again, on the next save, a segment file that something else deleted, from the index in memory', async () => {
    const first = await sync();
    const index = new SegmentedIndex(first.snapshot);
    const writer = new IndexStore(store, first.storedSegments, first.manifestStamp);
    const lost = (await readdir(store)).find(n => n.startsWith('seg-')) ?? '';
    await rm(join(store, lost));
    // a later save (a live index's, after a change) names the same segments
    await writer.saveUnlessChanged(
      manifestOf(index, [ws], first.walkSkipped, Date.now()),
      index.segmentList.map(s => s.data),
    );
    assert.ok((await readdir(store)).includes(lost), 'the deleted segment is written again');
    const loaded = await new IndexStore(store).load();
    assert.ok(loaded);
    assert.deepEqual(
      hits(new SegmentedIndex(snapshotOf(loaded)), 'parse banana'),
      hits(new SegmentedIndex(first.snapshot), 'parse banana'),
    );
    const again = await sync();
    assert.equal(again.storeProblem, undefined, 'the saved index is sound');
  });

  it('writes again, on the next save, a segment file that something else replaced since the index was loaded', async () => {
    const first = await sync();
    const index = new SegmentedIndex(first.snapshot);
    const writer = new IndexStore(store, first.storedSegments, first.manifestStamp);
    const seg = (await readdir(store)).find(n => n.startsWith('seg-')) ?? '';
    // another store's segment of the same id (a copied folder, a restored backup) takes the file's place
    const other = join(temp, 'other');
    await mkdir(other);
    await writeFile(join(other, 'a.md'), '# Quinces\n\nyellow fruit\n');
    await syncIndex({ folders: [other], rules: {}, storeDir: join(temp, 'otherStore') });
    await writeFile(join(store, seg), await readFile(join(temp, 'otherStore', seg)));
    await writer.saveUnlessChanged(
      manifestOf(index, [ws], first.walkSkipped, Date.now()),
      index.segmentList.map(s => s.data),
    );
    const loaded = await new IndexStore(store).load();
    assert.ok(loaded);
    const fromDisk = new SegmentedIndex(snapshotOf(loaded));
    assert.deepEqual(hits(fromDisk, 'parse banana'), hits(index, 'parse banana'));
    assert.deepEqual(hits(fromDisk, 'quinces'), []);
  });

  /** Runs `work` while opening a segment file fails with EMFILE (its first `times` opens, or every one). */
  async function withTooManyOpenFiles<T>(work: () => Promise<T>, times = Infinity): Promise<T> {
    // the module object the store reads through, patched for this test alone
    const fs = fsPromises as { open: typeof fsPromises.open };
    const openBefore = fs.open;
    let refused = 0;
    fs.open = ((path: string, ...rest: []) =>
      /seg-\d+\.bin$/.test(String(path)) && refused++ < times
        ? Promise.reject(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }))
        : openBefore(path, ...rest)) as typeof fsPromises.open;
    try {
      return await work();
    } finally {
      fs.open = openBefore;
    }
  }

  it('reads a store again when reading it fails for a moment (too many open files), without rebuilding', async () => {
    await sync();
    const again = await withTooManyOpenFiles(() => sync(), 2);
    assert.equal(again.storeProblem, undefined);
    assert.equal(again.saveProblem, undefined);
    assert.equal(again.stats.filesRead, 0, 'the saved index is used');
  });

  it('keeps a store that goes on failing to be read (too many open files), says so, and uses it once it can', async function () {
    this.timeout(20_000);
    await sync();
    const saved = await readFile(join(store, 'manifest.bin'));
    const names = (await readdir(store)).sort();
    const failing = await withTooManyOpenFiles(() => sync());
    assert.equal(failing.storeProblem, undefined, 'not called damage');
    assert.match(failing.saveProblem ?? '', /could not be read \(EMFILE: too many open files\); it is kept/);
    assert.equal(failing.stats.chunks, 3, 'the index is built in memory');
    assert.deepEqual((await readdir(store)).sort(), names);
    assert.deepEqual(await readFile(join(store, 'manifest.bin')), saved, 'the saved index is untouched');
    const later = await sync();
    assert.equal(later.storeProblem, undefined);
    assert.equal(later.stats.filesRead, 0, 'the saved index is used once it can be read');
  });

  it("removes a temporary file that a writer killed mid-save left long ago, and not one that may be another's", async () => {
    await sync();
    const old = join(store, `seg-9.bin.${process.pid + 1}.1700000000000.tmp`);
    const fresh = join(store, `seg-8.bin.${process.pid + 1}.${Date.now()}.tmp`);
    await writeFile(old, 'half a segment');
    await writeFile(fresh, 'a segment being written');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, hourAgo, hourAgo);
    await writeFile(join(ws, 'd.md'), 'damson plums\n'); // a change, so the sync saves
    await sync();
    const names = await readdir(store);
    assert.ok(!names.includes(basename(old)), names.join(', '));
    assert.ok(names.includes(basename(fresh)), names.join(', '));
  });

  it('removes the segments a failed save wrote, and keeps those of the manifest still on disk', async () => {
    const first = await sync();
    const savedIds = first.snapshot.segments.map(s => s.id);
    const index = new SegmentedIndex(first.snapshot);
    const extra = (text: string) => {
      const builder = new SegmentBuilder();
      const file = builder.addFile('d.md', join(ws, 'd.md'));
      builder.addChunk(file, { text, startLine: 1, endLine: 1 });
      return builder.build(index.nextSegmentId++).data;
    };
    const byHelper = extra('written by a helper thread');
    const mine = extra('written by the save');
    const failing = extra('the one that fails');
    const helperChecksum = await new IndexStore(store).writeSegment(byHelper);
    // a folder where the last segment goes: its rename fails, as a write on a full disk would
    await mkdir(join(store, `seg-${failing.id}.bin`));
    const writer = new IndexStore(store);
    const loaded = await writer.load();
    assert.ok(loaded);
    writer.markWritten([[byHelper.id, helperChecksum]]);
    const manifest = { ...loaded.manifest, segmentIds: [...savedIds, byHelper.id, mine.id, failing.id] };
    await assert.rejects(writer.save(manifest, [...loaded.segments, byHelper, mine, failing]));
    const segmentFiles = (await readdir(store)).filter(n => /^seg-\d+\.bin$/.test(n)).sort();
    assert.deepEqual(segmentFiles, [...savedIds.map(id => `seg-${id}.bin`), `seg-${failing.id}.bin`].sort());
    const again = await sync();
    assert.equal(again.storeProblem, undefined, 'the saved index is intact');
    assert.equal(again.stats.filesRead, 0);
  });

  it('rebuilds from scratch on request, and forgets deleted files', async () => {
    await sync();
    await rm(join(ws, 'c.txt'));
    const after = await sync();
    assert.equal(after.stats.files, 2);
    assert.deepEqual(hits(new SegmentedIndex(after.snapshot), 'cherry'), []);
    const scratch = await sync(true);
    assert.equal(scratch.stats.filesRead, 2);
  });
});
