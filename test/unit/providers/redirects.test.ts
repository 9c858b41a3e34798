import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ask } from '../../../src/core/ask';
import { resolveEmbeddingsEndpoint } from '../../../src/embeddings/embeddingsEndpoint';
import { OpenAiEmbeddingsClient } from '../../../src/embeddings/openAiEmbeddingsClient';
import { fetchWithinOrigin, RedirectRefusedError } from '../../../src/providers/http/fetchWithinOrigin';
import { listEndpointModels } from '../../../src/providers/listModels';
import { createOpenAiCompatibleModels } from '../../../src/providers/openAiCompatible';
import { resolveEndpoint } from '../../../src/providers/presets';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { collect } from '../../support/collect';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server that records every request and answers it with `reply` (status, headers, body). */
async function recorder(
  reply: (seen: Seen, origin: string) => { status: number; headers?: Record<string, string>; body?: string },
) {
  const seen: Seen[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const { status, headers = {}, body: out = '' } = reply(request, origin);
      res.writeHead(status, headers).end(out);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, origin, close: () => new Promise<void>(resolve => server.close(() => resolve())) };
}

describe('redirects stay within the origin a request (and its key) was meant for', () => {
  let trap: Awaited<ReturnType<typeof recorder>>;
  let endpoint: Awaited<ReturnType<typeof recorder>>;
  beforeEach(async () => {
    // another origin (another port of the same host is another origin) that must never hear from Grounded
    trap = await recorder(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }));
    endpoint = await recorder(seen => ({ status: 307, headers: { location: `${trap.origin}${seen.url}` } }));
  });
  afterEach(async () => {
    await trap.close();
    await endpoint.close();
  });

  it('refuses an Azure chat endpoint that redirects elsewhere: its api-key and the passages go nowhere', async () => {
    const resolved = resolveEndpoint({
      preset: 'azure',
      baseUrl: endpoint.origin,
      model: 'gpt4o',
      helperModel: '',
      azureApiVersion: '2024-10-21',
    });
    assert.ok('endpoint' in resolved);
    const { model } = createOpenAiCompatibleModels(resolved.endpoint, 'AZURE-SECRET-KEY');
    const retriever = new FakeRetriever(() => [passage(1)]);
    const events = await collect(ask({ question: 'how?' }, { retriever, model, options: { grading: false } }));
    assert.equal(endpoint.seen.length, 1, 'the endpoint was asked once: a refused redirect is not retried');
    assert.equal(endpoint.seen[0]?.headers['api-key'], 'AZURE-SECRET-KEY');
    assert.deepEqual(trap.seen, [], 'nothing reached the other origin');
    const error = events.find(e => e.type === 'error');
    assert.ok(error?.type === 'error');
    assert.ok(error.error.message.includes(trap.origin), error.error.message);
    assert.equal(error.error.options.setting, 'grounded.model.baseUrl');
  });

  it('refuses an embeddings endpoint that redirects elsewhere, naming both origins and the setting', async () => {
    const resolved = resolveEmbeddingsEndpoint({
      preset: 'azure',
      baseUrl: endpoint.origin,
      model: 'emb',
      azureApiVersion: '2024-10-21',
    });
    assert.ok(!('problem' in resolved));
    const client = new OpenAiEmbeddingsClient({
      endpoint: resolved.endpoint,
      apiKey: 'AZURE-EMB-KEY',
      batchSize: 8,
      retry: { retries: 3, baseDelayMs: 1, maxDelayMs: 1 },
      clock: new FakeClock(),
    });
    await assert.rejects(client.embed(['alpha']), (e: Error) => {
      assert.ok(e instanceof RedirectRefusedError, String(e));
      assert.match(e.message, new RegExp(`${endpoint.origin} redirected the request to ${trap.origin}`));
      assert.match(e.message, /grounded\.embeddings\.baseUrl/);
      return true;
    });
    assert.equal(endpoint.seen.length, 1);
    assert.deepEqual(trap.seen, []);
  });

  it('lists no models from an endpoint that redirects elsewhere, and sends the other origin nothing', async () => {
    const resolved = resolveEndpoint({
      preset: 'custom',
      baseUrl: `${endpoint.origin}/v1`,
      model: 'm',
      helperModel: '',
      azureApiVersion: '',
    });
    assert.ok('endpoint' in resolved);
    assert.equal(await listEndpointModels(resolved.endpoint, 'sk-key'), undefined);
    assert.deepEqual(trap.seen, []);
  });

  it('follows a redirect within the origin as fetch does: 307 repeats the POST with its body, 303 turns to GET', async () => {
    const server = await recorder(seen => {
      if (seen.url === '/old') return { status: 307, headers: { location: '/new' } };
      if (seen.url === '/form') return { status: 303, headers: { location: '/done' } };
      return { status: 200, body: `${seen.method} ${seen.url} ${seen.body}` };
    });
    try {
      const post = { method: 'POST', body: '{"q":1}', headers: { 'api-key': 'k' } };
      assert.equal(await (await fetchWithinOrigin(`${server.origin}/old`, post)).text(), 'POST /new {"q":1}');
      assert.equal(server.seen[1]?.headers['api-key'], 'k', 'the same origin keeps its key');
      assert.equal(await (await fetchWithinOrigin(`${server.origin}/form`, post)).text(), 'GET /done ');
    } finally {
      await server.close();
    }
  });
});
