import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IsolatedExtractor } from '../../../../src/index/build/isolatedExtractor';
import { fileList, updateFiles } from '../../../../src/index/build/updateFiles';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import type { DocumentExtractor } from '../../../../src/index/documents/documentCache';
import {
  MAX_DECODED_BYTES,
  MAX_STREAM_DECODED_BYTES,
  pdfStreamsWithin,
} from '../../../../src/index/documents/pdfStreamSizes';
import { FileTable, type FileRecord } from '../../../../src/index/segments/fileTable';
import { HOSTILE_BUSY, HOSTILE_LOOP, HOSTILE_MEMORY } from '../../../fakes/hostileExtractor';
import { settleFiles } from '../../../support/settledFiles';
import { tempDirs } from '../../../support/tempDirs';
import { docxOf, HANDBOOK } from '../documents/docxFixtures';
import { pdfOfPages, pdfWithJbig2Form, REPORT_PAGES } from '../documents/pdfFixtures';

const HOSTILE_SCRIPT = join(__dirname, '../../../fakes/hostileExtractor.js');
/** A small heap for the hostile thread, so that filling it is quick (production uses EXTRACTOR_HEAP_MB). */
const SMALL_HEAP_MB = 64;
/**
 * A shorter time cap, for the looping document (production uses EXTRACTION_TIMEOUT_MS); long enough for any other
 * document here, pdf.js's loading included, on a busy machine.
 */
const SHORT_TIMEOUT_MS = 5000;

const hostile = (text: string): Uint8Array => new Uint8Array(Buffer.from(`${text}\n`.padEnd(8192, ' ')));

describe('extracting documents on a thread of their own', function () {
  this.timeout(60_000);
  let extractor: IsolatedExtractor;
  afterEach(() => extractor.close());

  it('extracts PDFs and Word documents with the real extractor thread, one after the other', async () => {
    extractor = new IsolatedExtractor();
    const pdf = await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES));
    assert.equal(pdf.kind, 'document');
    assert.equal(pdf.kind === 'document' && pdf.document.pages, 3);
    const docx = await extractor.extract('docx', new Uint8Array(await docxOf(HANDBOOK)));
    assert.equal(docx.kind === 'document' && docx.document.kind, 'docx');
    assert.deepEqual(await extractor.extract('pdf', Buffer.from('%PDF-1.7\nthis is no PDF body\n')), {
      kind: 'skip',
      reason: 'malformed',
    });
  });

  it("hands a document's own buffer over without copying it, and copies bytes that share Node's pool", async () => {
    extractor = new IsolatedExtractor();
    const own = new Uint8Array(await pdfOfPages(REPORT_PAGES));
    assert.equal((await extractor.extract('pdf', own)).kind, 'document');
    assert.equal(own.byteLength, 0, 'the buffer moved to the extractor thread');
    const neighbour = Buffer.from('kept');
    const pooled = Buffer.from(await pdfOfPages([['Small enough to share the pool']]));
    assert.ok(pooled.byteOffset > 0 || pooled.byteLength < pooled.buffer.byteLength, 'the bytes share a pool');
    const small = await extractor.extract('pdf', pooled);
    assert.equal(small.kind === 'document' && small.document.text, 'Small enough to share the pool');
    assert.equal(neighbour.toString(), 'kept', 'the pool the two share is still readable');
  });

  it('skips a document that runs the extractor out of memory, and extracts the next one on a fresh thread', async () => {
    extractor = new IsolatedExtractor({ workerFile: HOSTILE_SCRIPT, heapMb: SMALL_HEAP_MB });
    assert.deepEqual(await extractor.extract('pdf', hostile(HOSTILE_MEMORY)), {
      kind: 'skip',
      reason: 'extraction-failed',
    });
    const next = await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES));
    assert.equal(next.kind === 'document' && next.document.text.split('\n')[0], 'Annual report');
  });

  it('skips a document whose extraction never returns once its time is up, and extracts the next one', async () => {
    extractor = new IsolatedExtractor({ workerFile: HOSTILE_SCRIPT, timeoutMs: SHORT_TIMEOUT_MS });
    assert.deepEqual(await extractor.extract('docx', hostile(HOSTILE_LOOP)), {
      kind: 'skip',
      reason: 'extraction-timeout',
    });
    const next = await extractor.extract('docx', new Uint8Array(await docxOf(HANDBOOK)));
    assert.equal(next.kind, 'document');
  });

  it('gives the next document a fresh thread once one ran out of time, as its parser may still be running', async () => {
    extractor = new IsolatedExtractor({ workerFile: HOSTILE_SCRIPT, timeoutMs: SHORT_TIMEOUT_MS });
    assert.deepEqual(await extractor.extract('pdf', hostile(HOSTILE_BUSY)), {
      kind: 'skip',
      reason: 'extraction-timeout',
    });
    const next = await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES));
    assert.equal(next.kind === 'document' && next.document.text.split('\n')[0], 'Annual report');
  });

  it('skips a PDF that pdf.js reads without end, which the size check lets through, and extracts the next one', async () => {
    // a form under /JBIG2Decode: pdf.js asks its decoder for output again and again, filling its heap
    const pdf = pdfWithJbig2Form();
    assert.equal(pdfStreamsWithin(pdf, MAX_STREAM_DECODED_BYTES, MAX_DECODED_BYTES), true);
    // the real extractor thread, with a heap pdf.js reads an ordinary PDF in but this one fills quickly
    extractor = new IsolatedExtractor({ heapMb: 96, timeoutMs: SHORT_TIMEOUT_MS });
    const skipped = await extractor.extract('pdf', pdf);
    // its heap filled ('extraction-failed') or, on a slow machine, its time up first
    assert.ok(
      skipped.kind === 'skip' && ['extraction-failed', 'extraction-timeout'].includes(skipped.reason),
      JSON.stringify(skipped),
    );
    const next = await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES));
    assert.equal(next.kind === 'document' && next.document.text.split('\n')[0], 'Annual report');
  });

  it('skips every document as failed when its thread cannot start, without throwing', async () => {
    extractor = new IsolatedExtractor({ workerFile: join(__dirname, 'no-such-extractor.js') });
    const failed = { kind: 'skip', reason: 'extraction-failed' };
    assert.deepEqual(await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES)), failed);
    assert.deepEqual(await extractor.extract('pdf', await pdfOfPages(REPORT_PAGES)), failed);
  });
});

describe('a build with a document that crashes or hangs its extraction', function () {
  this.timeout(60_000);
  const dirs = tempDirs();
  let ws: string;
  let cache: string;
  let extractor: IsolatedExtractor;
  let extracted: string[];
  const counting: DocumentExtractor = (kind, bytes) => {
    extracted.push(kind);
    return extractor.extract(kind, bytes);
  };
  beforeEach(async () => {
    ws = await dirs.make('grounded-hostile-');
    cache = join(await dirs.make('grounded-hostile-cache-'), 'documents');
    extractor = new IsolatedExtractor({
      workerFile: HOSTILE_SCRIPT,
      heapMb: SMALL_HEAP_MB,
      timeoutMs: SHORT_TIMEOUT_MS,
    });
    extracted = [];
    await writeFile(join(ws, 'a-bomb.pdf'), hostile(HOSTILE_MEMORY));
    await writeFile(join(ws, 'b-report.pdf'), await pdfOfPages(REPORT_PAGES));
    await writeFile(join(ws, 'd-handbook.docx'), await docxOf(HANDBOOK));
    await writeFile(join(ws, 'notes.md'), '# Notes\n\nPlain text beside the documents.\n');
    await settleFiles(ws); // the index reads settled files once; racily clean ones again
  });
  afterEach(() => extractor.close());

  /** Brings the folder's files up to date against `known` records; each file's reason, or 'indexed'. */
  const build = async (known: readonly FileRecord[] = []) => {
    const { candidates } = await walkFolders([ws], {});
    const byLocation = new Map(known.map(r => [r.location, r]));
    const update = await updateFiles(fileList(candidates), location => byLocation.get(location), {
      newSegmentId: () => 1,
      extractor: counting,
      documentCache: cache,
    });
    const records = [...FileTable.of(update.changed).values()];
    const reasons = Object.fromEntries(records.map(r => [r.path, r.skip ?? 'indexed']));
    return { reasons, records, update };
  };

  it('skips those documents with their reasons and indexes the others', async () => {
    await writeFile(join(ws, 'c-stuck.docx'), hostile(HOSTILE_LOOP));
    const { reasons, update } = await build();
    assert.deepEqual(reasons, {
      'a-bomb.pdf': 'extraction-failed',
      'b-report.pdf': 'indexed',
      'c-stuck.docx': 'extraction-timeout',
      'd-handbook.docx': 'indexed',
      'notes.md': 'indexed',
    });
    assert.ok(update.segments[0] && update.segments[0].docCount > 0);
  });

  it('remembers the skips: an unchanged document is not extracted again, a changed one is', async () => {
    const first = await build();
    assert.equal(first.reasons['a-bomb.pdf'], 'extraction-failed');
    // only what the documents decide is cached: the two extracted, not the one that failed
    assert.equal((await readdir(cache)).length, 2);
    extracted = [];
    const again = await build(first.records);
    assert.deepEqual(extracted, [], 'nothing changed, nothing extracted');
    assert.equal(again.update.unchanged, 4);

    await writeFile(join(ws, 'a-bomb.pdf'), await pdfOfPages([['Fixed at last']]));
    const changed = await build(first.records);
    assert.deepEqual(extracted, ['pdf']);
    assert.deepEqual(changed.reasons, { 'a-bomb.pdf': 'indexed' });
  });
});
