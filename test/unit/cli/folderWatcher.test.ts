import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderWatcher } from '../../../src/cli/folderWatcher';
import { walkedFolders } from '../../../src/index';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

describe('the folder watcher of grounded mcp', () => {
  const dirs = tempDirs();

  it('watches every folder the index walks into, empty ones and ones holding only skipped files too, none it ignores', async () => {
    const root = await dirs.make('grounded-walked-');
    for (const dir of ['empty', 'binaries', 'deep/er', 'ignored/below', 'excluded', 'node_modules/pkg', '.git/objects'])
      await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, 'a.md'), '# A\n');
    await writeFile(join(root, 'binaries', 'blob.bin'), Buffer.from([1, 0, 2]));
    await writeFile(join(root, '.gitignore'), 'ignored/\n');
    await writeFile(join(root, '.groundedignore'), 'excluded\n');
    const folders = await walkedFolders([root]);
    assert.deepEqual(
      folders.sort(),
      [root, ...['binaries', 'deep', 'deep/er', 'empty'].map(dir => join(root, dir))].sort(),
    );
    const withExclude = await walkedFolders([root], { exclude: ['**/deep'] });
    assert.ok(!withExclude.includes(join(root, 'deep')) && !withExclude.includes(join(root, 'deep', 'er')));
  });

  it('hands over a new file and a new folder in a watched folder as one batch', async () => {
    const root = await dirs.make('grounded-watch-');
    await mkdir(join(root, 'docs'));
    const batches: string[][] = [];
    const watcher = new FolderWatcher({ onChange: paths => batches.push(paths), onError: assert.fail });
    try {
      watcher.watch([root, join(root, 'docs')]);
      assert.equal(watcher.watching, 2);
      await writeFile(join(root, 'docs', 'new.md'), '# New\n');
      await mkdir(join(root, 'notes'));
      assert.ok(await until(() => batches.flat().includes(join(root, 'notes'))), JSON.stringify(batches));
      assert.ok(batches.flat().includes(join(root, 'docs', 'new.md')));
      watcher.watch([root]);
      assert.equal(watcher.watching, 1, 'a folder no longer wanted is not watched');
    } finally {
      watcher.dispose();
    }
  });

  it('hands over a saved file while another file in the folder is written without pause', async () => {
    const root = await dirs.make('grounded-watch-busy-');
    const batches: string[][] = [];
    const watcher = new FolderWatcher({ onChange: paths => batches.push(paths), onError: assert.fail });
    // a log written more often than the batch interval, for as long as the test runs
    let lines = 0;
    const writer = setInterval(() => void writeFile(join(root, 'server.log'), `line ${++lines}\n`), 5);
    try {
      watcher.watch([root]);
      await writeFile(join(root, 'notes.md'), '# Notes\n');
      assert.ok(
        await until(() => batches.flat().includes(join(root, 'notes.md'))),
        'the save is handed over while the log is still being written',
      );
    } finally {
      clearInterval(writer);
      watcher.dispose();
    }
  });
});
