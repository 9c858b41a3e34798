import assert from 'node:assert/strict';
import { mkdir, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Segment } from '../../../src/index/segments/segment';
import { WorkspaceIndex } from '../../../src/index/workspaceIndex';
import { settleFiles } from '../../support/settledFiles';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

describe('incremental updates', () => {
  const dirs = tempDirs();
  let temp: string;
  let ws: string;
  let index: WorkspaceIndex;
  let notices: string[];
  beforeEach(async () => {
    temp = await dirs.make('grounded-incr-');
    ws = join(temp, 'ws');
    await mkdir(join(ws, 'docs'), { recursive: true });
    await writeFile(join(ws, 'docs', 'guide.md'), '# Guide\n\nInstall the widget.\n\n## Usage\n\nRun it.\n');
    await writeFile(join(ws, 'notes.txt'), 'meeting notes\n');
    await writeFile(join(ws, '.gitignore'), 'secret/\n');
    await settleFiles(ws); // the index reads settled files once; racily clean ones again
    notices = [];
    index = new WorkspaceIndex({
      folders: () => [ws],
      storeDir: join(temp, 'store'),
      workerFile: false,
      persistDelayMs: 10,
      onNotice: m => notices.push(m),
    });
    await index.ready();
  });
  afterEach(async () => {
    await index.flush();
    index.dispose();
  });

  const paths = (query: string) => index.search(query, 5).map(h => `${h.path}:${h.startLine}-${h.endLine}`);
  /** A word of letters for each number (the index reads digits as numbers, not as words of their own). */
  const word = (i: number): string => 'zq' + String(i).replace(/\d/g, d => 'abcdefghij'[Number(d)] ?? '');
  /** Another index of the workspace, with the count of the syncs it started. */
  const syncCounted = () => {
    const syncs = { started: 0 };
    const counted = new WorkspaceIndex({
      folders: () => [ws],
      workerFile: false,
      onSyncing: syncing => void (syncing && syncs.started++),
    });
    return { counted, syncs };
  };

  it('makes a saved edit searchable at the right lines, in one small segment', async () => {
    await writeFile(join(ws, 'notes.txt'), 'meeting notes\n\nThe hoverboard charger lives in the garage.\n');
    await index.update([join(ws, 'notes.txt')]);
    assert.deepEqual(paths('hoverboard charger'), ['notes.txt:1-3']);
    const stats = index.stats();
    assert.equal(stats?.files, 3);
    assert.equal(stats?.deletedChunks, 1);
    assert.equal(stats?.segments, 2);
  });

  it('reads again a file saved twice within its mtime tick with the same length (racily clean)', async () => {
    const file = join(ws, 'racy.txt');
    // one whole second for both saves, as a filesystem that keeps whole seconds gives them; in the future, so the
    // first read falls inside the racy window however slow the machine is
    const tick = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    await writeFile(file, 'alpha\n');
    await utimes(file, tick, tick);
    await index.update([file]);
    assert.deepEqual(paths('alpha'), ['racy.txt:1-1']);
    await writeFile(file, 'gamma\n');
    await utimes(file, tick, tick);
    await index.update([file]);
    assert.deepEqual(paths('gamma'), ['racy.txt:1-1']);
    assert.deepEqual(paths('alpha'), []);
  });

  it('drops a file edited twice: the segment its first edit made holds nothing live', async () => {
    await writeFile(join(ws, 'notes.txt'), 'second draft mentions pelican\n');
    await index.update([join(ws, 'notes.txt')]);
    await writeFile(join(ws, 'notes.txt'), 'third draft mentions heron\n');
    await index.update([join(ws, 'notes.txt')]);
    assert.deepEqual(paths('pelican'), []);
    assert.deepEqual(paths('draft'), ['notes.txt:1-1']);
  });

  it('applies a change saved while a sync applies the changes it parked, and resolves it only once searchable', async () => {
    for (let i = 0; i < 200; i++) await writeFile(join(ws, `f${i}.md`), `file ${i} words here\n`);
    let armed = false;
    let late: Promise<void> | undefined;
    const racing = new WorkspaceIndex({
      folders: () => [ws],
      storeDir: join(temp, 'store-race'),
      workerFile: false,
      persistDelayMs: 10,
      // the index in place changes: the sync installed its index and is applying what it parked
      onChange: () => {
        if (!armed) return;
        armed = false;
        setImmediate(() => {
          void writeFile(join(ws, 'b.md'), 'bison arrives late\n').then(() => {
            late = racing.update([join(ws, 'b.md')]);
          });
        });
      },
    });
    try {
      await racing.ready();
      await writeFile(join(ws, 'a.md'), 'aardvark\n');
      const syncing = racing.sync();
      void racing.update([join(ws, 'a.md')]); // parked: a sync is under way
      armed = true;
      await syncing;
      assert.ok(await until(() => late !== undefined), 'the late change was saved mid-sync');
      await late;
      assert.deepEqual(
        racing.search('bison', 5).map(h => h.path),
        ['b.md'],
      );
    } finally {
      await racing.flush();
      racing.dispose();
    }
  });

  it('applies a change saved while a sync ran when that sync is cancelled instead of installed', async () => {
    await writeFile(join(ws, 'notes.txt'), 'meeting notes\n\nThe sprocket order is late.\n');
    const syncing = index.sync().catch((e: unknown) => (e as Error).name);
    const parked = index.update([join(ws, 'notes.txt')]); // parked: a sync is under way
    index.cancel();
    assert.equal(await syncing, 'AbortError');
    await parked;
    assert.deepEqual(paths('sprocket'), ['notes.txt:1-3']);
  });

  it('starts no sync again when a cancelled sync parked a change that needs one (a new folder, an ignore file)', async () => {
    let started = 0;
    const watched = new WorkspaceIndex({
      folders: () => [ws],
      storeDir: join(temp, 'store-cancel'),
      workerFile: false,
      persistDelayMs: 10,
      onSyncing: syncing => void (syncing && started++),
    });
    try {
      await watched.ready();
      const syncing = watched.sync().catch((e: unknown) => (e as Error).name);
      await mkdir(join(ws, 'more'));
      await writeFile(join(ws, 'more', 'walrus.md'), 'a walrus on the ice\n');
      await writeFile(join(ws, '.gitignore'), 'secret/\nbuild/\n');
      const parked = watched.update([join(ws, 'more'), join(ws, '.gitignore')]); // parked: a sync is under way
      watched.cancel();
      assert.equal(await syncing, 'AbortError');
      await parked;
      assert.equal(started, 2, 'the first sync and the cancelled one, none after');
      assert.equal(watched.isSyncing, false);
      // the next sync's walk finds what was left
      await watched.sync();
      assert.deepEqual(
        watched.search('walrus', 5).map(h => h.path),
        ['more/walrus.md'],
      );
    } finally {
      await watched.flush();
      watched.dispose();
    }
  });

  it("readies each new segment's WebAssembly scorer while idle, and then scores common terms there", async () => {
    const prepared: number[] = [];
    const scoredAll: number[] = [];
    const { prepareScorer, scoreAll } = Segment.prototype;
    Segment.prototype.prepareScorer = function (this: Segment, step) {
      prepared.push(this.id);
      return prepareScorer.call(this, step);
    };
    Segment.prototype.scoreAll = function (this: Segment, ...args: Parameters<Segment['scoreAll']>) {
      scoredAll.push(this.id);
      return scoreAll.apply(this, args);
    };
    try {
      await writeFile(join(ws, 'notes.txt'), 'meeting notes\n\nThe hoverboard charger lives in the garage.\n');
      await index.update([join(ws, 'notes.txt')]);
      await index.warmed();
      assert.deepEqual(paths('hoverboard charger'), ['notes.txt:1-3']);
      // Both segments (the first build's and the saved file's) were readied, and scored there, once each, in order.
      assert.equal(index.stats()?.segments, 2);
      assert.equal(scoredAll.length, 2);
      assert.deepEqual(
        scoredAll,
        [...new Set(prepared)].sort((a, b) => a - b),
      );
    } finally {
      Object.assign(Segment.prototype, { prepareScorer, scoreAll });
    }
  });

  it('forgets a deleted file and follows a rename', async () => {
    await rm(join(ws, 'notes.txt'));
    await index.update([join(ws, 'notes.txt')]);
    assert.deepEqual(paths('meeting'), []);
    await rename(join(ws, 'docs', 'guide.md'), join(ws, 'docs', 'manual.md'));
    await index.update([join(ws, 'docs', 'guide.md'), join(ws, 'docs', 'manual.md')]);
    assert.deepEqual(paths('install widget'), ['docs/manual.md:1-7']);
  });

  it('forgets every file of a deleted folder', async () => {
    await rm(join(ws, 'docs'), { recursive: true });
    await index.update([join(ws, 'docs')]);
    assert.deepEqual(paths('install'), []);
    assert.equal(index.stats()?.files, 2);
  });

  it('forgets the files of a folder replaced by a file of the same name, when only that path is reported', async () => {
    await rm(join(ws, 'docs'), { recursive: true });
    await writeFile(join(ws, 'docs'), 'docs is a file now, okapi\n');
    await index.update([join(ws, 'docs')]);
    assert.deepEqual(paths('okapi'), ['docs:1-1']);
    assert.deepEqual(paths('install widget'), []);
    assert.equal(index.stats()?.files, 3); // docs, notes.txt and .gitignore
  });

  it('forgets a file replaced by a folder of the same name that the walk leaves out', async () => {
    await writeFile(join(ws, 'secret'), 'a file named secret, walrus\n'); // `secret/` ignores folders only
    await index.update([join(ws, 'secret')]);
    assert.deepEqual(paths('walrus'), ['secret:1-1']);
    await rm(join(ws, 'secret'));
    await mkdir(join(ws, 'secret'));
    await index.update([join(ws, 'secret')]);
    assert.deepEqual(paths('walrus'), []);
  });

  it('forgets a batch of gone paths at once: files, folders, a folder whose name starts another, and paths never indexed', async () => {
    await mkdir(join(ws, 'doc'), { recursive: true });
    await writeFile(join(ws, 'doc', 'keep.md'), 'kept lighthouse\n');
    await mkdir(join(ws, 'docs', 'deep'), { recursive: true });
    await writeFile(join(ws, 'docs', 'deep', 'a.md'), 'deep anchor\n');
    await index.update([join(ws, 'doc', 'keep.md'), join(ws, 'docs', 'deep', 'a.md')]);
    assert.equal(index.stats()?.files, 5); // with notes.txt, docs/guide.md and .gitignore
    await rm(join(ws, 'docs'), { recursive: true });
    await rm(join(ws, 'notes.txt'));
    const neverIndexed = Array.from({ length: 50 }, (_, i) => join(ws, 'build', `out${i}.js`));
    await index.update([...neverIndexed, join(ws, 'docs'), join(ws, 'notes.txt'), join(ws, 'do')]);
    assert.deepEqual(paths('install'), []);
    assert.deepEqual(paths('anchor'), []);
    assert.deepEqual(paths('meeting'), []);
    assert.deepEqual(paths('lighthouse'), ['doc/keep.md:1-1']); // `docs` is gone, `doc` is not, and `do` is no folder of it
    assert.equal(index.stats()?.files, 2); // doc/keep.md and .gitignore
  });

  it('hands a batch of many files to a sync, and resolves once they are searchable', async () => {
    await mkdir(join(ws, 'generated'));
    const files = Array.from({ length: 300 }, (_, i) => join(ws, 'generated', `page${i}.md`));
    await Promise.all(files.map((file, i) => writeFile(file, `# Page\n\ngenerated ${word(i)}\n`)));
    await index.update(files);
    assert.deepEqual(paths(word(123)), ['generated/page123.md:1-3']);
    const stats = index.stats();
    assert.equal(stats?.files, 303);
    assert.equal(stats?.filesRead, 300); // read by a sync: an update in place reports no sync figures
  });

  it('runs one sync for batches of many files queued one after the other (a branch switch), not one per batch', async () => {
    const { counted, syncs } = syncCounted();
    try {
      await counted.ready();
      syncs.started = 0;
      await mkdir(join(ws, 'switched'));
      const files = Array.from({ length: 900 }, (_, i) => join(ws, 'switched', `page${i}.md`));
      await Promise.all(files.map((file, i) => writeFile(file, `# Page\n\nswitched ${word(i)}\n`)));
      await settleFiles(join(ws, 'switched'));
      // the watcher hands them over in batches as they come, each queued behind the one before
      const batches = [0, 300, 600].map(start => counted.update(files.slice(start, start + 300)));
      await Promise.all(batches);
      await counted.synced();
      assert.equal(syncs.started, 1);
      assert.deepEqual(
        counted.search(word(777), 5).map(h => h.path),
        ['switched/page777.md'],
      );
      assert.equal(counted.stats()?.files, 903);
    } finally {
      counted.dispose();
    }
  });

  it('reads in place a batch of many files whose size and mtime the index holds already, without a sync', async () => {
    const files = Array.from({ length: 300 }, (_, i) => join(ws, `note${i}.md`));
    await Promise.all(files.map((file, i) => writeFile(file, `note ${i}\n`)));
    await settleFiles(...files);
    await index.sync();
    const { counted, syncs } = syncCounted();
    try {
      await counted.ready();
      syncs.started = 0;
      await writeFile(join(ws, 'notes.txt'), 'meeting notes\n\nthe walrus agenda\n');
      await counted.update([...files, join(ws, 'notes.txt')]);
      assert.equal(syncs.started, 0);
      assert.deepEqual(
        counted.search('walrus', 5).map(h => h.path),
        ['notes.txt'],
      );
    } finally {
      counted.dispose();
    }
  });

  it('leaves git-ignored and excluded files out of updates too', async () => {
    await mkdir(join(ws, 'secret'));
    await writeFile(join(ws, 'secret', 'keys.md'), 'password zebra\n');
    await index.update([join(ws, 'secret', 'keys.md')]);
    assert.deepEqual(paths('zebra'), []);
  });

  it('walks again for a new folder, but not for one the walk leaves out (a build output, an installed package)', async () => {
    const { counted, syncs } = syncCounted();
    try {
      await counted.ready();
      syncs.started = 0;
      await mkdir(join(ws, 'secret', 'deep'), { recursive: true });
      await mkdir(join(ws, 'node_modules', 'x'), { recursive: true });
      await writeFile(join(ws, 'node_modules', 'x', 'readme.md'), 'okapi\n');
      await counted.update([join(ws, 'secret'), join(ws, 'secret', 'deep'), join(ws, 'node_modules', 'x')]);
      assert.equal(syncs.started, 0);
      await mkdir(join(ws, 'more'));
      await writeFile(join(ws, 'more', 'okapi.md'), 'okapi\n');
      await counted.update([join(ws, 'more')]);
      assert.equal(syncs.started, 1);
      assert.deepEqual(
        counted.search('okapi', 5).map(h => h.path),
        ['more/okapi.md'],
      );
    } finally {
      counted.dispose();
    }
  });

  it('does not read through a link that leads out of the workspace, and forgets a file replaced by one', async () => {
    await writeFile(join(temp, 'outside.txt'), 'outside zebra\n');
    await symlink(join(temp, 'outside.txt'), join(ws, 'link.txt'));
    await index.update([join(ws, 'link.txt')]);
    assert.deepEqual(paths('zebra'), []);
    await unlink(join(ws, 'notes.txt'));
    await symlink(join(temp, 'outside.txt'), join(ws, 'notes.txt'));
    await index.update([join(ws, 'notes.txt')]);
    assert.deepEqual(paths('zebra'), []);
    assert.deepEqual(paths('meeting'), []);
  });

  it('reads through a link that stays inside the workspace to a file left out by its own path', async () => {
    await mkdir(join(ws, 'secret'));
    await writeFile(join(ws, 'secret', 'plan.md'), 'the walrus plan\n');
    await symlink(join(ws, 'secret', 'plan.md'), join(ws, 'plan-link.md'));
    await index.update([join(ws, 'plan-link.md')]);
    assert.deepEqual(paths('walrus'), ['plan-link.md:1-1']);
  });

  it('indexes a file that links lead to once, by its own path, and keeps it so across saves', async () => {
    await symlink(join(ws, 'docs'), join(ws, 'alias'));
    await symlink(join(ws, 'notes.txt'), join(ws, 'notes-link.txt'));
    await index.update([join(ws, 'alias'), join(ws, 'notes-link.txt')]); // a new folder: a walk
    await writeFile(join(ws, 'docs', 'guide.md'), '# Guide\n\nInstall the gizmo.\n');
    await writeFile(join(ws, 'notes.txt'), 'meeting notes about the gizmo\n');
    // the watcher reports the real paths; a save through a link reports the link's
    await index.update([join(ws, 'docs', 'guide.md'), join(ws, 'notes.txt'), join(ws, 'alias', 'guide.md')]);
    assert.deepEqual(paths('gizmo').sort(), ['docs/guide.md:1-3', 'notes.txt:1-1']);
    assert.deepEqual(paths('widget'), []);
    assert.equal(index.stats()?.files, 3);
  });

  it('keeps to the file limit: tells once how many files were left out and how to narrow, and adds none past it', async () => {
    const capped = new WorkspaceIndex({
      folders: () => [ws],
      rules: () => ({ maxFiles: 2 }),
      workerFile: false,
      onNotice: m => notices.push(m),
    });
    try {
      const stats = await capped.sync();
      assert.equal(stats.files, 2);
      assert.equal(stats.skipped['file-limit'], 1);
      await writeFile(join(ws, 'extra.md'), 'zebra crossing\n');
      await capped.update([join(ws, 'extra.md')]);
      assert.equal(capped.stats()?.files, 2);
      assert.equal(capped.stats()?.skipped['file-limit'], 2);
      assert.deepEqual(capped.search('zebra', 5), []);
      const told = notices.filter(n => /left out/.test(n));
      assert.equal(told.length, 1);
      assert.match(told[0] ?? '', /1 file was left out: .*grounded\.index\.maxFiles.*grounded\.index\.include/);
    } finally {
      capped.dispose();
    }
  });

  it('saves updates, so a new session starts from them without reading unchanged files', async () => {
    await writeFile(join(ws, 'notes.txt'), 'quarterly planning\n');
    await settleFiles(join(ws, 'notes.txt'));
    await index.update([join(ws, 'notes.txt')]);
    await index.flush();
    const next = new WorkspaceIndex({ folders: () => [ws], storeDir: join(temp, 'store'), workerFile: false });
    const stats = await next.sync();
    assert.equal(stats.filesRead, 0);
    assert.deepEqual(
      next.search('quarterly', 5).map(h => h.path),
      ['notes.txt'],
    );
    assert.deepEqual(next.search('meeting', 5), []);
    next.dispose();
    assert.deepEqual(notices, []);
  });

  it('saves the merge a sync makes when no file changed, so the saves after it find every segment they name', async () => {
    // two of the four chunks deleted: a sync merges the segments, and finds no file changed since the last save
    await writeFile(join(ws, 'notes.txt'), 'meeting notes, first draft\n');
    await writeFile(join(ws, 'docs', 'guide.md'), '# Guide\n\nInstall the gadget.\n');
    await settleFiles(join(ws, 'notes.txt'), join(ws, 'docs', 'guide.md'));
    await index.update([join(ws, 'notes.txt'), join(ws, 'docs', 'guide.md')]);
    assert.ok(await until(() => index.stats()?.deletedChunks === 0 && !index.isSyncing), 'merged');
    await index.flush();
    await writeFile(join(ws, 'notes.txt'), 'meeting notes, second draft\n');
    await settleFiles(join(ws, 'notes.txt'));
    await index.update([join(ws, 'notes.txt')]);
    await index.flush();
    assert.deepEqual(notices, []);
    assert.equal(index.stats()?.saveProblem, undefined);
    const next = new WorkspaceIndex({ folders: () => [ws], storeDir: join(temp, 'store'), workerFile: false });
    try {
      const stats = await next.sync();
      assert.equal(stats.filesRead, 0, 'the saved index holds every change');
      assert.deepEqual(
        next.search('second draft', 5).map(h => h.path),
        ['notes.txt'],
      );
    } finally {
      next.dispose();
    }
  });

  it('merges small segments in the background as edits pile up', async () => {
    for (let i = 0; i < 8; i++) {
      await writeFile(join(ws, `n${i}.txt`), `note number ${i}\n`);
      await index.update([join(ws, `n${i}.txt`)]);
    }
    await until(() => (index.stats()?.segments ?? 99) < 9); // the merge runs in the background
    await index.flush();
    assert.ok((index.stats()?.segments ?? 99) < 9, `segments: ${index.stats()?.segments}`);
    assert.equal(index.search('number', 20).length, 8);
  });
});
