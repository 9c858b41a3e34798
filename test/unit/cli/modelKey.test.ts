import assert from 'node:assert/strict';
import type { CliIo } from '../../../src/cli/cliIo';
import { embedderFromArgs, embeddingsFlags, type EmbeddingsArgs } from '../../../src/cli/embedderArgs';
import { modelKeyFor } from '../../../src/cli/modelKey';
import { databricksTokenFor } from '../../../src/cli/retrieverArgs';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';

describe('GROUNDED_API_KEY standing in for another secret (CLI)', () => {
  const env = { GROUNDED_API_KEY: 'sk-model-key' };

  it('is sent to the origin --base-url names, whatever the path', () => {
    assert.equal(
      modelKeyFor(env, 'https://adb-1.azuredatabricks.net/serving-endpoints', 'https://adb-1.azuredatabricks.net'),
      'sk-model-key',
    );
  });

  it('is never sent to another host, port or scheme', () => {
    const base = 'https://api.example.com/v1';
    for (const origin of ['https://evil.example.net', 'https://api.example.com:8443', 'http://api.example.com'])
      assert.equal(modelKeyFor(env, base, origin), undefined, origin);
  });

  it('is not used at all without --base-url (search, index --target, eval)', () => {
    assert.equal(modelKeyFor(env, undefined, 'https://api.example.com'), undefined);
    assert.equal(modelKeyFor(env, '', 'https://api.example.com'), undefined);
  });

  it('is undefined when the variable is unset', () => {
    assert.equal(modelKeyFor({}, 'https://api.example.com', 'https://api.example.com'), undefined);
  });
});

describe('the Databricks token of the CLI', () => {
  const workspace = 'https://adb-1.azuredatabricks.net';
  const other = { DATABRICKS_TOKEN: 'dapi-other', DATABRICKS_HOST: 'https://adb-2.azuredatabricks.net' };

  it('is GROUNDED_API_KEY when DATABRICKS_TOKEN is another workspace’s and --base-url is this one', () => {
    const env = { ...other, GROUNDED_API_KEY: 'dapi-this' };
    assert.equal(databricksTokenFor(env, `${workspace}/serving-endpoints`, workspace), 'dapi-this');
  });

  it('is refused, naming DATABRICKS_HOST, when no key of this workspace is set', () => {
    assert.throws(
      () => databricksTokenFor({ ...other, GROUNDED_API_KEY: 'sk-x' }, 'https://api.example.com/v1', workspace),
      /DATABRICKS_TOKEN was not sent to https:\/\/adb-1\.azuredatabricks\.net: DATABRICKS_HOST says it is the token of https:\/\/adb-2\.azuredatabricks\.net\./,
    );
  });

  it('is DATABRICKS_TOKEN for its own workspace, or when DATABRICKS_HOST is unset', () => {
    const env = { ...other, GROUNDED_API_KEY: 'dapi-this' };
    assert.equal(
      databricksTokenFor(env, 'https://adb-2.azuredatabricks.net', 'https://adb-2.azuredatabricks.net'),
      'dapi-other',
    );
    assert.equal(databricksTokenFor({ DATABRICKS_TOKEN: 'dapi-t' }, undefined, workspace), 'dapi-t');
    assert.equal(databricksTokenFor({}, undefined, workspace), undefined);
  });
});

describe('the CLI embedder and GROUNDED_API_KEY', () => {
  let server: EmbeddingsServer;
  before(async () => {
    server = await EmbeddingsServer.start(8);
  });
  after(() => server.close());

  const embedOnce = async (values: EmbeddingsArgs, env: NodeJS.ProcessEnv = {}) => {
    const io = { out: () => undefined, err: () => undefined } as unknown as CliIo;
    const embedder = await embedderFromArgs(
      { 'embeddings-model': 'e', ...values },
      { GROUNDED_API_KEY: 'sk-m', ...env },
      io,
    );
    await embedder?.embed(['flux capacitor']);
    return server.requests.at(-1)?.authorization;
  };

  it('does not send the model key to an embeddings endpoint that --base-url does not name', async () => {
    assert.equal(await embedOnce({ 'embeddings-base-url': server.baseUrl }), undefined);
    assert.equal(
      await embedOnce({ 'embeddings-base-url': server.baseUrl, 'base-url': 'http://127.0.0.1:1/v1' }),
      undefined,
    );
  });

  it('sends it when the embeddings endpoint is the model endpoint', async () => {
    assert.equal(await embedOnce({ 'embeddings-base-url': server.baseUrl, 'base-url': server.baseUrl }), 'Bearer sk-m');
  });

  it('sends it when GROUNDED_EMBEDDINGS_API_KEY is set but empty, as when it is unset', async () => {
    const both = { 'embeddings-base-url': server.baseUrl, 'base-url': server.baseUrl };
    assert.equal(await embedOnce(both, { GROUNDED_EMBEDDINGS_API_KEY: '' }), 'Bearer sk-m');
    assert.equal(await embedOnce(both, { GROUNDED_EMBEDDINGS_API_KEY: 'sk-e' }), 'Bearer sk-e');
  });
});

describe('the CLI embedder’s messages', () => {
  it('name the flags, not the extension’s settings', () => {
    assert.equal(
      embeddingsFlags('Check grounded.embeddings.baseUrl and grounded.embeddings.model.'),
      'Check --embeddings-base-url and --embeddings-model.',
    );
  });

  it('name them when a call fails too, not only when the flags are read', async function () {
    this.timeout(30000);
    const io = { out: () => undefined, err: () => undefined } as unknown as CliIo;
    const embedder = await embedderFromArgs(
      { 'embeddings-model': 'e', 'embeddings-base-url': 'http://127.0.0.1:1/v1' },
      {},
      io,
    );
    await assert.rejects(embedder!.embed(['flux capacitor']), (e: Error) => {
      assert.match(e.message, /--embeddings-base-url/);
      assert.doesNotMatch(e.message, /grounded\.embeddings/);
      return true;
    });
  });
});
