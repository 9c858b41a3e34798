import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Passage } from '../../../src/core/passage';
import type { Retriever } from '../../../src/core/ports';
import { locatePushedPath } from '../../../src/retrievers/locatePushedPath';
import { withinFolders } from '../../../src/retrievers/withinFolders';
import { tempDirs } from '../../support/tempDirs';

describe('remote rows kept within the workspace folders', () => {
  const dirs = tempDirs();

  it('leaves out a row whose path leads out through a linked folder, and keeps the rest', async () => {
    const temp = await dirs.make('grounded-within-');
    const ws = join(temp, 'ws');
    const outside = join(temp, 'outside');
    await mkdir(join(ws, 'docs'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(ws, 'docs', 'setup.md'), 'Install it.\n');
    await writeFile(join(outside, 'secret.md'), 'The launch code is 0000.\n');
    await symlink(outside, join(ws, 'shared')); // a folder of the workspace that leads out
    const locate = locatePushedPath([{ name: 'ws', path: ws }]);
    const row = (path: string): Passage => ({
      id: path,
      path,
      location: locate(path),
      startLine: 1,
      endLine: 1,
      text: 'text from the index',
      score: 1,
    });
    const rows = ['docs/setup.md', 'shared/secret.md', 'docs/only-on-the-server.md', 'https://wiki.example.com/page'];
    const remote: Retriever = { search: () => Promise.resolve(rows.map(row)) };
    const notices: string[] = [];
    const confined = withinFolders(remote, () => [ws], { source: 'The table chunks', onNotice: m => notices.push(m) });
    const found = await confined.search('anything', { k: 10 });
    assert.deepEqual(
      found.map(p => p.path),
      ['docs/setup.md', 'docs/only-on-the-server.md', 'https://wiki.example.com/page'],
    );
    assert.equal(notices.length, 1);
    assert.match(notices[0] ?? '', /The table chunks: 1 row was left out .*shared\/secret\.md.*leads it outside/);
  });

  it('leaves out a row it cannot locate in a folder (none is open), which an editor would open from the root', async () => {
    const locate = locatePushedPath([]);
    const rows = ['etc/passwd', 'https://wiki.example.com/page'].map((path): Passage => ({
      id: path,
      path,
      location: locate(path),
      startLine: 1,
      endLine: 1,
      text: 'text',
      score: 1,
    }));
    const remote: Retriever = { search: () => Promise.resolve(rows) };
    const notices: string[] = [];
    const confined = withinFolders(remote, () => [], { source: 'The table chunks', onNotice: m => notices.push(m) });
    const found = await confined.search('anything', { k: 10 });
    assert.deepEqual(
      found.map(p => p.path),
      ['https://wiki.example.com/page'],
    );
    assert.match(notices[0] ?? '', /1 row was left out .*etc\/passwd.*no workspace folder on disk is open/);
  });
});
