// PostgreSQL + pgvector as the team retriever, at scale: push N chunks (100k; --quick 5k) from this machine's text
// into PGlite served over the wire (pglite-socket) and queried by `pg`, as production would; then full-text query
// latency, a re-push with nothing changed, a vector push (HNSW) and hybrid query latency on a slice, and the
// local index's query latency on the same folders in the same run (built in-process: the bench measures queries, and
// must not depend on a dist/ worker bundle). Reports only. `npm run bench -- pgvector`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../../src/embeddings/embedder';
import { WorkspaceIndex } from '../../src/index/workspaceIndex';
import { pushRows, type PushReport } from '../../src/retrievers/pgvectorPush';
import { workspaceRows } from '../../src/retrievers/pgvectorPushRows';
import { PgvectorRetriever } from '../../src/retrievers/pgvectorRetriever';
import { startTestPostgres } from '../fakes/pgliteServer';
import type { Bench, BenchTable } from './benchTypes';
import { CORPUS_RULES, corpusFolders, random, sampleQueries } from './index/corpus';
import { fmt, percentile } from './index/measure';

const DIMENSIONS = 64;

/** Deterministic vectors without a network: the bench measures the database, not an embeddings endpoint. */
function syntheticEmbedder(): Embedder {
  return {
    model: `synthetic-${DIMENSIONS}`,
    embed: async texts =>
      texts.map(t => {
        const next = random(t.length * 7919 + (t.charCodeAt(0) || 1));
        return Float32Array.from({ length: DIMENSIONS }, () => next() - 0.5);
      }),
  };
}

async function latencies(
  queries: readonly string[],
  search: (q: string) => Promise<unknown>,
): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await search(q);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);

export const run: Bench = async ({ quick }) => {
  const chunks = quick ? 5_000 : 100_000;
  const vectorChunks = quick ? 1_000 : 10_000;
  const queryCount = quick ? 50 : 200;
  const folders = corpusFolders(quick);
  const temp = await mkdtemp(join(tmpdir(), 'grounded-pgbench-'));
  const pg = await startTestPostgres();
  try {
    const { rows: all } = await workspaceRows(folders, CORPUS_RULES);
    const rows = all.slice(0, chunks);
    const queries = sampleQueries(
      rows.map((r, id) => ({ id, path: r.path, title: r.title ?? '', text: r.text })),
      queryCount,
    );
    const config = { connectionString: pg.url, table: 'bench_chunks', maxConnections: 1 };

    const push = await pushRows(config, rows, { rebuild: true });
    const repush = await pushRows(config, rows);
    const lexicalRetriever = new PgvectorRetriever(config);
    const lexical = await latencies(queries, q => lexicalRetriever.search(q, { k: 8 }));
    await lexicalRetriever.dispose();

    const embedder = syntheticEmbedder();
    const vectorConfig = { ...config, table: 'bench_vectors' };
    const vectorPush = await pushRows(vectorConfig, rows.slice(0, vectorChunks), { rebuild: true, embedder });
    const hybridRetriever = new PgvectorRetriever({ ...vectorConfig, embedder });
    const hybrid = await latencies(queries, q => hybridRetriever.search(q, { k: 8 }));
    await hybridRetriever.dispose();

    const index = new WorkspaceIndex({
      folders: () => folders,
      rules: () => CORPUS_RULES,
      storeDir: join(temp, 'store'),
      persistDelayMs: 60_000,
      workerFile: false,
    });
    const t0 = performance.now();
    const stats = await index.sync();
    const localBuildMs = performance.now() - t0;
    const local = await latencies(queries, async q => index.search(q, 8));
    index.dispose();

    const pushRow = (what: string, r: PushReport, n: number) => [
      what,
      n,
      fmt(r.ms, 0),
      perSecond(n, r.ms),
      r.written,
      r.embedded,
    ];
    const tables: BenchTable[] = [
      {
        title: `pgvector push (PGlite ${pg.url.startsWith('postgres://postgres@127.0.0.1') ? 'over pglite-socket' : 'external server'}, pg client)`,
        columns: ['push', 'chunks', 'ms', 'chunks/s', 'written', 'embedded'],
        rows: [
          pushRow('full-text table, from empty', push, rows.length),
          pushRow('same chunks again (nothing changed)', repush, rows.length),
          pushRow(`with ${DIMENSIONS}-d vectors + HNSW, from empty`, vectorPush, Math.min(vectorChunks, rows.length)),
        ],
      },
      {
        title: `query latency, k=8, ${queries.length} queries`,
        columns: ['retriever', 'chunks', 'p50 ms', 'p95 ms'],
        rows: [
          ['pgvector full-text (ts_rank; all words, then any)', rows.length, fmt(lexical.p50), fmt(lexical.p95)],
          [
            'pgvector hybrid (HNSW + full-text, RRF)',
            Math.min(vectorChunks, rows.length),
            fmt(hybrid.p50),
            fmt(hybrid.p95),
          ],
          [
            `local index (BM25, built in-process in ${fmt(localBuildMs / 1000, 1)} s)`,
            stats.chunks,
            fmt(local.p50),
            fmt(local.p95),
          ],
        ],
      },
    ];
    return {
      name: 'pgvector',
      tables,
      json: {
        chunks: rows.length,
        pushMs: push.ms,
        pushChunksPerSec: perSecond(rows.length, push.ms),
        repushMs: repush.ms,
        vectorChunks: Math.min(vectorChunks, rows.length),
        vectorPushMs: vectorPush.ms,
        lexical,
        hybrid,
        local: { ...local, chunks: stats.chunks, buildMs: localBuildMs },
      },
    };
  } finally {
    await pg.close();
    await rm(temp, { recursive: true, force: true });
  }
};
