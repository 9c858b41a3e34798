import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFeed, splitIntoBlocks } from '../../../../src/index/build/helperThreads';
import { DEFAULT_WORKER_FILE } from '../../../../src/index/build/indexWorkerClient';
import type { FilesToRead } from '../../../../src/index/build/segmentReader';
import type { SyncProgress } from '../../../../src/index/build/syncRequest';
import { fileList, updateFiles, type FileSource } from '../../../../src/index/build/updateFiles';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import { noFiles, FileTable } from '../../../../src/index/segments/fileTable';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { random } from '../../../fakes/seededRandom';
import { tempDirs } from '../../../support/tempDirs';

const VOCABULARY = [
  'parse',
  'config',
  'retry',
  'backoff',
  'stream',
  'token',
  'héllo',
  'naïve',
  '日本語',
  'emoji😀',
  'zeta',
  'HTTPServer',
  'snake_case_name',
];

describe('reading a batch of files on several threads', () => {
  const dirs = tempDirs();
  let ws: string;
  before(async () => {
    ws = await dirs.make('grounded-parts-');
    const next = random(7);
    for (let i = 0; i < 150; i++) {
      const lines = Array.from({ length: 5 + Math.floor(next() * 120) }, () =>
        Array.from(
          { length: 1 + Math.floor(next() * 8) },
          () => VOCABULARY[Math.floor(next() * VOCABULARY.length)],
        ).join(' '),
      );
      const name = i % 3 === 0 ? `doc${i}.md` : `src${i}.ts`;
      await writeFile(join(ws, name), (i % 3 === 0 ? `# Title ${i}\n\n` : '') + lines.join('\n') + `\nunique${i}\n`);
    }
    await writeFile(join(ws, 'image.bin'), Buffer.from([0, 1, 2, 3]));
  });

  const build = async (helpers?: Parameters<typeof updateFiles>[2]['helpers']) => {
    const { candidates } = await walkFolders([ws], {});
    const done: number[] = [];
    const index = new SegmentedIndex({ segments: [], deletions: [], files: noFiles(), nextSegmentId: 5 });
    const update = await updateFiles(fileList(candidates), () => undefined, {
      newSegmentId: () => index.nextSegmentId++,
      helpers,
      onProgress: p => done.push(p.done),
    });
    index.replaceFiles([], update.changed, update.segments);
    const records = [...FileTable.of(update.changed).values()];
    return { index, update, records, done, candidates };
  };

  it('ranks every query exactly as a one-thread build does, with each file pointing at its own chunks', async () => {
    const one = await build();
    const three = await build({ workerFile: DEFAULT_WORKER_FILE, threads: 3, minBytes: 0 });
    assert.equal(three.index.chunkCount, one.index.chunkCount);
    assert.deepEqual([one.update.threads, three.update.threads], [1, 3]);
    assert.deepEqual(
      three.update.segments.map(s => s.id),
      [5, 6, 7],
      'one segment per part, numbered by the caller',
    );
    assert.deepEqual(
      three.records.map(r => r.location).sort(),
      one.candidates.map(c => c.location).sort(),
      'one record per file',
    );
    assert.deepEqual(
      one.records.map(r => r.location),
      one.candidates.map(c => c.location),
      'on one thread, in the batch order',
    );
    assert.equal(three.records.find(r => r.path === 'image.bin')?.skip, 'binary');
    for (const query of [
      'parse config',
      'héllo naïve',
      '日本語',
      'emoji😀 zeta',
      'http server',
      'snake case name',
      'unique77',
      'title 42',
    ]) {
      const key = (index: SegmentedIndex) =>
        index
          .search(query, 500)
          .map(h => `${h.path}:${h.startLine}-${h.endLine} ${h.score.toFixed(9)}`)
          .sort();
      assert.deepEqual(key(three.index), key(one.index), query);
    }
    for (const record of three.records) {
      if (record.docCount === 0) assert.equal(record.segment, -1);
      const data = three.update.segments.find(s => s.id === record.segment)?.data;
      for (let d = record.firstDoc; d < record.firstDoc + record.docCount; d++)
        assert.equal(data?.fileLocations.get(data.docFiles[d] ?? -1), record.location);
    }
    assert.equal(three.done[three.done.length - 1], three.candidates.length, 'progress adds up the parts');
  });

  it('reads a part here when its helper cannot start', async () => {
    const one = await build();
    const broken = await build({ workerFile: join(ws, 'no-such-worker.js'), threads: 2, minBytes: 0 });
    assert.equal(broken.index.chunkCount, one.index.chunkCount);
    assert.equal(broken.update.threads, 1, 'both parts were read on this thread');
    assert.deepEqual(
      broken.index.search('backoff retry', 20).map(h => h.score),
      one.index.search('backoff retry', 20).map(h => h.score),
    );
  });

  it('starts reading while the files are still being found, and reads those found later too', async () => {
    const dir = await dirs.make('grounded-many-');
    for (let i = 0; i < 600; i++) await writeFile(join(dir, `m${i}.md`), `# Note ${i}\n\nshared words and word${i}\n`);
    const { candidates } = await walkFolders([dir], {});
    let done = 0;
    let readBeforeTheRest = 0;
    const reports: SyncProgress[] = [];
    let progressed = (): void => undefined;
    const firstRead = new Promise<void>(resolve => (progressed = resolve));
    // Finds 300 files, then waits until some are read (or 20 s) before it finds the other 300.
    const source: FileSource = async found => {
      candidates.slice(0, 300).forEach(found);
      await Promise.race([firstRead, new Promise(resolve => setTimeout(resolve, 20_000))]);
      readBeforeTheRest = done;
      candidates.slice(300).forEach(found);
    };
    let id = 1;
    const helpers = { workerFile: DEFAULT_WORKER_FILE, threads: 2, minBytes: 0 };
    const update = await updateFiles(source, () => undefined, {
      newSegmentId: () => id++,
      helpers,
      onProgress: p => {
        done = p.done;
        reports.push(p);
        if (p.done > 0) progressed();
      },
    });
    assert.ok(readBeforeTheRest > 0, 'files were read before the source had found them all');
    assert.ok(
      reports.some(p => p.growing && p.total < 600),
      'progress says its total is still growing while files are found',
    );
    assert.deepEqual(reports.at(-1), { done: 600, total: 600 }, 'the last report has the final total');
    assert.equal(update.threads, 2);
    const found = [...FileTable.of(update.changed).values()].map(r => r.location);
    assert.deepEqual(found.sort(), candidates.map(c => c.location).sort(), 'every file once');
    const index = new SegmentedIndex();
    index.replaceFiles([], update.changed, update.segments);
    assert.equal(index.search('word599', 1)[0]?.path, 'm599.md');
  });

  it('hands out smaller blocks towards the end once every file is known, so that helpers finish together', () => {
    const feed = new FileFeed(2);
    for (let i = 0; i < 3000; i++) feed.add({ path: `f${i}`, location: `/f${i}`, size: 1000, mtimeMs: 0 }, undefined);
    const sizes: number[] = [];
    const order: number[] = [];
    const take = () => {
      const block = feed.take();
      if (block) {
        sizes.push(block.candidates.length);
        order.push(...block.candidates.map(c => Number(c.path.slice(1))));
      }
      return block;
    };
    take();
    assert.deepEqual(sizes, [256], 'blocks of 256 while files still come');
    feed.close();
    let left = 3000 - 256;
    while (take()) {
      assert.ok(
        (sizes[sizes.length - 1] ?? 0) <= Math.ceil(left / 4),
        `a block of ${sizes[sizes.length - 1]} with ${left} files left`,
      );
      left -= sizes[sizes.length - 1] ?? 0;
    }
    assert.deepEqual(order, [...order.keys()], 'every file once, in order');
    assert.deepEqual(sizes.slice(-3), [1, 1, 1], 'the last blocks are single files');
  });

  it('cuts the batch into blocks of consecutive files (at least 8 per thread, at most 256 files), and keeps a small batch whole', () => {
    const batch = (n: number, size: number | 'unstated' = 1000): FilesToRead => {
      const candidates = Array.from({ length: n }, (_, i) =>
        size === 'unstated'
          ? { path: `f${i}`, location: `/f${i}` }
          : { path: `f${i}`, location: `/f${i}`, size, mtimeMs: 0 },
      );
      return { candidates, known: candidates.map(() => undefined) };
    };
    const small = splitIntoBlocks(batch(100), 2, 50_000);
    assert.deepEqual(
      small.map(p => p.candidates.length),
      [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 4],
      'blocks of 100 / 16 = 6 files',
    );
    const large = splitIntoBlocks(batch(10_000), 2, 50_000);
    assert.equal(large.length, 40, 'blocks of 256 files');
    assert.equal(large[1]?.candidates[0]?.path, 'f256');
    for (const blocks of [small, large, splitIntoBlocks(batch(1000), 3, 0), splitIntoBlocks(batch(5), 4, 0)]) {
      const all = blocks.flatMap(p => p.candidates.map(c => Number(c.path.slice(1))));
      assert.deepEqual(all, [...all.keys()], 'every file once, in batch order');
      assert.ok(blocks.every(b => b.known.length === b.candidates.length));
    }
    assert.equal(splitIntoBlocks(batch(100), 2, 200_000).length, 1, 'fewer bytes than the threshold');
    assert.equal(splitIntoBlocks(batch(100), 1, 0).length, 1, 'one thread');
    assert.equal(
      splitIntoBlocks(batch(100, 10 * 1024 * 1024), 2, 50_000).length,
      1,
      'files over the size limit are not read, so they do not count',
    );
    assert.equal(
      splitIntoBlocks(batch(100, 'unstated'), 2, 8 << 20).length,
      1,
      '100 files the walk did not stat count as 6.4 MB',
    );
    assert.equal(
      splitIntoBlocks(batch(200, 'unstated'), 2, 8 << 20).length,
      17,
      '200 of them as 12.8 MB: blocks of 12',
    );
  });
});
