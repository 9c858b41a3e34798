import assert from 'node:assert/strict';
import { noFiles, fileColumns, type FileRecord } from '../../../../src/index/segments/fileTable';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { SegmentedIndex } from '../../../../src/index/segments/segmentedIndex';
import { sortStrings } from '../../../../src/index/terms/tokenizerTermCounter';
import { random } from '../../../fakes/seededRandom';
import { hashBytes } from '../../../../src/index/discovery/fileReading';

const words = (text: string): string[] => text.split(' ').filter(Boolean);

/** A segment holding one file per text (one chunk each), and the file records pointing at it. */
function segmentOf(id: number, files: Record<string, string>) {
  const builder = new SegmentBuilder(words);
  const records: FileRecord[] = Object.entries(files).map(([name, text]) => {
    const file = builder.addFile(name, `/ws/${name}`);
    const firstDoc = builder.addChunk(file, { text, startLine: 1, endLine: 1 });
    return {
      path: name,
      location: `/ws/${name}`,
      mtimeMs: 1,
      size: text.length,
      hash: hashBytes(Buffer.from(name)),
      segment: id,
      firstDoc,
      docCount: 1,
    };
  });
  return { segment: builder.build(id), records };
}

const ranked = (index: SegmentedIndex, query: string) =>
  index.search(query, 10).map(h => `${h.path} ${h.score.toFixed(9)}`);

describe('segments, deletions and merge', () => {
  const files = { a: 'apple banana apple', b: 'banana cherry', c: 'cherry cherry cherry date', d: 'elder' };

  it('ranks the same whether documents sit in one segment or several', () => {
    const whole = segmentOf(1, files);
    const one = new SegmentedIndex(
      { segments: [whole.segment.data], deletions: [], files: fileColumns(whole.records), nextSegmentId: 2 },
      words,
    );
    const first = segmentOf(1, { a: files.a, b: files.b });
    const second = segmentOf(2, { c: files.c, d: files.d });
    const split = new SegmentedIndex(
      {
        segments: [first.segment.data, second.segment.data],
        deletions: [],
        files: fileColumns([...first.records, ...second.records]),
        nextSegmentId: 3,
      },
      words,
    );
    for (const query of ['apple banana cherry', 'cherry', 'date elder'])
      assert.deepEqual(ranked(split, query), ranked(one, query));
  });

  it('hides a replaced file at once, serves its new text, and keeps average length exact', () => {
    const base = segmentOf(1, files);
    const index = new SegmentedIndex(
      { segments: [base.segment.data], deletions: [], files: fileColumns(base.records), nextSegmentId: 2 },
      words,
    );
    const update = segmentOf(index.nextSegmentId++, { b: 'fig grape' });
    index.replaceFiles([], fileColumns(update.records), [update.segment]);
    assert.deepEqual(
      index.search('banana', 10).map(h => h.path),
      ['a'],
    );
    assert.deepEqual(
      index.search('grape', 10).map(h => h.path),
      ['b'],
    );
    assert.equal(index.chunkCount, 4);
    assert.equal(index.deletedCount, 1);
    index.replaceFiles(['/ws/d'], noFiles());
    assert.deepEqual(index.search('elder', 10), []);
    assert.equal(index.file('/ws/d'), undefined);
  });

  it('merges segments into one that ranks exactly like a fresh build of the live documents', () => {
    const base = segmentOf(1, files);
    const index = new SegmentedIndex(
      { segments: [base.segment.data], deletions: [], files: fileColumns(base.records), nextSegmentId: 2 },
      words,
    );
    const update = segmentOf(index.nextSegmentId++, { b: 'fig grape banana' });
    index.replaceFiles(['/ws/d'], fileColumns(update.records), [update.segment]);
    index.merge();
    assert.equal(index.segmentList.length, 1);
    assert.equal(index.deletedCount, 0);
    const fresh = segmentOf(9, { a: files.a, c: files.c, b: 'fig grape banana' });
    const expected = new SegmentedIndex(
      { segments: [fresh.segment.data], deletions: [], files: fileColumns(fresh.records), nextSegmentId: 10 },
      words,
    );
    for (const query of ['apple banana cherry', 'grape', 'elder date'])
      assert.deepEqual(ranked(index, query), ranked(expected, query));
    const merged = index.segmentList[0];
    assert.equal(merged?.termId('elder'), -1, 'terms only deleted documents used are gone');
    assert.equal(index.file('/ws/b')?.segment, merged?.id);
    assert.equal(index.search('grape', 1)[0]?.file.firstDoc, index.file('/ws/b')?.firstDoc);
  });

  it('merges term lists in JS string order, non-ASCII terms included (compared as UTF-8 bytes, not decoded)', () => {
    const tricky = ['zeta', 'é', '\uE000x', '😀', 'ab', 'a', '\uFFFD', 'Ω', '日本'];
    const first = segmentOf(1, { a: tricky.filter((_, i) => i % 2 === 0).join(' ') });
    const second = segmentOf(2, { b: tricky.filter((_, i) => i % 2 === 1).join(' '), c: 'a zeta 😀' });
    const index = new SegmentedIndex(
      {
        segments: [first.segment.data, second.segment.data],
        deletions: [],
        files: fileColumns([...first.records, ...second.records]),
        nextSegmentId: 3,
      },
      words,
    );
    index.merge();
    const terms = index.segmentList[0]?.data.terms.toArray();
    assert.deepEqual(terms, [...tricky, 'b', 'c'].sort(), 'the paths b and c are terms too');
    for (const term of tricky) assert.ok((index.segmentList[0]?.termId(term) ?? -1) >= 0, term);
    assert.deepEqual(
      index
        .search('😀', 5)
        .map(h => h.path)
        .sort(),
      ['b', 'c'],
    );
  });

  it('asks for an in-process merge when small segments pile up, and a full one when deletions do', () => {
    const base = segmentOf(1, files);
    const index = new SegmentedIndex(
      { segments: [base.segment.data], deletions: [], files: fileColumns(base.records), nextSegmentId: 2 },
      words,
    );
    for (let i = 0; i < 7; i++) {
      const u = segmentOf(index.nextSegmentId++, { [`n${i}`]: `new ${i}` });
      index.replaceFiles([], fileColumns(u.records), [u.segment]);
    }
    assert.equal(index.smallSegmentsToMerge()?.length, 8);
    index.merge(index.smallSegmentsToMerge());
    assert.equal(index.segmentList.length, 1);
    assert.equal(index.search('new', 20).length, 7);
    const z = segmentOf(index.nextSegmentId++, { z: 'zebra' });
    index.replaceFiles(['/ws/a', '/ws/b', '/ws/n0', '/ws/n1'], fileColumns(z.records), [z.segment]);
    assert.ok(index.needsFullMerge());
  });

  it('asks for a full merge of a single segment once many of its files are removed, which then ranks like a fresh build', () => {
    const many = { ...files, e: 'fig banana', f: 'fig banana banana', g: 'grape banana', h: 'banana' };
    const base = segmentOf(1, many);
    const index = new SegmentedIndex(
      { segments: [base.segment.data], deletions: [], files: fileColumns(base.records), nextSegmentId: 2 },
      words,
    );
    index.replaceFiles(['/ws/e', '/ws/f', '/ws/g', '/ws/h'], noFiles());
    assert.equal(index.segmentList.length, 1);
    assert.equal(index.deletedCount, 4);
    assert.ok(index.needsFullMerge(), 'half the documents of the only segment are deleted');
    index.merge();
    assert.equal(index.deletedCount, 0);
    assert.ok(!index.needsFullMerge());
    const fresh = segmentOf(9, files);
    const expected = new SegmentedIndex(
      { segments: [fresh.segment.data], deletions: [], files: fileColumns(fresh.records), nextSegmentId: 10 },
      words,
    );
    for (const query of ['banana cherry', 'apple banana', 'fig date'])
      assert.deepEqual(ranked(index, query), ranked(expected, query));
  });
});

describe('sortStrings', () => {
  it('orders strings by UTF-16 code units, exactly as a `<` comparator does', () => {
    const next = random(3);
    const units = ['', 'a', 'b', 'z', 'A', '0', '_', '\u0000', 'é', '\uffff', '\ud835', '\udcb3', '東'];
    const strings = new Set<string>(['', 'a', 'ab', 'a\u0000']);
    while (strings.size < 3000) {
      let s = '';
      for (let i = Math.floor(next() * 5); i > 0; i--) s += units[Math.floor(next() * units.length)] ?? '';
      strings.add(s);
    }
    const list = [...strings];
    const expected = list.slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    assert.deepEqual(sortStrings(list), expected);
  });
});
