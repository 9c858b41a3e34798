// `grounded mcp` against the CLI's search on the same index: the latency of `tools/call search` over a real stdio
// pipe to the server's process, next to the in-process search call `grounded search` makes (and that call with the
// agent formatting the tool adds). The corpus is the index bench's folders, indexed with the CLI's default rules.
// Reports only: no pass/fail. `npm run bench -- mcp [--quick] [--json]`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { openIndex } from '../../src/cli/openIndex';
import { agentSearch } from '../../src/core/agentSearch';
import type { Bench, BenchTable } from './benchTypes';
import { chunkDocs, corpusFolders, sampleQueries, warmPageCache } from './index/corpus';
import { loadIndex } from './index/loadIndex';
import { collectGarbage, fmt, percentile } from './index/measure';

const QUERIES = 200;
const K = 10;
const ROOT = resolve(__dirname, '../../..');

/** Milliseconds of each call of `fn` over `inputs`, one after the other, sorted. */
async function timeEachAsync<T>(inputs: readonly T[], fn: (input: T) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (const input of inputs) {
    const t0 = performance.now();
    await fn(input);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** The CLI as it ships (dist/cli.js, built by `npm run bench`), else as tsc compiled it. */
function cliEntry(): string {
  const dist = join(ROOT, 'dist/cli.js');
  return existsSync(dist) ? dist : join(ROOT, 'out/src/cli/main.js');
}

export const run: Bench = async ({ quick }) => {
  const temp = await mkdtemp(join(tmpdir(), 'grounded-bench-mcp-'));
  const store = join(temp, 'store');
  const folders = corpusFolders(quick);
  const io = { out: () => undefined, err: (t: string) => void process.stderr.write(t) };
  try {
    // The CLI's index, built once; the server opens the same store and finds it up to date.
    await warmPageCache(folders);
    const local = await openIndex(folders, store, io);
    const built = performance.now();
    const stats = await local.refresh();
    const buildMs = performance.now() - built;
    const docs = await chunkDocs(await loadIndex(store));
    const queries = sampleQueries(docs, QUERIES);
    const warmUp = sampleQueries(docs, 50, 7);

    await collectGarbage();
    for (const q of warmUp) await local.search(q, { k: K });
    const cli = await timeEachAsync(queries, q => local.search(q, { k: K }));
    const formatted = await timeEachAsync(queries, q => agentSearch(local, { query: q, maxResults: K }));
    await local.flush();
    local.dispose();

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliEntry(), 'mcp', ...folders.flatMap(f => ['--folder', f]), '--store', store],
      stderr: 'ignore',
    });
    const client = new Client({ name: 'grounded-bench', version: '1' });
    let ready: () => void = () => undefined;
    const indexReady = new Promise<void>(r => (ready = r));
    client.setNotificationHandler(LoggingMessageNotificationSchema, n => {
      if (String(n.params.data).startsWith('index ready')) ready();
    });
    const started = performance.now();
    await client.connect(transport);
    const connectMs = performance.now() - started;
    await indexReady;
    const readyMs = performance.now() - started;
    const call = (q: string) => client.callTool({ name: 'search', arguments: { query: q, k: K } });
    for (const q of warmUp) await call(q);
    const mcp = await timeEachAsync(queries, call);
    await client.close();

    const row = (label: string, times: number[]) => [
      label,
      fmt(percentile(times, 50)),
      fmt(percentile(times, 95)),
      fmt(times[times.length - 1] ?? NaN),
    ];
    const tables: BenchTable[] = [
      {
        title: `MCP search vs the CLI's search (${stats.chunks.toLocaleString('en')} chunks, ${stats.files.toLocaleString('en')} files; ${QUERIES} queries, k = ${K})`,
        columns: ['call', 'p50 ms', 'p95 ms', 'max ms'],
        rows: [
          row('CLI search: retriever.search in-process (reads the passages)', cli),
          row('the same + the tools’ formatting (token budget, path check, best lines)', formatted),
          row('MCP tools/call search over stdio (JSON-RPC, another process)', mcp),
        ],
      },
      {
        title: 'MCP server start on a built index',
        columns: ['figure', 'value'],
        rows: [
          ['index build in-process (first, CLI)', `${fmt(buildMs / 1000, 1)} s`],
          ['spawn to initialized', `${fmt(connectMs, 0)} ms`],
          ['spawn to “index ready” notification (store loaded, checked against the disk)', `${fmt(readyMs, 0)} ms`],
        ],
      },
    ];
    return {
      name: 'mcp',
      tables,
      json: {
        chunks: stats.chunks,
        files: stats.files,
        queries: QUERIES,
        cliP50Ms: percentile(cli, 50),
        cliP95Ms: percentile(cli, 95),
        formattedP50Ms: percentile(formatted, 50),
        formattedP95Ms: percentile(formatted, 95),
        mcpP50Ms: percentile(mcp, 50),
        mcpP95Ms: percentile(mcp, 95),
        connectMs,
        readyMs,
        buildMs,
      },
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
};
