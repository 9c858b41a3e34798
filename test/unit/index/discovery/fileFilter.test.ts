import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileFilter } from '../../../../src/index/discovery/fileFilter';
import { tempDirs } from '../../../support/tempDirs';

describe('the file filter of saves and watcher events (it runs on the extension host)', () => {
  const dirs = tempDirs();

  it('admits a file and refuses a link out of the folder without a synchronous file-system call', async () => {
    const temp = await dirs.make('grounded-filter-');
    const ws = join(temp, 'ws');
    await mkdir(ws);
    await writeFile(join(ws, 'a.md'), '# A\n');
    await writeFile(join(temp, 'outside.md'), '# Outside\n');
    await symlink(join(temp, 'outside.md'), join(ws, 'out.md'));
    const sync = { realpathSync: fs.realpathSync, native: fs.realpathSync.native };
    const calls: string[] = [];
    const record = (path: fs.PathLike) => (calls.push(String(path)), String(path));
    fs.realpathSync.native = record as typeof fs.realpathSync.native;
    (fs as { realpathSync: unknown }).realpathSync = Object.assign(record, { native: record });
    let admitted: string | undefined;
    let outside: unknown;
    try {
      const filter = createFileFilter([ws], {});
      admitted = (await filter(join(ws, 'a.md')))?.path;
      outside = await filter(join(ws, 'out.md'));
    } finally {
      (fs as { realpathSync: unknown }).realpathSync = sync.realpathSync;
      fs.realpathSync.native = sync.native;
    }
    assert.deepEqual(calls, []);
    assert.equal(admitted, 'a.md');
    assert.equal(outside, undefined);
  });
});
