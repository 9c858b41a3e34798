import * as assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import type { Embedder } from '../../../src/embeddings/embedder';
import {
  DatabricksVectorSearchRetriever,
  type DatabricksVectorSearchOptions,
} from '../../../src/retrievers/databricksVectorSearchRetriever';
import { DatabricksVectorSearchServer, type FakeIndex } from '../../fakes/databricksVectorSearchServer';
import { bagOfWordsVector } from '../../fakes/embeddingsServer';
import { FakeClock } from '../../fakes/fakeClock';

const docs = [
  {
    chunk_id: 1,
    text: 'The flux capacitor must be charged before every jump.',
    source_path: 'docs/configuration.md',
    start_line: 54,
    end_line: 66,
    heading: 'Configuration > Flux capacitor',
  },
  {
    chunk_id: 2,
    text: 'Plutonium is loaded in the reactor chamber.\nHandle with care.',
    source_path: 'docs/configuration.md',
    start_line: '19',
    end_line: '31',
    heading: 'Configuration > Plutonium',
  },
  {
    chunk_id: 3,
    text: 'Meeting notes: the flux gauge was calibrated.',
    source_path: 'https://wiki.example.com/meeting',
    start_line: null,
    end_line: null,
    heading: null,
  },
];
const managed: FakeIndex = {
  name: 'main.docs.chunks_idx',
  columns: ['chunk_id', 'text', 'source_path', 'start_line', 'end_line', 'heading'],
  textColumn: 'text',
  rows: docs,
};
const selfManaged: FakeIndex = {
  ...managed,
  name: 'main.docs.vectors_idx',
  columns: [...managed.columns, 'embedding'],
  vectorColumn: 'embedding',
  rows: docs.map(d => ({ ...d, embedding: bagOfWordsVector(d.text, 16) })),
};
const columns = { text: 'text', path: 'source_path', startLine: 'start_line', endLine: 'end_line', title: 'heading' };
/** An index anyone with write access filled with paths that point outside the workspace. */
const hostile: FakeIndex = {
  ...managed,
  name: 'main.docs.hostile_idx',
  rows: [
    {
      chunk_id: 1,
      text: 'flux keys here',
      source_path: '../../.ssh/id_rsa',
      start_line: 1,
      end_line: 1,
      heading: null,
    },
    { chunk_id: 2, text: 'flux passwords', source_path: '/etc/passwd', start_line: 1, end_line: 1, heading: null },
    {
      chunk_id: 3,
      text: 'flux terminal',
      source_path: 'command:workbench.action.terminal.sendSequence',
      start_line: 1,
      end_line: 1,
      heading: null,
    },
    {
      chunk_id: 4,
      text: 'flux windows',
      source_path: 'C:\\Users\\me\\.aws\\credentials',
      start_line: 1,
      end_line: 1,
      heading: null,
    },
    {
      chunk_id: 5,
      text: 'flux capacitor notes',
      source_path: 'docs/flux.md',
      start_line: 3,
      end_line: 4,
      heading: null,
    },
    {
      chunk_id: 6,
      text: 'flux wiki',
      source_path: 'https://wiki.example.com/flux',
      start_line: null,
      end_line: null,
      heading: null,
    },
  ],
};

/** Embeds like the fake's vectors, without a server: the retriever's query_vector path is what is tested here. */
const localEmbedder: Embedder = {
  model: 'bow-16',
  embed: async texts => texts.map(t => Float32Array.from(bagOfWordsVector(t, 16))),
};

describe('Databricks Vector Search retriever (against the documented REST contract)', () => {
  let server: DatabricksVectorSearchServer;
  let clock: FakeClock;
  beforeEach(async () => {
    server = await DatabricksVectorSearchServer.start([managed, selfManaged, hostile]);
    clock = new FakeClock();
  });
  afterEach(() => server.close());

  const retriever = (extra: Partial<DatabricksVectorSearchOptions> = {}) =>
    new DatabricksVectorSearchRetriever({
      workspaceUrl: server.url,
      indexName: managed.name,
      token: server.token,
      columns,
      clock,
      locate: p => (p.startsWith('https://') ? p : `/ws/${p}`),
      ...extra,
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('queries with query_text (managed embeddings) and maps rows to cited passages', async () => {
    const passages = await retriever().search('flux capacitor charged', { k: 2 });
    const request = server.requests[0];
    assert.equal(request?.path, '/api/2.0/vector-search/indexes/main.docs.chunks_idx/query');
    assert.equal(request?.authorization, 'Bearer dapi-test');
    assert.deepEqual(request?.body, {
      columns: ['text', 'source_path', 'start_line', 'end_line', 'heading'],
      num_results: 2,
      query_text: 'flux capacitor charged',
    });
    assert.deepEqual(passages[0], {
      id: 'docs/configuration.md:54-66',
      path: 'docs/configuration.md',
      location: '/ws/docs/configuration.md',
      startLine: 54,
      endLine: 66,
      title: 'Configuration > Flux capacitor',
      text: docs[0]?.text,
      score: 1,
    });
    assert.equal(passages[1]?.location, 'https://wiki.example.com/meeting', 'a URL row opens the URL');
    assert.deepEqual(
      [passages[1]?.startLine, passages[1]?.endLine],
      [1, 1],
      'no line columns: the whole text from line 1',
    );
  });

  it('reads line numbers sent as strings, and cites a multi-line row without line columns by its length', async () => {
    const [plutonium] = await retriever().search('plutonium reactor', { k: 1 });
    assert.deepEqual([plutonium?.startLine, plutonium?.endLine], [19, 31]);
    const [noLines] = await retriever({ columns: { text: 'text', path: 'source_path' } }).search('plutonium reactor', {
      k: 1,
    });
    assert.deepEqual([noLines?.startLine, noLines?.endLine], [1, 2]);
  });

  it('queries with query_vector when embeddings are configured (self-managed vectors)', async () => {
    const passages = await retriever({ indexName: selfManaged.name, embedder: localEmbedder }).search(
      'plutonium reactor chamber',
      { k: 1 },
    );
    const body = server.requests[0]?.body ?? {};
    assert.equal(body.query_text, undefined);
    assert.equal((body.query_vector as number[]).length, 16);
    assert.equal(passages[0]?.startLine, 19);
  });

  it('sends query_text beside query_vector for a HYBRID query with self-managed vectors, as HYBRID requires', async () => {
    const passages = await retriever({
      indexName: selfManaged.name,
      embedder: localEmbedder,
      queryType: 'HYBRID',
    }).search('plutonium reactor chamber', { k: 1 });
    const body = server.requests[0]?.body ?? {};
    assert.equal(body.query_type, 'HYBRID');
    assert.equal(body.query_text, 'plutonium reactor chamber');
    assert.equal((body.query_vector as number[]).length, 16);
    assert.equal(passages[0]?.startLine, 19);
  });

  it('refuses a question vector of zeros or of non-finite numbers, naming the embeddings setting, before sending it', async () => {
    for (const [value, said] of [
      [0, /gave the question a vector of zeros/],
      [Number.NaN, /gave the question a vector with numbers that are not finite/],
    ] as const)
      for (const queryType of ['ANN', 'HYBRID'] as const) {
        const unusable: Embedder = {
          model: 'flat-16',
          embed: async texts => texts.map(() => new Float32Array(16).fill(value)),
        };
        const failed = await failure(
          retriever({ indexName: selfManaged.name, embedder: unusable, queryType }).search('plutonium reactor', {
            k: 1,
          }),
        );
        assert.ok(failed instanceof GroundedError && failed.kind === 'bad-input', String(failed));
        assert.match(failed.message, said);
        assert.match(failed.message, /^flat-16 .*main\.docs\.vectors_idx.*Check grounded\.embeddings\.model/);
      }
    assert.equal(server.requests.length, 0, 'nothing sent');
  });

  it('follows next_page_token with query-next-page until it has k rows', async () => {
    server.pageSize = 1;
    const passages = await retriever({ endpointName: server.endpointName }).search('flux', { k: 2 });
    assert.equal(passages.length, 2);
    assert.deepEqual(
      server.requests.map(r => r.path.split('/').pop()),
      ['query', 'query-next-page'],
    );
    assert.equal(server.requests[1]?.body.endpoint_name, 'vs-endpoint');
  });

  it('says once, without an endpoint name, that more results exist and which setting reads them', async () => {
    server.pageSize = 1;
    const notices: string[] = [];
    const r = retriever({ onNotice: m => notices.push(m) });
    for (let i = 0; i < 2; i++) assert.equal((await r.search('flux', { k: 2 })).length, 1);
    assert.deepEqual(
      server.requests.map(r => r.path.split('/').pop()),
      ['query', 'query'],
    );
    assert.deepEqual(notices, [
      `Databricks Vector Search index ${managed.name} has more results than its first page, with 1 of the 2 results asked for: set grounded.databricksVectorSearch.endpointName to the endpoint serving the index to read them.`,
    ]);
  });

  it('reads a next page that comes without its manifest in the columns of the first page', async () => {
    server.pageSize = 1;
    server.nextPageManifest = false;
    const passages = await retriever({ endpointName: server.endpointName }).search('flux', { k: 2 });
    assert.deepEqual(
      passages.map(p => [p.path, p.startLine, p.title]),
      [
        ['docs/configuration.md', 54, 'Configuration > Flux capacitor'],
        ['https://wiki.example.com/meeting', 1, undefined],
      ],
    );
  });

  it('stops at an empty page that still names a next page, and says so', async () => {
    server.pageSize = 1;
    server.emptyNextPages = true;
    const notices: string[] = [];
    const passages = await retriever({ endpointName: server.endpointName, onNotice: m => notices.push(m) }).search(
      'flux',
      { k: 3 },
    );
    assert.equal(passages.length, 1);
    assert.deepEqual(
      server.requests.map(r => r.path.split('/').pop()),
      ['query', 'query-next-page'],
    );
    assert.deepEqual(notices, [
      `Databricks Vector Search index ${managed.name}: a page of results came back empty but named a next page; stopped there, with 1 of the 3 results asked for.`,
    ]);
  });

  it('reads at most 10 pages (the 10,000 rows Vector Search returns), and says so', async () => {
    const many: FakeIndex = {
      ...managed,
      name: 'main.docs.many_idx',
      rows: Array.from({ length: 15 }, (_, i) => ({ ...docs[0], chunk_id: i, start_line: i + 1, end_line: i + 1 })),
    };
    await server.close();
    server = await DatabricksVectorSearchServer.start([many]);
    server.pageSize = 1;
    const notices: string[] = [];
    const passages = await retriever({
      indexName: many.name,
      endpointName: server.endpointName,
      onNotice: m => notices.push(m),
    }).search('flux', { k: 15 });
    assert.equal(passages.length, 10);
    assert.equal(server.requests.length, 10);
    assert.deepEqual(notices, [
      `Databricks Vector Search index ${many.name}: stopped after 10 pages of results (Vector Search returns at most 10,000 rows), with 10 of the 15 results asked for.`,
    ]);
  });

  it('names the endpoint setting, not the index, when query-next-page is not found', async () => {
    server.pageSize = 1;
    const failed = await failure(retriever({ endpointName: 'vs-typo' }).search('flux', { k: 2 }));
    assert.ok(failed instanceof GroundedError && failed.kind === 'index', String(failed));
    assert.doesNotMatch(failed.message, /no index/);
    assert.match(
      failed.message,
      /did not give the next page of results for main\.docs\.chunks_idx from the endpoint vs-typo \(RESOURCE_DOES_NOT_EXIST: Vector search endpoint vs-typo not found\)\. Check grounded\.databricksVectorSearch\.endpointName/,
    );
  });

  it('retries 429 (honouring Retry-After) and 503, then answers', async () => {
    server.faults.push({ status: 429, retryAfter: '3' }, { status: 503 });
    const passages = await retriever().search('flux', { k: 1 });
    assert.equal(passages.length, 1);
    assert.deepEqual(clock.sleeps, [3000, 750]);
  });

  it('explains a rejected token, a missing index and wrong columns, each without retrying', async () => {
    const auth = await failure(retriever({ token: 'wrong' }).search('flux', { k: 1 }));
    assert.ok(auth instanceof GroundedError && auth.kind === 'auth', String(auth));
    assert.match(auth.message, /rejected the token.*Set Databricks Token/);
    const missing = await failure(retriever({ indexName: 'main.docs.nope' }).search('flux', { k: 1 }));
    assert.ok(missing instanceof GroundedError && missing.kind === 'index');
    assert.match(missing.message, /no index main\.docs\.nope.*indexName/);
    const wrongColumns = await failure(retriever({ columns: { ...columns, path: 'file' } }).search('flux', { k: 1 }));
    assert.ok(wrongColumns instanceof GroundedError && wrongColumns.kind === 'index');
    assert.match(wrongColumns.message, /not present in index: file.*column settings/);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(clock.sleeps, []);
  });

  it('points at the column settings only when a refused query is about columns, in one sentence each', async () => {
    // The index embeds its own vectors, so a query_vector is refused: nothing about columns.
    const vectorRefused = await failure(retriever({ embedder: localEmbedder }).search('flux', { k: 1 }));
    assert.ok(vectorRefused instanceof GroundedError && vectorRefused.kind === 'index', String(vectorRefused));
    assert.equal(
      vectorRefused.message,
      `Databricks Vector Search refused the query on ${managed.name}: INVALID_PARAMETER_VALUE: query_vector is not supported for an index with managed embeddings.`,
    );
    const wrongColumns = await failure(retriever({ columns: { ...columns, path: 'file' } }).search('flux', { k: 1 }));
    assert.ok(wrongColumns instanceof GroundedError, String(wrongColumns));
    assert.equal(
      wrongColumns.message,
      `Databricks Vector Search refused the query on ${managed.name}: INVALID_PARAMETER_VALUE: Requested columns to fetch are not present in index: file. Check the grounded.databricksVectorSearch column settings.`,
    );
  });

  it('says a web page answered with 200 (a sign-in page) is not the Vector Search API, naming the workspace URL setting', async () => {
    server.faults.push({ status: 200, html: '<html><head><title>Sign in</title></head><body></body></html>' });
    const page = await failure(retriever().search('flux', { k: 1 }));
    assert.ok(page instanceof GroundedError && page.kind === 'bad-input', String(page));
    assert.match(page.message, /answered with a web page, not the Vector Search API.*workspaceUrl/);
    assert.equal(server.requests.length, 1);
  });

  it('asks for a token before sending anything, and says an unreachable workspace is unreachable', async () => {
    const noToken = await failure(retriever({ token: undefined }).search('flux', { k: 1 }));
    assert.ok(noToken instanceof GroundedError && noToken.kind === 'auth');
    assert.equal(server.requests.length, 0);
    const down = await failure(
      retriever({ workspaceUrl: 'http://127.0.0.1:1', retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } }).search(
        'flux',
        { k: 1 },
      ),
    );
    assert.ok(down instanceof GroundedError && down.kind === 'network', String(down));
    assert.match(down.message, /127\.0\.0\.1:1 could not be reached.*workspaceUrl/);
  });

  it('leaves out rows whose path is absolute, climbs with .., or has another scheme, and says how many', async () => {
    const notices: string[] = [];
    const passages = await retriever({ indexName: hostile.name, onNotice: m => notices.push(m) }).search('flux', {
      k: 10,
    });
    assert.deepEqual(
      passages.map(p => p.location),
      ['/ws/docs/flux.md', 'https://wiki.example.com/flux'],
    );
    assert.equal(notices.length, 1);
    assert.match(
      notices[0] ?? '',
      /^Databricks Vector Search index main\.docs\.hostile_idx: 4 rows were left out because their paths point outside the workspace \(for example “\.\.\/\.\.\/\.ssh\/id_rsa”/,
    );
  });

  it('refuses a plain-http workspace on another machine unless insecure connections are allowed', () => {
    assert.throws(
      () => retriever({ workspaceUrl: 'http://adb-1.azuredatabricks.net' }),
      (e: unknown) => e instanceof GroundedError && /plain http.*allowInsecureConnections/.test(e.message),
    );
    assert.doesNotThrow(() => retriever({ workspaceUrl: 'http://adb-1.azuredatabricks.net', allowInsecure: true }));
  });

  it('stops at once when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await failure(retriever().search('flux', { k: 1, signal: controller.signal }));
    assert.ok(err instanceof GroundedError && err.kind === 'cancelled', String(err));
  });
});
