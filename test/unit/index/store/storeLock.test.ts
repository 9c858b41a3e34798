import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import { runSyncTask } from '../../../../src/index/build/indexWorkerClient';
import { dropLockOf, LOCK_FILE, lockStore, type Heartbeat } from '../../../../src/index/store/storeLock';
import { until } from '../../../support/until';
import { searchStoreOnce } from '../../../support/storeSession';
import { tempDirs } from '../../../support/tempDirs';

/**
 * Counts the reads of the lock file at `lock` (the module object the lock calls into, patched until `restore`): a
 * waiter reads the lock each time it judges it, so two reads say it judged the lock, waited, and judged it again.
 * `onRead` hears the count after each.
 */
function countReads(lock: string, onRead: (reads: number) => void = () => undefined) {
  const fs = fsPromises as { readFile: typeof fsPromises.readFile };
  const readBefore = fs.readFile;
  const counted = { reads: 0, restore: () => (fs.readFile = readBefore) };
  fs.readFile = ((path: string, ...rest: []) => {
    const read = readBefore(path, ...rest);
    if (path === lock) onRead(++counted.reads);
    return read;
  }) as typeof fsPromises.readFile;
  return counted;
}

/** A heartbeat that beats only when the test calls `beat` (and says when the beat is done). */
function manualHeartbeat() {
  let tick: (() => unknown) | undefined;
  return {
    every: ((_ms, t) => {
      tick = t;
      return () => (tick = undefined);
    }) as Heartbeat,
    beat: async () => {
      await tick?.();
    },
    get running() {
      return tick !== undefined;
    },
  };
}

describe('the store lock', () => {
  const dirs = tempDirs();
  /** A workspace of `count` notes, `note7.md` saying that the flux level of unit 7 is 49 gigawatts, and its store. */
  const notes = async (count: number) => {
    const temp = await dirs.make('grounded-lock-');
    const ws = join(temp, 'ws');
    await mkdir(ws);
    for (let i = 0; i < count; i++)
      await writeFile(join(ws, `note${i}.md`), `# Note ${i}\n\nThe flux level of unit ${i} is ${i * 7} gigawatts.\n`);
    return { ws, store: join(temp, 'store') };
  };

  it('lets one sync hold the store at a time: a second waits until the first releases it', async () => {
    const dir = await dirs.make('grounded-lock-');
    const first = await lockStore(dir);
    const reads = countReads(join(dir, LOCK_FILE));
    let secondHolds = false;
    const second = lockStore(dir).then(release => {
      secondHolds = true;
      return release;
    });
    try {
      assert.ok(await until(() => reads.reads >= 2), 'the second judges the lock, and again after a wait');
    } finally {
      reads.restore();
    }
    assert.equal(secondHolds, false, 'the second waits while the first holds the lock');
    await first();
    const release = await second;
    assert.equal(secondHolds, true);
    await release();
    assert.deepEqual(await readdir(dir), [], 'released, the lock file is gone');
  });

  it('says so when a lock left behind cannot be removed, and a sync still builds and saves the index', async () => {
    const { ws, store } = await notes(3);
    // left behind as nothing can remove it: a folder by the lock's name, untouched for long
    const lock = join(store, LOCK_FILE);
    await mkdir(lock, { recursive: true });
    await writeFile(join(store, '.grounded-index'), '');
    const old = new Date(Date.now() - 3_600_000);
    await utimes(lock, old, old);
    await assert.rejects(lockStore(store, AbortSignal.timeout(5_000)), (e: unknown) => {
      assert.match(String(e), /lock .*sync\.lock was left by a process that ended, and cannot be removed .*delete it/);
      return true;
    });
    const result = await runSyncTask({ folders: [ws], rules: {}, storeDir: store }, { workerFile: false });
    assert.equal(result.saveProblem, undefined);
    assert.equal(result.stats.files, 3);
    assert.ok(existsSync(join(store, 'manifest.bin')));
  });

  it('neither touches nor removes a lock that another took over while this holder was held up', async () => {
    const dir = await dirs.make('grounded-lock-');
    const lock = join(dir, LOCK_FILE);
    const heartbeat = manualHeartbeat();
    const release = await lockStore(dir, undefined, heartbeat.every);
    // what a waiter does with a lock untouched for STALE_MS (this holder asleep): removes it and takes the store
    await rm(lock);
    const other = `${process.pid} ${hostname()} 77 0123456789ab\n`;
    await writeFile(lock, other);
    const old = new Date(Date.now() - 10_000);
    await utimes(lock, old, old);
    await heartbeat.beat();
    assert.ok((await stat(lock)).mtimeMs < Date.now() - 5_000, "the other's lock is not touched by this holder");
    assert.equal(heartbeat.running, false, 'the heartbeat stopped');
    await release();
    assert.equal(await readFile(lock, 'utf8'), other, "releasing leaves the other's lock in place");
  });

  it('keeps its lock fresh, and removes it at release, while the lock cannot be read (a scanner holds it)', async () => {
    const dir = await dirs.make('grounded-lock-');
    const lock = join(dir, LOCK_FILE);
    const heartbeat = manualHeartbeat();
    const release = await lockStore(dir, undefined, heartbeat.every);
    const old = new Date(Date.now() - 30_000);
    await utimes(lock, old, old);
    // the module object the lock calls into, patched for this test alone: every read of the lock fails (EBUSY)
    const fs = fsPromises as { readFile: typeof fsPromises.readFile };
    const readBefore = fs.readFile;
    fs.readFile = ((path: string, ...rest: []) =>
      path === lock
        ? Promise.reject(Object.assign(new Error('resource busy'), { code: 'EBUSY' }))
        : readBefore(path, ...rest)) as typeof fsPromises.readFile;
    try {
      await heartbeat.beat();
      assert.ok((await stat(lock)).mtimeMs > Date.now() - 5_000, 'the heartbeat touched the lock');
      await release();
      assert.deepEqual(await readdir(dir), [], 'released, the lock file is gone');
    } finally {
      fs.readFile = readBefore;
    }
  });

  it('takes over a lock whose process is gone, or that nobody has touched for a while', async () => {
    const dir = await dirs.make('grounded-lock-');
    await writeFile(join(dir, LOCK_FILE), '2147483646\n'); // no such process
    await (
      await lockStore(dir)
    )();
    await writeFile(join(dir, LOCK_FILE), `${process.pid} ${hostname()}\n`); // a live process, but a crashed thread left it
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(join(dir, LOCK_FILE), old, old);
    await (
      await lockStore(dir)
    )();
  });

  it('takes over a lock that names no holder once it is a few seconds old, and waits for a fresh one', async () => {
    const dir = await dirs.make('grounded-lock-');
    await writeFile(join(dir, LOCK_FILE), ''); // a crash between creating the lock and writing it
    const controller = new AbortController();
    const reads = countReads(join(dir, LOCK_FILE), n => n === 2 && controller.abort(new Error('gave up')));
    try {
      await assert.rejects(lockStore(dir, controller.signal), /gave up/, 'a fresh one may be a lock being written');
    } finally {
      reads.restore();
    }
    const old = new Date(Date.now() - 10_000);
    await utimes(join(dir, LOCK_FILE), old, old);
    const release = await lockStore(dir, AbortSignal.timeout(30_000)); // not the minute an untouched lock waits
    assert.match(await readFile(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid} `));
    await release();
  });

  it("waits for a lock it cannot read rather than take it as left by a crash: it may be a live holder's", async () => {
    const dir = await dirs.make('grounded-lock-');
    const lock = join(dir, LOCK_FILE);
    await writeFile(lock, `${process.pid} ${hostname()} 0\n`); // a live holder whose heartbeat a long merge holds up
    const old = new Date(Date.now() - 10_000);
    await utimes(lock, old, old);
    // the module object the lock calls into, patched for this test alone: every read of the lock fails (EMFILE, EBUSY)
    const fs = fsPromises as { readFile: typeof fsPromises.readFile };
    const readBefore = fs.readFile;
    const controller = new AbortController();
    let refused = 0;
    fs.readFile = ((path: string, ...rest: []) => {
      if (path !== lock) return readBefore(path, ...rest);
      // the second read is of a waiter that did not take the lock at the first: enough seen
      if (++refused === 2) controller.abort(new Error('gave up'));
      return Promise.reject(Object.assign(new Error('too many open files'), { code: 'EMFILE' }));
    }) as typeof fsPromises.readFile;
    try {
      await assert.rejects(lockStore(dir, controller.signal), /gave up/);
      assert.ok(refused >= 2, 'the lock was read, and read again after a wait');
      assert.match(await readBefore(lock, 'utf8'), new RegExp(`^${process.pid} `), "the holder's lock is still there");
    } finally {
      fs.readFile = readBefore;
    }
  });

  it('creates the lock in place where the file system has no links (FAT, some network shares)', async () => {
    const dir = await dirs.make('grounded-lock-');
    // the module object the lock calls into, patched for this test alone
    const fs = fsPromises as { link: typeof fsPromises.link };
    const linkBefore = fs.link;
    let refused = 0;
    fs.link = () => {
      refused++;
      return Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    };
    try {
      const first = await lockStore(dir);
      assert.match(await readFile(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid} `));
      const controller = new AbortController();
      const reads = countReads(join(dir, LOCK_FILE), n => n === 2 && controller.abort(new Error('gave up')));
      try {
        await assert.rejects(lockStore(dir, controller.signal), /gave up/, 'held in place, it is still exclusive');
      } finally {
        reads.restore();
      }
      await first();
      assert.deepEqual(await readdir(dir), [], 'no temporary file is left');
      assert.ok(refused > 0, 'the lock tried to link first');
    } finally {
      fs.link = linkBefore;
    }
  });

  it('does not overwrite a lock created in place by another between its look and its write (no links)', async () => {
    const dir = await dirs.make('grounded-lock-');
    const lock = join(dir, LOCK_FILE);
    // a live holder of this machine: its lock is not stale
    const other = `${process.pid} ${hostname()} 0 other-hold\n`;
    const fs = fsPromises as { link: typeof fsPromises.link };
    const linkBefore = fs.link;
    // the other creates the lock in place after this one found none, before this one falls back to writing it
    fs.link = async () => {
      await writeFile(lock, other);
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    };
    const controller = new AbortController();
    const reads = countReads(lock, n => n === 2 && controller.abort(new Error('gave up')));
    try {
      await assert.rejects(lockStore(dir, controller.signal), /gave up/, 'it waits for the other');
      assert.equal(await readFile(lock, 'utf8'), other, "the other's lock is untouched");
    } finally {
      reads.restore();
      fs.link = linkBefore;
    }
  });

  it('waits for a fresh lock of a process on another machine, whose pid means nothing here', async () => {
    const dir = await dirs.make('grounded-lock-');
    await writeFile(join(dir, LOCK_FILE), '2147483646 another-host\n');
    const controller = new AbortController();
    const reads = countReads(join(dir, LOCK_FILE), n => n === 2 && controller.abort(new Error('gave up')));
    try {
      await assert.rejects(lockStore(dir, controller.signal), /gave up/);
    } finally {
      reads.restore();
    }
  });

  it('stops waiting when the sync is cancelled', async () => {
    const dir = await dirs.make('grounded-lock-');
    const held = await lockStore(dir);
    const controller = new AbortController();
    // cancelled while it waits: once it has judged the lock held
    const reads = countReads(join(dir, LOCK_FILE), n => n === 1 && controller.abort(new Error('cancelled')));
    try {
      await assert.rejects(lockStore(dir, controller.signal), /cancelled/);
    } finally {
      reads.restore();
    }
    await held();
  });

  it('lets two indexes of one folder sync one store at once and leaves a store the next one loads as it is', async () => {
    const { ws, store } = await notes(40);
    const session = async () => {
      const { hits, notices } = await searchStoreOnce(ws, store, 'flux level of unit 7', 3);
      return { hits: hits.map(h => `${h.path}:${h.startLine}-${h.endLine}`), notices };
    };
    const [a, b] = await Promise.all([session(), session()]);
    assert.deepEqual(a.hits, b.hits);
    const next = await session();
    assert.deepEqual(next.notices, [], 'the store is whole: nothing to rebuild');
    assert.deepEqual(next.hits, a.hits);
    assert.equal(next.hits[0], 'note7.md:1-3');
    assert.ok(!(await readdir(store)).includes(LOCK_FILE), 'no lock is left behind');
  });

  it("drops only a lock that a thread of this process held: that thread's, or any of this process's", async () => {
    const dir = await dirs.make('grounded-lock-');
    const lock = join(dir, LOCK_FILE);
    await writeFile(lock, `${process.pid} ${hostname()} 7\n`);
    await dropLockOf(dir, 8);
    assert.ok(existsSync(lock), "another thread's lock stays");
    await dropLockOf(dir, 7);
    assert.ok(!existsSync(lock), "the thread's lock is gone");
    await writeFile(lock, `2147483646 ${hostname()} 7\n`);
    await dropLockOf(dir);
    assert.ok(existsSync(lock), "another process's lock stays");
    await writeFile(lock, `${process.pid} ${hostname()} 3\n`);
    await dropLockOf(dir);
    assert.ok(!existsSync(lock), "any thread's lock of this process goes when no thread is named");
  });

  it('leaves no lock behind a sync whose worker was stopped mid-way (a cancelled sync)', async () => {
    const { ws, store } = await notes(2);
    const controller = new AbortController();
    // the index worker, its sync held once it holds the lock, until it is stopped
    const workerFile = join(__dirname, '../../../fakes/heldSyncWorker.js');
    const sync = runSyncTask({ folders: [ws], rules: {}, storeDir: store }, { signal: controller.signal, workerFile });
    sync.catch(() => undefined);
    assert.ok(await until(() => existsSync(join(store, LOCK_FILE))), 'the worker holds the lock');
    controller.abort(new Error('cancelled'));
    await assert.rejects(sync, /cancelled/);
    // the terminated worker could not release it; without this process doing so, the next sync would wait a minute
    assert.ok(await until(() => !existsSync(join(store, LOCK_FILE))), 'the lock is gone');
  });
});
