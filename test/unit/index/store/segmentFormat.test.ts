import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteWriter, crc32 } from '../../../../src/index/store/binaryFormat';
import { decodeSegment, SEGMENT_FORMAT_VERSION } from '../../../../src/index/store/segmentCodec';
import { decodePostings } from '../../../../src/index/segments/postings';
import { StringList } from '../../../../src/index/base/stringList';
import { SKIP_REASONS } from '../../../../src/index/discovery/skipReasons';
import {
  decodeManifest,
  MANIFEST_FORMAT_VERSION,
  RANKING_SCHEMA,
  type Manifest,
} from '../../../../src/index/store/manifestCodec';
import type { SegmentData } from '../../../../src/index/segments/segment';
import { searchStoreOnce } from '../../../support/storeSession';
import { tempDirs } from '../../../support/tempDirs';

/** The postings as plain arrays (term t's are [starts[t], starts[t + 1]) of docs / tfs), as formats 2 to 4 held them. */
function plainPostings(s: SegmentData): { starts: Uint32Array; docs: Uint32Array; tfs: Uint16Array } {
  const view = new DataView(s.postings.buffer, s.postings.byteOffset, s.postings.byteLength);
  const lists = Array.from({ length: s.terms.length }, (_, t) =>
    decodePostings(s.postings, view, s.postingStarts[t] ?? 0),
  );
  const starts = new Uint32Array(lists.length + 1);
  lists.forEach((l, t) => (starts[t + 1] = (starts[t] ?? 0) + l.docs.length));
  return {
    starts,
    docs: Uint32Array.from(lists.flatMap(l => [...l.docs])),
    tfs: Uint16Array.from(lists.flatMap(l => [...l.tfs])),
  };
}

/** A segment file as format 2 wrote it: plain postings, its terms and file paths plain string tables. */
function encodeFormat2(s: SegmentData): Uint8Array {
  const { starts, docs, tfs } = plainPostings(s);
  const w = new ByteWriter();
  w.u32(s.id);
  w.strings(s.terms.toStringList());
  w.array(starts);
  w.array(docs);
  w.array(tfs);
  w.array(s.docLengths);
  w.array(s.docFiles);
  w.array(s.docStartLines);
  w.array(s.docEndLines);
  w.strings(s.docTitles);
  w.strings(s.filePaths.toStringList());
  w.strings(s.fileLocations.toStringList());
  return w.finish(2);
}

/** A segment file as format 4 wrote it: front-coded terms and paths, plain postings (a document number and a tf each). */
function encodeFormat4(s: SegmentData): Uint8Array {
  const { starts, docs, tfs } = plainPostings(s);
  const w = new ByteWriter();
  w.u32(s.id);
  w.frontCoded(s.terms);
  w.array(starts);
  w.array(docs);
  w.array(tfs);
  w.array(s.docLengths);
  w.array(s.docFiles);
  w.array(s.docStartLines);
  w.array(s.docEndLines);
  w.strings(s.docTitles);
  w.frontCoded(s.filePaths);
  w.frontCoded(s.fileLocations);
  return w.finish(4);
}

/**
 * A manifest as format 5 wrote it: the same sections, each file's hash as 40 hex characters in a string table (the
 * test's stores hold no deletions, so every deletion section is empty).
 */
function encodeManifest5(m: Manifest): Uint8Array {
  const w = new ByteWriter();
  w.string(RANKING_SCHEMA);
  w.strings(StringList.from(m.folders));
  w.u32(m.nextSegmentId);
  w.f64(m.builtAt);
  for (const reason of SKIP_REASONS) w.u32(m.walkSkipped[reason]);
  w.array(Uint32Array.from(m.segmentIds));
  for (const bits of m.deletions) w.array(bits ?? new Uint8Array(0));
  const f = m.files;
  const hashes = Array.from({ length: f.paths.length }, (_, row) =>
    Buffer.from(f.hashes.subarray(20 * row, 20 * row + 20)).toString('hex'),
  );
  w.strings(f.paths);
  w.strings(f.locations);
  w.strings(StringList.from(hashes));
  w.array(f.skips);
  w.array(new Uint32Array(f.segments.buffer, f.segments.byteOffset, f.segments.length));
  w.array(f.firstDocs);
  w.array(f.docCounts);
  w.f64s(f.stamps);
  return w.finish(5);
}

/** Rewrites every segment file of a store as `encodeOld` writes what it decodes to. */
const rewriteSegments =
  (encodeOld: (s: SegmentData) => Uint8Array) =>
  async (store: string): Promise<void> => {
    for (const name of (await readdir(store)).filter(n => n.startsWith('seg-'))) {
      const file = join(store, name);
      await writeFile(file, encodeOld(await decodeSegment(await readFile(file), name)));
    }
  };

const rewriteManifest = async (store: string): Promise<void> => {
  const file = join(store, 'manifest.bin');
  await writeFile(file, encodeManifest5(await decodeManifest(await readFile(file), 'manifest.bin')));
};

/** One session over the store: its hits for "parse headers" with their scores, and the notices it gave. */
async function searchOnce(ws: string, store: string): Promise<{ hits: string[]; notices: string[] }> {
  const { hits, notices } = await searchStoreOnce(ws, store, 'parse headers', 5);
  return { hits: hits.map(h => `${h.path}:${h.startLine}-${h.endLine} ${h.score}`), notices };
}

/** Rewrites the store's manifest as if another tokenizer had built it: the ranking schema's tokenizer tag, checksum. */
async function rewriteTokenizerTag(store: string): Promise<void> {
  const file = join(store, 'manifest.bin');
  const bytes = new Uint8Array(await readFile(file));
  const payload = bytes.subarray(16); // after the header: magic, version, length, checksum
  const tag = Buffer.from(RANKING_SCHEMA.split(' ')[0] ?? '');
  const at = Buffer.from(payload).indexOf(tag);
  assert.ok(at >= 0, 'the manifest holds the ranking schema');
  payload.set(Buffer.from('tokenizer:v0'.padEnd(tag.length).slice(0, tag.length)), at);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(12, crc32(payload), true);
  await writeFile(file, bytes);
}

describe('store formats', () => {
  const dirs = tempDirs();

  for (const { what, file, format, current, rewrite } of [
    {
      what: 'segments have',
      file: 'seg-\\d+\\.bin',
      format: 2,
      current: SEGMENT_FORMAT_VERSION,
      rewrite: rewriteSegments(encodeFormat2),
    },
    {
      what: 'segments have',
      file: 'seg-\\d+\\.bin',
      format: 4,
      current: SEGMENT_FORMAT_VERSION,
      rewrite: rewriteSegments(encodeFormat4),
    },
    {
      what: 'manifest has',
      file: 'manifest\\.bin',
      format: 5,
      current: MANIFEST_FORMAT_VERSION,
      rewrite: rewriteManifest,
    },
  ])
    it(`rebuilds a store whose ${what} format ${format} once, with a notice, and answers as before`, async () => {
      const temp = await dirs.make('grounded-format-');
      const ws = join(temp, 'ws');
      const store = join(temp, 'store');
      await mkdir(ws);
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget, then parse the headers.\n');
      await writeFile(join(ws, 'parse.ts'), 'export function parseHeaders(text: string) {\n  return text;\n}\n');
      const session = () => searchOnce(ws, store);
      const first = await session();
      assert.deepEqual(first.notices, []);
      assert.equal(first.hits.length, 2);
      await rewrite(store);

      const old = await session();
      assert.equal(old.notices.length, 1);
      assert.match(
        old.notices[0] ?? '',
        new RegExp(
          `^Grounded rebuilt the workspace index: the saved index was written by another version of Grounded \\(${file}: format version ${format}, this Grounded reads`,
        ),
      );
      assert.ok(old.notices[0]?.endsWith(`reads ${current}).`), old.notices[0]);
      assert.deepEqual(old.hits, first.hits);

      const next = await session();
      assert.deepEqual(next.notices, [], 'once: the rebuilt store has the current format');
      assert.deepEqual(next.hits, first.hits);
    });

  it('rebuilds a store built with another tokenizer once, with a notice, and answers as before', async () => {
    const temp = await dirs.make('grounded-format-');
    const ws = join(temp, 'ws');
    const store = join(temp, 'store');
    await mkdir(ws);
    await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget, then parse the headers.\n');
    const first = await searchOnce(ws, store);
    await rewriteTokenizerTag(store);
    const old = await searchOnce(ws, store);
    assert.equal(old.notices.length, 1, old.notices.join('\n'));
    assert.match(old.notices[0] ?? '', /built for ranking "tokenizer:v0 /);
    assert.deepEqual(old.hits, first.hits);
    assert.deepEqual((await searchOnce(ws, store)).notices, []);
  });
});
