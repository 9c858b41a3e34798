// Documents read for their content: notebook extraction throughput (Jupyter notebooks of three realistic sizes, with
// outputs and plots; Databricks notebook sources), against chunking the same notebook's raw JSON as plain text, and a
// full build of a workspace of generated notebooks in the worker with the host's event-loop lag measured meanwhile.
// Reports only: no pass/fail. `npm run bench -- documents [--quick] [--json]`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkSpans } from '../../src/index/chunking/chunker';
import { TextLines } from '../../src/index/chunking/textLines';
import { documentSpans, extractDocument } from '../../src/index/documents/documents';
import { WorkspaceIndex } from '../../src/index/workspaceIndex';
import type { Bench, BenchTable } from './benchTypes';
import { databricksSource, jupyterNotebook, NOTEBOOK_SHAPES, type NotebookShape } from './documents/generatedNotebooks';
import { collectGarbage, fmt, withLoopLag } from './index/measure';

const MB = 1024 * 1024;

interface Throughput {
  files: number;
  bytes: number;
  chunks: number;
  ms: number;
}

/** Reads each file as the index worker does (extract, then chunk the extracted lines): the best of three passes. */
function extractAll(files: readonly { path: string; text: string }[]): Throughput {
  let best = Infinity;
  let chunks = 0;
  for (let pass = 0; pass < 3; pass++) {
    chunks = 0;
    const t0 = performance.now();
    for (const { path, text } of files) {
      const document = extractDocument(path, text);
      if (!document) throw new Error(`${path} was not read as a document`);
      chunks += documentSpans(document, new TextLines(document.text)).length;
    }
    best = Math.min(best, performance.now() - t0);
  }
  return { files: files.length, bytes: byteSize(files), chunks, ms: best };
}

/** The same files chunked as plain text (what a notebook's JSON would be without the documents stage). */
function chunkRaw(files: readonly { path: string; text: string }[]): Throughput {
  let best = Infinity;
  let chunks = 0;
  for (let pass = 0; pass < 3; pass++) {
    chunks = 0;
    const t0 = performance.now();
    for (const { text } of files) chunks += chunkSpans('notebook.json', new TextLines(text)).length;
    best = Math.min(best, performance.now() - t0);
  }
  return { files: files.length, bytes: byteSize(files), chunks, ms: best };
}

const byteSize = (files: readonly { text: string }[]): number =>
  files.reduce((sum, f) => sum + Buffer.byteLength(f.text, 'utf8'), 0);
const perSecond = (count: number, ms: number): string => (ms > 0 ? ((count * 1000) / ms).toFixed(0) : 'n/a');
const mbPerSecond = (bytes: number, ms: number): string => (ms > 0 ? ((bytes / MB) * (1000 / ms)).toFixed(1) : 'n/a');

export const run: Bench = async ({ quick }) => {
  // Extraction: every shape of notebook, a few dozen of each (each its own text).
  const counts: Record<string, number> = quick
    ? { small: 40, medium: 10, large: 3 }
    : { small: 200, medium: 60, large: 16 };
  const extraction: { shape: NotebookShape; ours: Throughput; raw: Throughput }[] = [];
  let seed = 1;
  for (const shape of NOTEBOOK_SHAPES) {
    const files = Array.from({ length: counts[shape.name] ?? 10 }, (_, i) => ({
      path: `${shape.name}-${i}.ipynb`,
      text: jupyterNotebook(shape, seed++),
    }));
    extraction.push({ shape, ours: extractAll(files), raw: chunkRaw(files) });
  }
  const sources = Array.from({ length: quick ? 50 : 300 }, (_, i) => ({
    path: `etl-${i}.py`,
    text: databricksSource(40, seed++),
  }));
  const databricks = extractAll(sources);

  // A workspace of notebooks (the shapes mixed as a data team's might be), built in the worker from scratch.
  const temp = await mkdtemp(join(tmpdir(), 'grounded-bench-docs-'));
  const folder = join(temp, 'workspace');
  const mix: [NotebookShape, number][] = NOTEBOOK_SHAPES.map((shape, i) => [
    shape,
    quick ? ([30, 15, 5][i] ?? 0) : ([120, 60, 20][i] ?? 0),
  ]);
  let workspaceBytes = 0;
  try {
    await mkdir(folder);
    for (const [shape, count] of mix)
      for (let i = 0; i < count; i++) {
        const text = jupyterNotebook(shape, seed++);
        workspaceBytes += Buffer.byteLength(text, 'utf8');
        await writeFile(join(folder, `${shape.name}-${i}.ipynb`), text);
      }
    const index = new WorkspaceIndex({
      folders: () => [folder],
      storeDir: join(temp, 'store'),
      persistDelayMs: 60_000,
    });
    await collectGarbage();
    const build = await withLoopLag(() => index.sync({ fromScratch: true }));
    await index.flush();
    index.dispose();
    const stats = build.result;
    const notebooks = mix.reduce((sum, [, n]) => sum + n, 0);
    const mixName = mix.map(([s, n]) => `${n} ${s.name}`).join(', ');

    const tables: BenchTable[] = [
      {
        title: `Notebook extraction (extract + chunk, one thread, best of 3 passes${quick ? ', --quick' : ''})`,
        columns: ['input', 'files', 'KiB a file', 'chunks a file', 'files/s', 'MB/s', 'raw JSON as text: files/s'],
        rows: [
          ...extraction.map(({ shape, ours, raw }) => [
            `Jupyter ${shape.name} (${shape.cells} cells, ${shape.plots ? `${shape.plots} plots of ${shape.plotKB} KB` : 'no plots'})`,
            ours.files,
            (ours.bytes / ours.files / 1024).toFixed(0),
            (ours.chunks / ours.files).toFixed(0),
            perSecond(ours.files, ours.ms),
            mbPerSecond(ours.bytes, ours.ms),
            perSecond(raw.files, raw.ms),
          ]),
          [
            'Databricks notebook source (40 cells)',
            databricks.files,
            (databricks.bytes / databricks.files / 1024).toFixed(0),
            (databricks.chunks / databricks.files).toFixed(0),
            perSecond(databricks.files, databricks.ms),
            mbPerSecond(databricks.bytes, databricks.ms),
            '',
          ],
          ['PDF pages/s: not measured (PDF not read yet)', '', '', '', '', '', ''],
          ['DOCX files/s: not measured (DOCX not read yet)', '', '', '', '', '', ''],
        ],
      },
      {
        title: `Workspace of ${notebooks} notebooks (${mixName}; ${(workspaceBytes / MB).toFixed(0)} MB), full build in the worker`,
        columns: ['figure', 'value', 'target'],
        rows: [
          ['files indexed', stats.files, ''],
          ['chunks', stats.chunks, ''],
          ['full build (ms, files just written: in the page cache)', fmt(build.ms, 0), ''],
          ['notebooks/s', perSecond(notebooks, build.ms), ''],
          ['MB/s', mbPerSecond(workspaceBytes, build.ms), ''],
          ['max event-loop lag on the host during the build (ms)', fmt(build.maxLagMs, 1), '≤ 50'],
          ['build-time cost of 200 PDFs', 'not measured (PDF not read yet)', ''],
        ],
      },
    ];
    return {
      name: 'documents',
      tables,
      json: {
        quick,
        extraction: Object.fromEntries(
          extraction.map(({ shape, ours, raw }) => [
            shape.name,
            {
              files: ours.files,
              bytes: ours.bytes,
              chunks: ours.chunks,
              ms: ours.ms,
              filesPerSecond: (ours.files * 1000) / ours.ms,
              rawJsonFilesPerSecond: (raw.files * 1000) / raw.ms,
            },
          ]),
        ),
        databricks: { ...databricks, filesPerSecond: (databricks.files * 1000) / databricks.ms },
        pdf: 'not measured (PDF not read yet)',
        workspace: {
          notebooks,
          bytes: workspaceBytes,
          files: stats.files,
          chunks: stats.chunks,
          buildMs: build.ms,
          buildMaxLagMs: build.maxLagMs,
        },
      },
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
};
