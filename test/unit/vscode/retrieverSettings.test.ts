import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as RetrieverSettingsModule from '../../../src/vscode/retrieverSettings';
import type * as SecretsModule from '../../../src/vscode/secrets';
import { DatabricksVectorSearchServer, type FakeIndex } from '../../fakes/databricksVectorSearchServer';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { fakeVscodeWorkspace, requireWithVscode, serveVscode } from '../../fakes/fakeVscodeWorkspace';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

const log = { info: () => {}, warn: () => {}, error: () => {}, trace: () => {} };

/** Rows `grounded push --folder …/web --folder …/api` wrote: each path starts with its folder's last part. */
const pushed: FakeIndex = {
  name: 'main.docs.chunks_idx',
  columns: ['chunk_id', 'text', 'path', 'start_line', 'end_line'],
  textColumn: 'text',
  rows: [
    { chunk_id: 1, text: 'The api readme: deploy the gateway.', path: 'api/README.md', start_line: 1, end_line: 1 },
    { chunk_id: 2, text: 'The web readme: build the site.', path: 'web/README.md', start_line: 1, end_line: 1 },
  ],
};

/** The adapter's modules as they load in VS Code, with the fake workspace's `vscode`. */
const adapterModules = (vscode: unknown) => ({
  ...requireWithVscode<typeof RetrieverSettingsModule>(
    require.resolve('../../../src/vscode/retrieverSettings'),
    vscode,
  ),
  ...requireWithVscode<typeof SecretsModule>(require.resolve('../../../src/vscode/secrets'), vscode),
});

describe('the configured retriever (VS Code adapter: grounded.retriever and its engine)', () => {
  const dirs = tempDirs();
  let server: DatabricksVectorSearchServer;
  beforeEach(async () => (server = await DatabricksVectorSearchServer.start([pushed])));
  afterEach(() => server.close());

  it('opens a pushed path in the folder whose path ends in its first part, whatever the workspace names the folder', async () => {
    const root = await dirs.make('grounded-roots-');
    const web = join(root, 'web');
    const api = join(root, 'api');
    for (const folder of [web, api]) {
      await mkdir(folder);
      await writeFile(join(folder, 'README.md'), `The ${folder} readme.\n`);
    }
    const fake = fakeVscodeWorkspace();
    // a .code-workspace file may name its folders as it likes
    fake.setFolders(
      [
        { path: web, name: 'Website' },
        { path: api, name: 'Gateway API' },
      ],
      false,
    );
    for (const [key, value] of Object.entries({
      'grounded.retriever': 'databricks-vector-search',
      'grounded.databricksVectorSearch.workspaceUrl': server.url,
      'grounded.databricksVectorSearch.indexName': pushed.name,
      'grounded.databricksVectorSearch.endpointName': server.endpointName,
    }))
      fake.settings.set(key, value);
    const { ConfiguredRetriever, ApiKeyStore, BoundSecrets } = adapterModules(fake.vscode);
    const secrets = new BoundSecrets(new FakeSecretStorage(), async () => true);
    await secrets.store(ApiKeyStore.secretId('databricks'), server.token, [server.url]);
    const retriever = new ConfiguredRetriever(new FakeRetriever(() => []), secrets, log as never);
    // the engines' code (dist/core.js in the package) is loaded at the first search
    const restore = serveVscode(fake.vscode);
    try {
      const found = await retriever.search('api readme gateway', { k: 1 });
      assert.deepEqual(
        found.map(p => p.location),
        [join(api, 'README.md')],
      );
    } finally {
      restore();
      retriever.dispose();
    }
  });
  it('answers from the local index when the engine fails and the fallback is on, logging why with the cause', async () => {
    const fake = fakeVscodeWorkspace();
    fake.setFolders([await dirs.make('grounded-fallback-')], false);
    for (const [key, value] of Object.entries({
      'grounded.retriever': 'databricks-vector-search',
      'grounded.databricksVectorSearch.workspaceUrl': server.url,
      'grounded.databricksVectorSearch.indexName': pushed.name,
      'grounded.databricksVectorSearch.endpointName': server.endpointName,
      'grounded.fallbackToLocalIndex': true,
    }))
      fake.settings.set(key, value);
    const { ConfiguredRetriever, ApiKeyStore, BoundSecrets } = adapterModules(fake.vscode);
    const secrets = new BoundSecrets(new FakeSecretStorage(), async () => true);
    // a token the workspace does not know
    await secrets.store(ApiKeyStore.secretId('databricks'), 'dapi-fallback-token', [server.url]);
    const local = {
      id: 'notes.md:1-1',
      path: 'notes.md',
      location: '/ws/notes.md',
      text: 'Local lines.',
      startLine: 1,
      endLine: 1,
      score: 1,
    };
    const warnings: string[] = [];
    const retriever = new ConfiguredRetriever(new FakeRetriever(() => [local]), secrets, {
      ...log,
      warn: (m: string) => warnings.push(m),
    } as never);
    const restore = serveVscode(fake.vscode);
    try {
      const found = await retriever.search('flux', { k: 1 });
      assert.deepEqual(
        found.map(p => p.path),
        ['notes.md'],
      );
      const said = warnings.join('\n');
      assert.match(said, /databricks-vector-search search \(the local index answers instead/);
      // the reply's status, which only the cause chain holds
      assert.match(said, /failed \(auth\): .* — HTTP 401/);
      assert.doesNotMatch(said, /dapi-fallback-token/);
    } finally {
      restore();
      retriever.dispose();
    }
  });

  it('stops embedding the workspace for the local hybrid when the question is cancelled', async () => {
    const embeddings = await EmbeddingsServer.start(16);
    try {
      const ws = await dirs.make('grounded-hybrid-');
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget.\n');
      const fake = fakeVscodeWorkspace();
      fake.setFolders([ws], false);
      fake.settings.set('grounded.embeddings.baseUrl', embeddings.baseUrl);
      fake.settings.set('grounded.embeddings.model', 'bow-16');
      // the first embeddings request is told to come back in two seconds: time to cancel while it waits
      embeddings.faults.push({ status: 429, retryAfter: '2' });
      const { ConfiguredRetriever, BoundSecrets } = adapterModules(fake.vscode);
      const secrets = new BoundSecrets(new FakeSecretStorage(), async () => true);
      const retriever = new ConfiguredRetriever(new FakeRetriever(() => []), secrets, log as never);
      const restore = serveVscode(fake.vscode);
      try {
        const question = new AbortController();
        const searching = retriever.search('widget', { k: 3, signal: question.signal });
        await until(() => embeddings.requests.length > 0);
        question.abort();
        await assert.rejects(searching, (e: Error) => e.name === 'AbortError' || /cancel/i.test(e.message));
        assert.equal(embeddings.requests.length, 1);
      } finally {
        restore();
        retriever.dispose();
      }
    } finally {
      await embeddings.close();
    }
  });

  /** A ConfiguredRetriever on the local hybrid over `ws`, with `local` as its local index, embedding with `embeddings`. */
  function hybridRetriever(
    ws: string,
    embeddings: EmbeddingsServer,
    local: ConstructorParameters<typeof FakeRetriever>[0] & object,
    ready?: () => Promise<unknown>,
  ) {
    const fake = fakeVscodeWorkspace();
    fake.setFolders([ws], false);
    fake.settings.set('grounded.embeddings.baseUrl', embeddings.baseUrl);
    fake.settings.set('grounded.embeddings.model', 'bow-16');
    const { ConfiguredRetriever } = requireWithVscode<typeof RetrieverSettingsModule>(
      require.resolve('../../../src/vscode/retrieverSettings'),
      fake.vscode,
    );
    const { BoundSecrets } = requireWithVscode<typeof SecretsModule>(
      require.resolve('../../../src/vscode/secrets'),
      fake.vscode,
    );
    const secrets = new BoundSecrets(new FakeSecretStorage(), async () => true);
    const lexical = Object.assign(new FakeRetriever(local), ready && { ready });
    return { retriever: new ConfiguredRetriever(lexical, secrets, log as never), fake };
  }

  it("answers an agent's search by keywords when the first embedding of the workspace outlasts its wait, and goes on embedding", async () => {
    const embeddings = await EmbeddingsServer.start(16);
    // the local index's first build, which the embedding waits for, is still running
    let built: () => void = () => undefined;
    const building = new Promise<void>(resolve => (built = resolve));
    try {
      const ws = await dirs.make('grounded-hybrid-');
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget.\n');
      const { retriever, fake } = hybridRetriever(
        ws,
        embeddings,
        () => [passage(1)],
        () => building,
      );
      const restore = serveVscode(fake.vscode);
      try {
        const told: string[] = [];
        const found = await retriever.search('widget', { k: 3, firstSyncWaitMs: 0, onNotice: m => told.push(m) });
        assert.deepEqual(
          found.map(p => p.id),
          [passage(1).id],
        );
        assert.match(told.join(' '), /keywords only while bow-16 embeds the workspace/);
        built();
        assert.ok(await until(() => embeddings.requests.length > 0), 'the embedding went on');
      } finally {
        built();
        restore();
        retriever.dispose();
      }
    } finally {
      await embeddings.close();
    }
  });

  it('embeds the workspace once for two searches made during its first embedding', async () => {
    const embeddings = await EmbeddingsServer.start(16);
    try {
      const ws = await dirs.make('grounded-hybrid-');
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget.\n');
      const { retriever, fake } = hybridRetriever(ws, embeddings, () => [passage(1)]);
      const restore = serveVscode(fake.vscode);
      try {
        await Promise.all([retriever.search('widget', { k: 3 }), retriever.search('install', { k: 3 })]);
        const chunkTexts = embeddings.requests
          .flatMap(r => r.input)
          .filter(text => text.includes('Install the widget'));
        assert.equal(chunkTexts.length, 1, `the guide's chunk was embedded ${chunkTexts.length} times`);
      } finally {
        restore();
        retriever.dispose();
      }
    } finally {
      await embeddings.close();
    }
  });
});
