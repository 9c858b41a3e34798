import { parseArgs } from 'node:util';
import { createYielder, noFiles, SegmentBuilder, SegmentedIndex, type Bm25Params, type Tokenizer } from '../index';
import { evaluateRun, formatTrecRun, METRIC_LABELS, type RetrievalMetrics, type RunEntry } from './evalMetrics';
import { loadBeirDataset, type BeirDataset } from './beirDataset';
import type { CliIo } from './cliIo';
import { requirePositional } from './cliArgs';
import { EMBEDDINGS_OPTIONS, embedderFromArgs } from './embedderArgs';
import { checkOutputFile, writeOutputFile } from './outputFile';
import { escapeName } from '../shared/terminalText';
import { hybridRun, vectorRun } from './evalVectors';

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
  /** Ctrl-C: the evaluation stops (an AbortError) at its next turn of the event loop. */
  signal?: AbortSignal;
}

/**
 * Ranks a BEIR corpus with the shipped ranking — the same segment and scoring code the workspace index uses —
 * one passage per document (title + text), not chunked. Indexing and ranking let the event loop run now and then,
 * so a Ctrl-C on a large set is heard and stops them.
 */
export async function evaluateBeir(dataset: BeirDataset, options: BeirEvalOptions = {}): Promise<BeirEvaluation> {
  const depth = options.depth ?? RUN_DEPTH;
  const nextTurn = createYielder(options.signal);
  const t0 = performance.now();
  const builder = new SegmentBuilder(options.tokenizer, options.params);
  const file = builder.addFile('', '');
  for (const doc of dataset.corpus) {
    await nextTurn();
    builder.addChunk(file, { title: doc.title, text: doc.text, startLine: 1, endLine: 1 });
  }
  const index = new SegmentedIndex(
    { segments: [builder.build(1).data], deletions: [], files: noFiles(), nextSegmentId: 2 },
    options.tokenizer,
    options.params,
  );
  const t1 = performance.now();
  const run = new Map<string, RunEntry[]>();
  for (const query of dataset.queries) {
    if (!dataset.qrels.has(query.id)) continue;
    await nextTurn();
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

const USAGE =
  'grounded eval BEIR_DIR [--json] [--run FILE] [--embeddings-model NAME --embeddings-base-url URL [--embeddings-preset ID]] [--allow-insecure]';

/**
 * `grounded eval BEIR_DIR`: the shipped lexical ranking; with an embeddings endpoint, also the vector ranking and
 * their reciprocal-rank fusion (hybrid), side by side. `--run` writes the lexical run (TREC format).
 */
export async function evalCommand(
  args: readonly string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, run: { type: 'string' }, ...EMBEDDINGS_OPTIONS },
  });
  const dir = requirePositional(positionals, 'BEIR_DIR', USAGE);
  const runFile = values.run === undefined ? undefined : await checkOutputFile(values.run, '--run');
  const embedder = await embedderFromArgs(values, env, io);
  const dataset = await loadBeirDataset(dir, io.signal);
  if (dataset.unasked > 0)
    io.err(
      `grounded: ${dataset.unasked} ${dataset.unasked === 1 ? 'query' : 'queries'} the qrels judge ${dataset.unasked === 1 ? 'is' : 'are'} not in queries.jsonl: left out.\n`,
    );
  const result = await evaluateBeir(dataset, { signal: io.signal });
  if (runFile) await writeOutputFile(runFile, formatTrecRun(result.run), '--run');
  const rows: [string, RetrievalMetrics][] = [['lexical', result.metrics]];
  if (embedder) {
    io.err(
      `grounded: embedding ${dataset.corpus.length} documents and ${result.queries} queries with ${embedder.model}…\n`,
    );
    const vector = await vectorRun(dataset, embedder, RUN_DEPTH, io.signal);
    rows.push(
      ['vector', evaluateRun(vector, dataset.qrels).mean],
      ['hybrid', evaluateRun(hybridRun(result.run, vector, RUN_DEPTH), dataset.qrels).mean],
    );
  }
  if (values.json) {
    const { queries, documents, indexMs, searchMs } = result;
    const rankings = Object.fromEntries(rows);
    io.out(
      JSON.stringify(
        { dataset: dir, queries, documents, metrics: result.metrics, rankings, indexMs, searchMs },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  io.out(`${escapeName(dir)}: ${result.queries} queries, ${result.documents} documents\n`);
  const labels = Object.entries(METRIC_LABELS) as [keyof RetrievalMetrics, string][];
  if (rows.length === 1) {
    for (const [key, label] of labels) io.out(`${label.padEnd(11)} ${result.metrics[key].toFixed(4)}\n`);
  } else {
    io.out(`${''.padEnd(8)} ${labels.map(([, label]) => label.padStart(10)).join(' ')}\n`);
    for (const [name, m] of rows)
      io.out(`${name.padEnd(8)} ${labels.map(([key]) => m[key].toFixed(4).padStart(10)).join(' ')}\n`);
  }
  io.out(`indexed in ${result.indexMs.toFixed(0)} ms, searched in ${result.searchMs.toFixed(0)} ms\n`);
  return 0;
}
