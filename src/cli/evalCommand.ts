import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Bm25Params } from '../index/bm25';
import { SegmentBuilder } from '../index/segmentBuilder';
import { SegmentedIndex } from '../index/segmentedIndex';
import type { Tokenizer } from '../index/tokenizer';
import { evaluateRun, formatTrecRun, METRIC_LABELS, type RetrievalMetrics, type RunEntry } from '../index/evalMetrics';
import { loadBeirDataset, type BeirDataset } from './beirDataset';
import type { CliIo } from './cliIo';
import { requirePositional } from './cliArgs';

/** Deep enough for Recall@100 and for trec_eval's own measures (MRR without cut, MAP). */
const RUN_DEPTH = 1000;

export interface BeirEvaluation {
  metrics: RetrievalMetrics;
  queries: number;
  documents: number;
  run: Map<string, RunEntry[]>;
  indexMs: number;
  searchMs: number;
}

/** Defaults are the shipped ones; benches pass variants to compare. */
export interface BeirEvalOptions {
  depth?: number;
  tokenizer?: Tokenizer;
  params?: Bm25Params;
}

/**
 * Ranks a BEIR corpus with the shipped ranking — the same segment and scoring code the workspace index uses —
 * one passage per document (title + text), not chunked.
 */
export function evaluateBeir(dataset: BeirDataset, options: BeirEvalOptions = {}): BeirEvaluation {
  const depth = options.depth ?? RUN_DEPTH;
  const t0 = performance.now();
  const builder = new SegmentBuilder(options.tokenizer, options.params);
  const file = builder.addFile('', '');
  for (const doc of dataset.corpus) builder.addChunk(file, { title: doc.title, text: doc.text, startLine: 1, endLine: 1 });
  const index = new SegmentedIndex({ segments: [builder.build(1).data], deletions: [], files: [], nextSegmentId: 2 }, options.tokenizer, options.params);
  const t1 = performance.now();
  const run = new Map<string, RunEntry[]>();
  for (const query of dataset.queries) {
    if (!dataset.qrels.has(query.id)) continue;
    const hits = index.rank(query.text, depth);
    run.set(
      query.id,
      hits.map(h => ({ doc: dataset.corpus[h.doc]?.id ?? '', score: h.score })),
    );
  }
  const searchMs = performance.now() - t1;
  const { mean, queries } = evaluateRun(run, dataset.qrels);
  return { metrics: mean, queries, documents: dataset.corpus.length, run, indexMs: t1 - t0, searchMs };
}

/** `grounded eval BEIR_DIR [--json] [--run FILE]` */
export async function evalCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, run: { type: 'string' } },
  });
  const dir = requirePositional(positionals, 'BEIR_DIR', 'grounded eval BEIR_DIR [--json] [--run FILE]');
  const result = evaluateBeir(await loadBeirDataset(dir));
  if (values.run) await writeFile(values.run, formatTrecRun(result.run));
  if (values.json) {
    const { metrics, queries, documents, indexMs, searchMs } = result;
    io.out(JSON.stringify({ dataset: dir, queries, documents, metrics, indexMs, searchMs }, null, 2) + '\n');
    return 0;
  }
  io.out(`${dir}: ${result.queries} queries, ${result.documents} documents\n`);
  for (const [key, label] of Object.entries(METRIC_LABELS) as [keyof RetrievalMetrics, string][]) {
    io.out(`${label.padEnd(11)} ${result.metrics[key].toFixed(4)}\n`);
  }
  io.out(`indexed in ${result.indexMs.toFixed(0)} ms, searched in ${result.searchMs.toFixed(0)} ms\n`);
  return 0;
}
