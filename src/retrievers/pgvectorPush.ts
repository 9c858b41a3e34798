import type { Pool, PoolClient } from 'pg';
import { cancelled, GroundedError } from '../core/errors';
import type { Embedder } from '../embeddings/embedder';
import {
  connectionUrl,
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
}

export interface PushReport {
  table: string;
  chunks: number;
  /** Rows inserted or changed. */
  written: number;
  deleted: number;
  unchanged: number;
  /** Texts sent to the embeddings endpoint, and vectors taken from rows with the same content. */
  embedded: number;
  embeddingsReused: number;
  ms: number;
}

/** Rows written (and texts embedded) per statement; also how many rows the push holds in memory at once. */
const WRITE_BATCH = 500;

/** The rows of this push that are new or changed, with their vectors as text, until the push's last statements. */
const STAGING = 'pg_temp.grounded_push_rows';

/**
 * Makes the table hold exactly `rows`: creates it if needed (idempotent), writes only rows whose place or content
 * changed, deletes rows no longer there, in one transaction, so readers see the old or the new workspace, never
 * half. Only a table whose meta table says Grounded made it is written to or dropped. Every value is a bound
 * parameter; the table name is validated and quoted. `rows` may come a batch at a time (`workspaceRowBatches`): each
 * batch is embedded and sent before the next is asked for, so memory holds one batch's texts and the ids pushed.
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
  try {
    // A rebuild starts from nothing; the old table stays, and answers searches while vectors are fetched, until the
    // push's last statements drop and refill it.
    let meta: TableMeta = { schemaVersion: SCHEMA_VERSION };
    /** Each row's content hash and kind of lines, by id (see `rowState`). */
    const existing = new Map<string, string>();
    /** The table was pushed by an older schema: its rows lack the new columns (a notebook's cell), so all are rewritten. */
    let upgrading = false;
    if (options.rebuild) await requireGroundedTable(client, names);
    else {
      const { previousVersion } = await ensureTable(client, names);
      upgrading = previousVersion !== undefined && previousVersion < SCHEMA_VERSION;
      meta = await readMeta(client, names);
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
      for (const r of (
        await client.query<{ id: string; content_hash: string; prose: boolean | null }>(
          `SELECT id, content_hash, prose FROM ${names.table}`,
        )
      ).rows)
        existing.set(r.id, rowState(r.content_hash, r.prose));
    }

    // A lexical-only table that gets embeddings now needs every row rewritten with its vector.
    const addingVectors = embedder !== undefined && meta.embeddingModel === undefined && existing.size > 0;
    const seen = new Set<string>();
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
        vectors = await storedVectors(client, names, changed, meta.dimensions !== undefined);
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
        if (got && dimensions && got !== dimensions)
          throw new GroundedError(
            'bad-input',
            `“${embedder.model}” now returns ${got} dimensions, the table holds ${dimensions}. Push with --rebuild.`,
          );
        dimensions ??= got;
      }
      if (options.signal?.aborted) throw cancelled();
      await upsert(client, STAGING, changed, vectors);
      written += changed.length;
    };

    try {
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE ${STAGING} (
        seq bigserial UNIQUE, id text PRIMARY KEY, path text, start_line integer, end_line integer, cell integer, cell_output boolean,
        page integer, prose boolean, title text, text text, content_hash text, embedding text) ON COMMIT DROP`);
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
        `SELECT count(*) AS n, coalesce(max(seq), 0) AS last FROM ${STAGING}`,
      );
      written = Number(staged.rows[0]?.n ?? 0);
      const last = Number(staged.rows[0]?.last ?? 0);
      const removed = [...existing.keys()].filter(id => !seen.has(id));
      say(
        `${seen.size} chunks: ${written} to write, ${removed.length} to delete${options.rebuild ? ' (rebuilding the table)' : ''}`,
      );
      if (options.signal?.aborted) throw cancelled();
      if (options.rebuild) {
        await dropGroundedTable(client, names);
        await ensureTable(client, names);
      }
      if (embedder && dimensions && !meta.dimensions)
        await ensureEmbeddingColumn(client, names, embedder.model, dimensions);
      // WRITE_BATCH rows a statement, in the order they were staged: each statement is as bounded as the query timeout
      for (let from = 0; from < last; from += WRITE_BATCH)
        await client.query(
          `INSERT INTO ${names.table} (${COLUMNS}${embedder && dimensions ? ', embedding' : ''})
           SELECT ${COLUMNS}${embedder && dimensions ? ', embedding::vector' : ''} FROM ${STAGING} WHERE seq > $1 AND seq <= $2
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
    client.release();
  }
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
  rows: readonly PushRow[],
  inTable: boolean,
): Promise<Map<string, Float32Array>> {
  const hashes = [...new Set(rows.map(r => r.contentHash))];
  const staged = `SELECT content_hash, embedding FROM ${STAGING} WHERE content_hash = ANY($1::text[]) AND embedding IS NOT NULL`;
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
