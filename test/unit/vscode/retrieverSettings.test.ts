import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as RetrieverSettingsModule from '../../../src/vscode/retrieverSettings';
import type * as SecretsModule from '../../../src/vscode/secrets';
import { DatabricksVectorSearchServer, type FakeIndex } from '../../fakes/databricksVectorSearchServer';
import { FakeRetriever } from '../../fakes/fakeRetriever';
import { FakeSecretStorage } from '../../fakes/fakeSecretStorage';
import { fakeVscodeWorkspace, requireWithVscode, serveVscode } from '../../fakes/fakeVscodeWorkspace';
import { tempDirs } from '../../support/tempDirs';

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
    const { ConfiguredRetriever } = requireWithVscode<typeof RetrieverSettingsModule>(
      require.resolve('../../../src/vscode/retrieverSettings'),
      fake.vscode,
    );
    const { ApiKeyStore, BoundSecrets } = requireWithVscode<typeof SecretsModule>(
      require.resolve('../../../src/vscode/secrets'),
      fake.vscode,
    );
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
});
