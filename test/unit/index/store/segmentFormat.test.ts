import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteWriter } from '../../../../src/index/store/binaryFormat';
import { decodeSegment, SEGMENT_FORMAT_VERSION } from '../../../../src/index/store/segmentCodec';
import { decodePostings } from '../../../../src/index/segments/postings';
import type { SegmentData } from '../../../../src/index/segments/segment';
import { WorkspaceIndex } from '../../../../src/index/workspaceIndex';
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

describe('segment store format', () => {
  const dirs = tempDirs();

  for (const [format, encodeOld] of [
    [2, encodeFormat2],
    [4, encodeFormat4],
  ] as const)
    it(`rebuilds a store whose segments have format ${format} once, with a notice, and answers as before`, async () => {
      const temp = await dirs.make('grounded-format-');
      const ws = join(temp, 'ws');
      const store = join(temp, 'store');
      await mkdir(ws);
      await writeFile(join(ws, 'guide.md'), '# Guide\n\nInstall the widget, then parse the headers.\n');
      await writeFile(join(ws, 'parse.ts'), 'export function parseHeaders(text: string) {\n  return text;\n}\n');
      const session = async (): Promise<{ hits: string[]; notices: string[] }> => {
        const notices: string[] = [];
        const index = new WorkspaceIndex({
          folders: () => [ws],
          storeDir: store,
          workerFile: false,
          onNotice: m => notices.push(m),
        });
        try {
          await index.sync();
          await index.flush();
          const hits = index.search('parse headers', 5).map(h => `${h.path}:${h.startLine}-${h.endLine} ${h.score}`);
          return { hits, notices };
        } finally {
          index.dispose();
        }
      };
      const first = await session();
      assert.deepEqual(first.notices, []);
      assert.equal(first.hits.length, 2);
      for (const name of (await readdir(store)).filter(n => n.startsWith('seg-'))) {
        const file = join(store, name);
        await writeFile(file, encodeOld(await decodeSegment(await readFile(file), name)));
      }

      const old = await session();
      assert.equal(old.notices.length, 1);
      assert.match(
        old.notices[0] ?? '',
        new RegExp(
          `^Grounded rebuilt the workspace index: the saved index was written by another version of Grounded \\(seg-\\d+\\.bin: format version ${format}, this Grounded reads`,
        ),
      );
      assert.ok(old.notices[0]?.endsWith(`reads ${SEGMENT_FORMAT_VERSION}).`), old.notices[0]);
      assert.deepEqual(old.hits, first.hits);

      const next = await session();
      assert.deepEqual(next.notices, [], 'once: the rebuilt store has the current format');
      assert.deepEqual(next.hits, first.hits);
    });
});
