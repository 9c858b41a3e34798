import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_WORKER_FILE } from '../../../../src/index/build/indexWorkerClient';
import { readFiles } from '../../../../src/index/build/segmentReader';
import { SKIP_REASONS } from '../../../../src/index/discovery/skipReasons';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import { extractBinaryDocument } from '../../../../src/index/documents/binaryDocuments';
import type { DocumentExtractor } from '../../../../src/index/documents/documentCache';
import { LocalRetriever } from '../../../../src/retrievers/localRetriever';
import { tempDirs } from '../../../support/tempDirs';
import { encryptedPdf, pdfOfPages, pdfWithoutText, REPORT_PAGES } from './pdfFixtures';

describe('reading PDFs into the index', () => {
  const dirs = tempDirs();
  let ws: string;
  let cache: string;
  let extracted: string[];
  const extractor: DocumentExtractor = (kind, bytes) => {
    extracted.push(kind);
    return extractBinaryDocument(kind, bytes);
  };
  beforeEach(async () => {
    ws = await dirs.make('grounded-pdf-');
    cache = join(await dirs.make('grounded-pdf-cache-'), 'documents');
    extracted = [];
    await writeFile(join(ws, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(ws, 'locked.pdf'), encryptedPdf());
    await writeFile(join(ws, 'scan.pdf'), await pdfWithoutText());
    await writeFile(join(ws, 'broken.pdf'), '%PDF-1.7\nthis is no PDF body\n');
  });

  const read = async (options: { extractor?: DocumentExtractor; documentCache?: string }) => {
    const { candidates } = await walkFolders([ws], {});
    const result = await readFiles(
      { candidates, known: candidates.map(() => undefined) },
      { newSegmentId: () => 1, ...options },
    );
    const paths = candidates.map(c => c.path);
    const skips = [...result.changed.skips].map(code => (code === 0 ? 'indexed' : SKIP_REASONS[code - 1]));
    return Object.fromEntries(paths.map((p, i) => [p, skips[i]]));
  };

  it('indexes the text layer and skips encrypted, image-only and damaged PDFs, each with its reason', async () => {
    assert.deepEqual(await read({ extractor, documentCache: cache }), {
      'broken.pdf': 'malformed',
      'locked.pdf': 'encrypted',
      'report.pdf': 'indexed',
      'scan.pdf': 'no-text-layer',
    });
  });

  it('never extracts the same bytes twice: the second reading takes every PDF from the cache', async () => {
    const first = await read({ extractor, documentCache: cache });
    assert.equal(extracted.length, 4);
    assert.equal((await readdir(cache)).length, 4);
    extracted = [];
    assert.deepEqual(await read({ extractor, documentCache: cache }), first);
    assert.deepEqual(extracted, []);
  });

  it('extracts again a document whose extraction ran out of time, instead of caching the timeout', async () => {
    const slow: DocumentExtractor = async kind => (
      extracted.push(kind),
      { kind: 'skip', reason: 'extraction-timeout' }
    );
    const first = await read({ extractor: slow, documentCache: cache });
    assert.equal(first['report.pdf'], 'extraction-timeout');
    extracted = [];
    assert.equal((await read({ extractor, documentCache: cache }))['report.pdf'], 'indexed');
    assert.equal(extracted.length, 4);
  });

  it('reads PDFs as binaries where there is no extractor (the host thread)', async () => {
    const skips = await read({});
    assert.deepEqual([skips['report.pdf'], skips['locked.pdf'], skips['scan.pdf']], ['binary', 'binary', 'binary']);
  });

  it('cites a PDF hit by page, at lines of the page, read back from the cache the index worker filled', async () => {
    const storeDir = join(await dirs.make('grounded-pdf-store-'), 'index');
    const retriever = new LocalRetriever({ folders: () => [ws], storeDir, workerFile: DEFAULT_WORKER_FILE });
    try {
      const [hit] = await retriever.search('churned pricing', { k: 1 });
      assert.ok(hit);
      assert.deepEqual(
        [hit.path, hit.page, hit.startLine, hit.endLine, hit.id],
        ['report.pdf', 2, 1, 3, 'report.pdf#page=2:1-3'],
      );
      assert.equal(hit.text, REPORT_PAGES[1].join('\n'));
      assert.equal(retriever.stats()?.skipped['encrypted'], 1);
      // The cache is made in the store's folder once it is claimed, so the index is saved beside it.
      await retriever.flush();
      assert.ok((await readdir(storeDir)).includes('manifest.bin'));
    } finally {
      retriever.dispose();
    }
  });

  it('hands a saved PDF to the index worker instead of reading it on the host thread', async () => {
    await rm(join(ws, 'report.pdf'));
    await writeFile(join(ws, 'notes.md'), '# Notes\n\nnothing about pricing here\n');
    const storeDir = join(await dirs.make('grounded-pdf-store-'), 'index');
    const retriever = new LocalRetriever({ folders: () => [ws], storeDir, workerFile: DEFAULT_WORKER_FILE });
    try {
      await retriever.ready();
      await writeFile(join(ws, 'report.pdf'), await pdfOfPages(REPORT_PAGES));
      await retriever.update([join(ws, 'report.pdf')]);
      const [hit] = await retriever.search('churned pricing', { k: 1 });
      assert.equal(hit?.id, 'report.pdf#page=2:1-3');
    } finally {
      retriever.dispose();
    }
  });

  it('drops the cached text of a document that left the index, and keeps the others', async () => {
    const storeDir = join(await dirs.make('grounded-pdf-store-'), 'index');
    const retriever = new LocalRetriever({ folders: () => [ws], storeDir, workerFile: DEFAULT_WORKER_FILE });
    try {
      await retriever.ready();
      const entries = await readdir(join(storeDir, 'documents'));
      assert.equal(entries.length, 4);
      await rm(join(ws, 'report.pdf'));
      await retriever.refresh();
      const left = await readdir(join(storeDir, 'documents'));
      assert.equal(left.length, 3);
      assert.ok(left.every(name => entries.includes(name)));
    } finally {
      retriever.dispose();
    }
  });

  it('extracts again an unchanged document whose cached text is gone, so its passages read back instead of going stale', async () => {
    const storeDir = join(await dirs.make('grounded-pdf-store-'), 'index');
    const first = new LocalRetriever({ folders: () => [ws], storeDir, workerFile: DEFAULT_WORKER_FILE });
    try {
      await first.ready();
      await first.flush();
    } finally {
      first.dispose();
    }
    // A cleaned cache (or one an extractor of another version wrote): the stored index still names the PDF's pages.
    await rm(join(storeDir, 'documents'), { recursive: true });
    const second = new LocalRetriever({ folders: () => [ws], storeDir, workerFile: DEFAULT_WORKER_FILE });
    try {
      const [hit] = await second.search('churned pricing', { k: 1 });
      assert.equal(hit?.id, 'report.pdf#page=2:1-3');
      assert.equal(hit?.text, REPORT_PAGES[1].join('\n'));
    } finally {
      second.dispose();
    }
  });
});
