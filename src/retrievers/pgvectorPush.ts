import type { Pool, PoolClient } from 'pg';
import { cancelled, GroundedError } from '../core/errors';
import type { Embedder } from '../embeddings/embedder';
import {
  connectionUrl,
  openPgPool,
  pgError,
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

const WRITE_BATCH = 500;

/**
 * Makes the table hold exactly `rows`: creates it if needed (idempotent), writes only rows whose place or content
 * changed, deletes rows no longer there, in one transaction, so readers see the old or the new workspace, never
 * half. Only a table whose meta table says Grounded made it is written to or dropped. Every value is a bound
 * parameter; the table name is validated and quoted.
 */
export async function pushRows(
  config: PgvectorConfig,
  rows: readonly PushRow[],
  options: PushOptions = {},
): Promise<PushReport> {
  const started = performance.now();
  const names = tableNames(config.table);
  const url = connectionUrl(config);
  const pool = openPgPool({ ...config, maxConnections: 1 });
  try {
    return await pushWithPool(pool, names, rows, options, started);
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
  rows: readonly PushRow[],
  options: PushOptions,
  started: number,
): Promise<PushReport> {
  const say = options.onProgress ?? (() => undefined);
  const embedder = options.embedder;
  const client = await pool.connect();
  try {
    // A rebuild starts from nothing; the old table stays, and answers searches while vectors are fetched, until the
    // write transaction drops and refills it.
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

    const wanted = new Map(rows.map(r => [r.id, r]));
    // A lexical-only table that gets embeddings now needs every row rewritten with its vector.
    const addingVectors = embedder !== undefined && meta.embeddingModel === undefined && existing.size > 0;
    const changed = [...wanted.values()].filter(
      r => addingVectors || upgrading || existing.get(r.id) !== rowState(r.contentHash, r.prose),
    );
    const removed = [...existing.keys()].filter(id => !wanted.has(id));
    say(
      `${rows.length} chunks: ${changed.length} to write, ${removed.length} to delete${options.rebuild ? ' (rebuilding the table)' : ''}`,
    );

    let embedded = 0;
    let reused = 0;
    let vectors = new Map<string, Float32Array>();
    let newDimensions: number | undefined;
    if (embedder && changed.length > 0) {
      vectors = meta.dimensions ? await storedVectors(client, names, changed) : new Map();
      reused = changed.filter(r => vectors.has(r.contentHash)).length;
      const missing = uniqueByHash(changed.filter(r => !vectors.has(r.contentHash)));
      const fresh = await embedder.embed(
        missing.map(r => r.embeddingInput),
        {
          signal: options.signal,
          onProgress: p => say(`embedded ${p.done} of ${p.total}`),
        },
      );
      missing.forEach((r, i) => {
        const v = fresh[i];
        if (v) vectors.set(r.contentHash, v);
      });
      embedded = missing.length;
      const dimensions = fresh[0]?.length ?? meta.dimensions;
      if (dimensions && !meta.dimensions) newDimensions = dimensions;
      else if (dimensions && dimensions !== meta.dimensions)
        throw new GroundedError(
          'bad-input',
          `“${embedder.model}” now returns ${dimensions} dimensions, the table holds ${meta.dimensions}. Push with --rebuild.`,
        );
    }
    if (options.signal?.aborted) throw cancelled();

    try {
      await client.query('BEGIN');
      if (options.rebuild) {
        await dropGroundedTable(client, names);
        await ensureTable(client, names);
      }
      if (embedder && newDimensions) await ensureEmbeddingColumn(client, names, embedder.model, newDimensions);
      for (let i = 0; i < changed.length; i += WRITE_BATCH)
        await upsert(client, names, changed.slice(i, i + WRITE_BATCH), embedder ? vectors : undefined);
      if (removed.length > 0) await client.query(`DELETE FROM ${names.table} WHERE id = ANY($1::text[])`, [removed]);
      if (upgrading) await markSchemaVersion(client, names);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    // Fresh statistics, so the planner picks the GIN and HNSW indexes over a scan once the table is large.
    if (changed.length + removed.length > 0) await client.query(`ANALYZE ${names.table}`);
    return {
      table: names.display,
      chunks: rows.length,
      written: changed.length,
      deleted: removed.length,
      unchanged: rows.length - changed.length,
      embedded,
      embeddingsReused: reused,
      ms: performance.now() - started,
    };
  } finally {
    client.release();
  }
}

/** One statement per batch: each column is one array parameter, so 500 rows bind 12 values, not 6,000. */
async function upsert(
  client: PoolClient,
  names: TableNames,
  rows: readonly PushRow[],
  vectors: Map<string, Float32Array> | undefined,
): Promise<void> {
  const columns = 'id, path, start_line, end_line, cell, cell_output, page, prose, title, text, content_hash';
  const params: unknown[] = [
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
  ];
  const types =
    '$1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::boolean[], $7::int[], $8::boolean[], $9::text[], $10::text[], $11::text[]';
  const updates =
    'path = excluded.path, start_line = excluded.start_line, end_line = excluded.end_line, cell = excluded.cell, cell_output = excluded.cell_output, page = excluded.page, prose = excluded.prose, title = excluded.title, text = excluded.text, content_hash = excluded.content_hash';
  if (vectors) {
    params.push(
      rows.map(r => {
        const v = vectors.get(r.contentHash);
        return v ? vectorLiteral(v) : null;
      }),
    );
    await client.query(
      `INSERT INTO ${names.table} (${columns}, embedding) SELECT u.id, u.path, u.s, u.e, u.cell, u.cell_output, u.page, u.prose, u.title, u.text, u.hash, u.emb::vector
       FROM unnest(${types}, $12::text[]) AS u(id, path, s, e, cell, cell_output, page, prose, title, text, hash, emb)
       ON CONFLICT (id) DO UPDATE SET ${updates}, embedding = excluded.embedding`,
      params,
    );
  } else {
    await client.query(
      `INSERT INTO ${names.table} (${columns}) SELECT * FROM unnest(${types}) ON CONFLICT (id) DO UPDATE SET ${updates}`,
      params,
    );
  }
}

/** Vectors already in the table for these rows' contents (a chunk that moved keeps its vector). */
async function storedVectors(
  db: PoolClient,
  names: TableNames,
  rows: readonly PushRow[],
): Promise<Map<string, Float32Array>> {
  const hashes = [...new Set(rows.map(r => r.contentHash))];
  const { rows: found } = await db.query<{ content_hash: string; embedding: string }>(
    `SELECT DISTINCT ON (content_hash) content_hash, embedding::text AS embedding FROM ${names.table} WHERE content_hash = ANY($1::text[]) AND embedding IS NOT NULL`,
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
