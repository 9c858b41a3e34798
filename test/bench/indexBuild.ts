// Build time and query latency of the workspace index on a folder (default: this repository).
//   npx tsc -p . && node out/test/bench/indexBuild.js [FOLDER] [QUERY...]
import { WorkspaceIndex } from '../../src/index/workspaceIndex';

async function main(): Promise<void> {
  const folder = process.argv[2] ?? '.';
  const queries = process.argv.slice(3).length ? process.argv.slice(3) : ['parse config', 'how are citations rendered', 'retry with backoff'];
  const t0 = performance.now();
  const index = await WorkspaceIndex.build([folder]);
  const buildMs = performance.now() - t0;
  const stats = index.stats();
  console.log(`files ${stats.files}  chunks ${stats.chunks}  build ${buildMs.toFixed(0)} ms (discover ${stats.timings.discoverMs.toFixed(0)}, index ${stats.timings.indexMs.toFixed(0)})`);
  const rounds = 200;
  const t1 = performance.now();
  for (let i = 0; i < rounds; i++) for (const q of queries) index.search(q, 10);
  console.log(`query ${((performance.now() - t1) / (rounds * queries.length)).toFixed(3)} ms (mean of ${rounds * queries.length})`);
}

void main();
