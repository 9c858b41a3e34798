import * as assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { readAsIndexed } from '../../../src/index';
import { workspaceRowBatches, workspaceRows } from '../../../src/retrievers/pgvectorPushRows';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/workspace');

describe('workspace rows a batch of files at a time', () => {
  it('holds at most one batch of files’ texts: the next batch is read only when it is asked for', async () => {
    let read = 0;
    const found = await workspaceRowBatches([FIXTURE], {
      batchFiles: 2,
      read: (location, path, options) => {
        read++;
        return readAsIndexed(location, path, options);
      },
    });
    assert.equal(read, 0, 'the walk reads no file');
    let readBefore = 0;
    const batches: number[] = [];
    for await (const batch of found.batches) {
      // files skipped when read (binary, too large) are in no batch, but were read with it
      assert.ok(read - readBefore <= 2, `read ${read - readBefore} files for this batch`);
      readBefore = read;
      batches.push(batch.length);
    }
    assert.ok(batches.length >= 3, `several batches: ${JSON.stringify(batches)}`);
    assert.ok(batches.every(n => n <= 2));
    assert.equal(read, found.wanted.length);
  });

  it('gives the same rows, in the same order, as reading the workspace at once', async () => {
    const all = await workspaceRows([FIXTURE]);
    const found = await workspaceRowBatches([FIXTURE], { batchFiles: 3 });
    const rows = [];
    for await (const batch of found.batches) for (const file of batch) rows.push(...file.rows);
    assert.deepEqual(rows, all.rows);
  });

  it('reads only the files `wanted` chooses, and lists the others', async () => {
    let read = 0;
    const found = await workspaceRowBatches([FIXTURE], {
      wanted: c => c.path.endsWith('.md'),
      read: (location, path, options) => {
        read++;
        return readAsIndexed(location, path, options);
      },
    });
    for await (const batch of found.batches) assert.ok(batch.every(f => f.path.endsWith('.md')));
    assert.equal(read, found.wanted.length);
    assert.ok(found.candidates.length > found.wanted.length);
  });
});
