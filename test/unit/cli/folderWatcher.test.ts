import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderWatcher, foldersToWatch } from '../../../src/cli/folderWatcher';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

describe('the folder watcher of grounded mcp', () => {
  const dirs = tempDirs();

  it('watches the roots and every folder between a root and an indexed file, nothing outside the roots', () => {
    const folders = foldersToWatch(
      ['/ws/a', '/ws/b'],
      ['/ws/a/README.md', '/ws/a/docs/deep/er/x.md', '/ws/a/docs/y.md', '/ws/b/src/z.ts', '/elsewhere/q.md'],
    );
    assert.deepEqual([...folders].sort(), [
      '/ws/a',
      '/ws/a/docs',
      '/ws/a/docs/deep',
      '/ws/a/docs/deep/er',
      '/ws/b',
      '/ws/b/src',
    ]);
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
});
