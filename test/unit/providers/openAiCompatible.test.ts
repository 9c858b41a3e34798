import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ask } from '../../../src/core/ask';
import { GroundedError } from '../../../src/core/errors';
import { testConnection } from '../../../src/providers/connectionTest';
import { listEndpointModels } from '../../../src/providers/listModels';
import { createOpenAiCompatibleModels } from '../../../src/providers/openAiCompatible';
import { resolveEndpoint, type EndpointSettings } from '../../../src/providers/presets';
import { UnavailableChatModel } from '../../../src/providers/unavailableChatModel';
import { FakeClock } from '../../fakes/fakeClock';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { collect } from '../../support/collect';

const retriever = new FakeRetriever(() => [passage(1), passage(2)]);

function endpointFor(over: Partial<EndpointSettings>) {
  const r = resolveEndpoint({
    preset: 'custom',
    baseUrl: '',
    model: 'fault-model',
    helperModel: '',
    azureApiVersion: '2024-10-21',
    ...over,
  });
  assert.ok('endpoint' in r, JSON.stringify(r));
  return r.endpoint;
}

describe('OpenAI-compatible models on the wire', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['ok [1]'],
    }));
  });
  afterEach(() => server.close());

  it('asks Databricks at <workspace>/serving-endpoints with the endpoint name as model and the PAT as bearer', async () => {
    const endpoint = endpointFor({
      preset: 'databricks',
      baseUrl: `http://127.0.0.1:${server.port}`,
      model: 'databricks-llama',
    });
    const { model } = createOpenAiCompatibleModels(endpoint, 'dapi-test-token');
    await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
    assert.deepEqual(
      server.chatRequests.map(r => [r.url, r.body?.model, r.authorization]),
      [['/serving-endpoints/chat/completions', 'databricks-llama', 'Bearer dapi-test-token']],
    );
  });

  it('asks Azure OpenAI at the deployment URL with api-version and the api-key header', async () => {
    const endpoint = endpointFor({ preset: 'azure', baseUrl: `http://127.0.0.1:${server.port}`, model: 'gpt4o-prod' });
    const { model } = createOpenAiCompatibleModels(endpoint, 'azure-key-123');
    await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
    const [request] = server.chatRequests;
    assert.equal(request?.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21');
    assert.equal(request?.headers['api-key'], 'azure-key-123');
  });

  it('sends the Azure key only to grounded.model.baseUrl, whatever AZURE_OPENAI_BASE_PATH says', async () => {
    const elsewhere = await FaultServer.start(() => ({ tokens: ['ok [1]'] }));
    const before = process.env['AZURE_OPENAI_BASE_PATH'];
    process.env['AZURE_OPENAI_BASE_PATH'] = `${elsewhere.baseUrl}/openai/deployments`;
    try {
      const endpoint = endpointFor({
        preset: 'azure',
        baseUrl: `http://127.0.0.1:${server.port}`,
        model: 'gpt4o-prod',
      });
      const { model } = createOpenAiCompatibleModels(endpoint, 'azure-key-123');
      await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
      assert.deepEqual(
        elsewhere.requests.map(r => r.url),
        [],
      );
      assert.equal(server.chatRequests[0]?.headers['api-key'], 'azure-key-123');
    } finally {
      if (before === undefined) delete process.env['AZURE_OPENAI_BASE_PATH'];
      else process.env['AZURE_OPENAI_BASE_PATH'] = before;
      await elsewhere.close();
    }
  });

  it('sends no header the environment names for OpenAI (organization, project, OPENAI_CUSTOM_HEADERS), keeping its key', async () => {
    const names = ['OPENAI_ORG_ID', 'OPENAI_ORGANIZATION', 'OPENAI_PROJECT_ID', 'OPENAI_CUSTOM_HEADERS'];
    const before = names.map(n => process.env[n]);
    Object.assign(process.env, {
      OPENAI_ORG_ID: 'org-env',
      OPENAI_ORGANIZATION: 'org-env',
      OPENAI_PROJECT_ID: 'proj-env',
      OPENAI_CUSTOM_HEADERS: 'X-Proxy-Secret: s3cret\nAuthorization: Bearer env-key',
    });
    try {
      for (const preset of ['custom', 'azure'] as const) {
        const endpoint = endpointFor({ preset, baseUrl: server.baseUrl, model: 'm' });
        const { model } = createOpenAiCompatibleModels(endpoint, 'own-key');
        await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
      }
      assert.equal(server.chatRequests.length, 2);
      for (const { headers } of server.chatRequests) {
        assert.equal(headers['x-proxy-secret'], undefined);
        assert.equal(headers['openai-organization'], undefined);
        assert.equal(headers['openai-project'], undefined);
      }
      assert.equal(server.chatRequests[0]?.authorization, 'Bearer own-key');
      assert.equal(server.chatRequests[1]?.headers['api-key'], 'own-key');
    } finally {
      names.forEach((n, i) => (before[i] === undefined ? delete process.env[n] : (process.env[n] = before[i])));
    }
  });

  it('grades with the helper model and writes with the generation model', async () => {
    const endpoint = endpointFor({ baseUrl: server.baseUrl, model: 'big-model', helperModel: 'small-model' });
    const models = createOpenAiCompatibleModels(endpoint, 'k');
    const events = await collect(ask({ question: 'q' }, { retriever, ...models, clock: new FakeClock() }));
    assert.equal(events[events.length - 1]?.type, 'done');
    assert.deepEqual(
      server.chatRequests.map(r => [isGradeRequest(r), r.body?.model]),
      [
        [true, 'small-model'],
        [false, 'big-model'],
      ],
    );
  });

  it('sends a base URL’s query with the chat request and the model list, after their paths', async () => {
    const endpoint = endpointFor({ baseUrl: `${server.baseUrl}?api-version=2024-05-01-preview` });
    const { model } = createOpenAiCompatibleModels(endpoint, 'k');
    await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
    assert.deepEqual(await listEndpointModels(endpoint, 'k'), ['fault-model', 'fault-small']);
    assert.deepEqual(
      server.requests.map(r => `${r.method} ${r.url}`),
      ['POST /v1/chat/completions?api-version=2024-05-01-preview', 'GET /v1/models?api-version=2024-05-01-preview'],
    );
  });

  it('needs no key for Ollama-style endpoints', async () => {
    const endpoint = endpointFor({ preset: 'ollama', baseUrl: server.baseUrl, model: 'llama3.1' });
    const { model, helperModel } = createOpenAiCompatibleModels(endpoint, undefined);
    assert.equal(helperModel, undefined);
    const events = await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
    assert.equal(events[events.length - 1]?.type, 'done');
  });

  it('lists the models an endpoint offers, and Databricks serving endpoints', async () => {
    assert.deepEqual(await listEndpointModels(endpointFor({ baseUrl: server.baseUrl }), 'k'), [
      'fault-model',
      'fault-small',
    ]);
    const databricks = endpointFor({ preset: 'databricks', baseUrl: `http://127.0.0.1:${server.port}` });
    assert.deepEqual(await listEndpointModels(databricks, 'dapi-x'), [
      'databricks-gte-large-en',
      'databricks-meta-llama-3-3-70b-instruct',
    ]);
    assert.equal(server.requests.at(-1)?.authorization, 'Bearer dapi-x');
    assert.equal(
      await listEndpointModels(endpointFor({ baseUrl: 'http://127.0.0.1:1/v1' }), 'k'),
      undefined,
      'nothing listening',
    );
  });
});

describe('an endpoint that answers with a web page', () => {
  let page: Server;
  let origin: string;
  let posts = 0;
  beforeEach(async () => {
    posts = 0;
    // a sign-in page or a web app's front page, served with 200 for any path, as a wrong base URL finds
    page = createServer((req, res) => {
      if (req.method === 'POST') posts++;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html>Sign in</html>');
    });
    await new Promise<void>(resolve => page.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>(resolve => page.close(() => resolve())));

  it('says the base URL leads to a web page, not the API, after one request', async () => {
    const { model } = createOpenAiCompatibleModels(endpointFor({ baseUrl: `${origin}/v1` }), 'k');
    const events = await collect(ask({ question: 'q' }, { retriever, model, options: { grading: false } }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, new RegExp(`${origin} answered with a web page`));
    assert.equal(end.error.options.setting, 'grounded.model.baseUrl');
    assert.equal(posts, 1, 'no retry or fallback asks the page again');
    const report = await testConnection(model, 'page');
    assert.ok(!report.ok && /web page/.test(report.error.message), JSON.stringify(report));
  });

  it('ends the answer when the grader meets the web page, without asking the page again for the answer', async () => {
    const { model } = createOpenAiCompatibleModels(endpointFor({ baseUrl: `${origin}/v1` }), 'k');
    const events = await collect(ask({ question: 'q' }, { retriever, model, options: { grading: true } }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error', JSON.stringify(end));
    assert.match(end.error.message, new RegExp(`${origin} answered with a web page`));
    assert.ok(!events.some(e => e.type === 'step' && /Grading failed/.test(e.detail)));
    assert.equal(posts, 1, 'the grade’s request only');
  });
});

describe('an endpoint whose whole reply holds no answer', () => {
  let server: Server;
  let origin: string;
  /** The body of a reply that is not a stream; a stream holds one chunk without choices, then [DONE]. */
  let body = '';
  beforeEach(async () => {
    server = createServer((req, res) => {
      let request = '';
      req.on('data', (d: Buffer) => (request += d.toString()));
      req.on('end', () => {
        if ((JSON.parse(request) as { stream?: boolean }).stream)
          return res
            .writeHead(200, { 'content-type': 'text/event-stream' })
            .end('data: {"id":"x","object":"chat.completion.chunk","choices":[]}\n\ndata: [DONE]\n\n');
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>(resolve => server.close(() => resolve())));

  /** The error an answer ends with when each whole reply is `reply`: met by the grader, or by the answer's stream. */
  const answerTo = async (reply: string, grading = true) => {
    body = reply;
    const { model } = createOpenAiCompatibleModels(endpointFor({ baseUrl: `${origin}/v1` }), 'k');
    // without grading the stream comes first, holds no choices, and the whole answer asked for instead is `reply`
    const events = await collect(ask({ question: 'q' }, { retriever, model, options: { grading } }));
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error', JSON.stringify(end));
    return end.error;
  };

  it('says the endpoint sent no choices, empty or unreadable, naming it, instead of a TypeError of the client', async () => {
    for (const [reply, said] of [
      ['{"id":"x","object":"chat.completion","choices":[]}', 'sent a reply with no answer in it (no choices)'],
      ['{"id":"x","object":"chat.completion"}', 'sent a reply with no answer in it (no choices)'],
      ['', 'sent an empty reply'],
      ['upstream busy', 'sent a reply that is not JSON'],
    ])
      for (const grading of [true, false]) {
        const error = await answerTo(reply ?? '', grading);
        assert.equal(error.kind, 'bad-input', reply);
        assert.ok(error.message.startsWith(`${origin} ${said}`), error.message);
        assert.equal(error.options.action?.command, 'grounded.testConnection');
      }
  });

  it("quotes the error a server sent with 200 in place of an answer, on one line, as the server's own failure", async () => {
    const error = await answerTo('{"error":{"message":"upstream model\\n overloaded","code":503}}');
    assert.equal(error.kind, 'unknown');
    assert.ok(
      error.message.startsWith(`${origin} answered with an error instead of an answer: “upstream model overloaded”.`),
      error.message,
    );
  });
});

describe('testConnection', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = await FaultServer.start(() => ({ tokens: ['OK'] }));
  });
  afterEach(() => server.close());
  const model = () => createOpenAiCompatibleModels(endpointFor({ baseUrl: server.baseUrl }), 'k').model;

  it('reports latency, model name and the reply', async () => {
    let t = 1000;
    const report = await testConnection(model(), 'Fault · fault-model', { now: () => (t += 120) });
    assert.deepEqual(report, { ok: true, latencyMs: 120, modelName: 'Fault · fault-model', reply: 'OK' });
    assert.deepEqual(
      server.chatRequests.map(r => r.stream),
      [false],
    );
  });

  it('reports a rejected key as the auth error that names the fix, without retrying', async () => {
    server.enqueue({ status: 401 });
    const report = await testConnection(model(), 'm');
    assert.ok(!report.ok);
    assert.equal(report.error.kind, 'auth');
    assert.match(report.error.message, /Grounded: Set API Key/);
    assert.equal(server.chatRequests.length, 1);
  });

  it('reports an endpoint that never answers as a timeout, and hangs up', async () => {
    server.enqueue({ stallBeforeFirstMs: Infinity });
    const report = await testConnection(model(), 'm', { timeoutMs: 100 });
    assert.ok(!report.ok);
    assert.equal(report.error.kind, 'timeout');
    assert.match(report.error.message, /did not answer within 0 s|did not answer within/);
  });
});

describe('UnavailableChatModel', () => {
  it('turns a missing key into an auth error event with its fix, and no retry', async () => {
    const problem = new GroundedError('auth', 'No API key is set for OpenAI. Set it with “Grounded: Set API Key”.', {
      action: { title: 'Set API Key', command: 'grounded.setApiKey' },
    });
    const clock = new FakeClock();
    const events = await collect(
      ask({ question: 'q' }, { retriever, model: new UnavailableChatModel(problem), clock }),
    );
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error');
    assert.equal(end.error, problem);
    assert.deepEqual(clock.sleeps, []);
  });

  it('turns a setting to fix into that one error, not first a grading failure saying the same', async () => {
    const problem = new GroundedError('no-model', 'OpenAI-compatible endpoint needs grounded.model.baseUrl.');
    const events = await collect(
      ask({ question: 'q' }, { retriever, model: new UnavailableChatModel(problem), options: { grading: true } }),
    );
    const end = events[events.length - 1];
    assert.ok(end?.type === 'error');
    assert.equal(end.error, problem);
    assert.ok(!events.some(e => e.type === 'step' && /Grading failed/.test(e.detail)));
  });
});
