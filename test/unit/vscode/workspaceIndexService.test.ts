import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as CommandsModule from '../../../src/vscode/commands';
import type * as ServiceModule from '../../../src/vscode/workspaceIndexService';
import { fakeVscodeWorkspace, fileUri, requireWithVscode } from '../../fakes/fakeVscodeWorkspace';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

type Service = ServiceModule.WorkspaceIndexService;

/** A LogOutputChannel that keeps its lines. */
function fakeLog() {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (...args: unknown[]) =>
      void lines.push(`${level} ${args.map(String).join(' ')}`);
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error'), trace: keep('trace'), show: () => {} };
}

describe('the workspace index service (VS Code adapter: status item, watcher, folders, settings)', () => {
  const dirs = tempDirs();
  let services: Service[];
  beforeEach(() => (services = []));
  afterEach(() => {
    for (const s of services) s.dispose();
  });

  /**
   * A service over `folders`, with its fake `vscode` and its commands (Rebuild Index) registered; the index lives in
   * memory (no storage folder).
   */
  function open(
    folders: Parameters<ReturnType<typeof fakeVscodeWorkspace>['setFolders']>[0],
    storage?: string,
    fake = fakeVscodeWorkspace(),
  ) {
    fake.setFolders(folders, false);
    const log = fakeLog();
    const { WorkspaceIndexService } = requireWithVscode<typeof ServiceModule>(
      require.resolve('../../../src/vscode/workspaceIndexService'),
      fake.vscode,
    );
    const { registerCommands } = requireWithVscode<typeof CommandsModule>(
      require.resolve('../../../src/vscode/commands'),
      fake.vscode,
    );
    const service = new WorkspaceIndexService(
      log as never,
      storage === undefined ? undefined : (fileUri(storage) as never),
    );
    registerCommands(service, log as never);
    services.push(service);
    return { fake, log, service, status: () => fake.statusItems[0]?.text };
  }

  async function workspace(files: Record<string, string>): Promise<string> {
    const ws = await dirs.make('grounded-service-');
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(ws, path, '..'), { recursive: true });
      await writeFile(join(ws, path), text);
    }
    return ws;
  }

  it('Rebuild Index cancelled from the status item says nothing was rebuilt', async function () {
    this.timeout(30000);
    const ws = await workspace({ 'guide.md': '# Guide\n\nInstall the widget.\n' });
    const { fake, service } = open([ws]);
    await service.indexReport();
    const rebuilding = fake.execute('grounded.rebuildIndex');
    service.retriever.cancel();
    assert.equal(await rebuilding, undefined);
    assert.deepEqual(fake.infos, []);
    assert.deepEqual(fake.errors, []);
  });

  it('dispose during the first sync: the index thread stops, and nothing is said or logged as a failure', async function () {
    this.timeout(30000);
    const ws = await workspace({ 'guide.md': '# Guide\n\nInstall the widget.\n' });
    const { service, fake, log } = open([ws]);
    assert.equal(service.retriever.isSyncing, true);
    service.dispose();
    await (service.retriever as unknown as { index: { stopped: Promise<void> } }).index.stopped;
    await new Promise(resolve => setImmediate(resolve));
    assert.deepEqual(fake.warnings, []);
    assert.deepEqual(
      log.lines.filter(l => l.startsWith('error')),
      [],
    );
  });

  it('shows the file count again once a sync the index started itself (a new folder) has ended', async function () {
    this.timeout(30000);
    const ws = await workspace({ 'guide.md': '# Guide\n\nInstall the widget.\n' });
    const { service, status } = open([ws]);
    await service.rebuild();
    assert.equal(status(), '$(book) Grounded: 1 file');
    // a folder appears with files in it: only a walk finds them, so the index syncs on its own
    await mkdir(join(ws, 'docs'));
    await writeFile(join(ws, 'docs', 'a.md'), '# A\n\nAlpha.\n');
    await writeFile(join(ws, 'docs', 'b.md'), '# B\n\nBeta.\n');
    await service.retriever.update([join(ws, 'docs')]);
    assert.equal((await service.indexReport()).files, 3);
    assert.equal(status(), '$(book) Grounded: 3 files');
  });

  it('indexes only the folders on disk: a remote folder is not walked at the local path its URI names', async function () {
    this.timeout(30000);
    const ws = await workspace({ 'guide.md': '# Guide\n\nInstall the widget.\n' });
    // the local path an `ssh://host/…` folder's fsPath names: another folder, which is not in the workspace
    const local = await workspace({ 'secret.md': '# Secret\n\nThe key is hunter2.\n' });
    const { service } = open([ws, { path: local, scheme: 'ssh' }]);
    const report = await service.indexReport();
    assert.deepEqual(report.folders, [ws]);
    assert.equal(report.files, 1);
    assert.deepEqual(
      (await service.retriever.search('hunter2 key secret', { k: 5 })).map(p => p.path),
      [],
    );
  });

  it('applies a save while another file in the workspace changes without pause', async function () {
    this.timeout(30000);
    const ws = await workspace({ 'guide.md': '# Guide\n\nInstall the widget.\n', 'server.log': 'started\n' });
    const { fake, service } = open([ws]);
    await service.indexReport();
    let changes = 0;
    service.onDidChange(() => changes++);
    // a log the watcher reports more often than updates are gathered, for as long as the test runs
    const writer = setInterval(() => fake.watcher.change.fire(fileUri(join(ws, 'server.log'))), 5);
    try {
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nCalibrate the sprocket.\n');
      fake.save.fire({ uri: fileUri(join(ws, 'guide.md')) });
      const found = await until(async () => (await service.retriever.search('sprocket', { k: 5 })).length > 0);
      assert.ok(found, 'the save is searchable while the log is still being written');
      assert.ok(await until(() => changes > 0), 'the update is told to those who show what the index holds');
    } finally {
      clearInterval(writer);
    }
  });

  it("leaves out what a folder's own files.exclude names in that folder only", async function () {
    this.timeout(30000);
    const docs = { 'docs/guide.md': '# Guide\n\nCalibrate the sprocket.\n' };
    const [app, api] = [await workspace(docs), await workspace(docs)];
    const fake = fakeVscodeWorkspace();
    fake.folderSettings.set(app, new Map([['files.exclude', { docs: true }]]));
    const { service } = open([app, api], undefined, fake);
    assert.deepEqual(
      (await service.retriever.search('sprocket', { k: 5 })).map(p => p.location),
      [join(api, 'docs', 'guide.md')],
    );
    // a save is judged by the folder's own exclude too
    await writeFile(join(api, 'docs', 'guide.md'), '# Guide\n\nCalibrate the flange.\n');
    await writeFile(join(app, 'docs', 'guide.md'), '# Guide\n\nCalibrate the flange.\n');
    await service.retriever.update([join(api, 'docs', 'guide.md'), join(app, 'docs', 'guide.md')]);
    assert.deepEqual(
      (await service.retriever.search('flange', { k: 5 })).map(p => p.location),
      [join(api, 'docs', 'guide.md')],
    );
  });

  it("leaves out what a folder's own grounded.index.exclude names in that folder only", async function () {
    this.timeout(30000);
    const docs = { 'fixtures/guide.md': '# Guide\n\nCalibrate the sprocket.\n' };
    const [app, api] = [await workspace(docs), await workspace(docs)];
    const fake = fakeVscodeWorkspace();
    fake.folderSettings.set(api, new Map([['grounded.index.exclude', ['fixtures/**']]]));
    const { service } = open([app, api], undefined, fake);
    assert.deepEqual(
      (await service.retriever.search('sprocket', { k: 5 })).map(p => p.location),
      [join(app, 'fixtures', 'guide.md')],
    );
  });
});
