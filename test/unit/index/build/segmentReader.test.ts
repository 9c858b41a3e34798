import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readFiles } from '../../../../src/index/build/segmentReader';
import { chunkSpans } from '../../../../src/index/chunking/chunker';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { walkFolders } from '../../../../src/index/discovery/walkFolders';
import { FileTable } from '../../../../src/index/segments/fileTable';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { segmentArrays } from '../segmentArrays';
import { tempDirs } from '../../../support/tempDirs';

const GUIDE = '# Setup guide\n\nInstall the parser first.\n\n## Retry\n\nretry with backoff, then parse the config\n';
const CODE =
  'export function parseConfig(text: string) {\n  return JSON.parse(text);\n}\n\nexport const retries = 3;\n';

describe('reading files with the same bytes', () => {
  const dirs = tempDirs();
  let ws: string;
  const files: Record<string, string> = {
    'docs/guide.md': GUIDE,
    'vendor/pkg/guide.md': GUIDE,
    'notes/guide.txt': GUIDE, // same bytes, chunked as plain text
    'src/config.ts': CODE,
    'vendor/pkg/lib/config.ts': CODE,
    'src/other.ts': CODE.replace('retries', 'attempts'),
    'empty.md': '',
    'vendor/empty.md': '',
  };
  before(async () => {
    ws = await dirs.make('grounded-copies-');
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(ws, dirname(path)), { recursive: true });
      await writeFile(join(ws, path), text);
    }
  });

  it('makes exactly the segment and records that chunking and counting every file would', async () => {
    const { candidates } = await walkFolders([ws], { maxFileBytes: 1 << 20 });
    const read = await readFiles(
      { candidates, known: candidates.map(() => undefined) },
      { newSegmentId: () => 3, maxFileBytes: 1 << 20 },
    );
    const counted = new SegmentBuilder();
    const expectedRecords: [string, number, number][] = [];
    for (const { path, location } of candidates) {
      const text = await readFile(location, 'utf8');
      const spans = chunkSpans(path, new TextLines(text));
      const firstDoc = counted.docCount;
      if (spans.length > 0) {
        const file = counted.addFile(path, location, Buffer.from(text));
        for (const span of spans) counted.addLines(file, span);
      }
      expectedRecords.push([path, spans.length > 0 ? firstDoc : 0, spans.length]);
    }
    assert.deepEqual(segmentArrays(read.segments[0]?.data), segmentArrays(counted.build(3).data));
    const records = [...FileTable.of(read.changed).values()].map(r => [r.path, r.firstDoc, r.docCount]);
    assert.deepEqual(records.sort(), expectedRecords.sort());
  });

  it('reads files of any size one after another (a short one after a long one) as each would be read alone', async () => {
    const sized = await dirs.make('grounded-sizes-');
    const paragraph = (n: number): string => `Paragraph ${n} about parsing tokens number${n}.\n\n`;
    const text = (from: number, count: number): string =>
      Array.from({ length: count }, (_, i) => paragraph(from + i)).join('');
    // 180 KB, 20 bytes, 90 KB, 2 KB, 300 KB: past the reader's first buffer, and shorter files after longer ones.
    const contents = [text(0, 4000), 'short note: tokens\n', text(5000, 2000), text(8000, 40), text(9000, 6500)];
    const { createHash } = await import('node:crypto');
    for (const [i, content] of contents.entries()) await writeFile(join(sized, `f${i}.txt`), content);
    const { candidates } = await walkFolders([sized], { maxFileBytes: 1 << 20 });
    const read = await readFiles(
      { candidates, known: candidates.map(() => undefined) },
      { newSegmentId: () => 2, maxFileBytes: 1 << 20 },
    );
    const counted = new SegmentBuilder();
    const hashes: string[] = [];
    for (const { path, location } of candidates) {
      const bytes = await readFile(location);
      hashes.push(createHash('sha1').update(bytes).digest('hex'));
      const file = counted.addFile(path, location, bytes);
      for (const span of chunkSpans(path, new TextLines(bytes.toString('utf8')))) counted.addLines(file, span);
    }
    assert.deepEqual(segmentArrays(read.segments[0]?.data), segmentArrays(counted.build(2).data));
    assert.deepEqual(
      [...FileTable.of(read.changed).values()].map(r => [r.hash, r.size]),
      candidates.map((c, i) => [hashes[i], c.size]),
    );
  });

  it('finds a copy by its own path and cites its own lines', async () => {
    const { candidates } = await walkFolders([ws], { maxFileBytes: 1 << 20 });
    const read = await readFiles(
      { candidates, known: candidates.map(() => undefined) },
      { newSegmentId: () => 1, maxFileBytes: 1 << 20 },
    );
    const index = new SegmentedIndex();
    index.replaceFiles([], read.changed, read.segments);
    const hits = index.search('pkg retry backoff', 3);
    assert.equal(hits[0]?.path, 'vendor/pkg/guide.md');
    assert.deepEqual([hits[0]?.startLine, hits[0]?.endLine, hits[0]?.title], [1, 7, 'Setup guide > Retry']);
    assert.equal(index.search('lib parseConfig', 1)[0]?.path, 'vendor/pkg/lib/config.ts');
  });
});
