import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { discoverFiles, isMinified, walkFolders } from '../../../src/index/discovery';
import { TextLines } from '../../../src/index/textLines';

async function put(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('discoverFiles', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'grounded-discovery-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
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
      '.gitignore', '.groundedignore', 'keep.log', 'other/secret.txt', 'readme.md', 'sub/.gitignore', 'sub/code.ts', 'sub/important.log',
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

  it('skips binaries, big files and minified files, and counts them', async () => {
    await put(root, {
      'ok.txt': 'text',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
      'big.txt': 'y\n'.repeat(3000),
      'bundle.min.js': 'var a=1;'.repeat(500),
    });
    const { files, skipped } = await discoverFiles([root], { maxFileBytes: 5000 });
    assert.deepEqual(files.map(f => f.path), ['ok.txt']);
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
    assert.deepEqual(files.map(f => f.path), ['a/file.txt']);
    assert.equal(skipped['symlink-loop'], 1);
    assert.equal(skipped.unreadable, 1);
  });

  it('prefixes paths with the folder name when there are several folders', async () => {
    await put(root, { 'one/a.md': 'a', 'two/b.md': 'b' });
    const { files } = await discoverFiles([join(root, 'one'), join(root, 'two')]);
    assert.deepEqual(files.map(f => f.path), ['one/a.md', 'two/b.md']);
    assert.equal(basename(files[1]?.location ?? ''), 'b.md');
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
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'grounded-walk-'));
    await put(root, { 'a/one.md': 'one', 'a/b/two.ts': 'two', 'c.txt': 'three' });
    await symlink(root, join(root, 'a', 'b', 'loop'));
    await symlink(join(root, 'c.txt'), join(root, 'linked.txt'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists the same files without stat when asked, stat-ing only links (to follow them) and still stopping loops', async () => {
    const stated = await walkFolders([root], {});
    const bare = await walkFolders([root], { statFiles: false });
    assert.deepEqual(bare.candidates.map(c => c.path), stated.candidates.map(c => c.path));
    assert.deepEqual(bare.candidates.map(c => c.path), ['a/b/two.ts', 'a/one.md', 'c.txt', 'linked.txt']);
    assert.deepEqual(bare.skipped, stated.skipped);
    assert.equal(bare.skipped['symlink-loop'], 1);
    assert.ok(stated.candidates.every(c => c.size !== undefined && c.mtimeMs !== undefined));
    assert.deepEqual(bare.candidates.map(c => c.size), [undefined, undefined, undefined, 5], 'a link is stat-ed to learn what it points at');
  });
});

describe('isMinified', () => {
  const minified = (text: string): boolean => isMinified(new TextLines(text));

  it('flags text that sits mostly on very long lines', () => {
    assert.equal(minified('x'.repeat(10_000)), true);
    assert.equal(minified(('short line\n').repeat(2000)), false);
    assert.equal(minified('a paragraph on one line '.repeat(50) + '\n' + 'code\n'.repeat(1000)), false);
  });

  it('reads lines that end in CR alone as lines (old Mac files are not one long line)', () => {
    assert.equal(minified(('short line\r').repeat(2000)), false);
    assert.equal(minified(('short line\r\n').repeat(2000)), false);
    assert.equal(minified(('x'.repeat(4000) + '\r').repeat(3)), true);
  });
});
