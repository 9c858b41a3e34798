// The index at a million chunks (issue 23): a corpus of distinct content made from the index bench's (each copy's
// words renamed), built in the worker with the host's event-loop lag watched, queried, updated after a save and
// loaded again, with the memory the index adds to the host. Reports only: no pass/fail.
// `npm run bench -- scale [--chunks N] [--json]` (default 1,000,000 chunks; `--quick` 100,000).
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createYielder } from '../../src/index/base/yieldToEventLoop';
import { INSTALL_BUDGET_MS } from '../../src/index/build/indexWorkerClient';
import { chunkText } from '../../src/index/chunking/chunker';
import { MAX_FILES_LIMIT } from '../../src/index/discovery/walkFolders';
import type { SegmentedIndex } from '../../src/index/segments/segmentedIndex';
import { WorkspaceIndex } from '../../src/index/workspaceIndex';
import type { Bench, BenchTable } from './benchTypes';
import { CORPUS_RULES, corpusFolders, random, sampleQueries, warmPageCache, type ChunkDoc } from './index/corpus';
import { loadIndex } from './index/loadIndex';
import { collectGarbage, fmt, percentile, timeEach, withLoopLag } from './index/measure';
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
async function queriesFrom(index: SegmentedIndex, files: number, seed: number): Promise<string[]> {
  const locations = [...index.files()].filter(f => !f.skip && f.docCount > 0).map(f => [f.path, f.location]);
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

/**
 * The full build in the worker (the host only takes the result in, and readies it while idle: the lag is watched
 * until then), then queries and updates after a save on the built index.
 */
async function buildQueryUpdate(folders: readonly string[], storeDir: string, saved: string) {
  const index = new WorkspaceIndex({
    folders: () => folders,
    rules: () => ({ ...CORPUS_RULES, maxFiles: MAX_FILES_LIMIT }),
    storeDir,
    persistDelayMs: 60_000,
  });
  const b0 = performance.now();
  const build = await withLoopLag(async () => {
    const stats = await index.sync();
    const ms = performance.now() - b0;
    await index.warmed();
    return { stats, ms };
  });
  const current = await index.ready();
  const queries = await queriesFrom(current, 150, 42);
  const warmUp = await queriesFrom(current, 100, 7);
  await collectGarbage();
  for (const q of warmUp) index.search(q, 10);
  const rounds = Array.from({ length: ROUNDS }, () => timeEach(queries, q => index.search(q, 10)));
  const queryTimes = rounds.flat().sort((a, b) => a - b);

  const updateTimes: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    await writeFile(saved, `# Scratch\n\nSaved edit number ${i}: the word zyx${i}qv is new.\n`);
    const u0 = performance.now();
    await index.update([saved]);
    updateTimes.push(performance.now() - u0);
    if (index.search(`zyx${i}qv`, 1)[0]?.path.endsWith('saved.md') !== true)
      throw new Error('the saved edit is not searchable');
  }
  updateTimes.sort((a, b) => a - b);
  await index.flush();
  index.dispose();
  return { stats: build.result.stats, buildMs: build.result.ms, buildLagMs: build.maxLagMs, queryTimes, updateTimes };
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
    await collectGarbage();
    const built = await buildQueryUpdate(folders, storeDir, saved);
    const { stats } = built;
    await collectGarbage(); // the built index, gone with buildQueryUpdate's scope

    // A new window: the store read, checked and mapped on the host, in steps, with the lag watched.
    const loads: number[] = [];
    let loadLagMs = 0;
    for (let i = 0; i < LOADS; i++) {
      const load = await withLoopLag(() => loadIndex(storeDir));
      loads.push(load.ms);
      loadLagMs = Math.max(loadLagMs, load.maxLagMs);
      await collectGarbage();
    }
    loads.sort((a, b) => a - b);

    // What the index adds to the host, on an index loaded in this thread and readied for queries as the host
    // readies it (buffers a worker made and transferred are not in this thread's `arrayBuffers`, hence a load).
    const before = heldBytes();
    const loaded = await loadIndex(storeDir);
    await loaded.prepareScorers(createYielder(undefined, INSTALL_BUDGET_MS), () => true);
    await loaded.warmBounds(createYielder(undefined, INSTALL_BUDGET_MS), () => true);
    await collectGarbage();
    const hostBytes = heldBytes() + scorerBytes(loaded) - before;
    const parts = hostParts(loaded, hostBytes);
    // The sync's worker exits once its result is taken in: everything the index holds is in the host.
    const workerBytes = 0;
    const storeBytes = (
      await Promise.all((await readdir(storeDir)).map(async n => (await stat(join(storeDir, n))).size))
    ).reduce((a, b) => a + b, 0);

    const chunks = stats.chunks;
    const perChunk = (bytes: number): number => (chunks ? Math.round(bytes / chunks) : 0);
    const json = {
      chunks,
      buildMs: built.buildMs,

      buildLagMs: built.buildLagMs,
      queryP50Ms: percentile(built.queryTimes, 50),
      queryP95Ms: percentile(built.queryTimes, 95),
      hostBytes,
      totalBytesPerChunk: perChunk(hostBytes + workerBytes),
      loadMs: percentile(loads, 50),
      loadLagMs,
      updateP95Ms: percentile(built.updateTimes, 95),
      storeBytesPerChunk: perChunk(storeBytes),
    };
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    const tables: BenchTable[] = [
      {
        title: `Index at ${chunks.toLocaleString('en-US')} chunks (${stats.files.toLocaleString('en-US')} files, ${mib(corpus.bytes)} MiB in ${corpus.copies} renamed ${corpus.copies === 1 ? 'copy' : 'copies'}, written in ${fmt(writeMs / 1000, 0)} s)`,
        columns: ['figure', 'measured', 'target'],
        rows: [
          ['full build (ms, files in the page cache)', fmt(json.buildMs, 0), '≤ 60000'],
          ['max event-loop lag of the host during the build (ms)', fmt(json.buildLagMs, 1), '≤ 50'],
          [`query p50 (ms; ${ROUNDS} × ${QUERIES} single shots)`, fmt(json.queryP50Ms, 3), ''],
          ['query p95 (ms)', fmt(json.queryP95Ms, 3), '≤ 10'],
          [
            'memory the index adds to the host (MB: heap + buffers + WebAssembly)',
            (hostBytes / 1e6).toFixed(0),
            '≤ 150',
          ],
          ['total memory of the index, host + workers (bytes per chunk)', json.totalBytesPerChunk, '≤ 450'],
          [`load when a window opens (ms, median of ${LOADS})`, fmt(json.loadMs, 0), '≤ 1000'],
          ['max event-loop lag during load (ms)', fmt(json.loadLagMs, 1), '≤ 50'],
          ['update after one saved file (ms, p95)', fmt(json.updateP95Ms, 2), '≤ 20'],
          ['store on disk (bytes per chunk)', json.storeBytesPerChunk, 'reported'],
          ['store on disk (MiB)', mib(storeBytes), ''],
        ],
      },
      {
        title: "Where the host's bytes go (loaded index, bytes per chunk)",
        columns: ['part', 'bytes per chunk'],
        rows: parts.map(([part, bytes]) => [part, perChunk(bytes)]),
      },
    ];
    return { name: 'scale', tables, json };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
};
