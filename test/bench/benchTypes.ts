/** One benchmark module: `out/test/bench/<name>.bench.js` exporting `run`. Benchmarks report; they never assert. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface BenchResult {
  name: string;
  tables: BenchTable[];
  /** The figures for machines (`npm run bench -- --json`). */
  json: Record<string, unknown>;
}

export type Bench = (options: { quick: boolean }) => Promise<BenchResult>;
