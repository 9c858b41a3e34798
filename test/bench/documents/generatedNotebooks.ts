// Notebooks made up for the documents benchmark: Jupyter notebooks of realistic sizes (markdown, code, stream and
// table outputs, plots stored as base64 PNG) and Databricks notebook sources, each one's text its own (a seed per
// file), so that the index reads every one rather than copying an earlier file's chunks. `sentence` gives the
// benchmark's PDFs and Word documents their words too.
import { random } from '../../fakes/seededRandom';

const WORDS = (
  'customer order revenue churn forecast model feature table pipeline schema region store week month quarter ' +
  'validation training metric error rate threshold cohort segment spend ticket login session event window join ' +
  'aggregate filter partition cluster lakehouse bronze silver gold report dashboard owner latency freshness null'
).split(' ');

/** A notebook's shape: how many cells, and how many of its code cells draw a plot of about `plotKB`. */
export interface NotebookShape {
  name: string;
  cells: number;
  plots: number;
  plotKB: number;
}

/** Small (a quick look at a table), medium (an analysis with a few plots), large (a long report with many plots). */
export const NOTEBOOK_SHAPES: readonly NotebookShape[] = [
  { name: 'small', cells: 16, plots: 0, plotKB: 0 },
  { name: 'medium', cells: 48, plots: 4, plotKB: 40 },
  { name: 'large', cells: 140, plots: 16, plotKB: 80 },
];

/** `words` words of a data team's vocabulary. */
export function sentence(next: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(next() * WORDS.length)] ?? 'data');
  return out.join(' ');
}

function codeLines(next: () => number, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = sentence(next, 1),
      b = sentence(next, 1);
    lines.push(
      i % 4 === 0
        ? `${a}_${i} = spark.table("silver.${b}").filter("${a} > ${Math.floor(next() * 100)}").toPandas()`
        : `${a}_${b} = ${a}_${i - (i % 4)}.groupby("${b}")["${a}"].mean()  # ${sentence(next, 4)}`,
    );
  }
  return lines;
}

const withBreaks = (lines: string[]): string[] => lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));

/** A Jupyter notebook (nbformat 4) of the given shape; `seed` makes its text its own. */
export function jupyterNotebook(shape: NotebookShape, seed: number): string {
  const next = random(seed);
  const plotCells = new Set<number>();
  while (plotCells.size < shape.plots) plotCells.add(1 + 2 * Math.floor(next() * Math.floor(shape.cells / 2)));
  const png = (bytes: number): string => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let out = 'iVBORw0KGgo';
    while (out.length < (bytes * 4) / 3) out += chars[Math.floor(next() * 64)] ?? 'A';
    return out;
  };
  const cells = Array.from({ length: shape.cells }, (_, i) => {
    if (i % 2 === 0)
      return {
        cell_type: 'markdown',
        metadata: {},
        source: withBreaks([
          `${i % 8 === 0 ? '##' : '###'} ${sentence(next, 3)}`,
          '',
          `${sentence(next, 14)}.`,
          `${sentence(next, 11)}.`,
        ]),
      };
    const outputs: unknown[] = [
      {
        output_type: 'stream',
        name: 'stdout',
        text: withBreaks([`rows: ${Math.floor(next() * 1e6)}`, sentence(next, 6)]),
      },
    ];
    if (i % 3 === 0)
      outputs.push({
        output_type: 'execute_result',
        execution_count: i,
        metadata: {},
        data: {
          'text/plain': withBreaks(
            Array.from({ length: 8 }, (_, r) => `${r}  ${sentence(next, 3)}  ${(next() * 1000).toFixed(2)}`),
          ),
          'text/html': [`<table><tr><td>${sentence(next, 20)}</td></tr></table>`],
        },
      });
    if (plotCells.has(i))
      outputs.push({
        output_type: 'display_data',
        metadata: {},
        data: { 'image/png': png(shape.plotKB * 1024), 'text/plain': ['<Figure size 640x480 with 1 Axes>'] },
      });
    return {
      cell_type: 'code',
      metadata: {},
      execution_count: i,
      source: withBreaks(codeLines(next, 6 + Math.floor(next() * 14))),
      outputs,
    };
  });
  const metadata = { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } };
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells }, null, 1) + '\n';
}

/** A Databricks notebook exported as Python source: `cells` cells, a third of them `%md` and a sixth `%sql`. */
export function databricksSource(cells: number, seed: number): string {
  const next = random(seed);
  const parts = Array.from({ length: cells }, (_, i) => {
    if (i % 3 === 0)
      return [`# MAGIC %md`, `# MAGIC ## ${sentence(next, 3)}`, '# MAGIC', `# MAGIC ${sentence(next, 16)}.`].join('\n');
    if (i % 6 === 1)
      return ['# MAGIC %sql', `# MAGIC SELECT ${sentence(next, 1)}, count(*) FROM gold.${sentence(next, 1)}`].join(
        '\n',
      );
    return codeLines(next, 5 + Math.floor(next() * 12)).join('\n');
  });
  return '# Databricks notebook source\n' + parts.join('\n\n# COMMAND ----------\n\n') + '\n';
}
