import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { run } from '../../../src/cli/run';
import { GroundedError } from '../../../src/core/errors';
import type { Embedder } from '../../../src/embeddings/embedder';
import { pushRow } from '../../../src/retrievers/pgvectorPushRows';
import { pushRows } from '../../../src/retrievers/pgvectorPush';
import { SCHEMA_VERSION } from '../../../src/retrievers/pgvectorSchema';
import { PgvectorRetriever } from '../../../src/retrievers/pgvectorRetriever';
import { FakeClock } from '../../fakes/fakeClock';
import { startTestPostgres, type TestPostgres } from '../../fakes/pgliteServer';
import { CancellingPostgresProxy } from '../../fakes/cancellingPostgresProxy';
import { TlsPostgresServer } from '../../fakes/tlsPostgresServer';
import { tempDirs } from '../../support/tempDirs';

let tableSeq = 0;

/** Vectors that pgvector refuses (NaN): the write fails inside the push's transaction, after any drop. */
const nanEmbedder: Embedder = {
  model: 'nan-4',
  embed: async texts => texts.map(() => Float32Array.from([NaN, 0, 0, 0])),
};
const unitEmbedder: Embedder = {
  model: 'unit-4',
  embed: async texts => texts.map(() => Float32Array.from([1, 0, 0, 0])),
};

describe('pushing to PostgreSQL safely (PGlite over the wire)', function () {
  const dirs = tempDirs();
  this.timeout(60_000);
  let pg: TestPostgres;
  let db: Client;
  const tables: string[] = [];

  before(async () => {
    pg = await startTestPostgres();
    db = new Client({ connectionString: pg.url });
    await db.connect();
  });
  after(async () => {
    for (const t of tables) {
      await db.query(`DROP TABLE IF EXISTS "${t}"`);
      await db.query(`DROP TABLE IF EXISTS "${t}_meta"`);
    }
    await db.end();
    await pg?.close();
  });

  const config = () => {
    const table = `grounded_safety_${process.pid}_${++tableSeq}`;
    tables.push(table);
    return { connectionString: pg.url, table, maxConnections: 1 };
  };
  const rows = [
    pushRow('docs/a.md', { startLine: 1, endLine: 2, text: 'flux capacitor\ncharged' }),
    pushRow('docs/b.md', { startLine: 1, endLine: 1, text: 'plutonium' }),
  ];
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e,
    );
  const count = async (table: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]?.n);

  /** Staging tables (a push's name, in any schema) that are there now. */
  const stagingTables = async () =>
    (
      await db.query<{ name: string }>(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname ~ '^grounded_push_[0-9a-f]{12}$' AND c.relkind = 'r' ORDER BY 1`,
      )
    ).rows.map(r => r.name);

  it('refuses to rebuild (or write to) a table Grounded did not create, leaving it and its rows alone', async () => {
    const c = config();
    await db.query(`CREATE TABLE "${c.table}" (id text PRIMARY KEY, path text, content_hash text)`);
    await db.query(`INSERT INTO "${c.table}" VALUES ('keep-me', 'x', 'h')`);
    for (const rebuild of [true, false]) {
      const err = await failure(pushRows(c, rows, { rebuild }));
      assert.ok(err instanceof GroundedError && err.kind === 'bad-input', String(err));
      assert.match(err.message, /was not created by Grounded.*neither write to nor drop it: push into another --table/);
      assert.doesNotMatch(err.message, /--rebuild/);
    }
    assert.equal(await count(c.table), 1);
  });

  it('refuses a <name>_meta table that is not Grounded’s, even when the chunk table does not exist, without writing to it', async () => {
    const c = config();
    await db.query(`CREATE TABLE "${c.table}_meta" (key text PRIMARY KEY, value text NOT NULL)`);
    await db.query(`INSERT INTO "${c.table}_meta" VALUES ('schema_version', '1')`);
    const err = await failure(pushRows(c, rows, { rebuild: true }));
    assert.ok(err instanceof GroundedError && /was not created by Grounded/.test(err.message), String(err));
    const other = config();
    await db.query(`CREATE TABLE "${other.table}_meta" (name text, payload jsonb)`);
    assert.ok(
      (await failure(pushRows(other, rows))) instanceof GroundedError,
      'a meta table of another shape is refused too',
    );
    assert.deepEqual((await db.query(`SELECT key FROM "${c.table}_meta"`)).rows, [{ key: 'schema_version' }]);
    assert.equal(
      (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [c.table])).rows[0]?.t,
      null,
      'no chunk table was created',
    );
  });

  it('rebuilds its own table in one transaction: a failure while refilling leaves the old table and rows', async () => {
    const c = config();
    await pushRows(c, rows);
    const err = await failure(
      pushRows(c, [...rows, pushRow('docs/c.md', { startLine: 1, endLine: 1, text: 'gauge' })], {
        rebuild: true,
        embedder: nanEmbedder,
      }),
    );
    assert.ok(
      err instanceof GroundedError && /NaN/.test(String((err.options.cause as Error | undefined)?.message)),
      String(err),
    );
    assert.equal(await count(c.table), 2, 'the old rows are still there');
    assert.deepEqual(await stagingTables(), [], 'the failed push dropped its staging table');
    const meta = await db.query<{ key: string; value: string }>(
      `SELECT key, value FROM "${c.table}_meta" ORDER BY key`,
    );
    assert.deepEqual(meta.rows, [
      { key: 'created_by', value: 'grounded' },
      { key: 'schema_version', value: String(SCHEMA_VERSION) },
    ]);

    const rebuilt = await pushRows(c, rows.slice(0, 1), { rebuild: true, embedder: unitEmbedder });
    assert.deepEqual([rebuilt.written, rebuilt.deleted, rebuilt.embedded], [1, 0, 1]);
    assert.equal(await count(c.table), 1);
    const model = await db.query<{ value: string }>(
      `SELECT value FROM "${c.table}_meta" WHERE key = 'embedding_model'`,
    );
    assert.equal(model.rows[0]?.value, 'unit-4');
  });

  const tablesOf = async (table: string) =>
    (
      await db.query<{ chunks: string | null; meta: string | null }>(
        'SELECT to_regclass($1)::text AS chunks, to_regclass($2)::text AS meta',
        [table, `${table}_meta`],
      )
    ).rows[0];
  const textsOf = async (table: string) =>
    (await db.query<{ id: string; text: string }>(`SELECT id, text FROM "${table}" ORDER BY id`)).rows.map(
      r => `${r.id} ${r.text}`,
    );

  it('embeds with no transaction open, and creates the table in the push’s transaction once it holds the table’s lock', async () => {
    const c = config();
    const proxy = await CancellingPostgresProxy.start(pg.url);
    const events: string[] = [];
    // the proxy holds nothing: it lists the statements the push sends, in order, with the embedder's calls among them
    proxy.hold = sql => {
      events.push(sql.trim());
      return false;
    };
    const listed: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        events.push('(embedding)');
        return unitEmbedder.embed(texts);
      },
    };
    await pushRows({ ...c, connectionString: proxy.url }, rows, { embedder: listed }).finally(() => proxy.close());
    // the push's writing transaction is its last; the staging table is made in one of its own before anything is read
    const begin = events.lastIndexOf('BEGIN');
    const commit = events.lastIndexOf('COMMIT');
    const lock = events.findIndex(e => e.includes('pg_advisory_xact_lock'));
    const create = events.findIndex(e => e.startsWith(`CREATE TABLE IF NOT EXISTS "${c.table}"`));
    assert.ok(events.includes('(embedding)') && events.lastIndexOf('(embedding)') < begin, events.join('\n'));
    const open = (upTo: number) =>
      events.slice(0, upTo).filter(e => e === 'BEGIN').length -
      events.slice(0, upTo).filter(e => e === 'COMMIT' || e === 'ROLLBACK').length;
    assert.ok(
      events.every((e, i) => e !== '(embedding)' || open(i) === 0),
      `no transaction is open while it embeds:\n${events.join('\n')}`,
    );
    assert.ok(begin < lock && lock < create && create < commit, events.join('\n'));
    assert.deepEqual(
      await textsOf(c.table),
      rows.map(r => `${r.id} ${r.text}`),
    );
  });

  /** An embedder that cancels the push the first time it is asked to embed, and that push's controller. */
  const cancelledWhileEmbedding = () => {
    const controller = new AbortController();
    const cancelling: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        controller.abort();
        return unitEmbedder.embed(texts);
      },
    };
    return { controller, cancelling };
  };

  it('creates nothing when cancelled while it embeds', async () => {
    const c = config();
    const { controller, cancelling } = cancelledWhileEmbedding();
    const err = await failure(pushRows(c, rows, { embedder: cancelling, signal: controller.signal }));
    assert.ok(err instanceof GroundedError && err.kind === 'cancelled', String(err));
    assert.deepEqual(await tablesOf(c.table), { chunks: null, meta: null });
    assert.deepEqual(await stagingTables(), [], 'the cancelled push dropped its staging table');
  });

  it('drops its staging table when cancelled even if the cancel reaches the server late, ending that DROP', async () => {
    const c = config();
    const proxy = await CancellingPostgresProxy.start(pg.url);
    // the cancel sent while the push embeds (no statement running) ends the next statement held: the first DROP of
    // the staging table
    proxy.lateCancels = true;
    let drops = 0;
    proxy.hold = sql => /^DROP TABLE IF EXISTS "grounded_push_[0-9a-f]{12}"$/.test(sql.trim()) && ++drops === 1;
    const { controller, cancelling } = cancelledWhileEmbedding();
    const err = await failure(
      pushRows({ ...c, connectionString: proxy.url }, rows, { embedder: cancelling, signal: controller.signal }),
    ).finally(() => proxy.close());
    assert.ok(err instanceof GroundedError && err.kind === 'cancelled', String(err));
    assert.equal(proxy.held, 1, 'the first DROP was held and ended by the cancel');
    assert.deepEqual(await stagingTables(), [], 'the cancelled push dropped its staging table');
    assert.deepEqual(await tablesOf(c.table), { chunks: null, meta: null });
  });

  it('pushes twice at once into a table that does not exist yet, both pushes succeeding', async () => {
    const c = config();
    const reports = await Promise.all([
      pushRows(c, rows, { embedder: unitEmbedder }),
      pushRows(c, rows, { embedder: unitEmbedder }),
    ]);
    assert.deepEqual(
      reports.map(r => r.chunks),
      [2, 2],
    );
    assert.deepEqual(
      await textsOf(c.table),
      rows.map(r => `${r.id} ${r.text}`),
    );
  });

  it('takes one lock for a table whether its name has the schema the search path resolves it to or not', async () => {
    const c = config();
    const here = (await db.query<{ schema: string }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    const proxy = await CancellingPostgresProxy.start(pg.url);
    // a push is held at its first statement after it took the lock, while the advisory locks held are read
    proxy.hold = sql => sql.trim().startsWith('CREATE TABLE IF NOT EXISTS');
    const locksWhilePushing = async (table: string) => {
      const controller = new AbortController();
      const push = failure(pushRows({ ...c, table, connectionString: proxy.url }, rows, { signal: controller.signal }));
      await proxy.whenHolding();
      const locks = await pg.peek<{ key: string }>(
        `SELECT classid::text || ':' || objid::text AS key FROM pg_locks WHERE locktype = 'advisory' ORDER BY 1`,
      );
      controller.abort();
      await push;
      return locks.map(l => l.key);
    };
    try {
      const unqualified = await locksWhilePushing(c.table);
      assert.equal(unqualified.length, 1, JSON.stringify(unqualified));
      assert.deepEqual(await locksWhilePushing(`${here}.${c.table}`), unqualified);
      assert.notDeepEqual(await locksWhilePushing(`${c.table}_other`), unqualified, 'another table, another lock');
    } finally {
      await proxy.close();
    }
    assert.deepEqual(await tablesOf(c.table), { chunks: null, meta: null }, 'the cancelled pushes wrote nothing');
  });

  it('writes nothing over a row another push changed while it embedded, and says to push again', async () => {
    const c = config();
    await pushRows(c, rows, { embedder: unitEmbedder });
    const a2 = pushRow('docs/a.md', { startLine: 1, endLine: 2, text: 'flux capacitor\nrecharged' });
    const b2 = pushRow('docs/b.md', { startLine: 1, endLine: 1, text: 'plutonium, refined' });
    // while this push embeds its changed row (b), another push changes the row it found unchanged (a)
    const meddling: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        await pushRows(c, [a2, rows[1]!], { embedder: unitEmbedder });
        return unitEmbedder.embed(texts);
      },
    };
    const err = await failure(pushRows(c, [rows[0]!, b2], { embedder: meddling }));
    assert.ok(
      err instanceof GroundedError && /Another push changed the table .*Push again/.test(err.message),
      String(err),
    );
    assert.deepEqual(
      await textsOf(c.table),
      [a2, rows[1]!].map(r => `${r.id} ${r.text}`),
      'the other push’s rows',
    );
  });

  it('stages in a table that every session sees, so a push whose statements go to other sessions (a transaction-mode pooler) succeeds', async () => {
    const c = config();
    const seen: { persistence: string; comment: string | null }[] = [];
    const switching: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        // another session sees the staging table; and a session's temporary tables are gone, as in another session
        const { rows: staging } = await db.query<{ persistence: string; comment: string | null }>(
          `SELECT relpersistence AS persistence, obj_description(oid, 'pg_class') AS comment FROM pg_class
            WHERE relname ~ '^grounded_push_[0-9a-f]{12}$' AND relkind = 'r'`,
        );
        seen.push(...staging);
        await db.query('DISCARD TEMP');
        return unitEmbedder.embed(texts);
      },
    };
    const report = await pushRows(c, rows, { embedder: switching });
    assert.equal(report.written, 2);
    assert.deepEqual(
      await textsOf(c.table),
      rows.map(r => `${r.id} ${r.text}`),
    );
    assert.equal(seen.length, 1, JSON.stringify(seen));
    assert.equal(seen[0]?.persistence, 'u', 'an unlogged table, not a temporary one');
    assert.match(seen[0]?.comment ?? '', /^grounded push staging, touched [0-9]+$/);
    assert.deepEqual(await stagingTables(), [], 'the push dropped its staging table');
  });

  it('says its staging table was dropped while it ran, not that the table it pushes to does not exist, and writes nothing', async () => {
    const c = config();
    const dropping: Embedder = {
      model: 'unit-4',
      embed: async texts => {
        for (const t of await stagingTables()) await db.query(`DROP TABLE ${t}`);
        return unitEmbedder.embed(texts);
      },
    };
    const err = await failure(pushRows(c, rows, { embedder: dropping }));
    assert.ok(err instanceof GroundedError && err.kind === 'index', String(err));
    assert.match(err.message, /staging table .* was dropped while the push ran; nothing was written to .*Push again/);
    assert.deepEqual(await tablesOf(c.table), { chunks: null, meta: null });
  });

  it('drops the staging table of a crashed push once it is stale, and leaves alone one still in use, one not Grounded’s, and other schemas’', async () => {
    const schema = `grounded_staging_${process.pid}`;
    const elsewhere = `${schema}_other`;
    await db.query(`CREATE SCHEMA "${schema}"`);
    await db.query(`CREATE SCHEMA "${elsewhere}"`);
    try {
      const now = Number(
        (await db.query<{ t: string }>('SELECT floor(extract(epoch FROM now()))::text AS t')).rows[0]?.t,
      );
      const twoDaysAgo = now - 2 * 24 * 60 * 60;
      const make = async (table: string, comment?: string) => {
        await db.query(`CREATE TABLE ${table} (id text)`);
        if (comment !== undefined) await db.query(`COMMENT ON TABLE ${table} IS '${comment}'`);
      };
      await make(`"${schema}".grounded_push_aaaaaaaaaaaa`, `grounded push staging, touched ${twoDaysAgo}`);
      await make(`"${schema}".grounded_push_bbbbbbbbbbbb`, `grounded push staging, touched ${now - 60 * 60}`);
      await make(`"${schema}".grounded_push_cccccccccccc`);
      await make(`"${schema}".grounded_push_dddddddddddd`, `the team’s own table ${twoDaysAgo}`);
      await make(`"${schema}".grounded_push_notes`, `grounded push staging, touched ${twoDaysAgo}`);
      await make(`"${elsewhere}".grounded_push_eeeeeeeeeeee`, `grounded push staging, touched ${twoDaysAgo}`);
      const table = `${schema}.chunks`;
      const report = await pushRows({ connectionString: pg.url, table, maxConnections: 1 }, rows, {
        embedder: unitEmbedder,
      });
      assert.equal(report.written, 2);
      assert.deepEqual(await stagingTables(), [
        `${schema}.grounded_push_bbbbbbbbbbbb`,
        `${schema}.grounded_push_cccccccccccc`,
        `${schema}.grounded_push_dddddddddddd`,
        `${elsewhere}.grounded_push_eeeeeeeeeeee`,
      ]);
      const notes = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [
        `"${schema}".grounded_push_notes`,
      ]);
      assert.notEqual(notes.rows[0]?.t, null, 'a table not named as a push names its staging table stays');
    } finally {
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.query(`DROP SCHEMA "${elsewhere}" CASCADE`);
    }
  });

  it('pushes a text file with a NUL byte past its first 8 KB, storing its text without the NUL, and prints counts', async () => {
    const c = config();
    const folder = await dirs.make('grounded-nul-');
    const padding = Array.from({ length: 200 }, (_, i) => `line ${i} of ordinary text before the odd byte`).join('\n');
    assert.ok(padding.length > 8192);
    await writeFile(join(folder, 'log.txt'), `${padding}\nthe odd\u0000byte sits here\nafter it`);
    let out = '';
    let err = '';
    const code = await run(['index', '--target', pg.url, '--table', c.table, '--folder', folder], {
      out: t => (out += t),
      err: t => (err += t),
    });
    assert.equal(code, 0, err);
    assert.match(out, /files\s+1 /);
    const stored = await db.query<{ text: string }>(`SELECT text FROM "${c.table}" WHERE text LIKE '%sits here%'`);
    assert.equal(stored.rows.length, 1);
    assert.ok(stored.rows[0]?.text.includes('the oddbyte sits here'), stored.rows[0]?.text);
    assert.ok(!stored.rows.some(r => r.text.includes('\u0000')));
  });

  it('leaves out rows whose paths point outside the workspace, and says how many', async () => {
    const c = config();
    await pushRows(c, rows);
    const insert = `INSERT INTO "${c.table}" (id, path, start_line, end_line, text, content_hash) VALUES ($1, $2, 1, 1, 'flux capacitor secrets', 'h')`;
    for (const [id, path] of [
      ['1', '../../.ssh/id_rsa'],
      ['2', '/etc/passwd'],
      ['3', 'command:workbench.action.terminal.sendSequence'],
      ['4', 'https://wiki.example.com/flux'],
    ])
      await db.query(insert, [id, path]);
    const notices: string[] = [];
    const retriever = new PgvectorRetriever({
      ...c,
      clock: new FakeClock(),
      locate: p => (p.startsWith('https:') ? p : `/ws/${p}`),
      onNotice: m => notices.push(m),
    });
    try {
      const passages = await retriever.search('flux capacitor', { k: 10 });
      assert.deepEqual(passages.map(p => p.location).sort(), ['/ws/docs/a.md', 'https://wiki.example.com/flux']);
      assert.equal(notices.length, 1);
      assert.match(
        notices[0] ?? '',
        new RegExp(`^The table ${c.table}: 3 rows were left out because their paths point outside the workspace`),
      );
    } finally {
      await retriever.dispose();
    }
  });

  it('refuses a server on another machine without sslmode, before connecting', async () => {
    const remote = { connectionString: 'postgres://me@db.example.com:5432/docs', table: 't' };
    const pushErr = await failure(pushRows(remote, rows));
    assert.ok(pushErr instanceof GroundedError && pushErr.kind === 'bad-input', String(pushErr));
    assert.match(
      pushErr.message,
      /db\.example\.com has no sslmode.*add \?sslmode=require.*grounded\.allowInsecureConnections/,
    );
    const retriever = new PgvectorRetriever({ ...remote, clock: new FakeClock() });
    const searchErr = await failure(retriever.search('flux', { k: 1 }));
    assert.ok(searchErr instanceof GroundedError && /has no sslmode/.test(searchErr.message), String(searchErr));
    await retriever.dispose();
  });

  it('says a server certificate that cannot be verified, or a server without TLS, is that, and what to add', async () => {
    const untrusted = await TlsPostgresServer.start('self-signed');
    const plain = await TlsPostgresServer.start('none');
    try {
      const remote = { connectionString: `postgres://me@localhost:${untrusted.port}/docs?sslmode=require`, table: 't' };
      const pushErr = await failure(pushRows(remote, rows));
      assert.ok(pushErr instanceof GroundedError && pushErr.kind === 'bad-input', String(pushErr));
      assert.match(
        pushErr.message,
        /TLS certificate that could not be verified \(self-signed certificate\).*sslrootcert=/,
      );
      const retriever = new PgvectorRetriever({ ...remote, clock: new FakeClock() });
      const searchErr = await failure(retriever.search('flux', { k: 1 }));
      await retriever.dispose();
      assert.ok(searchErr instanceof GroundedError && /sslrootcert=/.test(searchErr.message), String(searchErr));

      const noTls = { connectionString: `postgres://me@localhost:${plain.port}/docs?sslmode=require`, table: 't' };
      const noTlsErr = await failure(pushRows(noTls, rows));
      assert.ok(noTlsErr instanceof GroundedError && noTlsErr.kind === 'bad-input', String(noTlsErr));
      assert.match(noTlsErr.message, /does not accept TLS connections.*remove sslmode/);
    } finally {
      await Promise.all([untrusted.close(), plain.close()]);
    }
  });
});
