import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { createFileFilter } from '../../../../src/index/discovery/fileFilter';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
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

describe("a folder's own exclude globs", () => {
  const dirs = tempDirs();

  it('apply to the folder however its path is written (a trailing separator), in the walk and the filter alike', async () => {
    const temp = await dirs.make('grounded-own-exclude-');
    const [app, api] = [join(temp, 'app'), join(temp, 'api')];
    for (const ws of [app, api]) {
      await mkdir(join(ws, 'docs'), { recursive: true });
      await writeFile(join(ws, 'docs', 'guide.md'), '# Guide\n');
    }
    // the folders as the index takes them, their globs keyed as a workspace folder's URI may name them
    const rules = { folderExclude: { [app + sep]: ['docs'] } };
    const { candidates } = await walkFolders([app, api], rules);
    assert.deepEqual(
      candidates.map(c => c.path),
      ['api/docs/guide.md'],
    );
    const filter = createFileFilter([app, api], rules);
    assert.equal(await filter(join(app, 'docs', 'guide.md')), undefined);
    assert.equal((await filter(join(api, 'docs', 'guide.md')))?.path, 'api/docs/guide.md');
  });
});

describe('the file filter with nested folders', () => {
  const dirs = tempDirs();

  it('hands a file to the nested folder when the outer folder does not enter the directory holding it', async () => {
    const ws = join(await dirs.make('grounded-filter-nested-'), 'ws');
    await mkdir(join(ws, 'sub'), { recursive: true });
    await mkdir(join(ws, 'node_modules', 'pkg'), { recursive: true });
    await writeFile(join(ws, '.gitignore'), 'sub/\n');
    await writeFile(join(ws, 'sub', 'x.md'), '# X\n');
    await writeFile(join(ws, 'sub', '.gitignore'), 'hidden.md\n');
    await writeFile(join(ws, 'sub', 'hidden.md'), '# Hidden\n');
    await writeFile(join(ws, 'node_modules', 'pkg', 'readme.md'), '# Pkg\n');
    const sub = join(ws, 'sub');
    const pkg = join(ws, 'node_modules', 'pkg');
    const filter = createFileFilter([ws, sub, pkg], {});
    // the walk skips sub/ and node_modules/ under ws and walks each nested folder as its own root
    assert.equal((await filter(join(sub, 'x.md')))?.path, 'sub/x.md');
    assert.equal((await filter(join(pkg, 'readme.md')))?.path, 'pkg/readme.md');
    // the nested folder's own rules still apply, and ws's rules do not reach into it
    assert.equal(await filter(join(sub, 'hidden.md')), undefined);
    // with the nested folder first, its walk takes the file and the outer walk finds that folder walked
    const innerFirst = createFileFilter([sub, ws], {});
    assert.equal((await innerFirst(join(sub, 'x.md')))?.path, 'sub/x.md');
    assert.equal(await innerFirst(join(sub, 'hidden.md')), undefined);
  });

  it('keeps a file out when the directory the outer folder skips is below the nested folder', async () => {
    const ws = join(await dirs.make('grounded-filter-nested-'), 'ws');
    await mkdir(join(ws, 'sub', 'deep'), { recursive: true });
    await writeFile(join(ws, '.gitignore'), 'sub/deep/\n');
    await writeFile(join(ws, 'sub', 'deep', 'x.md'), '# X\n');
    // ws's walk enters sub (so sub is not walked again) and skips sub/deep
    const filter = createFileFilter([ws, join(ws, 'sub')], {});
    assert.equal(await filter(join(ws, 'sub', 'deep', 'x.md')), undefined);
  });
});

describe('the file filter and links inside the folders', () => {
  const dirs = tempDirs();

  it('refuses a path through a link to a file the walk lists by its own path, and admits one to a file it leaves out', async () => {
    const temp = await dirs.make('grounded-filter-links-');
    const ws = join(temp, 'ws');
    await mkdir(join(ws, 'docs'), { recursive: true });
    await mkdir(join(ws, 'hidden'));
    await writeFile(join(ws, 'docs', 'guide.md'), '# Guide\n');
    await writeFile(join(ws, 'notes.md'), '# Notes\n');
    await writeFile(join(ws, '.gitignore'), 'hidden/\nhidden.md\n');
    await writeFile(join(ws, 'hidden', 'deep.md'), '# Deep\n');
    await writeFile(join(ws, 'hidden.md'), '# Hidden\n');
    await symlink(join(ws, 'docs'), join(ws, 'alias'));
    await symlink(join(ws, 'notes.md'), join(ws, 'notes-link.md'));
    await symlink(join(ws, 'hidden'), join(ws, 'shown'));
    await symlink(join(ws, 'hidden.md'), join(ws, 'shown.md'));
    const viaLink = join(temp, 'ws-link');
    await symlink(ws, viaLink);
    const filter = createFileFilter([ws], {});
    // indexed as docs/guide.md and notes.md: a save of the link's path must not add them twice
    assert.equal(await filter(join(ws, 'alias', 'guide.md')), undefined);
    assert.equal(await filter(join(ws, 'notes-link.md')), undefined);
    assert.equal((await filter(join(ws, 'docs', 'guide.md')))?.path, 'docs/guide.md');
    assert.equal((await filter(join(ws, 'notes.md')))?.path, 'notes.md');
    // git-ignored by their own paths: the walk lists them through the links
    assert.equal((await filter(join(ws, 'shown', 'deep.md')))?.path, 'shown/deep.md');
    assert.equal((await filter(join(ws, 'shown.md')))?.path, 'shown.md');
    // a folder opened through a link: its files are still listed by their paths in it
    const throughLink = createFileFilter([viaLink], {});
    assert.equal((await throughLink(join(viaLink, 'docs', 'guide.md')))?.path, 'docs/guide.md');
    assert.equal(await throughLink(join(viaLink, 'alias', 'guide.md')), undefined);
  });
});

describe('the file filter of new folders', () => {
  const dirs = tempDirs();

  it('tells whether the walk enters a folder: not one git-ignored or excluded, or inside one, unless a folder is walked there', async () => {
    const ws = join(await dirs.make('grounded-filter-folders-'), 'ws');
    for (const dir of ['docs/new', 'out/deep', 'node_modules/x', 'node_modules/pkg/lib', 'vendor/pkg']) {
      await mkdir(join(ws, dir), { recursive: true });
    }
    await writeFile(join(ws, '.gitignore'), 'out/\n');
    const filter = createFileFilter([ws, join(ws, 'node_modules', 'pkg')], {});
    assert.equal(await filter.enters(join(ws, 'docs', 'new')), true);
    assert.equal(await filter.enters(join(ws, 'out')), false);
    assert.equal(await filter.enters(join(ws, 'out', 'deep')), false);
    assert.equal(await filter.enters(join(ws, 'node_modules', 'x')), false);
    // node_modules/pkg is a folder of its own, walked as a root, and node_modules holds it
    assert.equal(await filter.enters(join(ws, 'node_modules', 'pkg', 'lib')), true);
    assert.equal(await filter.enters(join(ws, 'node_modules')), true);
    assert.equal(await filter.enters(join(ws, 'vendor', 'pkg')), true);
  });
});
