import * as assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GroundedError } from '../../../src/core/errors';
import type { Passage } from '../../../src/core/passage';
import {
  createRemoteRetriever,
  type RemoteRetrieverSettings,
  type RetrieverSecrets,
} from '../../../src/retrievers/createRetriever';
import { pushRows } from '../../../src/retrievers/pgvectorPush';
import { workspaceRows } from '../../../src/retrievers/pgvectorPushRows';
import { cli } from '../cli/cliHarness';
import { DatabricksVectorSearchServer, type FakeIndex } from '../../fakes/databricksVectorSearchServer';
import { startTestPostgres, type TestPostgres } from '../../fakes/pgliteServer';
import { tempDirs } from '../../support/tempDirs';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/workspace');

/** An index with the columns `grounded index --target` writes, as the CLI's Databricks defaults name them. */
const pushedShape: FakeIndex = {
  name: 'main.docs.grounded_chunks',
  columns: ['id', 'text', 'path', 'start_line', 'end_line'],
  textColumn: 'text',
  rows: [
    {
      id: 'a',
      text: 'The flux capacitor must be charged before every jump.',
      path: 'docs/configuration.md',
      start_line: 54,
      end_line: 56,
    },
    {
      id: 'b',
      text: 'Plutonium is loaded in the reactor chamber.',
      path: 'docs/configuration.md',
      start_line: 19,
      end_line: 19,
    },
  ],
};

const settings = (over: Partial<RemoteRetrieverSettings>): RemoteRetrieverSettings => ({
  kind: 'pgvector',
  allowInsecure: false,
  pgvector: { connectionString: '', table: 'grounded_chunks' },
  databricks: {
    workspaceUrl: '',
    indexName: pushedShape.name,
    endpointName: '',
    queryType: 'ANN',
    columns: { text: 'text', path: 'path', startLine: 'start_line', endLine: 'end_line', title: '' },
  },
  ...over,
});

/** Secrets that record which origin each was released to. */
function recordingSecrets(values: { password?: string; token?: string }) {
  const released: string[] = [];
  const secrets: RetrieverSecrets = {
    pgvectorPassword: async origin => (released.push(`password ${origin}`), values.password),
    databricksToken: async origin => (released.push(`token ${origin}`), values.token),
  };
  return { secrets, released };
}

describe('retriever factory (createRemoteRetriever), for the extension and the CLI alike', function () {
  const dirs = tempDirs();
  this.timeout(60_000); // PGlite's first start
  let pg: TestPostgres;
  let databricks: DatabricksVectorSearchServer;
  let workspace: string;
  const envBefore = { ...process.env };

  before(async () => {
    [pg, databricks] = await Promise.all([startTestPostgres(), DatabricksVectorSearchServer.start([pushedShape])]);
    workspace = await dirs.make('grounded-factory-');
    await cp(FIXTURE, workspace, { recursive: true });
  });
  afterEach(() => {
    for (const name of ['PGPASSWORD', 'DATABRICKS_TOKEN', 'DATABRICKS_HOST', 'GROUNDED_API_KEY']) {
      if (envBefore[name] === undefined) delete process.env[name];
      else process.env[name] = envBefore[name];
    }
  });
  after(async () => {
    await Promise.all([pg?.close(), databricks?.close()]);
  });

  it('refuses a cleartext connection to another machine before any secret is asked for', async () => {
    const { secrets, released } = recordingSecrets({ password: 'pw', token: 'dapi-x' });
    await assert.rejects(
      createRemoteRetriever(settings({ pgvector: { connectionString: 'postgres://u@db.example.com/x', table: 't' } }), {
        secrets,
      }),
      GroundedError,
    );
    const remoteDatabricks = settings({
      kind: 'databricks-vector-search',
      databricks: { ...settings({}).databricks, workspaceUrl: 'http://adb.example.com' },
    });
    await assert.rejects(createRemoteRetriever(remoteDatabricks, { secrets }), GroundedError);
    assert.deepEqual(released, []);
  });

  it('names the missing setting the way the caller names it', async () => {
    const { secrets } = recordingSecrets({});
    await assert.rejects(
      createRemoteRetriever(settings({}), { secrets }),
      /grounded\.pgvector\.connectionString is empty/,
    );
    const names = {
      retriever: '--retriever',
      connectionString: '--connection-string',
      workspaceUrl: '--workspace-url',
    };
    await assert.rejects(
      createRemoteRetriever(settings({ kind: 'databricks-vector-search' }), { secrets, names }),
      /--retriever is “databricks-vector-search” but --workspace-url is empty/,
    );
  });

  it('builds pgvector from plain settings, releasing the password to the server the connection string names', async () => {
    const table = `grounded_factory_${process.pid}`;
    const { rows } = await workspaceRows([workspace]);
    await pushRows({ connectionString: pg.url, table, maxConnections: pg.maxConnections }, rows);
    const { secrets, released } = recordingSecrets({});
    const retriever = await createRemoteRetriever(settings({ pgvector: { connectionString: pg.url, table } }), {
      secrets,
      locate: p => join(workspace, p),
    });
    try {
      const [top] = await retriever.search('how is the flux capacitor configured?', { k: 3 });
      assert.equal(top?.path, 'docs/configuration.md');
      assert.equal(top?.location, join(workspace, 'docs/configuration.md'));
      assert.deepEqual(released, [`password postgres://127.0.0.1:${new URL(pg.url).port}/postgres`]);
    } finally {
      await retriever.dispose?.();
    }
  });

  it('builds Databricks Vector Search from plain settings, releasing the token to the workspace origin', async () => {
    const { secrets, released } = recordingSecrets({ token: databricks.token });
    const retriever = await createRemoteRetriever(
      settings({
        kind: 'databricks-vector-search',
        databricks: { ...settings({}).databricks, workspaceUrl: databricks.url },
      }),
      { secrets },
    );
    const passages = await retriever.search('flux capacitor charged', { k: 1 });
    assert.deepEqual(
      passages.map(p => [p.path, p.startLine, p.endLine]),
      [['docs/configuration.md', 54, 56]],
    );
    assert.deepEqual(released, [`token ${new URL(databricks.url).origin}`]);
  });

  it('grounded search --retriever pgvector answers from the pushed table, paths opening in --folder', async () => {
    const table = `grounded_factory_cli_${process.pid}`;
    const { rows } = await workspaceRows([workspace]);
    await pushRows({ connectionString: pg.url, table, maxConnections: pg.maxConnections }, rows);
    process.env.PGPASSWORD = 'not-needed-by-pglite';
    const { code, out, err } = await cli(
      'search',
      'flux capacitor',
      '--retriever',
      'pgvector',
      '--connection-string',
      pg.url,
      '--table',
      table,
      '--folder',
      workspace,
      '--json',
    );
    assert.equal(code, 0, err);
    const [top] = JSON.parse(out) as Passage[];
    assert.equal(top?.path, 'docs/configuration.md');
    assert.equal(top?.location, join(workspace, 'docs/configuration.md'));
  });

  it('grounded search and ask --retriever databricks-vector-search take the token from DATABRICKS_TOKEN', async () => {
    const args = [
      '--retriever',
      'databricks-vector-search',
      '--workspace-url',
      databricks.url,
      '--index',
      pushedShape.name,
      '--folder',
      workspace,
    ];
    const without = await cli('search', 'flux capacitor', ...args);
    assert.equal(without.code, 3, without.err);
    assert.match(without.err, /needs a personal access token/);
    process.env.DATABRICKS_TOKEN = databricks.token;
    const searched = await cli('search', 'flux capacitor', ...args, '--json');
    assert.equal(searched.code, 0, searched.err);
    assert.equal((JSON.parse(searched.out) as Passage[])[0]?.startLine, 54);
    const asked = await cli('ask', 'flux capacitor', ...args);
    assert.equal(asked.code, 0, asked.err);
    assert.match(asked.out, /docs\/configuration\.md:54-56/);
    assert.ok(
      databricks.requests.every(r => r.authorization === undefined || r.authorization === `Bearer ${databricks.token}`),
    );
  });

  it('sends DATABRICKS_TOKEN only to the workspace DATABRICKS_HOST names, when that is set', async () => {
    const args = ['--retriever', 'databricks-vector-search', '--workspace-url', databricks.url];
    const sent = databricks.requests.length;
    process.env.DATABRICKS_TOKEN = databricks.token;
    process.env.DATABRICKS_HOST = 'https://adb-1234.5.azuredatabricks.net';
    const refused = await cli('search', 'flux capacitor', ...args, '--index', pushedShape.name, '--folder', workspace);
    assert.equal(refused.code, 3, refused.err);
    assert.match(
      refused.err,
      /DATABRICKS_TOKEN was not sent to http:\/\/127\.0\.0\.1:\d+: DATABRICKS_HOST says it is the token of https:\/\/adb-1234\.5\.azuredatabricks\.net\./,
    );
    assert.doesNotMatch(refused.err, new RegExp(databricks.token));
    assert.equal(databricks.requests.length, sent, 'nothing was sent');

    process.env.DATABRICKS_HOST = `${databricks.url}/`;
    const searched = await cli('search', 'flux capacitor', ...args, '--index', pushedShape.name, '--folder', workspace);
    assert.equal(searched.code, 0, searched.err);
  });

  it('refuses an unknown --retriever, a Databricks search without --index, remote flags without --retriever and --store with one, with exit 2', async () => {
    assert.equal((await cli('search', 'q', '--retriever', 'elastic', '--folder', workspace)).code, 2);
    const noIndex = await cli(
      'search',
      'q',
      '--retriever',
      'databricks-vector-search',
      '--workspace-url',
      databricks.url,
      '--folder',
      workspace,
    );
    assert.equal(noIndex.code, 2);
    assert.match(noIndex.err, /needs --index/);
    const forgotten = await cli('search', 'q', '--connection-string', pg.url, '--folder', workspace);
    assert.equal(forgotten.code, 2);
    assert.match(
      forgotten.err,
      /--connection-string is for a remote engine; the local index does not use it\. Add --retriever/,
    );
    const both = await cli(
      'search',
      'q',
      '--retriever',
      'pgvector',
      '--connection-string',
      pg.url,
      '--store',
      workspace,
      '--folder',
      workspace,
    );
    assert.equal(both.code, 2);
    assert.match(both.err, /--store is where the local index is kept/);
  });
});
