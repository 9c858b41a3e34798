import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { cancelled, GroundedError } from '../core/errors';
import type { Embedder } from '../embeddings/embedder';
import {
  connectionUrl,
  describeServer,
  openPgPool,
  pgError,
  requestCancel,
  tableNames,
  type PgvectorConfig,
  type TableNames,
} from './pgvectorConnection';
import type { PushRow } from './pgvectorPushRows';
import {
  dropGroundedTable,
  ensureEmbeddingColumn,
  ensureTable,
  markSchemaVersion,
  parseVector,
  readMeta,
  requireGroundedTable,
  SCHEMA_VERSION,
  vectorLiteral,
  type TableMeta,
} from './pgvectorSchema';

export interface PushOptions {
  /** When set, rows carry vectors; unchanged content keeps the vector it has (in the table, by content hash). */
  embedder?: Embedder;
  /**
   * Drop and recreate the table (a new embeddings model, or a new dimension), in the transaction that fills it
   * again; only a table whose meta table says Grounded made it is dropped.
   */
  rebuild?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /**
   * Paths whose rows came in no batch but stay in the table as it holds them, not deleted as gone: a document that
   * is still there but could not be read as the local index extracted it (it changed while the push read it). Asked
   * once every batch was read.
   */
  keepPaths?: () => readonly string[];
}

export interface PushReport {
  table: string;
  chunks: number;
  /** Rows inserted or changed. */
  written: number;
  deleted: number;
  /** Rows of `keepPaths` left in the table as it held them. */
  kept: number;
  unchanged: number;
  /** Texts sent to the embeddings endpoint, and vectors taken from rows with the same content. */
  embedded: number;
  embeddingsReused: number;
  ms: number;
}

/**
 * A push stages its rows in a table of its own, `grounded_push_` and 12 hex digits, in the target's schema: a regular
 * table (unlogged: it is rebuilt by pushing again, never recovered), not a temporary one, so it is there for every
 * statement of the push even when a pooler in transaction mode sends each to another session. Its comment says
 * Grounded made it, and when (the server's clock, in seconds), so a later push can drop the staging table of a push
 * that ended without dropping its own (a crash, a lost connection), and only that.
 */
const STAGING_PREFIX = 'grounded_push_';
const STAGING_NAME = /^grounded_push_[0-9a-f]{12}$/;
const STAGING_COMMENT = 'grounded push staging, touched ';
/**
 * A staging table whose comment is older than this belongs to no running push: a push renews its comment while it
 * stages (`STAGING_RENEW_MS`), so one that runs for days keeps its table.
 */
const STALE_STAGING_SECONDS = 24 * 60 * 60;
const STAGING_RENEW_MS = 60 * 60 * 1000;

/** The push's staging table was dropped while it ran, by something other than the push. */
const lostStaging = (e: unknown): boolean =>
  (e as { code?: unknown } | undefined)?.code === '42P01' &&
  /grounded_push_[0-9a-f]{12}/.test(String((e as Error).message));

/** Rows written (and texts embedded) per statement; also how many rows the push holds in memory at once. */
const WRITE_BATCH = 500;

/**
 * Makes the table hold exactly `rows`: writes only rows whose place or content changed, deletes rows no longer there.
 * Rows are read and embedded first, with no transaction open (embedding may take minutes: an open transaction would
 * hold its locks that long, and a server's idle_in_transaction_session_timeout would end it), into a staging table
 * of the push's own (`STAGING_PREFIX`). One short transaction then creates the table if needed and writes the staged
 * rows, so readers see the old or the new workspace, never half, and a push that is cancelled or fails before it
 * commits leaves the table as it was (none, if there was none). Only a table whose meta table says Grounded made it
 * is written to or dropped. Every value is a bound parameter; the table name is validated and quoted. `rows` may come
 * a batch at a time (`workspaceRowBatches`): each batch is embedded and staged before the next is asked for, so memory
 * holds one batch's texts and the ids pushed.
 */
export async function pushRows(
  config: PgvectorConfig,
  rows: readonly PushRow[] | AsyncIterable<readonly PushRow[]>,
  options: PushOptions = {},
): Promise<PushReport> {
  const started = performance.now();
  const names = tableNames(config.table);
  const url = connectionUrl(config);
  const pool = openPgPool({ ...config, maxConnections: 1 });
  try {
    return await pushWithPool(pool, names, Symbol.asyncIterator in rows ? rows : [rows], options, started);
  } catch (e) {
    if (options.signal?.aborted) throw cancelled();
    if (lostStaging(e))
      throw new GroundedError(
        'index',
        `The push's staging table on ${describeServer(url)} was dropped while the push ran; nothing was written to ${names.display}. Push again.`,
        { cause: e },
      );
    throw pgError(e, url, names.display);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * Connects to the push's server, signing in as `pushRows` would, and disconnects: an unreachable server or a refused
 * password is found this way in a moment, before a caller spends minutes reading the workspace for the push. Fails
 * as `pushRows` does.
 */
export async function checkPushTarget(config: PgvectorConfig): Promise<void> {
  const names = tableNames(config.table);
  const url = connectionUrl(config);
  const pool = openPgPool({ ...config, maxConnections: 1 });
  try {
    (await pool.connect()).release();
  } catch (e) {
    throw pgError(e, url, names.display);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function pushWithPool(
  pool: Pool,
  names: TableNames,
  batches: Iterable<readonly PushRow[]> | AsyncIterable<readonly PushRow[]>,
  options: PushOptions,
  started: number,
): Promise<PushReport> {
  const say = options.onProgress ?? (() => undefined);
  const embedder = options.embedder;
  const client = await pool.connect();
  // a cancelled push stops the statement the server is running, which then fails the push (and rolls it back)
  const stop = () => requestCancel(client);
  options.signal?.addEventListener('abort', stop, { once: true });
  const staging = stagingTable(names);
  let stagingMade = false;
  let renewed = performance.now();
  try {
    // What the table holds now, read without writing anything. A rebuild starts from nothing; the old table stays,
    // and answers searches while vectors are fetched, until the push's transaction drops and refills it.
    let meta: TableMeta = { schemaVersion: SCHEMA_VERSION };
    /** Each row's content hash and kind of lines, by id (see `rowState`), as the table held them when the push began. */
    let existing = new Map<string, string>();
    /** The table was pushed by an older schema: its rows lack the new columns (a notebook's cell), so all are rewritten. */
    let upgrading = false;
    const owner = await requireGroundedTable(client, names);
    if (!options.rebuild && owner === 'grounded') {
      meta = await readMeta(client, names);
      upgrading = meta.schemaVersion < SCHEMA_VERSION;
      requireModelOf(names, meta, embedder);
      // an older table's rows are all rewritten (and it may lack the columns a row's state is read from)
      if (!upgrading) existing = await rowStates(client, names);
    }

    // A lexical-only table that gets embeddings now needs every row rewritten with its vector.
    const addingVectors = embedder !== undefined && meta.embeddingModel === undefined && existing.size > 0;
    const seen = new Set<string>();
    /** The ids of the rows staged: every other row seen is in the table as `existing` says. */
    const stagedIds = new Set<string>();
    let written = 0;
    let embedded = 0;
    let reused = 0;
    let dimensions = meta.dimensions;

    /** Stages one batch's new and changed rows, with their vectors (reused by content hash, or embedded now). */
    const stage = async (batch: readonly PushRow[]): Promise<void> => {
      const changed = uniqueById(batch).filter(
        r => addingVectors || upgrading || existing.get(r.id) !== rowState(r.contentHash, r.prose),
      );
      if (changed.length === 0) return;
      let vectors: Map<string, Float32Array> | undefined;
      if (embedder) {
        vectors = await storedVectors(client, names, staging, changed, meta.dimensions !== undefined);
        reused += changed.filter(r => vectors?.has(r.contentHash)).length;
        const missing = uniqueByHash(changed.filter(r => !vectors?.has(r.contentHash)));
        const fresh = await embedder.embed(
          missing.map(r => r.embeddingInput),
          { signal: options.signal, onProgress: p => say(`embedded ${embedded + p.done} chunks`) },
        );
        missing.forEach((r, i) => {
          const v = fresh[i];
          if (v) vectors?.set(r.contentHash, v);
        });
        embedded += missing.length;
        const got = fresh[0]?.length;
        if (got && dimensions && got !== dimensions) throw newDimension(embedder, got, dimensions);
        dimensions ??= got;
      }
      if (options.signal?.aborted) throw cancelled();
      await upsert(client, staging, changed, vectors);
      if (performance.now() - renewed > STAGING_RENEW_MS) {
        await touchStaging(client, staging);
        renewed = performance.now();
      }
      for (const r of changed) stagedIds.add(r.id);
      written += changed.length;
    };

    try {
      await dropStaleStaging(client, names);
      // made and commented in one transaction: a staging table is never left without the comment that says whose it is
      stagingMade = true;
      await client.query('BEGIN');
      await client.query(`CREATE UNLOGGED TABLE ${staging} (
        seq bigserial UNIQUE, id text PRIMARY KEY, path text, start_line integer, end_line integer, cell integer, cell_output boolean,
        page integer, prose boolean, title text, text text, content_hash text, embedding text)`);
      await touchStaging(client, staging);
      await client.query('COMMIT');
      let pending: PushRow[] = [];
      for await (const batch of batches) {
        if (options.signal?.aborted) throw cancelled();
        for (const row of batch) {
          seen.add(row.id);
          pending.push(row);
          if (pending.length < WRITE_BATCH) continue;
          await stage(pending);
          pending = [];
        }
        say(`${seen.size} chunks read, ${written} to write`);
      }
      await stage(pending);
      // a row that came in two batches is staged (and written) once
      const staged = await client.query<{ n: string; last: string }>(
        `SELECT count(*) AS n, coalesce(max(seq), 0) AS last FROM ${staging}`,
      );
      written = Number(staged.rows[0]?.n ?? 0);
      const last = Number(staged.rows[0]?.last ?? 0);
      if (options.signal?.aborted) throw cancelled();

      await client.query('BEGIN');
      // Pushes to one table take turns from here to their commit: two first pushes do not both create the table, and
      // each writes against the table as the one before left it.
      await lockTable(client, names);
      if (options.rebuild) await dropGroundedTable(client, names);
      await ensureTable(client, names);
      const now = await readMeta(client, names);
      requireModelOf(names, now, embedder);
      if (embedder && dimensions && now.dimensions && dimensions !== now.dimensions)
        throw newDimension(embedder, dimensions, now.dimensions);
      const current = await rowStates(client, names);
      // Rows seen but not staged were left as the table held them: another push since may have changed them.
      for (const id of seen)
        if (!stagedIds.has(id) && (current.get(id) !== existing.get(id) || now.embeddingModel !== meta.embeddingModel))
          throw new GroundedError(
            'index',
            `Another push changed the table ${names.display} while this one read and embedded the workspace; nothing was written. Push again.`,
          );
      // a push that rewrites every row (adding vectors, or the columns of a newer schema) cannot keep a row as the
      // table holds it: kept, it would stay without them, and later pushes, seeing its content unchanged, would never
      // write it again; it is deleted, and the next push that reads its document writes it whole
      const kept =
        addingVectors || upgrading ? new Set<string>() : await rowsOf(client, names, options.keepPaths?.() ?? []);
      const removed = [...current.keys()].filter(id => !seen.has(id) && !kept.has(id));
      say(
        `${seen.size} chunks: ${written} to write, ${removed.length} to delete${options.rebuild ? ' (rebuilding the table)' : ''}`,
      );
      dimensions ??= now.dimensions;
      if (embedder && dimensions && !now.dimensions)
        await ensureEmbeddingColumn(client, names, embedder.model, dimensions);
      // WRITE_BATCH rows a statement, in the order they were staged: each statement is as bounded as the query timeout
      for (let from = 0; from < last; from += WRITE_BATCH)
        await client.query(
          `INSERT INTO ${names.table} (${COLUMNS}${embedder && dimensions ? ', embedding' : ''})
           SELECT ${COLUMNS}${embedder && dimensions ? ', embedding::vector' : ''} FROM ${staging} WHERE seq > $1 AND seq <= $2
           ON CONFLICT (id) DO UPDATE SET ${UPDATES}${embedder && dimensions ? ', embedding = excluded.embedding' : ''}`,
          [from, from + WRITE_BATCH],
        );
      if (removed.length > 0) await client.query(`DELETE FROM ${names.table} WHERE id = ANY($1::text[])`, [removed]);
      if (upgrading) await markSchemaVersion(client, names);
      await client.query('COMMIT');
      // Fresh statistics, so the planner picks the GIN and HNSW indexes over a scan once the table is large. The push
      // is done: statistics that fail (cancelled, timed out) leave them to autovacuum, not the push failed.
      if (written + removed.length > 0) await client.query(`ANALYZE ${names.table}`).catch(() => undefined);
      return {
        table: names.display,
        chunks: seen.size,
        written,
        deleted: removed.length,
        kept: kept.size,
        unchanged: seen.size - written,
        embedded,
        embeddingsReused: reused,
        ms: performance.now() - started,
      };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    // a staging table this cannot drop (the connection was lost) is dropped by a later push once it is stale
    if (stagingMade) await dropStaging(client, staging);
    client.release();
  }
}

/**
 * Takes the transaction's lock on the table the push writes, keyed on its schema-qualified name as the server resolves
 * it: an unqualified name is the table in the first schema of the search path (where CREATE TABLE IF NOT EXISTS
 * looks for it and makes it), so `chunks` and `public.chunks` take one lock when the search path starts at public.
 */
async function lockTable(client: PoolClient, names: TableNames): Promise<void> {
  const parts = names.display.split('.');
  const schema = parts.length === 2 ? parts[0] : null;
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtextextended(
       'grounded push ' || quote_ident(coalesce($1::text, current_schema(), '')) || '.' || quote_ident($2::text), 0))`,
    [schema, names.base],
  );
}

/** A new staging table's name (quoted), in the target's schema: the target's, or the first of the search path. */
function stagingTable(names: TableNames): string {
  const name = `"${STAGING_PREFIX}${randomBytes(6).toString('hex')}"`;
  const dot = names.table.indexOf('.');
  return dot < 0 ? name : `${names.table.slice(0, dot)}.${name}`;
}

/**
 * Drops the push's staging table. The cancel a cancelled push asks for (`requestCancel`) travels on a connection of its
 * own and may reach the server after the statement it was for, ending this DROP instead (SQLSTATE 57014): the DROP is
 * then run once more, so a cancelled push leaves no staging table behind for a day.
 */
async function dropStaging(client: PoolClient, staging: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await client.query(`DROP TABLE IF EXISTS ${staging}`);
      return;
    } catch (e) {
      if ((e as { code?: unknown } | undefined)?.code !== '57014') return;
    }
  }
}

/** Sets the staging table's comment to say Grounded made it, at the server's time now. */
async function touchStaging(client: PoolClient, staging: string): Promise<void> {
  const { rows } = await client.query<{ t: string }>('SELECT floor(extract(epoch FROM now()))::bigint::text AS t');
  const seconds = rows[0]?.t ?? '';
  // COMMENT takes no parameters: the value is the server's digits, checked as such
  if (!/^[0-9]+$/.test(seconds)) throw new Error(`The server's time is not a number of seconds: ${seconds}`);
  await client.query(`COMMENT ON TABLE ${staging} IS '${STAGING_COMMENT}${seconds}'`);
}

/**
 * Drops, in the target's schema, the staging tables of pushes that ended without dropping theirs: only a table with a
 * staging table's name whose comment says Grounded made it, not renewed for `STALE_STAGING_SECONDS`. One that cannot be
 * dropped (another role's) is left; the push goes on either way.
 */
async function dropStaleStaging(client: PoolClient, names: TableNames): Promise<void> {
  const parts = names.display.split('.');
  const schema = parts.length === 2 ? parts[0] : null;
  const stale = await client
    .query<{ name: string; relname: string }>(
      `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relname
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = coalesce($1::text, current_schema()) AND c.relkind = 'r' AND c.relname ~ $2::text
          AND substring(obj_description(c.oid, 'pg_class') FROM $3::text)::bigint < extract(epoch FROM now()) - $4::bigint`,
      [schema, STAGING_NAME.source, `^${STAGING_COMMENT}([0-9]+)$`, STALE_STAGING_SECONDS],
    )
    .catch(() => ({ rows: [] }));
  for (const t of stale.rows)
    if (STAGING_NAME.test(t.relname)) await client.query(`DROP TABLE IF EXISTS ${t.name}`).catch(() => undefined);
}

/** Refuses a table whose vectors are another model's, or a push without the model of the vectors it holds. */
function requireModelOf(names: TableNames, meta: TableMeta, embedder: Embedder | undefined): void {
  if (embedder && meta.embeddingModel && meta.embeddingModel !== embedder.model)
    throw new GroundedError(
      'bad-input',
      `The table ${names.display} holds vectors from “${meta.embeddingModel}”, not “${embedder.model}”. Push with --rebuild to re-embed, or use another --table.`,
    );
  if (!embedder && meta.embeddingModel)
    throw new GroundedError(
      'bad-input',
      `The table ${names.display} holds vectors from “${meta.embeddingModel}”: push with that embeddings model configured, or with --rebuild for a lexical-only table.`,
    );
}

const newDimension = (embedder: Embedder, got: number, dimensions: number): GroundedError =>
  new GroundedError(
    'bad-input',
    `“${embedder.model}” now returns ${got} dimensions, the table holds ${dimensions}. Push with --rebuild.`,
  );

/** Each row's state (`rowState`) by id; none when the chunk table does not exist (its meta table may). */
async function rowStates(client: PoolClient, names: TableNames): Promise<Map<string, string>> {
  const present = await client.query<{ t: boolean }>('SELECT to_regclass($1) IS NOT NULL AS t', [names.table]);
  if (!present.rows[0]?.t) return new Map();
  const { rows } = await client.query<{ id: string; content_hash: string; prose: boolean | null }>(
    `SELECT id, content_hash, prose FROM ${names.table}`,
  );
  return new Map(rows.map(r => [r.id, rowState(r.content_hash, r.prose)]));
}

/** The ids of the table's rows of these paths. */
async function rowsOf(client: PoolClient, names: TableNames, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${names.table} WHERE path = ANY($1::text[])`, [
    [...paths],
  ]);
  return new Set(rows.map(r => r.id));
}

const COLUMNS = 'id, path, start_line, end_line, cell, cell_output, page, prose, title, text, content_hash';
const UPDATES =
  'path = excluded.path, start_line = excluded.start_line, end_line = excluded.end_line, cell = excluded.cell, cell_output = excluded.cell_output, page = excluded.page, prose = excluded.prose, title = excluded.title, text = excluded.text, content_hash = excluded.content_hash';

/** One statement per batch into the staging table: each column is one array parameter, so 500 rows bind 12 values. */
async function upsert(
  client: PoolClient,
  table: string,
  rows: readonly PushRow[],
  vectors: Map<string, Float32Array> | undefined,
): Promise<void> {
  await client.query(
    `INSERT INTO ${table} (${COLUMNS}, embedding) SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[],
       $5::int[], $6::boolean[], $7::int[], $8::boolean[], $9::text[], $10::text[], $11::text[], $12::text[])
     ON CONFLICT (id) DO UPDATE SET ${UPDATES}, embedding = excluded.embedding`,
    [
      rows.map(r => r.id),
      rows.map(r => r.path),
      rows.map(r => r.startLine),
      rows.map(r => r.endLine),
      rows.map(r => r.cell ?? null),
      rows.map(r => r.cellOutput ?? null),
      rows.map(r => r.page ?? null),
      rows.map(r => r.prose ?? null),
      rows.map(r => r.title ?? null),
      rows.map(r => r.text),
      rows.map(r => r.contentHash),
      rows.map(r => {
        const v = vectors?.get(r.contentHash);
        return v ? vectorLiteral(v) : null;
      }),
    ],
  );
}

/**
 * Vectors for these rows' contents already in the table (a chunk that moved keeps its vector; `inTable` when it has
 * vectors) or staged by this push's earlier batches (the same text in two files is embedded once).
 */
async function storedVectors(
  db: PoolClient,
  names: TableNames,
  staging: string,
  rows: readonly PushRow[],
  inTable: boolean,
): Promise<Map<string, Float32Array>> {
  const hashes = [...new Set(rows.map(r => r.contentHash))];
  const staged = `SELECT content_hash, embedding FROM ${staging} WHERE content_hash = ANY($1::text[]) AND embedding IS NOT NULL`;
  const stored = `SELECT content_hash, embedding::text AS embedding FROM ${names.table} WHERE content_hash = ANY($1::text[]) AND embedding IS NOT NULL`;
  const { rows: found } = await db.query<{ content_hash: string; embedding: string }>(
    `SELECT DISTINCT ON (content_hash) content_hash, embedding FROM (${inTable ? `${stored} UNION ALL ` : ''}${staged}) AS v`,
    [hashes],
  );
  return new Map(found.map(r => [r.content_hash, parseVector(r.embedding)]));
}

/**
 * What decides whether a row with the same id is written again: its content, and whether its lines are prose (a
 * notebook cell that became markdown with the same source keeps its id and its text, not its kind).
 */
const rowState = (hash: string, prose: boolean | null | undefined): string => `${hash}:${prose ?? ''}`;

const uniqueByHash = (rows: readonly PushRow[]): PushRow[] => [...new Map(rows.map(r => [r.contentHash, r])).values()];

/** A row pushed twice in a batch is written once, as it came last (as a later batch's overwrites an earlier's). */
const uniqueById = (rows: readonly PushRow[]): PushRow[] => [...new Map(rows.map(r => [r.id, r])).values()];
