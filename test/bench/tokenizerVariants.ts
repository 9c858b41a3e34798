// Compares tokenizer variants and BM25 parameters on a BEIR folder (default: the CoSQA dev set).
//   npx tsc -p . && node out/test/bench/tokenizerVariants.js [BEIR_DIR]
// The `readme-*` rows re-implement the baselines of /work/shared/eval/README.md to check the metrics code.
import { DEFAULT_BM25_PARAMS, type Bm25Params } from '../../src/index/scoring/bm25';
import { METRIC_LABELS, type RetrievalMetrics } from '../../src/cli/evalMetrics';
import { porterStem } from '../../src/index/terms/porterStemmer';
import { createTokenizer, STOPWORDS, type Tokenizer } from '../../src/index/terms/tokenizer';
import { loadBeirDataset } from '../../src/cli/beirDataset';
import { evaluateBeir } from '../../src/cli/evalCommand';

/** The README's `plain` tokenizer: letter/digit runs split at camelCase, lowercased. */
const readmePlain: Tokenizer = text =>
  (text.match(/[\p{L}\p{N}]+/gu) ?? []).flatMap(run =>
    run
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
      .split(' ')
      .map(s => s.toLowerCase()),
  );
const readmeEnglish: Tokenizer = text =>
  readmePlain(text.replace(/(?<=[\p{L}\p{N}])['\u2019]s\b/gu, ''))
    .filter(t => !STOPWORDS.has(t))
    .map(porterStem);

const variants: [string, Tokenizer, Partial<Bm25Params>][] = [
  ['readme-plain 0.9/0.4', readmePlain, { k1: 0.9, b: 0.4 }],
  ['readme-plain 1.2/0.75', readmePlain, {}],
  ['readme-english 0.9/0.4', readmeEnglish, { k1: 0.9, b: 0.4 }],
  ['readme-english 1.2/0.75', readmeEnglish, {}],
  ['plain (digits split)', createTokenizer({ stopwords: false, stem: false, compounds: false }), {}],
  ['plain + compounds', createTokenizer({ stopwords: false, stem: false, compounds: true }), {}],
  ['stop + stem', createTokenizer({ stopwords: true, stem: true, compounds: false }), {}],
  ['stop + stem + compounds (default)', createTokenizer(), {}],
  ['default 0.9/0.4', createTokenizer(), { k1: 0.9, b: 0.4 }],
];

async function main(): Promise<void> {
  const dir = process.argv[2] ?? '/work/shared/eval/cosqa-dev';
  const dataset = await loadBeirDataset(dir);
  const keys = Object.keys(METRIC_LABELS) as (keyof RetrievalMetrics)[];
  console.log(['variant'.padEnd(36), ...keys.map(k => METRIC_LABELS[k].padStart(10))].join(' '));
  for (const [name, tokenizer, params] of variants) {
    const { metrics } = await evaluateBeir(dataset, { tokenizer, params: { ...DEFAULT_BM25_PARAMS, ...params } });
    console.log([name.padEnd(36), ...keys.map(k => metrics[k].toFixed(4).padStart(10))].join(' '));
  }
}

void main();
