// Documents read for their content: extraction throughput of Jupyter notebooks (three realistic sizes, with outputs
// and plots; beside chunking their raw JSON as text), Databricks notebook sources, PDFs (pages/s; on this thread and
// through the document extractor thread a build uses) and Word documents,
// and full builds in the worker of a workspace of 200 notebooks and of one of 200 PDFs (then again with the PDFs'
// text in the extraction cache), with the host's event-loop lag measured meanwhile.
// Reports only: no pass/fail. `npm run bench -- documents [--quick] [--json]`.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkSpans } from '../../src/index/chunking/chunker';
import { TextLines } from '../../src/index/chunking/textLines';
import { IsolatedExtractor } from '../../src/index/build/isolatedExtractor';
import { extractBinaryDocument } from '../../src/index/documents/binaryDocuments';
import type { DocumentExtraction } from '../../src/index/documents/documentCache';
import { documentSpans, extractDocument, type BinaryDocumentKind } from '../../src/index/documents/documents';
import type { IndexStats } from '../../src/index/segments/indexStats';
import { WorkspaceIndex } from '../../src/index/workspaceIndex';
import type { Bench, BenchTable } from './benchTypes';
import { generatedDocx, generatedPdf, PDF_LINES_A_PAGE } from './documents/generatedDocuments';
import { databricksSource, jupyterNotebook, NOTEBOOK_SHAPES, type NotebookShape } from './documents/generatedNotebooks';
import { collectGarbage, fmt, withLoopLag } from './index/measure';

const MB = 1024 * 1024;
/** Pages of each generated PDF: a short report. */
const PDF_PAGES = 10;
/** Sections of each generated Word document. */
const DOCX_SECTIONS = 12;

interface Throughput {
  files: number;
  bytes: number;
  chunks: number;
  ms: number;
}

/** Reads each text file as the index worker does (extract, then chunk the extracted lines): the best of 3 passes. */
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

/**
 * Extracts and chunks each PDF or Word document in turn (one pass, after one warm-up file): on this thread, or as a
 * build does, each document's bytes (a copy) sent to the document extractor thread and its text sent back.
 */
async function extractBinaries(
  kind: BinaryDocumentKind,
  files: readonly Uint8Array[],
  extract: (kind: BinaryDocumentKind, bytes: Uint8Array) => Promise<DocumentExtraction> = extractBinaryDocument,
): Promise<Throughput> {
  const chunksOf = async (bytes: Uint8Array): Promise<number> => {
    const extraction = await extract(kind, bytes);
    if (extraction.kind !== 'document') throw new Error(`a generated ${kind} was skipped: ${extraction.reason}`);
    const { document } = extraction;
    return documentSpans(document, new TextLines(document.text)).length;
  };
  if (files[0]) await chunksOf(files[0]); // loads the parser
  let chunks = 0;
  const t0 = performance.now();
  for (const bytes of files) chunks += await chunksOf(bytes);
  return {
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.byteLength, 0),
    chunks,
    ms: performance.now() - t0,
  };
}

interface Build {
  stats: IndexStats;
  ms: number;
  maxLagMs: number;
}

/** Full builds of `folder` in the worker into a new store, `times` times (from scratch), the lag watched meanwhile. */
async function buildTimes(folder: string, storeDir: string, times: number): Promise<Build[]> {
  const index = new WorkspaceIndex({ folders: () => [folder], storeDir, persistDelayMs: 60_000 });
  const builds: Build[] = [];
  try {
    for (let i = 0; i < times; i++) {
      await collectGarbage();
      const build = await withLoopLag(() => index.sync({ fromScratch: true }));
      await index.flush();
      builds.push({ stats: build.result, ms: build.ms, maxLagMs: build.maxLagMs });
    }
  } finally {
    index.dispose();
  }
  return builds;
}

const byteSize = (files: readonly { text: string }[]): number =>
  files.reduce((sum, f) => sum + Buffer.byteLength(f.text, 'utf8'), 0);
const perSecond = (count: number, ms: number): string => (ms > 0 ? ((count * 1000) / ms).toFixed(0) : 'n/a');
const mbPerSecond = (bytes: number, ms: number): string => (ms > 0 ? ((bytes / MB) * (1000 / ms)).toFixed(1) : 'n/a');

export const run: Bench = async ({ quick }) => {
  // Extraction on this thread: every shape of notebook, a few dozen of each (each its own text).
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
  const pdfCount = quick ? 40 : 200;
  const pdfs: Uint8Array[] = [];
  for (let i = 0; i < pdfCount; i++) pdfs.push(await generatedPdf(PDF_PAGES, seed++));
  const pdf = await extractBinaries('pdf', pdfs.slice(0, quick ? 20 : 50));
  const extractor = new IsolatedExtractor();
  const pdfOnThread = await extractBinaries('pdf', pdfs.slice(0, quick ? 20 : 50), (kind, bytes) =>
    extractor.extract(kind, new Uint8Array(bytes)),
  ).finally(() => extractor.close());
  const docxs: Uint8Array[] = [];
  for (let i = 0; i < (quick ? 20 : 60); i++) docxs.push(await generatedDocx(DOCX_SECTIONS, seed++));
  const docx = await extractBinaries('docx', docxs);

  const temp = await mkdtemp(join(tmpdir(), 'grounded-bench-docs-'));
  try {
    // A workspace of notebooks (the shapes mixed as a data team's might be), built in the worker from scratch.
    const notebookFolder = join(temp, 'notebooks');
    await mkdir(notebookFolder);
    const mix: [NotebookShape, number][] = NOTEBOOK_SHAPES.map((shape, i) => [
      shape,
      quick ? ([30, 15, 5][i] ?? 0) : ([120, 60, 20][i] ?? 0),
    ]);
    let notebookBytes = 0;
    for (const [shape, count] of mix)
      for (let i = 0; i < count; i++) {
        const text = jupyterNotebook(shape, seed++);
        notebookBytes += Buffer.byteLength(text, 'utf8');
        await writeFile(join(notebookFolder, `${shape.name}-${i}.ipynb`), text);
      }
    const [notebookBuild] = await buildTimes(notebookFolder, join(temp, 'store-notebooks'), 1);
    const notebooks = mix.reduce((sum, [, n]) => sum + n, 0);
    const mixName = mix.map(([s, n]) => `${n} ${s.name}`).join(', ');

    // A workspace of PDFs: the first build extracts every one; a rebuild from scratch finds their text cached.
    const pdfFolder = join(temp, 'pdfs');
    await mkdir(pdfFolder);
    await Promise.all(pdfs.map((bytes, i) => writeFile(join(pdfFolder, `report-${i}.pdf`), bytes)));
    const pdfBytes = pdfs.reduce((sum, f) => sum + f.byteLength, 0);
    const [pdfBuild, pdfRebuild] = await buildTimes(pdfFolder, join(temp, 'store-pdfs'), 2);
    if (!notebookBuild || !pdfBuild || !pdfRebuild) throw new Error('a build did not run');

    const pdfPages = pdfCount * PDF_PAGES;
    const tables: BenchTable[] = [
      {
        title: `Document extraction (extract + chunk, one thread${quick ? ', --quick' : ''})`,
        columns: [
          'input',
          'files',
          'KiB a file',
          'chunks a file',
          'files/s',
          'pages/s',
          'MB/s',
          'raw JSON as text: files/s',
        ],
        rows: [
          ...extraction.map(({ shape, ours, raw }) => [
            `Jupyter ${shape.name} (${shape.cells} cells, ${shape.plots ? `${shape.plots} plots of ${shape.plotKB} KB` : 'no plots'}; best of 3)`,
            ours.files,
            (ours.bytes / ours.files / 1024).toFixed(0),
            (ours.chunks / ours.files).toFixed(0),
            perSecond(ours.files, ours.ms),
            '',
            mbPerSecond(ours.bytes, ours.ms),
            perSecond(raw.files, raw.ms),
          ]),
          [
            'Databricks notebook source (40 cells; best of 3)',
            databricks.files,
            (databricks.bytes / databricks.files / 1024).toFixed(0),
            (databricks.chunks / databricks.files).toFixed(0),
            perSecond(databricks.files, databricks.ms),
            '',
            mbPerSecond(databricks.bytes, databricks.ms),
            '',
          ],
          [
            `PDF (${PDF_PAGES} pages of ${PDF_LINES_A_PAGE} lines; pdf.js)`,
            pdf.files,
            (pdf.bytes / pdf.files / 1024).toFixed(0),
            (pdf.chunks / pdf.files).toFixed(0),
            perSecond(pdf.files, pdf.ms),
            perSecond(pdf.files * PDF_PAGES, pdf.ms),
            mbPerSecond(pdf.bytes, pdf.ms),
            '',
          ],
          [
            `the same PDFs through the document extractor thread (bytes there, text back)`,
            pdfOnThread.files,
            (pdfOnThread.bytes / pdfOnThread.files / 1024).toFixed(0),
            (pdfOnThread.chunks / pdfOnThread.files).toFixed(0),
            perSecond(pdfOnThread.files, pdfOnThread.ms),
            perSecond(pdfOnThread.files * PDF_PAGES, pdfOnThread.ms),
            mbPerSecond(pdfOnThread.bytes, pdfOnThread.ms),
            '',
          ],
          [
            `Word .docx (${DOCX_SECTIONS} headed sections, 4 tables; mammoth)`,
            docx.files,
            (docx.bytes / docx.files / 1024).toFixed(0),
            (docx.chunks / docx.files).toFixed(0),
            perSecond(docx.files, docx.ms),
            '',
            mbPerSecond(docx.bytes, docx.ms),
            '',
          ],
        ],
      },
      {
        title: 'Workspaces of documents, full build in the worker (files just written: in the page cache)',
        columns: ['workspace', 'files', 'chunks', 'build (ms)', 'files/s', 'max host event-loop lag (ms)', 'target'],
        rows: [
          [
            `${notebooks} notebooks (${mixName}; ${(notebookBytes / MB).toFixed(0)} MB)`,
            notebookBuild.stats.files,
            notebookBuild.stats.chunks,
            fmt(notebookBuild.ms, 0),
            perSecond(notebooks, notebookBuild.ms),
            fmt(notebookBuild.maxLagMs, 1),
            '≤ 50',
          ],
          [
            `${pdfCount} PDFs (${pdfPages} pages; ${(pdfBytes / MB).toFixed(1)} MB), first build: every PDF extracted`,
            pdfBuild.stats.files,
            pdfBuild.stats.chunks,
            fmt(pdfBuild.ms, 0),
            perSecond(pdfCount, pdfBuild.ms),
            fmt(pdfBuild.maxLagMs, 1),
            '≤ 50',
          ],
          [
            `the same ${pdfCount} PDFs rebuilt from scratch: text from the extraction cache`,
            pdfRebuild.stats.files,
            pdfRebuild.stats.chunks,
            fmt(pdfRebuild.ms, 0),
            perSecond(pdfCount, pdfRebuild.ms),
            fmt(pdfRebuild.maxLagMs, 1),
            '≤ 50',
          ],
        ],
      },
    ];
    const throughput = (t: Throughput) => ({ ...t, filesPerSecond: (t.files * 1000) / t.ms });
    const build = (b: Build) => ({ files: b.stats.files, chunks: b.stats.chunks, ms: b.ms, maxLagMs: b.maxLagMs });
    return {
      name: 'documents',
      tables,
      json: {
        quick,
        extraction: Object.fromEntries(
          extraction.map(({ shape, ours, raw }) => [
            shape.name,
            { ...throughput(ours), rawJsonFilesPerSecond: (raw.files * 1000) / raw.ms },
          ]),
        ),
        databricks: throughput(databricks),
        pdf: { ...throughput(pdf), pagesPerSecond: (pdf.files * PDF_PAGES * 1000) / pdf.ms },
        docx: throughput(docx),
        workspaces: {
          notebooks: { count: notebooks, bytes: notebookBytes, ...build(notebookBuild) },
          pdfs: { count: pdfCount, pages: pdfPages, bytes: pdfBytes, ...build(pdfBuild) },
          pdfsCached: build(pdfRebuild),
        },
      },
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
};
