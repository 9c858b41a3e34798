import assert from 'node:assert/strict';
import { cli } from './cliHarness';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { BEIR_TINY } from '../index/fixturePaths';

describe('grounded eval with an embeddings endpoint', () => {
  let server: EmbeddingsServer;
  before(async () => {
    server = await EmbeddingsServer.start(64);
  });
  after(async () => {
    await server.close();
  });

  it('reports lexical, vector and hybrid side by side, the lexical row unchanged', async () => {
    const plain = JSON.parse((await cli('eval', BEIR_TINY, '--json')).out) as { metrics: Record<string, number> };
    const { code, out } = await cli(
      'eval',
      BEIR_TINY,
      '--json',
      '--embeddings-model',
      'test-embed',
      '--embeddings-base-url',
      server.baseUrl,
    );
    assert.equal(code, 0);
    const result = JSON.parse(out) as { rankings: Record<string, Record<string, number>> };
    assert.deepEqual(Object.keys(result.rankings), ['lexical', 'vector', 'hybrid']);
    assert.deepEqual(result.rankings['lexical'], plain.metrics);
    for (const metrics of Object.values(result.rankings))
      for (const v of Object.values(metrics)) assert.ok(v >= 0 && v <= 1, JSON.stringify(metrics));
    const embedded = server.requests.flatMap(r => r.input);
    assert.ok(embedded.length > 0 && server.requests.every(r => r.model === 'test-embed'));
  });

  it('prints the three rankings as a table', async () => {
    const { code, out } = await cli(
      'eval',
      BEIR_TINY,
      '--embeddings-model',
      'test-embed',
      '--embeddings-base-url',
      server.baseUrl,
    );
    assert.equal(code, 0);
    assert.match(out, /^lexical\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    assert.match(out, /^vector\s+[\d.]+/m);
    assert.match(out, /^hybrid\s+[\d.]+/m);
  });

  it('names the endpoint problem when the embeddings server fails for good', async () => {
    server.faults.push({ status: 401 });
    const { code, err } = await cli(
      'eval',
      BEIR_TINY,
      '--embeddings-model',
      'test-embed',
      '--embeddings-base-url',
      server.baseUrl,
    );
    assert.notEqual(code, 0);
    assert.match(err, /key|401|rejected/i);
  });
});
