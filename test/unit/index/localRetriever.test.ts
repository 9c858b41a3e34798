import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixActions, GroundedError } from '../../../src/core/errors';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import { FIXTURE_WORKSPACE } from './fixturePaths';
import { tempDirs } from '../../support/tempDirs';

describe('LocalRetriever', () => {
  const dirs = tempDirs();
  let temp: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-retriever-');
  });

  it('builds once for concurrent first searches', async () => {
    let builds = 0;
    const retriever = new LocalRetriever({ folders: () => (builds++, [FIXTURE_WORKSPACE]), workerFile: false });
    assert.equal(retriever.stats(), undefined);
    const [a, b] = await Promise.all([retriever.search('widget', { k: 2 }), retriever.search('config', { k: 2 })]);
    assert.equal(builds, 1);
    assert.ok(a.length > 0 && b.length > 0);
    assert.equal(b[0]?.path, 'src/parseConfig.ts');
    assert.equal(retriever.stats()?.files, 3);
    await retriever.search('again', { k: 1 });
    assert.equal(builds, 1);
  });

  it('sees new files after refresh', async () => {
    await writeFile(join(temp, 'a.md'), '# Apples\n\nred fruit\n');
    const retriever = new LocalRetriever({ folders: () => [temp], workerFile: false });
    assert.deepEqual(await retriever.search('banana', { k: 3 }), []);
    await writeFile(join(temp, 'b.md'), '# Bananas\n\nyellow fruit\n');
    const stats = await retriever.refresh();
    assert.equal(stats.files, 2);
    assert.equal((await retriever.search('banana', { k: 3 }))[0]?.path, 'b.md');
  });

  it('explains that no folder is open', async () => {
    const retriever = new LocalRetriever({ folders: () => [], workerFile: false });
    await assert.rejects(retriever.search('x', { k: 1 }), (e: unknown) => {
      assert.ok(e instanceof GroundedError);
      assert.equal(e.kind, 'index');
      assert.match(e.message, /No folder is open.*Open a folder \(File › Open Folder…\)/);
      // the fix is offered as a button (chat, panel, notification): the command that opens a folder
      assert.equal(fixActions(e)[0]?.command, 'workbench.action.files.openFolder');
      return true;
    });
  });

  it('explains that nothing is indexable, then retries on the next search', async () => {
    await writeFile(join(temp, 'blob.bin'), Buffer.from([1, 0, 2]));
    const retriever = new LocalRetriever({ folders: () => [temp], workerFile: false });
    await assert.rejects(retriever.search('x', { k: 1 }), (e: unknown) => {
      assert.ok(e instanceof GroundedError);
      assert.equal(e.kind, 'index');
      assert.match(e.message, /no text files.*1 skipped/i);
      // what leaves files out on every surface, then VS Code's settings in a sentence of their own (the CLI drops it)
      assert.match(
        e.message,
        /Check the ignore files \(\.gitignore, \.groundedignore\): [^.]*, as are node_modules and version-control folders \(\.git, \.svn, \.hg\)\. Check grounded\.index\.include, grounded\.index\.exclude and files\.exclude too\.$/,
      );
      return true;
    });
    await writeFile(join(temp, 'later.txt'), 'now there is text');
    assert.equal((await retriever.search('text', { k: 1 }))[0]?.path, 'later.txt');
  });

  it('rejects a search whose signal is aborted', async () => {
    const retriever = new LocalRetriever({ folders: () => [FIXTURE_WORKSPACE], workerFile: false });
    const controller = new AbortController();
    const pending = retriever.search('widget', { k: 1, signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.ok(
      (await retriever.search('widget', { k: 1 })).length > 0,
      'the shared build is not cancelled by one search',
    );
  });
});
