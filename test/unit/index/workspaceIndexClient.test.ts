import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Worker, WorkerOptions } from 'node:worker_threads';
import { DEFAULT_WORKER_FILE } from '../../../src/index/build/indexWorkerClient';
import type { IndexRequest } from '../../../src/index/build/indexThreadMessages';
import { quietWorker } from '../../../src/index/build/quietWorker';
import { LOCK_FILE } from '../../../src/index/store/storeLock';
import { WorkspaceIndex } from '../../../src/index/workspaceIndex';
import { WorkspaceIndexClient, type WorkspaceIndexClientConfig } from '../../../src/index/workspaceIndexClient';
import { LocalRetriever } from '../../../src/retrievers/localRetriever';
import type { IndexStats } from '../../../src/index';
import { tempDirs } from '../../support/tempDirs';

/**
 * Index threads as a test reaches them: every one started with the requests posted to it, and the next search
 * posted to one kills it instead.
 */
function threads() {
  const started: { worker: Worker; requests: IndexRequest[] }[] = [];
  let kill = false;
  const spawn = (file: string, options: Omit<WorkerOptions, 'stdout'>): Worker => {
    const worker = quietWorker(file, options);
    const requests: IndexRequest[] = [];
    started.push({ worker, requests });
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: IndexRequest) => {
      if (kill && message.type === 'search') {
        kill = false;
        void worker.terminate(); // the thread dies with the query in flight
        return;
      }
      requests.push(message);
      post(message);
    };
    return worker;
  };
  return { spawn, started, killAtNextSearch: () => (kill = true) };
}

describe('the workspace index in its own thread (WorkspaceIndexClient)', () => {
  const dirs = tempDirs();
  let ws: string;
  let storeDir: string;
  let clients: WorkspaceIndexClient[];
  beforeEach(async () => {
    const temp = await dirs.make('grounded-thread-');
    ws = join(temp, 'ws');
    storeDir = join(temp, 'store');
    await mkdir(join(ws, 'src'), { recursive: true });
    await writeFile(join(ws, 'src', 'config.ts'), 'export function parseConfig(text: string) {\n  return text;\n}\n');
    await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget, then parse the config file.\n');
    clients = [];
  });
  afterEach(async () => {
    for (const c of clients) c.dispose();
    await Promise.all(clients.map(c => c.stopped));
  });

  const open = (config: Partial<WorkspaceIndexClientConfig> = {}): WorkspaceIndexClient => {
    const client = new WorkspaceIndexClient({
      folders: () => [ws],
      storeDir,
      workerFile: DEFAULT_WORKER_FILE,
      ...config,
    });
    clients.push(client);
    return client;
  };

  it('syncs, searches and applies a saved file in the thread, and mirrors its counts and folders here', async () => {
    const changes: IndexStats[] = [];
    const client = open({ onChange: stats => changes.push(stats) });
    assert.equal(client.stats(), undefined);
    const syncing = client.sync();
    assert.equal(client.isSyncing, true);
    const stats = await syncing;
    assert.equal(client.isSyncing, false);
    assert.equal(stats.files, 2);
    assert.equal(client.stats()?.files, 2);
    assert.deepEqual(client.indexedFolders, [ws]);
    assert.equal(client.folderCount, 1);
    assert.ok(changes.length > 0, 'onChange heard the sync');
    assert.equal((await client.search('parseConfig', 3))[0]?.path, 'src/config.ts');

    await writeFile(join(ws, 'notes.md'), '# Notes\n\nThe hoverboard charger lives in the garage.\n');
    await client.update([join(ws, 'notes.md')]);
    assert.equal((await client.search('hoverboard charger', 3))[0]?.path, 'notes.md');
    assert.equal(client.stats()?.files, 3);
  });

  it('sends the term weights of the texts, the common terms and any other term in one reply, as the index has them', async () => {
    const client = open();
    await client.sync();
    const here = new WorkspaceIndex({ folders: () => [ws], workerFile: false });
    await here.sync();
    const exact = await here.termWeights();
    const weight = await client.termWeights(['How do I parse the config?']);
    assert.ok(weight && exact);
    for (const term of ['pars', 'config', 'widget', 'zzzunknown']) assert.equal(weight(term), exact(term), term);
    here.dispose();
  });

  it('answers through LocalRetriever, which reads the passages of the hits it is sent', async () => {
    const retriever = new LocalRetriever(open());
    await retriever.refresh();
    const [top] = await retriever.search('install the widget', { k: 2 });
    assert.equal(top?.path, 'guide.md');
    assert.match(top?.text ?? '', /Install the widget/);
    assert.ok(await retriever.termWeights(['widget']));
  });

  it('fails a query in flight when the thread dies, restarts it from the store and re-applies unsaved files', async () => {
    const notices: string[] = [];
    const { spawn, started, killAtNextSearch } = threads();
    // Saved files wait a minute before they are written: the update below is only in the thread's memory.
    const client = open({ spawn, persistDelayMs: 60_000, onNotice: m => notices.push(m) });
    await client.sync();
    await writeFile(join(ws, 'late.md'), '# Late\n\nThe flux capacitor was saved just before the crash.\n');
    await client.update([join(ws, 'late.md')]);

    killAtNextSearch();
    await assert.rejects(client.search('parse config', 3), /The index stopped unexpectedly; it is restarting/);
    assert.equal(notices.filter(n => /stopped unexpectedly/.test(n)).length, 1);

    assert.equal((await client.search('flux capacitor', 3))[0]?.path, 'late.md');
    assert.equal(started.length, 2, 'a new thread was started');
    // The new thread was sent the unsaved file again (its sync would find it too, but only once it has walked).
    const resent = started[1]?.requests.find(r => r.type === 'update');
    assert.deepEqual(resent?.type === 'update' && resent.locations, [join(ws, 'late.md')]);
    assert.equal((await client.search('parseConfig', 3))[0]?.path, 'src/config.ts');
  });

  it("drops the store's lock that the stopped thread's sync held, so the new thread syncs at once", async () => {
    const { spawn, killAtNextSearch } = threads();
    const client = open({ spawn });
    await client.sync();
    // what a sync of the thread leaves when the thread dies with it: a lock of this live process
    await writeFile(join(storeDir, LOCK_FILE), `${process.pid} ${hostname()} 99\n`);
    await writeFile(join(ws, 'late.md'), '# Late\n\nThe flux capacitor was saved during the crash.\n');
    killAtNextSearch();
    await assert.rejects(client.search('parse config', 3), /stopped unexpectedly/);
    await client.sync();
    assert.equal((await client.search('flux capacitor', 3))[0]?.path, 'late.md');
  });

  it('sends a new thread only the files updated since the last save', async () => {
    const { spawn, started, killAtNextSearch } = threads();
    const client = open({ spawn, persistDelayMs: 60_000 });
    await client.sync();
    await writeFile(join(ws, 'early.md'), '# Early\n\nSaved before the flush.\n');
    await client.update([join(ws, 'early.md')]);
    await client.flush();
    await writeFile(join(ws, 'late.md'), '# Late\n\nSaved after the flush.\n');
    await client.update([join(ws, 'late.md')]);
    killAtNextSearch();
    await assert.rejects(client.search('saved', 3), /stopped unexpectedly/);
    assert.deepEqual((await client.search('saved flush', 3)).map(h => h.path).sort(), ['early.md', 'late.md']);
    const resent = started[1]?.requests.filter(r => r.type === 'update');
    assert.deepEqual(
      resent?.map(r => r.type === 'update' && r.locations),
      [[join(ws, 'late.md')]],
    );
  });

  it('stops restarting a thread that keeps dying, says so, and still stops when disposed', async () => {
    const notices: string[] = [];
    const { spawn, started, killAtNextSearch } = threads();
    const client = open({ spawn, onNotice: m => notices.push(m) });
    await client.sync();
    for (let i = 0; i < 4; i++) {
      killAtNextSearch();
      await assert.rejects(client.search('parse', 1), /stopped unexpectedly/);
    }
    assert.equal(started.length, 4, 'three restarts, then none');
    await assert.rejects(client.search('parse', 1), /several times in a row/);
    assert.ok(notices.some(n => /several times in a row/.test(n)));
    client.dispose();
    await client.stopped;
  });

  it('starts no thread before it is asked something (a window without folders)', async () => {
    const { spawn, started } = threads();
    const client = open({ spawn });
    assert.equal(client.stats(), undefined);
    assert.equal(client.isSyncing, false);
    client.dispose();
    await client.stopped;
    assert.equal(started.length, 0);
  });

  it('stops its thread when disposed, and refuses requests after', async () => {
    const { spawn, started } = threads();
    const client = open({ spawn });
    await client.sync();
    const exited = new Promise(resolve => started[0]?.worker.once('exit', resolve));
    client.dispose();
    await exited;
    await client.stopped;
    await assert.rejects(client.search('parse', 1), /The index was closed/);
  });
});
