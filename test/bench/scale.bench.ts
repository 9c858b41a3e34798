// The index at a million chunks (issue 23): a corpus of distinct content made from the index bench's (each copy's
// words renamed), built by the index thread (WorkspaceIndexClient, as the extension holds the index) with the host's
// event-loop lag watched, queried through the thread (also during a full rebuild), updated after a save and opened
// again, with the memory the index adds to the host and what the index thread holds. Reports only: no pass/fail.
// `npm run bench -- scale [--chunks N] [--json]` (default 1,000,000 chunks; `--quick` 100,000).
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createYielder } from '../../src/index/base/yieldToEventLoop';
import { DEFAULT_WORKER_FILE, INSTALL_BUDGET_MS } from '../../src/index/build/indexWorkerClient';
import { chunkText } from '../../src/index/chunking/chunker';
import { MAX_FILES_LIMIT, walkFolders } from '../../src/index/discovery/walkFolders';
import type { SegmentedIndex } from '../../src/index/segments/segmentedIndex';
import { WorkspaceIndexClient } from '../../src/index/workspaceIndexClient';
import type { Bench, BenchTable } from './benchTypes';
import { CORPUS_RULES, corpusFolders, random, sampleQueries, warmPageCache, type ChunkDoc } from './index/corpus';
import { loadIndex } from './index/loadIndex';
import { collectGarbage, fmt, percentile, settleMachine, timeEach, withLoopLag } from './index/measure';
import { readSourceFiles, writeScaleCorpus } from './scale/scaleCorpus';

const QUERIES = 300;
const ROUNDS = 5;
const UPDATES = 20;
const LOADS = 3;

/** `--chunks N` (or `--chunks=N`) from the command line; else 1M, or 100k with `--quick`. */
function chunksAsked(quick: boolean): number {
  const args = process.argv;
  const at = args.findIndex(a => a === '--chunks' || a.startsWith('--chunks='));
  const value = at < 0 ? undefined : (args[at]?.split('=')[1] ?? args[at + 1]);
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : quick ? 100_000 : 1_000_000;
}

/** What the process holds: V8's heap and array buffers (WebAssembly memories are added by the caller). */
function heldBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes of the WebAssembly memories `index`'s segments hold (not counted in `arrayBuffers`). */
const scorerBytes = (index: SegmentedIndex): number => index.segmentList.reduce((sum, s) => sum + s.scorerByteSize, 0);

/** Queries drawn from `files` random files' chunks (read back from the corpus). */
async function queriesFrom(locations: readonly string[][], files: number, seed: number): Promise<string[]> {
  const next = random(seed);
  const docs: ChunkDoc[] = [];
  for (let i = 0; i < files && locations.length > 0; i++) {
    const [path = '', location = ''] = locations[Math.floor(next() * locations.length)] ?? [];
    const text = await readFile(location, 'utf8').catch(() => '');
    for (const chunk of chunkText(path, text))
      docs.push({ id: docs.length, path, title: chunk.title ?? '', text: chunk.text });
  }
  return sampleQueries(docs, QUERIES, seed);
}

/**
 * The measured queries and the warm-up ones, from the corpus's files. Only the queries are kept: the walk's list of
 * every file would otherwise stay in the bench's heap through the build, and a collection of it there would be
 * counted as the host's lag during the build (the index adds almost nothing to the host's heap).
 */
async function scaleQueries(corpusDir: string): Promise<{ queries: string[]; warmUp: string[] }> {
  const { candidates } = await walkFolders([corpusDir], CORPUS_RULES);
  const locations = candidates.map(c => [c.path, c.location]);
  return { queries: await queriesFrom(locations, 150, 42), warmUp: await queriesFrom(locations, 100, 7) };
}

/** The host's bytes by what holds them: the parts the segments hold, and the rest (file table, objects). */
function hostParts(index: SegmentedIndex, hostBytes: number): [string, number][] {
  const sum = (f: (s: SegmentedIndex['segmentList'][number]) => number): number =>
    index.segmentList.reduce((n, s) => n + f(s), 0);
  const parts: [string, number][] = [
    ['postings and lengths (WebAssembly scorers, with a score per chunk)', scorerBytes(index)],
    ['term dictionary (terms, posting starts)', sum(s => s.data.terms.byteSize + s.data.postingStarts.byteLength)],
    [
      'per chunk (file, lines, title)',
      sum(s => s.data.docFiles.byteLength + 2 * s.data.docStartLines.byteLength + s.data.docTitles.byteSize),
    ],
    ["segments' file paths and locations", sum(s => s.data.filePaths.byteSize + s.data.fileLocations.byteSize)],
  ];
  const counted = parts.reduce((n, [, bytes]) => n + bytes, 0);
  return [...parts, ['file table, deletions and objects (the rest)', hostBytes - counted]];
}

/** The index as the extension holds it: in the index thread, the host keeping only what it is sent. */
const openClient = (folders: readonly string[], storeDir: string): WorkspaceIndexClient =>
  new WorkspaceIndexClient({
    folders: () => folders,
    rules: () => ({ ...CORPUS_RULES, maxFiles: MAX_FILES_LIMIT }),
    storeDir,
    persistDelayMs: 60_000,
    workerFile: DEFAULT_WORKER_FILE,
  });

/** Milliseconds of each search of `queries` through `index` (a message each way), one after the other. */
async function timeSearches(index: WorkspaceIndexClient, queries: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    await index.search(q, 10);
    times.push(performance.now() - t0);
  }
  return times;
}

/**
 * The full build by the index thread (its sync's worker and helpers do the reading; the thread takes the result
 * in and readies it: the host's lag is watched until then), then queries and updates after a save through the
 * thread, the memory the index adds to the host and the thread's own, and queries during a full rebuild.
 */
async function buildQueryUpdate(
  folders: readonly string[],
  storeDir: string,
  saved: string,
  queries: string[],
  warmUp: string[],
) {
  await collectGarbage();
  const settledMs = await settleMachine();
  const before = heldBytes();
  const index = openClient(folders, storeDir);
  const loadBefore = loadavg()[0] ?? NaN;
  const b0 = performance.now();
  const build = await withLoopLag(async () => {
    const stats = await index.sync();
    const ms = performance.now() - b0;
    await index.warmed();
    return { stats, ms };
  });
  for (const q of warmUp) await index.search(q, 10);
  const queryTimes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) queryTimes.push(...(await timeSearches(index, queries)));
  queryTimes.sort((a, b) => a - b);

  const updateTimes: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    await writeFile(saved, `# Scratch\n\nSaved edit number ${i}: the word zyx${i}qv is new.\n`);
    const u0 = performance.now();
    await index.update([saved]);
    updateTimes.push(performance.now() - u0);
    if ((await index.search(`zyx${i}qv`, 1))[0]?.path.endsWith('saved.md') !== true)
      throw new Error('the saved edit is not searchable');
  }
  updateTimes.sort((a, b) => a - b);
  await index.warmed();

  await collectGarbage();
  const hostBytes = heldBytes() - before;
  const thread = await index.memoryUsage();
  // The index's buffers, when a sync worker made them, are in no thread's arrayBuffers: the larger of the two.
  const threadBytes = thread.heapUsed + Math.max(thread.arrayBuffers, thread.bufferBytes) + thread.wasmBytes;

  // A full rebuild (Rebuild Index) in the thread's sync worker, with a query every 20 ms until it is installed.
  const duringRebuild: number[] = [];
  let rebuilt = false;
  const rebuild = index.sync({ fromScratch: true }).finally(() => (rebuilt = true));
  for (let i = 0; !rebuilt; i++) {
    duringRebuild.push(...(await timeSearches(index, [queries[i % queries.length] ?? ''])));
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  await rebuild;
  duringRebuild.sort((a, b) => a - b);
  await index.flush();
  index.dispose();
  await index.stopped;
  return {
    stats: build.result.stats,
    buildMs: build.result.ms,
    buildLagMs: build.maxLagMs,
    buildLagWaitMs: build.maxLagWaitMs,
    buildLagAtMs: build.maxLagAtMs,
    buildLagStealMs: build.maxLagStealMs,
    buildLagGcMs: build.maxLagGcMs,
    /** How long the build waited for the machine to settle after the corpus was written (see settleMachine). */
    settledMs,
    /** The machine's 1-minute load average when the build started and when it was done. */
    buildLoad: [loadBefore, loadavg()[0] ?? NaN],
    queryTimes,
    updateTimes,
    hostBytes,
    thread,
    threadBytes,
    duringRebuild,
  };
}

export const run: Bench = async ({ quick }) => {
  const target = chunksAsked(quick);
  const temp = await mkdtemp(join(tmpdir(), 'grounded-scale-'));
  const corpusDir = join(temp, 'corpus');
  const scratch = join(temp, 'scratch');
  const storeDir = join(temp, 'store');
  try {
    await mkdir(scratch, { recursive: true });
    const saved = join(scratch, 'saved.md');
    await writeFile(saved, '# Scratch\n\nA file the benchmark saves again and again.\n');
    const t0 = performance.now();
    const corpus = await writeScaleCorpus(await readSourceFiles(corpusFolders(false)), corpusDir, target);
    const writeMs = performance.now() - t0;
    const folders = [corpusDir, scratch];

    await warmPageCache(folders);
    const { queries, warmUp } = await scaleQueries(corpusDir);
    const built = await buildQueryUpdate(folders, storeDir, saved, queries, warmUp);
    const { stats, hostBytes } = built;

    // A new window: the index thread started, the store loaded there, and the first query answered, with the
    // host's lag watched (the thread's sync checks the store against the disk meanwhile, as when a window opens).
    const loads: number[] = [];
    let loadLagMs = 0;
    for (let i = 0; i < LOADS; i++) {
      // the bench's own garbage (the last thread's replies) is collected, and the memory the last index thread
      // freed handed back, before the window opens, so that the lag watched is the index's
      await collectGarbage();
      await settleMachine();
      const load = await withLoopLag(async () => {
        const opened = openClient(folders, storeDir);
        await opened.ready();
        await opened.search(queries[0] ?? '', 10);
        return opened;
      });
      loads.push(load.ms);
      loadLagMs = Math.max(loadLagMs, load.maxLagMs);
      load.result.dispose();
      await load.result.stopped;
    }
    loads.sort((a, b) => a - b);

    // Where the index thread's bytes go, on an index loaded in this thread and readied for queries as the thread
    // readies it; and the same queries in-process, to tell the round trip's share of a query.
    await collectGarbage();
    const before = heldBytes();
    const loaded = await loadIndex(storeDir);
    await loaded.prepareScorers(createYielder(undefined, INSTALL_BUDGET_MS), () => true);
    await loaded.warmBounds(createYielder(undefined, INSTALL_BUDGET_MS), () => true);
    await collectGarbage();
    const loadedBytes = heldBytes() + scorerBytes(loaded) - before;
    const parts = hostParts(loaded, loadedBytes);
    for (const q of warmUp) loaded.search(q, 10);
    const inProcess = Array.from({ length: ROUNDS }, () => timeEach(queries, q => loaded.search(q, 10)))
      .flat()
      .sort((a, b) => a - b);
    // The sync's workers exit once their result is taken in: the index is in the index thread and the host.
    const workerBytes = built.threadBytes;
    const storeBytes = (
      await Promise.all((await readdir(storeDir)).map(async n => (await stat(join(storeDir, n))).size))
    ).reduce((a, b) => a + b, 0);

    const chunks = stats.chunks;
    const perChunk = (bytes: number): number => (chunks ? Math.round(bytes / chunks) : 0);
    const json = {
      chunks,
      buildMs: built.buildMs,

      buildLagMs: built.buildLagMs,
      buildLagWaitMs: built.buildLagWaitMs,
      buildLagAtMs: built.buildLagAtMs,
      buildLagStealMs: built.buildLagStealMs,
      buildLagGcMs: built.buildLagGcMs,
      settledMs: built.settledMs,
      buildLoadAverage: built.buildLoad,
      queryP50Ms: percentile(built.queryTimes, 50),
      queryP95Ms: percentile(built.queryTimes, 95),
      inProcessQueryP50Ms: percentile(inProcess, 50),
      inProcessQueryP95Ms: percentile(inProcess, 95),
      rebuildQueryP50Ms: percentile(built.duringRebuild, 50),
      rebuildQueryP95Ms: percentile(built.duringRebuild, 95),
      rebuildQueries: built.duringRebuild.length,
      hostBytes,
      threadBytes: workerBytes,
      totalBytesPerChunk: perChunk(hostBytes + workerBytes),
      loadMs: percentile(loads, 50),
      loadLagMs,
      updateP95Ms: percentile(built.updateTimes, 95),
      storeBytesPerChunk: perChunk(storeBytes),
    };
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
    const tables: BenchTable[] = [
      {
        title: `Index at ${chunks.toLocaleString('en-US')} chunks (${stats.files.toLocaleString('en-US')} files, ${mib(corpus.bytes)} MiB in ${corpus.copies} renamed ${corpus.copies === 1 ? 'copy' : 'copies'}, written in ${fmt(writeMs / 1000, 0)} s)`,
        columns: ['figure', 'measured', 'target'],
        rows: [
          ['full build (ms, files in the page cache)', fmt(json.buildMs, 0), '≤ 60000'],
          [
            'max event-loop lag of the host during the build (ms; of it, waiting for a core)',
            json.buildLagWaitMs === undefined
              ? fmt(json.buildLagMs, 1)
              : `${fmt(json.buildLagMs, 1)} (${fmt(json.buildLagWaitMs, 1)})`,
            '≤ 50',
          ],
          ['when the worst lag came (ms from the start of the build)', fmt(json.buildLagAtMs, 0), ''],
          [
            "the virtual machine's steal time meanwhile (ms, both CPUs: the hypervisor ran neither)",
            json.buildLagStealMs === undefined ? 'n/a' : fmt(json.buildLagStealMs, 0),
            '',
          ],
          [
            "the bench's own garbage collection meanwhile (ms: its heap, not the index's)",
            fmt(json.buildLagGcMs, 1),
            '',
          ],
          ['wait for the machine to settle before the build (ms; see settleMachine)', fmt(json.settledMs, 0), ''],
          [
            "the machine's load average (1 min) when the build started / ended",
            json.buildLoadAverage.map(l => fmt(l, 2)).join(' / '),
            '',
          ],
          [`query p50 (ms; ${ROUNDS} × ${QUERIES} single shots)`, fmt(json.queryP50Ms, 3), ''],
          ['query p95 (ms)', fmt(json.queryP95Ms, 3), '≤ 10'],
          [
            'the same queries in-process, p50 / p95 (ms; the difference is the round trip)',
            `${fmt(json.inProcessQueryP50Ms, 3)} / ${fmt(json.inProcessQueryP95Ms, 3)}`,
            '',
          ],
          [
            `query p50 / p95 during a full rebuild (ms; ${json.rebuildQueries} queries, one every 20 ms)`,
            `${fmt(json.rebuildQueryP50Ms, 3)} / ${fmt(json.rebuildQueryP95Ms, 3)}`,
            '',
          ],
          [
            'memory the index adds to the host (MB: heap + buffers + WebAssembly)',
            (hostBytes / 1e6).toFixed(1),
            '≤ 150',
          ],
          [
            "index thread's memory (MB: heap + buffers + WebAssembly)",
            `${(workerBytes / 1e6).toFixed(0)} (${mb(built.thread.heapUsed)} + ${mb(Math.max(built.thread.arrayBuffers, built.thread.bufferBytes))} + ${mb(built.thread.wasmBytes)})`,
            '',
          ],
          ['total memory of the index, host + workers (bytes per chunk)', json.totalBytesPerChunk, '≤ 450'],
          [`load when a window opens (ms to the first answer, median of ${LOADS})`, fmt(json.loadMs, 0), '≤ 1000'],
          ['max event-loop lag during load (ms)', fmt(json.loadLagMs, 1), '≤ 50'],
          ['update after one saved file (ms, p95)', fmt(json.updateP95Ms, 2), '≤ 20'],
          ['store on disk (bytes per chunk)', json.storeBytesPerChunk, 'reported'],
          ['store on disk (MiB)', mib(storeBytes), ''],
        ],
      },
      {
        title: "Where the index thread's bytes go (an index loaded and readied as the thread does, bytes per chunk)",
        columns: ['part', 'bytes per chunk'],
        rows: parts.map(([part, bytes]) => [part, perChunk(bytes)]),
      },
    ];
    return { name: 'scale', tables, json };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
};
