import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBytes } from '../../../src/index/discovery/fileReading';
import type { IndexHit } from '../../../src/index/segments/segmentedIndex';
import { PassageReader } from '../../../src/retrievers/passageReader';
import { tempDirs } from '../../support/tempDirs';

describe('PassageReader', () => {
  const dirs = tempDirs();
  let temp: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-passages-');
  });

  /** A hit on lines 1-2 of `location` as it is now on disk. */
  async function hitOn(location: string): Promise<IndexHit> {
    const text = 'first line\nsecond line\n';
    await writeFile(location, text);
    const { mtimeMs, size } = await stat(location);
    const file = {
      path: 'a.txt',
      location,
      mtimeMs,
      size,
      hash: hashBytes(Buffer.from(text)),
      segment: 0,
      firstDoc: 0,
      docCount: 1,
    };
    return { path: 'a.txt', location, startLine: 1, endLine: 2, score: 1, file };
  }

  /** An indexed file in a workspace folder, and a secret of the same size outside the folder. */
  async function fileAndOutsideSecret() {
    const workspace = join(temp, 'ws');
    const outside = join(temp, 'outside');
    await Promise.all([mkdir(workspace), mkdir(outside)]);
    const location = join(workspace, 'a.txt');
    const hit = await hitOn(location);
    const secret = join(outside, 'secret.txt');
    await writeFile(secret, 'SECRET KEY\nsecond line\n');
    return { workspace, location, hit, secret };
  }

  it('reads the cited lines of a file that is still the indexed one', async () => {
    const hit = await hitOn(join(temp, 'a.txt'));
    const { passages, stale } = await new PassageReader().read([hit]);
    assert.deepEqual(stale, []);
    assert.equal(passages[0]?.text, 'first line\nsecond line');
  });

  it('calls a file replaced by one of another size stale without reading it (a pipe would never end)', async function () {
    const location = join(temp, 'a.txt');
    const hit = await hitOn(location);
    await unlink(location);
    try {
      execFileSync('mkfifo', [location]);
    } catch {
      this.skip(); // no mkfifo here
    }
    const { passages, stale } = await new PassageReader().read([hit]);
    assert.deepEqual(passages, []);
    assert.deepEqual(stale, [location]);
  });

  it('does not read a file swapped for a link out of the workspace, even with the same size and time', async () => {
    const { workspace, location, hit, secret } = await fileAndOutsideSecret();
    await unlink(location);
    await symlink(secret, location);
    // the same size, and (as a touch -r could make it) the time the index recorded: only the real path differs
    const swapped = { ...hit, file: { ...hit.file, mtimeMs: (await stat(location)).mtimeMs } };
    const { passages, stale } = await new PassageReader(undefined, () => [workspace]).read([swapped]);
    assert.deepEqual(passages, []);
    assert.deepEqual(stale, [location]);
  });

  it('reads the bytes from the path it checked, not through a link swapped in after the check', async () => {
    const { workspace, location, hit, secret } = await fileAndOutsideSecret();
    // the reader asks for the folders once it has resolved the file's real path: the swap lands between the two
    const folders = () => {
      fs.renameSync(location, join(workspace, 'moved.txt'));
      fs.symlinkSync(secret, location);
      return [workspace];
    };
    const { passages } = await new PassageReader(undefined, folders).read([hit]);
    assert.ok(!passages.some(p => p.text.includes('SECRET')), JSON.stringify(passages));
  });

  it('reads a file through a link that stays inside the workspace', async () => {
    const workspace = join(temp, 'ws');
    await mkdir(join(workspace, 'real'), { recursive: true });
    await symlink(join(workspace, 'real'), join(workspace, 'linked'));
    const hit = await hitOn(join(workspace, 'linked', 'a.txt'));
    const { passages } = await new PassageReader(undefined, () => [workspace]).read([hit]);
    assert.equal(passages[0]?.text, 'first line\nsecond line');
  });

  it('checks where a file leads without a synchronous file-system call (it runs on the extension host)', async () => {
    const workspace = join(temp, 'ws');
    await mkdir(workspace, { recursive: true });
    const hit = await hitOn(join(workspace, 'a.txt'));
    const sync = { realpathSync: fs.realpathSync, native: fs.realpathSync.native };
    const calls: string[] = [];
    const record = (path: fs.PathLike) => (calls.push(String(path)), String(path));
    fs.realpathSync.native = record as typeof fs.realpathSync.native;
    (fs as { realpathSync: unknown }).realpathSync = Object.assign(record, { native: record });
    let text: string | undefined;
    try {
      text = (await new PassageReader(undefined, () => [workspace]).read([hit])).passages[0]?.text;
    } finally {
      (fs as { realpathSync: unknown }).realpathSync = sync.realpathSync;
      fs.realpathSync.native = sync.native;
    }
    assert.deepEqual(calls, []);
    assert.equal(text, 'first line\nsecond line');
  });
});
