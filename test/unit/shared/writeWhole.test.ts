import assert from 'node:assert/strict';
import fsPromises, { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TEMPORARY_FILE } from '../../../src/index/store/storeFolder';
import { writeWhole } from '../../../src/shared/writeWhole';
import { tempDirs } from '../../support/tempDirs';

describe('writeWhole', () => {
  const dirs = tempDirs();

  it('leaves one writer’s whole file when two of one process write it at once', async () => {
    const dir = await dirs.make('grounded-write-whole-');
    const file = join(dir, 'manifest.bin');
    const short = Buffer.alloc(10, 'a');
    const long = Buffer.alloc(1_000_000, 'b');
    // both in the same millisecond, as a busy machine may start them
    const nowBefore = Date.now;
    Date.now = () => 1_700_000_000_000;
    try {
      await Promise.all([writeWhole(file, short), writeWhole(file, long)]);
    } finally {
      Date.now = nowBefore;
    }
    const bytes = await readFile(file);
    assert.ok(bytes.equals(short) || bytes.equals(long), `a mix of ${bytes.length} bytes`);
    assert.deepEqual(await readdir(dir), ['manifest.bin'], 'no temporary file is left');
  });

  it('writes under a temporary name that a store folder knows as its own', async () => {
    const dir = await dirs.make('grounded-write-whole-');
    // the module object writeWhole calls into, patched for this test alone: the renames it makes are seen
    const fs = fsPromises as { rename: typeof fsPromises.rename };
    const renameBefore = fs.rename;
    const renamed: string[] = [];
    fs.rename = (from, to) => {
      renamed.push(basename(String(from)));
      return renameBefore(from, to);
    };
    try {
      await writeWhole(join(dir, 'seg-12.bin'), 'x');
      await writeWhole(join(dir, 'manifest.bin'), 'x');
    } finally {
      fs.rename = renameBefore;
    }
    assert.equal(renamed.length, 2);
    for (const name of renamed) assert.match(name, TEMPORARY_FILE);
  });
});
