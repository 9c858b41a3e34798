import type { Pool, PoolClient } from 'pg';
import { GroundedError } from '../core/errors';
import type { TableNames } from './pgvectorConnection';

/** What a pushed table says about itself, in its `<table>_meta` companion. */
export interface TableMeta {
  schemaVersion: number;
  /** Set when the rows carry vectors. */
  embeddingModel?: string;
  dimensions?: number;
}

/**
 * 2: rows name the notebook cell (`cell`, `cell_output`, `prose`) or PDF page (`page`) their lines are in, as the
 * local index's passages do. A table of version 1 has no such columns (its notebooks were pushed as their JSON): a
 * push adds them (`ensureTable`) and rewrites those rows; until then it is read without them.
 */
export const SCHEMA_VERSION = 2;

/** The meta row that marks a table as made by Grounded: only such a table is written to, emptied or dropped. */
const CREATED_BY = { key: 'created_by', value: 'grounded' } as const;

/** Whether the chunk table (and its meta table) exist, and whether Grounded made them. */
export type TableOwner = 'absent' | 'grounded' | 'foreign';

/** The columns of schema version 2 that say where in a notebook or PDF a row's lines are, with their types. */
const PLACE_COLUMNS = ['cell integer', 'cell_output boolean', 'page integer', 'prose boolean'] as const;

/** SQLSTATEs of a meta table that is not Grounded's shape: no such column, or an incompatible type. */
const NOT_OUR_SHAPE = new Set(['42703', '42804', '42883', '22P02']);

/**
 * The chunk table. `search` is generated from title, path (split into words) and text, weighted so a hit in a
 * heading or file name counts more, and kept in a GIN index; `embedding` is added with its HNSW index when the
 * first vectors arrive (its dimension is the model's). Says which schema version the table had, when it existed.
 * A table of this schema version is left alone: ALTER TABLE locks out its readers until the caller's transaction ends.
 */
export async function ensureTable(db: Pool | PoolClient, names: TableNames): Promise<{ previousVersion?: number }> {
  const owner = await requireGroundedTable(db, names);
  const previousVersion = owner === 'grounded' ? (await readMeta(db, names)).schemaVersion : undefined;
  if (previousVersion !== undefined && previousVersion >= SCHEMA_VERSION) {
    const present = await db.query<{ t: boolean }>('SELECT to_regclass($1) IS NOT NULL AS t', [names.table]);
    if (present.rows[0]?.t) return { previousVersion };
  }
  await db.query(`CREATE TABLE IF NOT EXISTS ${names.table} (
    id text PRIMARY KEY,
    path text NOT NULL,
    start_line integer NOT NULL,
    end_line integer NOT NULL,
    cell integer,
    cell_output boolean,
    page integer,
    prose boolean,
    title text,
    text text NOT NULL,
    content_hash text NOT NULL,
    search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english', coalesce(title, '') || ' ' || regexp_replace(path, '[^[:alnum:]]+', ' ', 'g')), 'A') ||
      setweight(to_tsvector('english', text), 'B')) STORED
  )`);
  // A table pushed by schema version 1 gets the columns that name cells and pages (no-ops on a table made above).
  for (const column of PLACE_COLUMNS) await db.query(`ALTER TABLE ${names.table} ADD COLUMN IF NOT EXISTS ${column}`);
  await db.query(`CREATE INDEX IF NOT EXISTS "${names.base}_search_idx" ON ${names.table} USING gin (search)`);
  await db.query(`CREATE INDEX IF NOT EXISTS "${names.base}_hash_idx" ON ${names.table} (content_hash)`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${names.meta} (key text PRIMARY KEY, value text NOT NULL)`);
  // An older table keeps its version until the push's transaction has rewritten its rows (`markSchemaVersion`): a push
  // that fails before leaves it read as the older table it still is, and upgraded by the next push.
  const older = previousVersion !== undefined && previousVersion < SCHEMA_VERSION;
  await writeMeta(db, names, {
    ...(older ? {} : { schema_version: String(SCHEMA_VERSION) }),
    [CREATED_BY.key]: CREATED_BY.value,
  });
  return previousVersion === undefined ? {} : { previousVersion };
}

/** Marks the table as of this schema version, once its rows have been rewritten as this version makes them. */
export async function markSchemaVersion(db: Pool | PoolClient, names: TableNames): Promise<void> {
  await writeMeta(db, names, { schema_version: String(SCHEMA_VERSION) });
}

/**
 * Who made the table: `absent` when neither it nor its meta table exists; `grounded` when the meta table says
 * created_by = grounded; `foreign` otherwise (a table of the same name, a `<name>_meta` of another shape, or a
 * chunk table without a meta table). Names resolve through the search path, as the queries that use them do.
 */
export async function tableOwner(db: Pool | PoolClient, names: TableNames): Promise<TableOwner> {
  const { rows } = await db.query<{ chunks: boolean; meta: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS chunks, to_regclass($2) IS NOT NULL AS meta',
    [names.table, names.meta],
  );
  const exists = rows[0] ?? { chunks: false, meta: false };
  if (!exists.meta) return exists.chunks ? 'foreign' : 'absent';
  try {
    const marks = await db.query<{ value: unknown }>(`SELECT value FROM ${names.meta} WHERE key = $1`, [
      CREATED_BY.key,
    ]);
    return marks.rows.some(r => r.value === CREATED_BY.value) ? 'grounded' : 'foreign';
  } catch (e) {
    if (NOT_OUR_SHAPE.has(String((e as { code?: unknown }).code ?? ''))) return 'foreign';
    throw e;
  }
}

/** Refuses a table Grounded did not make, so a push never writes into, empties or drops someone else's table. */
export async function requireGroundedTable(
  db: Pool | PoolClient,
  names: TableNames,
): Promise<Exclude<TableOwner, 'foreign'>> {
  const owner = await tableOwner(db, names);
  if (owner === 'foreign')
    throw new GroundedError(
      'bad-input',
      `The table ${names.display} was not created by Grounded (${names.display}_meta does not say created_by = grounded), so Grounded will neither write to nor drop it: push into another --table.`,
    );
  return owner;
}

/** pgvector indexes (HNSW, IVFFlat) a `vector` of at most this many dimensions; CREATE INDEX fails above it. */
export const MAX_INDEXED_DIMENSIONS = 2000;

/**
 * Adds the vector column and its HNSW index (cosine), once the dimension is known. Vectors longer than pgvector can
 * index (3,072 dimensions, say) get no index: they are ranked by an exact scan of the table.
 */
export async function ensureEmbeddingColumn(
  db: Pool | PoolClient,
  names: TableNames,
  model: string,
  dimensions: number,
): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16000)
    throw new GroundedError('bad-input', `Embeddings of ${dimensions} dimensions cannot be stored.`);
  await db.query('CREATE EXTENSION IF NOT EXISTS vector');
  // A dimension is part of the column type, so it is a checked integer in the DDL, not a bound value.
  await db.query(`ALTER TABLE ${names.table} ADD COLUMN IF NOT EXISTS embedding vector(${dimensions})`);
  if (dimensions <= MAX_INDEXED_DIMENSIONS)
    await db.query(
      `CREATE INDEX IF NOT EXISTS "${names.base}_embedding_idx" ON ${names.table} USING hnsw (embedding vector_cosine_ops)`,
    );
  await writeMeta(db, names, { embedding_model: model, dimensions: String(dimensions) });
}

export async function readMeta(db: Pool | PoolClient, names: TableNames): Promise<TableMeta> {
  return metaOf((await db.query<MetaRow>(metaQuery(names))).rows);
}

/** The meta table's rows, as `metaOf` reads them. */
export const metaQuery = (names: TableNames): string => `SELECT key, value FROM ${names.meta}`;

export interface MetaRow {
  key: string;
  value: string;
}

export function metaOf(rows: readonly MetaRow[]): TableMeta {
  const get = (key: string) => rows.find(r => r.key === key)?.value;
  const dimensions = Number(get('dimensions'));
  return {
    schemaVersion: Number(get('schema_version') ?? 0),
    embeddingModel: get('embedding_model') || undefined,
    dimensions: Number.isInteger(dimensions) && dimensions > 0 ? dimensions : undefined,
  };
}

/** Drops the table and its meta table, only when Grounded made them. */
export async function dropGroundedTable(db: Pool | PoolClient, names: TableNames): Promise<void> {
  await requireGroundedTable(db, names);
  await db.query(`DROP TABLE IF EXISTS ${names.table}`);
  await db.query(`DROP TABLE IF EXISTS ${names.meta}`);
}

async function writeMeta(db: Pool | PoolClient, names: TableNames, values: Record<string, string>): Promise<void> {
  const keys = Object.keys(values);
  await db.query(
    `INSERT INTO ${names.meta} (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [keys, keys.map(k => values[k] ?? '')],
  );
}

/** A vector as pgvector's text input: `[0.1,0.2,…]`. */
export const vectorLiteral = (v: Float32Array): string => `[${Array.from(v).join(',')}]`;

/** pgvector's text output back to numbers. */
export const parseVector = (text: string): Float32Array => Float32Array.from(JSON.parse(text) as number[]);
