import type { Embedder } from '../embeddings/embedder';
import type { RunEntry } from './evalMetrics';
import { topK } from '../index';
import { fuseRankings } from '../retrievers/hybridRankFusion';
import { hasDirection } from '../retrievers/hybridVectorStore';
import type { BeirDataset } from './beirDataset';

export type Run = Map<string, RunEntry[]>;

/**
 * The vector ranking of a BEIR set: every document (title + text) and query embedded by the endpoint, documents
 * ranked by cosine similarity, brute force (the same flat scan the local hybrid uses).
 */
export async function vectorRun(
  dataset: BeirDataset,
  embedder: Embedder,
  depth: number,
  signal?: AbortSignal,
): Promise<Run> {
  const judged = dataset.queries.filter(q => dataset.qrels.has(q.id));
  // one call: its vectors are of one dimension (two calls may not be, when the model behind the name changes between)
  const vectors = normalise(
    await embedder.embed([...dataset.corpus.map(d => `${d.title} ${d.text}`.trim()), ...judged.map(q => q.text)], {
      signal,
    }),
  );
  const docs = vectors.slice(0, dataset.corpus.length);
  const queries = vectors.slice(dataset.corpus.length);
  // a vector of zeros has no direction: such a document is never ranked, such a query ranks nothing
  const candidates = Uint32Array.from([...docs.keys()].filter(i => hasDirection(docs[i] ?? new Float32Array(0))));
  const scores = new Float64Array(docs.length);
  const run: Run = new Map();
  judged.forEach((query, qi) => {
    const q = queries[qi];
    if (!q || !hasDirection(q)) return;
    docs.forEach((d, i) => (scores[i] = dot(q, d)));
    run.set(
      query.id,
      topK(candidates, scores, depth).map(h => ({ doc: dataset.corpus[h.doc]?.id ?? '', score: h.score })),
    );
  });
  return run;
}

/** Lexical and vector runs fused by reciprocal rank, as the hybrid retrievers fuse them. */
export function hybridRun(lexical: Run, vector: Run, depth: number): Run {
  const run: Run = new Map();
  for (const [query, lex] of lexical) {
    const fused = fuseRankings([lex, vector.get(query) ?? []], e => e.doc, depth);
    run.set(
      query,
      fused.map(({ item, score }) => ({ doc: item.doc, score })),
    );
  }
  return run;
}

function normalise(vectors: Float32Array[]): Float32Array[] {
  return vectors.map(v => {
    const norm = Math.hypot(...v) || 1;
    return v.map(x => x / norm);
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
