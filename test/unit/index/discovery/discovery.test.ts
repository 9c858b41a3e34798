import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TextLines } from '../../../../src/index/chunking/textLines';
import {
  isMinified,
  MAX_FILE_BYTES_LIMIT,
  readFileContent,
  readFileContentSync,
  type FileContent,
} from '../../../../src/index/discovery/fileReading';
import { discoverFileBatches } from '../../../../src/index/discovery/fileBatches';
import { createFileFilter } from '../../../../src/index/discovery/fileFilter';
import type { DiscoveredFile, DiscoveryOptions } from '../../../../src/index/discovery/walkFolders';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import { tempDirs } from '../../../support/tempDirs';

async function put(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** The folders' indexable files, every batch read, with what was skipped. */
async function discoverFiles(folders: readonly string[], options: DiscoveryOptions = {}) {
  const found = await discoverFileBatches(folders, options);
  const files: DiscoveredFile[] = [];
  for await (const batch of found.batches) files.push(...batch);
  return { files, skipped: found.skipped };
}

describe('discovering and reading files (discoverFileBatches)', () => {
  const dirs = tempDirs();
  let root: string;

  beforeEach(async () => {
    root = await dirs.make('grounded-discovery-');
  });

  it('honours nested .gitignore files with negation, and .groundedignore', async () => {
    await put(root, {
      '.gitignore': '*.log\nbuild/\n!keep.log\n',
      '.groundedignore': 'drafts/\n',
      'a.log': 'x',
      'keep.log': 'kept',
      'build/out.txt': 'x',
      'drafts/idea.md': 'x',
      'readme.md': '# hi',
      'sub/.gitignore': '!important.log\nsecret.txt\n',
      'sub/important.log': 'kept',
      'sub/other.log': 'x',
      'sub/secret.txt': 'x',
      'sub/code.ts': 'export {}',
      'other/secret.txt': 'not ignored here',
    });
    const { files } = await discoverFiles([root]);
    assert.deepEqual(files.map(f => f.path).sort(), [
      '.gitignore',
      '.groundedignore',
      'keep.log',
      'other/secret.txt',
      'readme.md',
      'sub/.gitignore',
      'sub/code.ts',
      'sub/important.log',
    ]);
    const readme = files.find(f => f.path === 'readme.md');
    assert.equal(readme?.text, '# hi');
    assert.equal(readme?.location, join(root, 'readme.md'));
  });

  it('lets .groundedignore re-include what .gitignore leaves out', async () => {
    await put(root, { '.gitignore': 'docs/\n', '.groundedignore': '!docs/\n', 'docs/a.md': 'a' });
    const { files } = await discoverFiles([root]);
    assert.ok(files.some(f => f.path === 'docs/a.md'));
  });

  it('matches ignore files by case as git does: exactly, unless the file systems of the platform ignore case', async () => {
    // the Linux kernel's .gitignore: `*.s` is generated assembly, `*.S` the assembly sources
    await put(root, {
      '.gitignore': '*.s\nBuild/\n',
      'arch/entry.S': 'entry',
      'arch/gen.s': 'generated',
      'build/a.md': 'a',
    });
    const { files } = await discoverFiles([root]);
    const paths = files.map(f => f.path).sort();
    const ignoreCase = process.platform === 'darwin' || process.platform === 'win32';
    assert.deepEqual(paths, ignoreCase ? ['.gitignore'] : ['.gitignore', 'arch/entry.S', 'build/a.md']);
  });

  it('skips binaries, big files and minified files, and counts them', async () => {
    await put(root, {
      'ok.txt': 'text',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
      'big.txt': 'y\n'.repeat(3000),
      'bundle.min.js': 'var a=1;'.repeat(500),
    });
    const { files, skipped } = await discoverFiles([root], { maxFileBytes: 5000 });
    assert.deepEqual(
      files.map(f => f.path),
      ['ok.txt'],
    );
    assert.equal(skipped.binary, 1);
    assert.equal(skipped['too-large'], 1);
    assert.equal(skipped.minified, 1);
  });

  it('applies exclude globs and always skips .git', async () => {
    await put(root, {
      '.git/config': 'x',
      'node_modules/pkg/index.js': 'x',
      'src/a.ts': 'x',
      'src/a.tmp': 'x',
      'src/gen/b.ts': 'x',
      'top.tmp': 'x',
    });
    const defaults = await discoverFiles([root]);
    assert.deepEqual(defaults.files.map(f => f.path).sort(), ['src/a.tmp', 'src/a.ts', 'src/gen/b.ts', 'top.tmp']);
    const custom = await discoverFiles([root], { exclude: ['**/*.{tmp,bak}', 'src/gen'] });
    assert.deepEqual(custom.files.map(f => f.path).sort(), ['node_modules/pkg/index.js', 'src/a.ts']);
  });

  it('terminates on a symlink loop and counts a dangling link as unreadable', async () => {
    await put(root, { 'a/file.txt': 'x' });
    await symlink(root, join(root, 'a', 'loop'));
    await symlink(join(root, 'missing'), join(root, 'dangling'));
    const { files, skipped } = await discoverFiles([root]);
    assert.deepEqual(
      files.map(f => f.path),
      ['a/file.txt'],
    );
    assert.equal(skipped['symlink-loop'], 1);
    assert.equal(skipped.unreadable, 1);
  });

  it('prefixes paths with the folder name when there are several folders', async () => {
    await put(root, { 'one/a.md': 'a', 'two/b.md': 'b' });
    const { files } = await discoverFiles([join(root, 'one'), join(root, 'two')]);
    assert.deepEqual(
      files.map(f => f.path),
      ['one/a.md', 'two/b.md'],
    );
    assert.equal(basename(files[1]?.location ?? ''), 'b.md');
  });

  it('tells folders of one name apart by the parts before it, so their files never share a path', async () => {
    await put(root, { 'a/app/x.md': 'a', 'b/app/x.md': 'b' });
    const { files } = await discoverFiles([join(root, 'a', 'app'), join(root, 'b', 'app')]);
    assert.deepEqual(
      files.map(f => f.path),
      ['a/app/x.md', 'b/app/x.md'],
    );
    // a file that changed is named as the walk named it
    const filter = createFileFilter([join(root, 'a', 'app'), join(root, 'b', 'app')], {});
    assert.equal((await filter(join(root, 'b', 'app', 'x.md')))?.path, 'b/app/x.md');
  });

  it('reports progress up to the total and stops when aborted', async () => {
    await put(root, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    const seen: [number, number][] = [];
    await discoverFiles([root], { onProgress: p => seen.push([p.done, p.total]) });
    assert.deepEqual(seen.at(-1), [3, 3]);
    assert.deepEqual(seen[0], [0, 3]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(discoverFiles([root], { signal: controller.signal }), { name: 'AbortError' });
  });
});

describe('walkFolders', () => {
  const dirs = tempDirs();
  let root: string;
  before(async () => {
    root = await dirs.make('grounded-walk-');
    await put(root, { 'a/one.md': 'one', 'a/b/two.ts': 'two', 'c.txt': 'three', 'node_modules/dep.txt': 'four!' });
    await symlink(root, join(root, 'a', 'b', 'loop'));
    // node_modules is excluded, so the file is listed through the link
    await symlink(join(root, 'node_modules', 'dep.txt'), join(root, 'linked.txt'));
  });

  it('lists the same files without stat when asked, stat-ing only links (to follow them) and still stopping loops', async () => {
    const stated = await walkFolders([root], {});
    const bare = await walkFolders([root], { statFiles: false });
    assert.deepEqual(
      bare.candidates.map(c => c.path),
      stated.candidates.map(c => c.path),
    );
    assert.deepEqual(
      bare.candidates.map(c => c.path),
      ['a/b/two.ts', 'a/one.md', 'c.txt', 'linked.txt'],
    );
    assert.deepEqual(bare.skipped, stated.skipped);
    assert.equal(bare.skipped['symlink-loop'], 1);
    assert.ok(stated.candidates.every(c => c.size !== undefined && c.mtimeMs !== undefined));
    assert.deepEqual(
      bare.candidates.map(c => c.size),
      [undefined, undefined, undefined, 5],
      'a link is stat-ed to learn what it points at',
    );
  });
});

/** 'text', or why the file was skipped. */
const outcome = (content: FileContent): string => (content.kind === 'skip' ? content.reason : content.kind);

describe('links, limits and reading bounds', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let outside: string;
  beforeEach(async () => {
    temp = await dirs.make('grounded-links-');
    ws = join(temp, 'ws');
    outside = join(temp, 'outside');
    await put(ws, { 'docs/guide.md': 'guide', 'notes.txt': 'notes' });
    await put(outside, { 'secret.txt': 'the outside secret', 'deep/more.txt': 'more' });
  });

  it('skips and counts links whose real path leaves the workspace: to a folder, to a file, to the root', async () => {
    await symlink(outside, join(ws, 'outside-folder'));
    await symlink(join(outside, 'secret.txt'), join(ws, 'secret.txt'));
    await symlink('/', join(ws, 'rootfs'));
    await symlink('../../outside', join(ws, 'docs', 'relative-out'));
    const { files, skipped } = await discoverFiles([ws]);
    assert.deepEqual(
      files.map(f => f.path),
      ['docs/guide.md', 'notes.txt'],
    );
    assert.equal(skipped['outside-link'], 4);
    assert.ok(!files.some(f => f.text.includes('outside secret')));
  });

  it('lists a folder or file by its own path, once, however many links lead there (and before them in name order)', async () => {
    await symlink(join(ws, 'docs'), join(ws, 'alias'));
    await symlink(join(ws, 'docs'), join(ws, 'docs', 'self'));
    await symlink(join(ws, 'notes.txt'), join(ws, 'notes-link.txt'));
    const { candidates, skipped } = await walkFolders([ws], {});
    // `alias` comes before `docs` in name order, but links are followed once every other entry is walked
    assert.deepEqual(
      candidates.map(c => c.path),
      ['docs/guide.md', 'notes.txt'],
    );
    assert.equal(skipped['symlink-loop'], 2);
    assert.equal(skipped['outside-link'], 0);
  });

  it('follows a link to a folder or file the walk leaves out by its own path, once', async () => {
    await put(ws, { '.groundedignore': 'hidden/\nhidden.txt\n', 'hidden/deep.md': 'deep', 'hidden.txt': 'hidden' });
    await symlink(join(ws, 'hidden'), join(ws, 'alias'));
    await symlink(join(ws, 'hidden'), join(ws, 'docs', 'again'));
    await symlink(join(ws, 'hidden.txt'), join(ws, 'shown.txt'));
    await symlink(join(ws, 'hidden', 'deep.md'), join(ws, 'deep-link.md'));
    const { candidates, skipped } = await walkFolders([ws], {});
    assert.deepEqual(
      candidates.map(c => c.path),
      ['.groundedignore', 'docs/guide.md', 'notes.txt', 'alias/deep.md', 'shown.txt'],
    );
    assert.equal(skipped['symlink-loop'], 1);
  });

  it('follows links when the workspace folder itself is reached through a link', async () => {
    const viaLink = join(temp, 'ws-link');
    await symlink(ws, viaLink);
    await symlink(join(ws, 'docs'), join(ws, 'alias'));
    await symlink(outside, join(ws, 'out'));
    const { candidates, skipped } = await walkFolders([viaLink], {});
    assert.deepEqual(
      candidates.map(c => c.path),
      ['docs/guide.md', 'notes.txt'],
    );
    assert.equal(skipped['outside-link'], 1);
  });

  it('does not follow an ignore file that is a link', async () => {
    await writeFile(join(outside, 'ignore-all'), '*\n');
    await symlink(join(outside, 'ignore-all'), join(ws, '.gitignore'));
    const { candidates } = await walkFolders([ws], {});
    assert.deepEqual(
      candidates.map(c => c.path),
      ['docs/guide.md', 'notes.txt'],
    );
  });

  it('leaves out a folder that holds a Grounded index store', async () => {
    await put(ws, {
      'store/.grounded-index': 'This folder holds a Grounded workspace index.\n',
      'store/notes.md': 'x',
    });
    const { candidates } = await walkFolders([ws], {});
    assert.deepEqual(
      candidates.map(c => c.path),
      ['docs/guide.md', 'notes.txt'],
    );
  });

  it('stops listing files at maxFiles and counts the ones left out', async () => {
    await put(ws, { 'more/a.txt': 'a', 'more/b.txt': 'b', 'more/c.txt': 'c' });
    const { candidates, skipped } = await walkFolders([ws], { maxFiles: 2 });
    assert.deepEqual(
      candidates.map(c => c.path),
      ['docs/guide.md', 'more/a.txt'],
    );
    assert.equal(skipped['file-limit'], 3);
    const bare = await walkFolders([ws], { maxFiles: 2, statFiles: false });
    assert.equal(bare.skipped['file-limit'], 3);
  });

  it('skips a 1 GiB sparse file as too large, whatever size limit is asked for', async () => {
    const big = join(ws, 'big.txt');
    await writeFile(big, '');
    await truncate(big, 1024 ** 3);
    const { files, skipped } = await discoverFiles([ws], { maxFileBytes: 4 * 1024 ** 3 });
    assert.equal(skipped['too-large'], 1);
    assert.ok(!files.some(f => f.path === 'big.txt'));
    assert.equal(outcome(readFileContentSync(big, MAX_FILE_BYTES_LIMIT)), 'too-large');
    assert.equal(outcome(await readFileContent(big, MAX_FILE_BYTES_LIMIT)), 'too-large');
  });

  it('does not open a pipe or a device as a file, even through a link (the read would never end)', async function () {
    const pipe = join(ws, 'pipe.txt');
    try {
      execFileSync('mkfifo', [pipe]);
    } catch {
      this.skip(); // no mkfifo here
    }
    assert.equal(outcome(await readFileContent(pipe)), 'unreadable');
    assert.equal(outcome(readFileContentSync(pipe)), 'unreadable');
    if (existsSync('/dev/zero')) assert.equal(outcome(await readFileContent('/dev/zero')), 'unreadable');
  });

  it('reads no more than the limit plus one byte when the size a file reports is wrong', async function () {
    const proc = '/proc/self/status'; // says 0 bytes, holds more than 100
    if (!existsSync(proc)) this.skip();
    assert.equal(outcome(readFileContentSync(proc, 100)), 'too-large');
    assert.equal(outcome(await readFileContent(proc, 100)), 'too-large');
    const whole = readFileContentSync(proc, 1 << 20);
    assert.ok(whole.kind === 'text' && whole.lines.text.includes('Name:'));
    const viaHandle = await readFileContent(proc, 1 << 20);
    assert.ok(viaHandle.kind === 'text' && viaHandle.lines.text.includes('Name:'));
  });
});

describe('isMinified', () => {
  const minified = (text: string): boolean => isMinified(new TextLines(text));

  it('flags text that sits mostly on very long lines', () => {
    assert.equal(minified('x'.repeat(10_000)), true);
    assert.equal(minified('short line\n'.repeat(2000)), false);
    assert.equal(minified('a paragraph on one line '.repeat(50) + '\n' + 'code\n'.repeat(1000)), false);
  });

  it('reads lines that end in CR alone as lines (old Mac files are not one long line)', () => {
    assert.equal(minified('short line\r'.repeat(2000)), false);
    assert.equal(minified('short line\r\n'.repeat(2000)), false);
    assert.equal(minified(('x'.repeat(4000) + '\r').repeat(3)), true);
  });
});
