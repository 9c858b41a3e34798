import * as assert from 'node:assert/strict';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { run } from '../../../src/cli/run';
import { GroundedError } from '../../../src/core/errors';
import { CachingEmbedder } from '../../../src/embeddings/cachingEmbedder';
import type { Embedder } from '../../../src/embeddings/embedder';
import { OpenAiEmbeddingsClient } from '../../../src/embeddings/openAiEmbeddingsClient';
import { splitLines } from '../../../src/index/chunking/chunker';
import { pushRows } from '../../../src/retrievers/pgvectorPush';
import { pushRow, workspaceRows } from '../../../src/retrievers/pgvectorPushRows';
import { PgvectorRetriever } from '../../../src/retrievers/pgvectorRetriever';
import { CancellingPostgresProxy } from '../../fakes/cancellingPostgresProxy';
import { EmbeddingsServer } from '../../fakes/embeddingsServer';
import { FakeClock } from '../../fakes/fakeClock';
import { startTestPostgres, type TestPostgres } from '../../fakes/pgliteServer';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

const FIXTURE = resolve(__dirname, '../../../../test/fixtures/workspace');
let tableSeq = 0;
const freshTable = () => `grounded_test_${process.pid}_${++tableSeq}`;

describe('PostgreSQL + pgvector retriever (PGlite over the wire, queried by pg)', function () {
  const dirs = tempDirs();
  this.timeout(60_000); // the first run ever creates the PGlite snapshot (~10 s); later runs start in ~2 s
  let pg: TestPostgres;
  let embeddings: EmbeddingsServer;
  let workspace: string;
  const tables: string[] = [];
  const open: PgvectorRetriever[] = [];

  before(async () => {
    [pg, embeddings] = await Promise.all([startTestPostgres(), EmbeddingsServer.start(32)]);
  });
  beforeEach(async () => {
    workspace = await dirs.make('grounded-pgvector-');
    await cp(FIXTURE, workspace, { recursive: true });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map(r => r.dispose()));
  });
  after(async () => {
    if (process.env.GROUNDED_TEST_PG_URL) await dropTables(pg.url, tables);
    await Promise.all([pg?.close(), embeddings?.close()]);
  });

  const config = () => {
    const table = freshTable();
    tables.push(table);
    return { connectionString: pg.url, table, maxConnections: pg.maxConnections };
  };
  const embedder = () =>
    new CachingEmbedder(
      new OpenAiEmbeddingsClient({ endpoint: embeddings.endpoint('bow-32'), clock: new FakeClock() }),
    );
  const retriever = (
    c: ReturnType<typeof config>,
    extra: Partial<ConstructorParameters<typeof PgvectorRetriever>[0]> = {},
  ) => {
    const r = new PgvectorRetriever({ ...c, locate: p => join(workspace, p), clock: new FakeClock(), ...extra });
    open.push(r);
    return r;
  };
  const linesOf = async (path: string, start: number, end: number) =>
    splitLines(await readFile(join(workspace, path), 'utf8'))
      .slice(start - 1, end)
      .join('\n');

  it('pushes the fixture workspace and answers with citations to the right lines (lexical only)', async () => {
    const c = config();
    const { rows } = await workspaceRows([workspace]);
    const report = await pushRows(c, rows);
    assert.equal(report.written, rows.length);
    assert.equal(report.embedded, 0);
    const passages = await retriever(c).search('how is the flux capacitor configured?', { k: 3 });
    const top = passages[0];
    assert.ok(top, 'a passage');
    assert.equal(top.path, 'docs/configuration.md');
    assert.ok(top.startLine <= 56 && top.endLine >= 58, `cites the flux section, got ${top.startLine}-${top.endLine}`);
    assert.equal(top.text, await linesOf(top.path, top.startLine, top.endLine));
    assert.equal(top.location, join(workspace, 'docs/configuration.md'));
    assert.ok(!passages.some(p => p.path.startsWith('ignored/')), 'gitignored files are not pushed');
  });

  it('pushes again after an edit and writes only the changed chunks, deleting the gone ones', async () => {
    const c = config();
    const first = await pushRows(c, (await workspaceRows([workspace])).rows);
    const unchangedAgain = await pushRows(c, (await workspaceRows([workspace])).rows);
    assert.deepEqual([unchangedAgain.written, unchangedAgain.deleted, unchangedAgain.unchanged], [0, 0, first.chunks]);

    await writeFile(join(workspace, 'notes/meeting.txt'), 'Team meeting, 13 March\n\nThe gauge is calibrated now.\n');
    await rm(join(workspace, 'src/server.ts'));
    const edited = await pushRows(c, (await workspaceRows([workspace])).rows);
    assert.equal(edited.written, 1, 'only the meeting note’s one chunk (now lines 1-3)');
    assert.equal(edited.deleted, 2, 'the note’s old chunk (lines 1-6) and the deleted file’s chunk');
    assert.equal(edited.unchanged, first.chunks - 2);

    const [hit] = await retriever(c).search('calibrated gauge', { k: 1 });
    assert.equal(hit?.path, 'notes/meeting.txt');
    assert.deepEqual([hit?.startLine, hit?.endLine], [1, 3]);
    assert.deepEqual(await retriever(c).search('startStatusServer', { k: 5 }), []);
  });

  it('stores vectors, fuses vector and full-text rankings, and never embeds unchanged content twice', async () => {
    const c = config();
    const e = embedder();
    const first = await pushRows(c, (await workspaceRows([workspace])).rows, { embedder: e });
    assert.equal(first.embedded, first.chunks);
    const sentBefore = embeddings.textsEmbedded;

    // An inserted line at the top moves every chunk of the file: rows are rewritten at their new lines, but their
    // content (and vector) is the same, so nothing new is embedded for them.
    const path = join(workspace, 'docs/configuration.md');
    await writeFile(path, 'Draft.\n' + (await readFile(path, 'utf8')));
    const second = await pushRows(c, (await workspaceRows([workspace])).rows, { embedder: embedder() });
    assert.ok(second.written >= 2, `moved chunks rewritten (${second.written})`);
    assert.equal(second.embeddingsReused + second.embedded, second.written);
    assert.equal(second.embedded, 1, 'only the chunk whose text changed');
    assert.equal(embeddings.textsEmbedded - sentBefore, 1);

    const passages = await retriever(c, { embedder: e }).search('flux capacitor charged before every jump', { k: 4 });
    const flux = passages.find(p => p.path === 'docs/configuration.md' && p.startLine <= 57 && p.endLine >= 57);
    assert.ok(flux, `the flux section at its new lines: ${passages.map(p => p.id).join(', ')}`);
    assert.equal(flux.text, await linesOf(flux.path, flux.startLine, flux.endLine));
    assert.ok(
      passages.every(p => p.score > 0 && p.score < 1 / 30),
      'RRF scores',
    );
  });

  it('stores and ranks vectors longer than pgvector can index (3,072 dimensions) by an exact scan', async () => {
    const c = config();
    // One direction for the alpha row (and a question about it that shares none of its words), another for the rest.
    const axis = (i: number) => Float32Array.from({ length: 3072 }, (_, d) => (d === i ? 1 : 0));
    const large: Embedder = {
      model: 'large-3072',
      embed: async texts => texts.map(t => axis(t.includes('alpha') || t === 'the initial letter' ? 0 : 1)),
    };
    const rows = [
      pushRow('a.md', { text: 'alpha comes first', startLine: 1, endLine: 1 }),
      pushRow('b.md', { text: 'beta comes second', startLine: 1, endLine: 1 }),
    ];
    const report = await pushRows(c, rows, { embedder: large });
    assert.equal(report.embedded, 2);
    const passages = await retriever(c, { embedder: large }).search('the initial letter', { k: 1 });
    assert.deepEqual(
      passages.map(p => p.path),
      ['a.md'],
    );
  });

  it('sees a push made since its last search: vectors added, or a rebuild with another model', async () => {
    const c = config();
    // The alpha row and a question about it that shares none of its words point one way; the rest another.
    const axes = (model: string, dimensions: number): Embedder => ({
      model,
      embed: async texts =>
        texts.map(t => {
          const v = new Float32Array(dimensions);
          v[t.includes('alpha') || t === 'the initial letter' ? 0 : 1] = 1;
          return v;
        }),
    });
    const rows = [
      pushRow('a.md', { text: 'alpha comes first', startLine: 1, endLine: 1 }),
      pushRow('b.md', { text: 'beta comes second', startLine: 1, endLine: 1 }),
    ];
    await pushRows(c, rows);
    const r = retriever(c, { embedder: axes('m32', 32) });
    assert.deepEqual(await r.search('the initial letter', { k: 1 }), [], 'no vectors yet, and no word in common');

    await pushRows(c, rows, { embedder: axes('m32', 32) });
    const found = await r.search('the initial letter', { k: 1 });
    assert.deepEqual(
      found.map(p => p.path),
      ['a.md'],
    );

    await pushRows(c, rows, { embedder: axes('m16', 16), rebuild: true });
    const err = await r.search('the initial letter', { k: 1 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(err instanceof GroundedError && /embedded with “m16”.*Set it to “m16”/.test(err.message), String(err));
  });

  it('says the table must be pushed again when the model behind its name now returns another dimension', async () => {
    const c = config();
    const sized = (dimensions: number): Embedder => ({
      model: 'm',
      embed: async texts => texts.map(() => Float32Array.from({ length: dimensions }, (_, d) => (d === 0 ? 1 : 0))),
    });
    const rows = [pushRow('a.md', { text: 'alpha comes first', startLine: 1, endLine: 1 })];
    await pushRows(c, rows, { embedder: sized(32) });
    const err = await retriever(c, { embedder: sized(16) })
      .search('the initial letter', { k: 1 })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.ok(
      err instanceof GroundedError &&
        /“m” now returns 16 dimensions, the table .* holds 32\. .*--rebuild/.test(err.message),
      String(err),
    );
  });

  it('answers by full text, saying why once, when the question’s vector is all zeros (cosine of zeros is NaN)', async () => {
    const c = config();
    // Each row points its own way; a question of no known word gets a vector of zeros, as such a model gives it.
    const axes: Embedder = {
      model: 'axes',
      embed: async texts =>
        texts.map(t => {
          const v = new Float32Array(8);
          const axis = ['alpha', 'beta', 'gamma'].findIndex(w => t.includes(w));
          if (axis >= 0) v[axis] = 1;
          return v;
        }),
    };
    const rows = ['alpha', 'beta', 'gamma'].map((w, i) =>
      pushRow(`${w}.md`, {
        text: `${w} ${['comes first', 'comes second', 'comes third'][i]}`,
        startLine: 1,
        endLine: 1,
      }),
    );
    await pushRows(c, rows, { embedder: axes });
    const logged: string[] = [];
    const r = retriever(c, { embedder: axes, onNotice: m => logged.push(m) });
    for (const question of ['what is second?', 'what is third?']) {
      const told: string[] = [];
      const passages = await r.search(question, { k: 3, onNotice: m => told.push(m) });
      assert.deepEqual(
        passages.map(p => p.path),
        [question.includes('second') ? 'beta.md' : 'gamma.md'],
        'the full-text ranking alone',
      );
      assert.equal(told.length, 1, JSON.stringify(told));
      assert.match(
        told[0] ?? '',
        /^Searching by keywords only \(the full-text ranking of the table .*\).*axes gave the question a vector of zeros/,
      );
    }
    assert.equal(logged.length, 1, `said once in the log: ${JSON.stringify(logged)}`);
  });

  it('leaves a row whose stored vector is all zeros out of the vector ranking (its cosine is NaN)', async () => {
    const c = config();
    // The alpha row and a question about it that shares none of its words point one way, beta another; a chunk of no
    // known word gets a vector of zeros, as such a model gives it.
    const axes: Embedder = {
      model: 'axes',
      embed: async texts =>
        texts.map(t => {
          const v = new Float32Array(8);
          if (t.includes('alpha') || t === 'the initial letter') v[0] = 1;
          else if (t.includes('beta')) v[1] = 1;
          return v;
        }),
    };
    const rows = [
      pushRow('a.md', { text: 'alpha comes first', startLine: 1, endLine: 1 }),
      pushRow('b.md', { text: 'beta comes second', startLine: 1, endLine: 1 }),
      pushRow('z.md', { text: 'zzz', startLine: 1, endLine: 1 }),
    ];
    await pushRows(c, rows, { embedder: axes });
    const passages = await retriever(c, { embedder: axes }).search('the initial letter', { k: 3 });
    assert.deepEqual(
      passages.map(p => p.path),
      ['a.md', 'b.md'],
    );
    assert.ok(
      passages.every(p => Number.isFinite(p.score)),
      JSON.stringify(passages.map(p => p.score)),
    );
  });

  it('searches an embedded table lexically when no embeddings are configured, and refuses a different model', async () => {
    const c = config();
    await pushRows(c, (await workspaceRows([workspace])).rows, { embedder: embedder() });
    const lexicalOnly = retriever(c);
    assert.ok((await lexicalOnly.search('plutonium gauge', { k: 2 })).length > 0);
    await lexicalOnly.dispose();
    const other = new OpenAiEmbeddingsClient({
      endpoint: {
        url: `${embeddings.baseUrl}/embeddings`,
        model: 'other-model',
        keyHeader: 'authorization',
        keyRequired: false,
        label: 'x',
      },
    });
    const err = await retriever(c, { embedder: other })
      .search('plutonium', { k: 2 })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.ok(err instanceof GroundedError && /embedded with “bow-32”/.test(err.message), String(err));
    const pushErr = await pushRows(c, [], { embedder: other }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(pushErr instanceof GroundedError && /--rebuild/.test(pushErr.message), String(pushErr));
  });

  it('asks the embedder for the question once per search: a failure it gave up on is not retried as the database’s', async () => {
    const c = config();
    await pushRows(c, (await workspaceRows([workspace])).rows, { embedder: embedder() });
    let calls = 0;
    const down: Embedder = {
      model: 'bow-32',
      embed: async () => {
        calls++; // the embeddings client's own retries are within this one call
        throw new GroundedError('network', 'The embeddings endpoint could not be reached.');
      },
    };
    await assert.rejects(retriever(c, { embedder: down }).search('flux capacitor', { k: 2 }), /could not be reached/);
    assert.equal(calls, 1);
  });

  it('pushes from the CLI with `grounded index --target`, incrementally, printing counts but never the password', async () => {
    const c = config();
    const url = new URL(pg.url);
    const secret = url.password || 'hunter2'; // PGlite's socket accepts any password; a real server's URL brings its own
    url.password = secret;
    const argv = [
      'index',
      '--target',
      url.href,
      '--table',
      c.table,
      '--folder',
      workspace,
      '--embeddings-model',
      'bow-32',
      '--embeddings-base-url',
      embeddings.baseUrl,
    ];
    const first = await cliRun(argv);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /written\s+(\d+)\n/);
    assert.match(first.out, /embedded\s+\d+ \(0 vectors reused\)/);
    const again = await cliRun([...argv, '--json']);
    assert.equal(again.code, 0, again.err);
    const report = JSON.parse(again.out) as {
      written: number;
      unchanged: number;
      chunks: number;
      documentsLeftOut: number;
    };
    assert.deepEqual([report.written, report.unchanged], [0, report.chunks]);
    assert.equal(report.documentsLeftOut, 0, 'the documents left out are counted, none here');
    assert.ok(!(first.out + first.err + again.out + again.err).includes(secret), 'the password is never printed');
    const bad = await cliRun(['index', '--target', 'http://nope', '--folder', workspace]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /must start with postgres:\/\//);
  });

  it('says the table is missing and how to push it', async () => {
    const err = await retriever(config())
      .search('anything', { k: 3 })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.ok(err instanceof GroundedError, String(err));
    assert.equal(err.kind, 'index');
    assert.match(err.message, /does not exist.*grounded index --target/);
  });

  it('says an unreachable server is unreachable, after retrying, without the password', async () => {
    const r = retriever({ connectionString: 'postgres://me:hunter2@127.0.0.1:1/db', table: 't', maxConnections: 1 });
    const err = await r.search('x', { k: 1 }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(err instanceof GroundedError && err.kind === 'network', String(err));
    assert.match(err.message, /127\.0\.0\.1:1\/db could not be reached/);
    assert.doesNotMatch(err.message, /hunter2/);
  });

  it('reads the table’s meta again after a timeout instead of failing every later search with it', async () => {
    const c = config();
    await pushRows(c, (await workspaceRows([workspace])).rows);
    // The meta table becomes a view whose first read fails as a statement timeout (SQLSTATE 57014) does.
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      await db.query(`ALTER TABLE "${c.table}_meta" RENAME TO "${c.table}_meta_rows"`);
      await db.query(`CREATE SEQUENCE "${c.table}_reads"`);
      await db.query(`CREATE FUNCTION "${c.table}_first_read_times_out"() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
          IF nextval('"${c.table}_reads"') = 1 THEN
            RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = '57014';
          END IF;
          RETURN true;
        END $$`);
      await db.query(
        `CREATE VIEW "${c.table}_meta" AS SELECT * FROM "${c.table}_meta_rows" WHERE "${c.table}_first_read_times_out"()`,
      );
    } finally {
      await db.end();
    }
    const passages = await retriever(c).search('flux capacitor', { k: 2 });
    assert.equal(passages[0]?.path, 'docs/configuration.md');
  });

  it('cancels a search’s statement on the server when the search is cancelled, and searches on the same pool after', async () => {
    const c = config();
    await pushRows(c, (await workspaceRows([workspace])).rows);
    // the full-text statement runs until the server is told to cancel it, as a slow one on a loaded server does
    const proxy = await CancellingPostgresProxy.start(pg.url);
    try {
      proxy.hold = sql => sql.includes('ts_rank');
      const r = retriever({ ...c, connectionString: proxy.url });
      const controller = new AbortController();
      const search = r.search('flux capacitor', { k: 2, signal: controller.signal });
      await proxy.whenHolding();
      controller.abort();
      await assert.rejects(search, (e: unknown) => e instanceof GroundedError && e.kind === 'cancelled');
      assert.ok(await until(() => proxy.cancelled.length === 1), 'the server got a CancelRequest for the statement');
      proxy.hold = () => false;
      const [top] = await r.search('flux capacitor', { k: 2 });
      assert.equal(top?.path, 'docs/configuration.md');
      assert.equal(proxy.held, 1);
    } finally {
      await proxy.close();
    }
  });

  it('pushes rows that come a batch at a time, sending each before the next is read, and embeds a text once', async () => {
    const c = config();
    const events: string[] = [];
    const counting: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        events.push(`embed ${texts.length}`);
        return texts.map(() => Float32Array.from([1, 0, 0, 0]));
      },
    };
    async function* batches() {
      for (let b = 0; b < 4; b++) {
        events.push(`batch ${b}`);
        yield Array.from({ length: 300 }, (_, i) =>
          pushRow(`f${b}.md`, { text: `word${b * 300 + i} plutonium`, startLine: i + 1, endLine: i + 1 }),
        );
      }
      // the same text at other lines of the same file (the same content hash): its vector is the earlier row's
      events.push('batch 4');
      // and a row that came in an earlier batch, which is written once
      yield [
        pushRow('f0.md', { text: 'word0 plutonium', startLine: 400, endLine: 400 }),
        pushRow('f1.md', { text: 'word300 plutonium', startLine: 1, endLine: 1 }),
      ];
    }
    // the proxy holds nothing: it counts the statements that write the table
    const proxy = await CancellingPostgresProxy.start(pg.url);
    let writes = 0;
    proxy.hold = sql => {
      if (sql.startsWith(`INSERT INTO "${c.table}"`)) writes++;
      return false;
    };
    const report = await pushRows({ ...c, connectionString: proxy.url }, batches(), { embedder: counting }).finally(
      () => proxy.close(),
    );
    assert.equal(writes, 3, 'the table is written 500 rows a statement');
    assert.deepEqual(events, [
      'batch 0',
      'batch 1',
      'embed 500',
      'batch 2',
      'batch 3',
      'embed 500',
      'batch 4',
      'embed 200',
    ]);
    assert.deepEqual([report.chunks, report.written, report.embedded, report.embeddingsReused], [1201, 1201, 1200, 2]);
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string; v: string }>(
        `SELECT count(*) AS n, count(embedding) AS v FROM "${c.table}"`,
      );
      assert.deepEqual(rows[0], { n: '1201', v: '1201' });
    } finally {
      await db.end();
    }
    const again = await pushRows(c, batches(), { embedder: counting });
    assert.deepEqual([again.written, again.unchanged, again.deleted], [0, 1201, 0]);
  });

  it('cancels a push’s running statement on the server when the push is cancelled, creating and writing nothing', async () => {
    const c = config();
    const { rows } = await workspaceRows([workspace]);
    const proxy = await CancellingPostgresProxy.start(pg.url);
    try {
      // the write from the staged rows runs until the server is told to cancel it
      proxy.hold = sql => /FROM "grounded_push_[0-9a-f]{12}" WHERE seq/.test(sql);
      const controller = new AbortController();
      const push = pushRows({ ...c, connectionString: proxy.url }, rows, { signal: controller.signal });
      await proxy.whenHolding();
      controller.abort();
      await assert.rejects(push, (e: unknown) => e instanceof GroundedError && e.kind === 'cancelled');
      assert.equal(proxy.cancelled.length, 1);
    } finally {
      await proxy.close();
    }
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows: found } = await db.query<{ chunks: string | null; meta: string | null }>(
        'SELECT to_regclass($1)::text AS chunks, to_regclass($2)::text AS meta',
        [c.table, `${c.table}_meta`],
      );
      assert.deepEqual(
        found[0],
        { chunks: null, meta: null },
        'the push’s transaction, which made the table, was rolled back',
      );
    } finally {
      await db.end();
    }
  });

  it('reports a push as done when it is cancelled after its transaction committed, while the table is analysed', async () => {
    const c = config();
    const { rows } = await workspaceRows([workspace]);
    const proxy = await CancellingPostgresProxy.start(pg.url);
    let report;
    try {
      proxy.hold = sql => sql.startsWith('ANALYZE');
      const controller = new AbortController();
      const push = pushRows({ ...c, connectionString: proxy.url }, rows, { signal: controller.signal });
      await proxy.whenHolding();
      controller.abort();
      report = await push;
      assert.equal(proxy.cancelled.length, 1, 'the statistics are not waited for');
    } finally {
      await proxy.close();
    }
    assert.equal(report.written, rows.length);
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows: counted } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${c.table}"`);
      assert.equal(counted[0]?.n, String(rows.length), 'the push’s rows are in the table');
    } finally {
      await db.end();
    }
  });

  it('refuses a table name that would need string-built SQL', () => {
    assert.throws(
      () => new PgvectorRetriever({ connectionString: pg.url, table: 'x; DROP TABLE y' }),
      /not a usable table name/,
    );
  });
});

async function cliRun(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: t => (out += t), err: t => (err += t) });
  return { code, out, err };
}

async function dropTables(url: string, tables: readonly string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  for (const t of tables) {
    await client.query(`DROP TABLE IF EXISTS "${t}"`);
    await client.query(`DROP TABLE IF EXISTS "${t}_meta"`);
  }
  await client.end();
}
