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

export const SCHEMA_VERSION = 1;

/**
 * The chunk table. `search` is generated from title, path (split into words) and text, weighted so a hit in a
 * heading or file name counts more, and kept in a GIN index; `embedding` is added with its HNSW index when the
 * first vectors arrive (its dimension is the model's).
 */
export async function ensureTable(db: Pool | PoolClient, names: TableNames): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${names.table} (
    id text PRIMARY KEY,
    path text NOT NULL,
    start_line integer NOT NULL,
    end_line integer NOT NULL,
    title text,
    text text NOT NULL,
    content_hash text NOT NULL,
    search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english', coalesce(title, '') || ' ' || regexp_replace(path, '[^[:alnum:]]+', ' ', 'g')), 'A') ||
      setweight(to_tsvector('english', text), 'B')) STORED
  )`);
  await db.query(`CREATE INDEX IF NOT EXISTS "${names.base}_search_idx" ON ${names.table} USING gin (search)`);
  await db.query(`CREATE INDEX IF NOT EXISTS "${names.base}_hash_idx" ON ${names.table} (content_hash)`);
  await db.query(`CREATE TABLE IF NOT EXISTS ${names.meta} (key text PRIMARY KEY, value text NOT NULL)`);
  await writeMeta(db, names, { schema_version: String(SCHEMA_VERSION) });
}

/** Adds the vector column and its HNSW index (cosine), once the dimension is known. */
export async function ensureEmbeddingColumn(db: Pool | PoolClient, names: TableNames, model: string, dimensions: number): Promise<void> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16000) throw new GroundedError('bad-input', `Embeddings of ${dimensions} dimensions cannot be stored.`);
  await db.query('CREATE EXTENSION IF NOT EXISTS vector');
  // A dimension is part of the column type, so it is a checked integer in the DDL, not a bound value.
  await db.query(`ALTER TABLE ${names.table} ADD COLUMN IF NOT EXISTS embedding vector(${dimensions})`);
  await db.query(`CREATE INDEX IF NOT EXISTS "${names.base}_embedding_idx" ON ${names.table} USING hnsw (embedding vector_cosine_ops)`);
  await writeMeta(db, names, { embedding_model: model, dimensions: String(dimensions) });
}

export async function readMeta(db: Pool | PoolClient, names: TableNames): Promise<TableMeta> {
  const { rows } = await db.query<{ key: string; value: string }>(`SELECT key, value FROM ${names.meta}`);
  const get = (key: string) => rows.find(r => r.key === key)?.value;
  const dimensions = Number(get('dimensions'));
  return {
    schemaVersion: Number(get('schema_version') ?? 0),
    embeddingModel: get('embedding_model') || undefined,
    dimensions: Number.isInteger(dimensions) && dimensions > 0 ? dimensions : undefined,
  };
}

export async function dropTable(db: Pool | PoolClient, names: TableNames): Promise<void> {
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
