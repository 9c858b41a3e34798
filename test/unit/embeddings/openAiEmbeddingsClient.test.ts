import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GroundedError } from '../../../src/core/errors';
import { CachingEmbedder } from '../../../src/embeddings/cachingEmbedder';
import { resolveEmbeddingsEndpoint } from '../../../src/embeddings/embeddingsEndpoint';
import { INPUT_LIMIT_MAX_AGE_MS, InputLimitFile } from '../../../src/embeddings/inputLimits';
import { OpenAiEmbeddingsClient } from '../../../src/embeddings/openAiEmbeddingsClient';
import { FakeClock } from '../../fakes/fakeClock';
import { bagOfWordsVector, EmbeddingsServer } from '../../fakes/embeddingsServer';
import { tempDirs } from '../../support/tempDirs';

const retry = { retries: 3, baseDelayMs: 500, maxDelayMs: 8000 };

describe('OpenAI-compatible embeddings client', () => {
  const dirs = tempDirs();
  let server: EmbeddingsServer;
  let clock: FakeClock;
  beforeEach(async () => {
    server = await EmbeddingsServer.start(16);
    clock = new FakeClock();
  });
  afterEach(() => server.close());

  const client = (extra: Partial<ConstructorParameters<typeof OpenAiEmbeddingsClient>[0]> = {}) =>
    new OpenAiEmbeddingsClient({
      endpoint: server.endpoint('gte-test'),
      apiKey: 'sk-test',
      batchSize: 3,
      retry,
      clock,
      ...extra,
    });

  it('posts batches to {base}/embeddings and returns one vector per text, in order', async () => {
    const texts = ['alpha beta', 'gamma', 'delta epsilon', 'zeta', 'eta theta iota'];
    const progress: number[] = [];
    const vectors = await client().embed(texts, { onProgress: p => progress.push(p.done) });
    assert.deepEqual(
      server.requests.map(r => r.input.length),
      [3, 2],
    );
    assert.equal(server.requests[0]?.path, '/v1/embeddings');
    assert.equal(server.requests[0]?.model, 'gte-test');
    assert.equal(server.requests[0]?.authorization, 'Bearer sk-test');
    assert.deepEqual(progress, [3, 5]);
    texts.forEach((t, i) => assert.deepEqual([...(vectors[i] ?? [])], [...Float32Array.from(bagOfWordsVector(t, 16))]));
  });

  it('retries a 429 after the Retry-After delay, then a 503 with backoff, and succeeds', async () => {
    server.faults.push({ status: 429, retryAfter: '2' }, { status: 503 });
    const retries: string[] = [];
    const vectors = await client({ onRetry: d => retries.push(d) }).embed(['one']);
    assert.equal(vectors.length, 1);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(clock.sleeps, [2000, 750]);
    assert.match(retries[0] ?? '', /rate-limited.*Retrying in 2\.0 s \(1\/3\)/);
  });

  it('retries a dropped connection', async () => {
    server.faults.push({ drop: true });
    assert.equal((await client().embed(['one'])).length, 1);
    assert.equal(server.requests.length, 2);
  });

  it('gives up after the policy’s retries with a network error naming the setting', async () => {
    server.faults.push({ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 });
    const err = await client()
      .embed(['one'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof GroundedError);
    assert.equal(err.kind, 'network');
    assert.match(err.message, /HTTP 504.*grounded\.embeddings\.baseUrl/);
    assert.equal(server.requests.length, 4);
  });

  it('does not retry a rejected key, and says how to set it', async () => {
    server.faults.push({ status: 401 });
    const err = await client()
      .embed(['one'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof GroundedError && err.kind === 'auth');
    assert.match(err.message, /rejected the API key/);
    assert.equal(err.options.action?.command, 'grounded.setEmbeddingsApiKey');
    assert.equal(server.requests.length, 1);
  });

  it('names the model setting on a 404 and on a 400 (without echoing the raw body as the message)', async () => {
    server.faults.push(
      { status: 404 },
      { status: 400, body: { error: { message: 'model "x" is not an embeddings model' } } },
    );
    const notFound = await client()
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(notFound instanceof GroundedError);
    assert.match(notFound.message, /not found \(HTTP 404\).*grounded\.embeddings\.model/);
    const refused = await client()
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(refused instanceof GroundedError && refused.kind === 'bad-input');
    assert.match(refused.message, /not an embeddings model.*grounded\.embeddings\.model/);
  });

  it('embeds a batch with a text longer than the model takes: that text is cut until it fits, the others whole', async () => {
    server.maxInputChars = 1500;
    const long = `needle ${'filler words '.repeat(400)}`; // 5,207 characters
    const texts = ['alpha beta', long, 'gamma delta', 'epsilon'];
    const logged: string[] = [];
    const embedder = client({ batchSize: 4, onRetry: d => logged.push(d) });
    const vectors = await embedder.embed(texts);
    assert.equal(vectors.length, 4);
    assert.deepEqual([...(vectors[0] ?? [])], [...Float32Array.from(bagOfWordsVector('alpha beta', 16))]);
    assert.deepEqual([...(vectors[3] ?? [])], [...Float32Array.from(bagOfWordsVector('epsilon', 16))]);
    const sent = server.requests.flatMap(r => r.input).filter(t => t.startsWith('needle'));
    const fitted = sent.at(-1) ?? '';
    assert.ok(fitted.length <= 1500 && fitted.length >= 750 && long.startsWith(fitted), `${fitted.length}`);
    assert.deepEqual([...(vectors[1] ?? [])], [...Float32Array.from(bagOfWordsVector(fitted, 16))]);
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /cut to 1,301 characters/);

    // what fitted is where later texts are cut: they are not refused first
    const before = server.requests.length;
    await embedder.embed([`second ${long}`, 'zeta']);
    assert.equal(server.requests.length, before + 1);
  });

  it('keeps the cut a refused text fitted at for the endpoint and model: a new session cuts there at once', async () => {
    server.maxInputChars = 1500;
    const limits = new InputLimitFile(join(await dirs.make('grounded-limits-'), 'embedding-limits.json'));
    const long = `needle ${'filler words '.repeat(400)}`;
    await client({ inputLimits: limits }).embed([long]);
    assert.ok(server.requests.length > 2, 'the first session learns the limit from refused requests');

    const before = server.requests.length;
    const logged: string[] = [];
    const vectors = await client({ inputLimits: limits, onRetry: d => logged.push(d) }).embed([`again ${long}`]);
    assert.equal(vectors.length, 1);
    assert.equal(server.requests.length, before + 1, 'one request, cut to the saved limit, and none refused');
    assert.deepEqual(logged, []);
    // another model behind the same endpoint has a limit of its own
    const other = new OpenAiEmbeddingsClient({
      endpoint: server.endpoint('other-model'),
      apiKey: 'sk-test',
      retry,
      clock,
      inputLimits: limits,
    });
    server.maxInputChars = Infinity;
    await other.embed([long]);
    assert.equal(server.requests.at(-1)?.input[0], long);
  });

  it('sends texts whole again once a saved cut is a week old, so a longer model behind the same name is not cut short', async () => {
    server.maxInputChars = 1500;
    const path = join(await dirs.make('grounded-limits-'), 'embedding-limits.json');
    let now = Date.parse('2025-03-01T00:00:00Z');
    const limits = new InputLimitFile(path, () => now);
    const long = `needle ${'filler words '.repeat(400)}`;
    await client({ inputLimits: limits }).embed([long]);
    const cut = server.requests.at(-1)?.input[0]?.length ?? 0;
    assert.ok(cut > 0 && cut <= 1500, `${cut}`);

    // the model behind the name now takes longer texts; within the week the saved cut still applies
    server.maxInputChars = Infinity;
    now += INPUT_LIMIT_MAX_AGE_MS - 1;
    await client({ inputLimits: limits }).embed([long]);
    assert.equal(server.requests.at(-1)?.input[0]?.length, cut);
    now += 1;
    await client({ inputLimits: limits }).embed([long]);
    assert.equal(server.requests.at(-1)?.input[0], long, 'sent whole');

    // a limit saved without its date (as a plain number) is learned again, not kept forever
    await writeFile(path, JSON.stringify({ [`gte-test ${server.baseUrl}/embeddings`]: 300 }));
    await client({ inputLimits: new InputLimitFile(path) }).embed([long]);
    assert.equal(server.requests.at(-1)?.input[0], long);
  });

  it('cuts a long text between characters, never inside one (an emoji’s surrogate pair), so the endpoint takes it', async () => {
    const text = `${'x'.repeat(299)}😀 after the cut`; // the emoji is characters 300 and 301 of the text
    const logged: string[] = [];
    const vectors = await client({ maxChars: 300, onRetry: d => logged.push(d) }).embed([text, 'zeta']);
    assert.equal(vectors.length, 2);
    assert.deepEqual(
      server.requests.map(r => r.input),
      [['x'.repeat(299), 'zeta']],
    );
    assert.deepEqual(logged, []);
  });

  it('keeps the refusal of a request that no cut makes acceptable, said after one smallest request, not a dozen', async () => {
    server.maxInputChars = 0; // refuses everything, as for a model that is not an embeddings model
    const refuse = (texts: string[]) =>
      client({ batchSize: 8 })
        .embed(texts)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    const refused = await refuse(Array.from({ length: 8 }, (_, i) => `text ${i} ${'word '.repeat(2000)}`));
    assert.ok(refused instanceof GroundedError && refused.kind === 'bad-input', String(refused));
    assert.match(refused.message, /maximum context length.*grounded\.embeddings\.model/);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      server.requests[1]?.input.map(t => t.length),
      [256],
    );
    // one long text: its smallest cut only; one short text: itself only, as it was the smallest request
    await refuse([`one ${'word '.repeat(2000)}`]);
    assert.equal(server.requests.length, 4);
    await refuse(['a short question']);
    assert.equal(server.requests.length, 5);
  });

  it('says a proxy’s HTML error page by its title, never its markup', async () => {
    server.faults.push({
      status: 413,
      html: '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>',
    });
    const refused = await client()
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(refused instanceof GroundedError && refused.kind === 'bad-input', String(refused));
    assert.doesNotMatch(refused.message, /[<>]/);
    assert.match(refused.message, /\(413 Request Entity Too Large\)/);
  });

  it('says a web page answered with 200 (a sign-in page at a wrong base URL) is not the API, naming the setting', async () => {
    server.faults.push({ status: 200, html: '<html><head><title>Sign in</title></head><body>…</body></html>' });
    const failed = await client()
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(failed instanceof GroundedError && failed.kind === 'bad-input', String(failed));
    assert.match(failed.message, /answered with a web page, not the OpenAI-compatible API/);
    assert.match(failed.message, /grounded\.embeddings\.baseUrl/);
    assert.equal(server.requests.length, 1, 'the same page again would not help');
  });

  it('redacts the key and credential shapes a 400 body echoes, in the message and in the cause kept for the log', async () => {
    const echo =
      'bad header auth=Bearer plain-key-42 (plain-key-42); see postgres://app:pw-98765@db/x, key 0123456789abcdef0123456789abcdef';
    server.faults.push({ status: 400, body: { error: { message: echo } } });
    const refused = await client({ apiKey: 'plain-key-42' })
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(refused instanceof GroundedError && refused.kind === 'bad-input');
    const logged = `${refused.message} ${JSON.stringify((refused.options.cause as { body?: unknown }).body)}`;
    assert.doesNotMatch(logged, /plain-key-42|pw-98765|0123456789abcdef0123456789abcdef/);
    assert.match(
      refused.message,
      /bad header auth=Bearer \[redacted\] \(\[redacted\]\); see postgres:\/\/app:\[redacted\]@db\/x, key \[redacted\]/,
    );
  });

  it('rejects a reply with a missing vector or one that is not JSON', async () => {
    server.faults.push({ malformed: 'short' }, { malformed: 'not-json' });
    for (let i = 0; i < 2; i++) {
      const err = await client()
        .embed(['a', 'b'])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof GroundedError, String(err));
    }
  });

  it('answers in the new dimension once the model behind the name changed, but never mixes two in one call', async () => {
    const embedder = client();
    assert.equal((await embedder.embed(['alpha']))[0]?.length, 16);
    server.dimensions = 24; // another model is served under the same name now
    const vectors = await embedder.embed(['alpha', 'beta']);
    assert.deepEqual(
      vectors.map(v => v.length),
      [24, 24],
    );
    // the model changes between two batches of one call: those vectors cannot be compared
    server.faults.push({ dimensions: 24 }, { dimensions: 32 });
    const err = await embedder.embed(['a', 'b', 'c', 'd']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof GroundedError, String(err));
    assert.match(err.message, /unusable reply \(vectors of 32 and 24 dimensions\)/);
  });

  it('embeds again a cached text whose vector is of another dimension than the endpoint now returns', async () => {
    const cached = new CachingEmbedder(client());
    await cached.embed(['same text']);
    server.dimensions = 24;
    const vectors = await cached.embed(['same text', 'new text']);
    assert.deepEqual(
      vectors.map(v => v.length),
      [24, 24],
    );
    assert.deepEqual([...(vectors[0] ?? [])], [...Float32Array.from(bagOfWordsVector('same text', 24))]);
    // and the cache now holds the new vector
    assert.deepEqual((await cached.embed(['same text']))[0]?.length, 24);
    assert.deepEqual(cached.counts, { embedded: 3, cached: 1 });
  });

  it('rejects a vector with a number too large for a 32-bit float', async () => {
    server.faults.push({ embedding: [1e39, ...new Array<number>(15).fill(0)] });
    const err = await client()
      .embed(['a'])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof GroundedError, String(err));
    assert.match(err.message, /unusable reply \(a vector has numbers too large for 32-bit floats\)/);
  });

  it('stops when the signal aborts, without another request', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await client()
      .embed(['a'], { signal: controller.signal })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof GroundedError && err.kind === 'cancelled');
    assert.equal(server.requests.length, 0);
  });

  it('asks for a key before sending anything when the preset needs one', async () => {
    const endpoint = { ...server.endpoint('gte-test'), keyRequired: true };
    const err = await new OpenAiEmbeddingsClient({ endpoint, retry, clock }).embed(['a']).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof GroundedError && err.kind === 'auth');
    assert.equal(server.requests.length, 0);
  });

  it('never embeds the same content twice through the cache', async () => {
    const cached = new CachingEmbedder(client());
    await cached.embed(['same text', 'other text', 'same text']);
    await cached.embed(['other text', 'new text']);
    assert.deepEqual(
      server.requests.map(r => r.input),
      [['same text', 'other text'], ['new text']],
    );
    assert.deepEqual(cached.counts, { embedded: 3, cached: 2 });
  });
});

describe('embeddings endpoint settings', () => {
  it('uses the chat presets’ URL rules: Databricks serving endpoints and Azure deployments', () => {
    const dbx = resolveEmbeddingsEndpoint({
      preset: 'databricks',
      baseUrl: 'adb-1.azuredatabricks.net',
      model: 'databricks-gte-large-en',
      azureApiVersion: '',
    });
    assert.ok('endpoint' in dbx);
    assert.equal(dbx.endpoint.url, 'https://adb-1.azuredatabricks.net/serving-endpoints/embeddings');
    const azure = resolveEmbeddingsEndpoint({
      preset: 'azure',
      baseUrl: 'https://r.openai.azure.com',
      model: 'emb',
      azureApiVersion: '2024-10-21',
    });
    assert.ok('endpoint' in azure);
    assert.equal(
      azure.endpoint.url,
      'https://r.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21',
    );
    assert.equal(azure.endpoint.keyHeader, 'api-key');
  });

  it('posts to {base}/embeddings with the base URL’s query after the path', () => {
    const r = resolveEmbeddingsEndpoint({
      preset: 'custom',
      baseUrl: 'https://gw.example.com/models?api-version=2024-05-01-preview',
      model: 'emb',
      azureApiVersion: '',
    });
    assert.ok('endpoint' in r);
    assert.equal(r.endpoint.url, 'https://gw.example.com/models/embeddings?api-version=2024-05-01-preview');
  });

  it('names the embeddings setting to fix', () => {
    const r = resolveEmbeddingsEndpoint({ preset: 'databricks', baseUrl: '', model: 'x', azureApiVersion: '' });
    assert.ok('problem' in r);
    assert.match(r.problem, /grounded\.embeddings\.baseUrl/);
  });
});
