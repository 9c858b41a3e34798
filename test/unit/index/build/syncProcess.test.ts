import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GroundedError } from '../../../../src/core/errors';
import { DEFAULT_WORKER_FILE, runSyncTask } from '../../../../src/index/build/indexWorkerClient';
import { runSyncProcess, SYNC_PROCESS_ENV, syncInOwnSession } from '../../../../src/index/build/syncProcess';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { WorkspaceIndex } from '../../../../src/index/workspaceIndex';
import { tempDirs } from '../../../support/tempDirs';

/** The session id of process `pid` (the sixth field of its /proc stat). */
const sessionOf = (pid: number | string): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]);

/** `fork`, remembering the processes it started. */
function recordingFork(started: ChildProcess[]): typeof fork {
  return ((file: string, options: object) => {
    const child = fork(file, options);
    started.push(child);
    return child;
  }) as typeof fork;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise(resolve => child.once('exit', () => resolve()));

describe('a sync in a process of its own session', () => {
  const dirs = tempDirs();
  let ws: string;
  before(async function () {
    if (process.platform !== 'linux') this.skip(); // sessions weigh in Linux's scheduler only
    ws = await dirs.make('grounded-sync-process-');
    for (let i = 0; i < 300; i++)
      await writeFile(join(ws, `f${i}.md`), `# File ${i}\n\nalpha beta gamma ${i % 7 === 0 ? 'heptagon' : ''}\n`);
  });

  it('is what Linux gets, and nowhere else', () => {
    assert.equal(syncInOwnSession('linux'), true);
    assert.equal(syncInOwnSession('darwin'), false);
    assert.equal(syncInOwnSession('win32'), false);
  });

  it('runs in a child process that leads a session of its own, and answers like an in-process build', async () => {
    const started: ChildProcess[] = [];
    const progress: number[] = [];
    const sessions: number[] = [];
    const result = await runSyncProcess(
      DEFAULT_WORKER_FILE,
      { folders: [ws], rules: {} },
      {
        heapMb: 512,
        spawn: recordingFork(started),
        onProgress: p => {
          progress.push(p.done);
          const pid = started[0]?.pid;
          if (pid === undefined || sessions.length > 0) return;
          sessions.push(sessionOf(pid)); // read while the process runs (it has posted progress)
        },
      },
    );
    const pid = started[0]?.pid;
    assert.ok(pid !== undefined && pid !== process.pid, 'a child process ran the sync');
    assert.deepEqual(sessions, [pid], 'the process leads its own session');
    assert.notEqual(sessionOf('self'), pid);
    assert.equal(progress[progress.length - 1], 300);
    const alone = await runSyncTask({ folders: [ws], rules: {} }, { workerFile: false });
    const key = (snapshot: typeof result.snapshot) =>
      new SegmentedIndex(snapshot)
        .search('heptagon', 50)
        .map(h => `${h.path} ${h.score}`)
        .sort();
    assert.equal(key(result.snapshot).length, 43);
    assert.deepEqual(key(result.snapshot), key(alone.snapshot));
    await exited(started[0] as ChildProcess);
  });

  it('is how the workspace index runs its full syncs on Linux', async () => {
    const workerFile = join(__dirname, '../../../fakes/sessionReportingWorker.js');
    const index = new WorkspaceIndex({ folders: () => [ws], workerFile });
    try {
      await assert.rejects(index.sync({ fromScratch: true }), /started as a process leading a session of its own/);
    } finally {
      await index.close();
    }
  });

  it('is not how a saved index is checked against the disk: that sync runs in a thread, in any session', async () => {
    const storeDir = await dirs.make('grounded-sync-store-');
    const built = new WorkspaceIndex({ folders: () => [ws], storeDir, workerFile: false });
    try {
      await built.sync();
      await built.flush();
    } finally {
      await built.close();
    }
    const workerFile = join(__dirname, '../../../fakes/sessionReportingWorker.js');
    const index = new WorkspaceIndex({ folders: () => [ws], storeDir, workerFile });
    try {
      await assert.rejects(index.sync(), /started as a worker thread/);
      await assert.rejects(index.sync({ fromScratch: true }), /started as a process leading a session of its own/);
    } finally {
      await index.close();
    }
  });

  it('stops the process when cancelled', async () => {
    const started: ChildProcess[] = [];
    const controller = new AbortController();
    const sync = runSyncProcess(
      DEFAULT_WORKER_FILE,
      { folders: [ws], rules: {} },
      { heapMb: 512, spawn: recordingFork(started), signal: controller.signal, onProgress: () => controller.abort() },
    );
    await assert.rejects(sync, { name: 'AbortError' });
    await exited(started[0] as ChildProcess);
    assert.equal(started[0]?.signalCode, 'SIGTERM', 'the process was killed');
  });

  it('stops in the middle of a sync when the process that started it goes away (nothing saved)', async () => {
    const storeDir = join(await dirs.make('grounded-sync-orphan-'), '.store');
    // the index worker, its sync held until this end of the channel closes: then it would go on to its save
    const child = fork(join(__dirname, '../../../fakes/heldSyncWorker.js'), {
      env: { ...process.env, [SYNC_PROCESS_ENV]: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    child.send({ kind: 'sync', request: { folders: [ws], rules: {}, storeDir } });
    const first = await new Promise<{ type: string }>(resolve => child.once('message', resolve));
    assert.equal(first.type, 'held', 'the sync is under way, holding the store, when its parent goes away');
    child.disconnect();
    await exited(child);
    assert.equal(child.exitCode, 0);
    assert.equal(existsSync(join(storeDir, 'manifest.bin')), false, 'the sync did not run to its save');
  });

  it('exits with 0, not on an unhandled error, when it sends after the process that started it went away unheard', async () => {
    const gone = join(await dirs.make('grounded-sync-orphan-'), 'gone');
    const child = fork(join(__dirname, '../../../fakes/orphanedSyncProcess.js'), {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('disconnect', () => writeFileSync(gone, '')); // this end is closed: the child may send again
    child.send(gone);
    await new Promise(resolve => child.once('message', resolve));
    child.disconnect();
    await exited(child);
    assert.equal(child.exitCode, 0, stderr);
    assert.equal(stderr, '');
  });

  it('runs under a heap limit, and a process stopped by it fails with a message that says how to index less', async () => {
    const file = join(__dirname, '../../../fakes/hungryProcess.js');
    await assert.rejects(runSyncProcess(file, { folders: [ws], rules: {} }, { heapMb: 32 }), (e: unknown) => {
      assert.ok(e instanceof GroundedError, String(e));
      assert.match(e.message, /ran out of memory \(its limit is 32 MB\).*grounded\.index\.include/);
      return true;
    });
  });

  it('reports a process that stops before its result', async () => {
    const file = join(ws, 'exits.js');
    await writeFile(file, 'process.exit(3);\n');
    await assert.rejects(
      runSyncProcess(file, { folders: [ws], rules: {} }, { heapMb: 64 }),
      /index process stopped \(exit code 3\) before it finished/,
    );
  });
});
