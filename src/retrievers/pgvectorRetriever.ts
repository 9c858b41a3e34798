import type { Pool } from 'pg';
import { realClock, type Clock } from '../core/clock';
import { cancelled, GroundedError } from '../core/errors';
import { defaultAskOptions, type RetryPolicy } from '../core/options';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { withRetry } from '../core/retry';
import type { Embedder } from '../embeddings/embedder';
import { refusedRowsNotice, uncitablePathReason, type RefusedPath } from './citablePath';
import { fuseByReciprocalRank, keywordsOnly, zeroQuestionVector } from './hybridRankFusion';
import { hasDirection } from './hybridVectorStore';
import {
  cancellableQuery,
  connectionUrl,
  openPgPool,
  pgError,
  tableNames,
  type PgvectorConfig,
  type TableNames,
} from './pgvectorConnection';
import { metaOf, metaQuery, SCHEMA_VERSION, vectorLiteral, type MetaRow, type TableMeta } from './pgvectorSchema';

export interface PgvectorRetrieverOptions extends PgvectorConfig {
  /** Embeds the question for the vector ranking; without it (or without vectors in the table) search is lexical. */
  embedder?: Embedder;
  /** Turns a pushed path (relative to the pusher's folder) into what a surface opens; default: the path itself. */
  locate?: (path: string) => string;
  retry?: RetryPolicy;
  clock?: Clock;
  onNotice?: (message: string) => void;
}

interface ChunkRow {
  id: string;
  path: string;
  start_line: number;
  end_line: number;
  /** Null in a row of a plain file, and in every row of a table of schema version 1. */
  cell: number | null;
  cell_output: boolean | null;
  page: number | null;
  prose: boolean | null;
  title: string | null;
  text: string;
  score: number;
}

/** The columns a passage is made of; a table of schema version 1 has no cell or page columns (`columnsOf`). */
const COLUMNS = 'id, path, start_line, end_line, cell, cell_output, page, prose, title, text';
const VERSION_1_COLUMNS =
  'id, path, start_line, end_line, NULL::int AS cell, NULL::boolean AS cell_output, NULL::int AS page, NULL::boolean AS prose, title, text';
/** HNSW returns at most `hnsw.ef_search` (default 40) neighbours; asking for more would silently get fewer. */
const MAX_VECTOR_CANDIDATES = 40;

/**
 * Searches a table pushed by `grounded index --target`: the full-text ranking (all of the question's words, then
 * any of them) and, when the table has vectors, the HNSW cosine ranking, fused by RRF.
 */
export class PgvectorRetriever implements Retriever {
  private readonly names: TableNames;
  private readonly url: URL;
  private pool: Pool | undefined;
  private toldOldSchema = false;
  /** The log was told that a question's vector of zeros made a search answer by full text alone. */
  private toldZeroQuestion = false;

  constructor(private readonly options: PgvectorRetrieverOptions) {
    this.names = tableNames(options.table);
    this.url = connectionUrl(options);
  }

  /**
   * One search, retried on the database's transient failures. The question is embedded once per search: the embedder
   * retries by its own rules, so a failure it gave up on ends the search instead of being asked again by each retry
   * here (a hanging endpoint's timeouts, three times over).
   */
  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    let embedded: Promise<Float32Array | undefined> | undefined;
    let embedFailure: unknown;
    const embed = (meta: TableMeta) =>
      (embedded ??= this.queryVector(query, meta, options.signal).catch((e: unknown) => {
        embedFailure = e;
        throw e;
      }));
    return withRetry(
      () => {
        if (options.signal?.aborted) throw cancelled();
        return this.searchOnce(query, options, embed);
      },
      {
        policy: this.options.retry ?? { ...defaultAskOptions.retry, retries: 2 },
        clock: this.options.clock ?? realClock,
        signal: options.signal,
        classify: e => (options.signal?.aborted ? cancelled() : pgError(e, this.url, this.names.display)),
        shouldRetry: error => error.transient && embedFailure === undefined,
      },
    );
  }

  async dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private async searchOnce(
    query: string,
    options: SearchOptions,
    embed: (meta: TableMeta) => Promise<Float32Array | undefined>,
  ): Promise<Passage[]> {
    const pool = (this.pool ??= openPgPool(this.options, e =>
      this.options.onNotice?.(`PostgreSQL connection dropped: ${e.message}`),
    ));
    // Read for every search: a push since the last one (vectors added, a --rebuild with another model or dimension)
    // changes which rankings the table can answer and with which model's vectors.
    const meta = metaOf((await cancellableQuery<MetaRow>(pool, metaQuery(this.names), [], options.signal)).rows);
    const columns = this.columnsOf(meta);
    const depth = Math.max(options.k * 3, 30);
    const vector = await embed(meta);
    // a vector of zeros has no direction: pgvector's cosine distance to it is NaN, which would rank rows at random
    const vectorQuery = vector && hasDirection(vector) ? vector : undefined;
    const refused: RefusedPath[] = [];
    const [lexical, semantic] = await Promise.all([
      this.lexical(pool, columns, query, depth, options.k, refused, options.signal),
      vectorQuery
        ? this.nearest(pool, columns, vectorQuery, Math.min(depth, MAX_VECTOR_CANDIDATES), refused, options.signal)
        : Promise.resolve([]),
    ]);
    if (refused.length > 0)
      this.options.onNotice?.(refusedRowsNotice(`The table ${this.names.display}`, uniqueById(refused)));
    if (vector && !vectorQuery) this.tellKeywordsOnly(options);
    if (!vectorQuery) return lexical.slice(0, options.k);
    return fuseByReciprocalRank([semantic, lexical], options.k);
  }

  /** Says to the search (every time) and to the log (once) that its question's vector of zeros was not ranked by. */
  private tellKeywordsOnly(options: SearchOptions): void {
    const notice = keywordsOnly(
      `the full-text ranking of the table ${this.names.display}`,
      zeroQuestionVector(this.options.embedder?.model ?? ''),
    );
    options.onNotice?.(notice);
    if (this.toldZeroQuestion) return;
    this.toldZeroQuestion = true;
    this.options.onNotice?.(notice);
  }

  /**
   * The columns to read: a table pushed by schema version 1 has no cell or page columns, so its rows are read without
   * them (its notebooks were pushed as their JSON lines, cited as such) and the user is told once to push again.
   */
  private columnsOf(meta: TableMeta): string {
    if (meta.schemaVersion >= SCHEMA_VERSION) return COLUMNS;
    if (!this.toldOldSchema) {
      this.toldOldSchema = true;
      this.options.onNotice?.(
        `The table ${this.names.display} was pushed by an older Grounded: its notebooks, PDFs and Word documents are not cited by cell or page. Push it again (grounded index --target …) to upgrade it.`,
      );
    }
    return VERSION_1_COLUMNS;
  }

  private async queryVector(
    query: string,
    meta: TableMeta,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array | undefined> {
    const embedder = this.options.embedder;
    if (!embedder || !meta.embeddingModel) return undefined;
    if (embedder.model !== meta.embeddingModel)
      throw new GroundedError(
        'bad-input',
        `The table ${this.names.display} was embedded with “${meta.embeddingModel}”, but grounded.embeddings.model is “${embedder.model}”. Set it to “${meta.embeddingModel}”.`,
      );
    const [vector] = await embedder.embed([query], { signal });
    // another model answers under the name (a redeployed endpoint): its vectors and the table's do not compare
    if (vector && meta.dimensions && vector.length !== meta.dimensions)
      throw new GroundedError(
        'bad-input',
        `“${embedder.model}” now returns ${vector.length} dimensions, the table ${this.names.display} holds ${meta.dimensions}. Push it again with --rebuild (grounded index --target … --rebuild).`,
      );
    return vector;
  }

  /**
   * Chunks with every word of the question first (precise, and cheap: few rows to rank); only when those are fewer
   * than `enough` are chunks with any of the words added, so a long natural question still finds something.
   */
  private async lexical(
    pool: Pool,
    columns: string,
    query: string,
    limit: number,
    enough: number,
    refused: RefusedPath[],
    signal: AbortSignal | undefined,
  ): Promise<Passage[]> {
    const all = await this.fullText(pool, columns, query, ' & ', limit, refused, signal);
    if (all.length >= enough) return all;
    const seen = new Set(all.map(p => p.id));
    return [
      ...all,
      ...(await this.fullText(pool, columns, query, ' | ', limit, refused, signal)).filter(p => !seen.has(p.id)),
    ].slice(0, limit);
  }

  private async fullText(
    pool: Pool,
    columns: string,
    query: string,
    operator: ' & ' | ' | ',
    limit: number,
    refused: RefusedPath[],
    signal: AbortSignal | undefined,
  ): Promise<Passage[]> {
    // The question's lexemes, stemmed by the same 'english' config as the column, joined into a tsquery.
    const { rows } = await cancellableQuery<ChunkRow>(
      pool,
      `WITH q AS (SELECT (SELECT string_agg(quote_literal(lexeme), $3::text) FROM unnest(to_tsvector('english', $1::text)))::tsquery AS query)
       SELECT ${columns}, ts_rank(search, q.query) AS score FROM ${this.names.table}, q
       WHERE q.query IS NOT NULL AND search @@ q.query ORDER BY score DESC, id LIMIT $2`,
      [query, limit, operator],
      signal,
    );
    return this.passages(rows, refused);
  }

  private async nearest(
    pool: Pool,
    columns: string,
    vector: Float32Array,
    limit: number,
    refused: RefusedPath[],
    signal: AbortSignal | undefined,
  ): Promise<Passage[]> {
    const { rows } = await cancellableQuery<ChunkRow>(
      pool,
      `SELECT ${columns}, 1 - (embedding <=> $1::vector) AS score FROM ${this.names.table} ORDER BY embedding <=> $1::vector LIMIT $2`,
      [vectorLiteral(vector), limit],
      signal,
    );
    // a row without a vector has no score, and one whose vector is all zeros has no direction: its cosine is NaN, which
    // PostgreSQL sorts after every number, so leaving such rows out here loses no row that has a score
    return this.passages(
      rows.filter(r => r.score !== null && !Number.isNaN(Number(r.score))),
      refused,
    );
  }

  /** Rows as passages, leaving out (into `refused`) those whose path may not be cited. */
  private passages(rows: readonly ChunkRow[], refused: RefusedPath[]): Passage[] {
    return rows.flatMap(row => {
      const reason = uncitablePathReason(row.path);
      if (!reason) return [this.passage(row)];
      refused.push({ path: row.path, reason, id: row.id });
      return [];
    });
  }

  private passage(row: ChunkRow): Passage {
    const passage: Passage = {
      id: row.id,
      path: row.path,
      location: this.options.locate?.(row.path) ?? row.path,
      startLine: row.start_line,
      endLine: row.end_line,
      text: row.text,
      score: Number(row.score),
    };
    // the cell or page the lines are in, as the local index's passage of the same chunk names it
    if (row.cell !== null && row.cell !== undefined) passage.cell = row.cell;
    if (row.cell_output) passage.cellOutput = true;
    if (row.page !== null && row.page !== undefined) passage.page = row.page;
    if (row.prose !== null && row.prose !== undefined) passage.prose = row.prose;
    if (row.title) passage.title = row.title;
    return passage;
  }
}

/** A row found by both rankings is counted once. */
const uniqueById = (refused: readonly RefusedPath[]): RefusedPath[] => [
  ...new Map(refused.map(r => [r.id ?? r.path, r])).values(),
];
