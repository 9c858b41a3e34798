import assert from 'node:assert/strict';
import { emptySkipCounts, SKIP_REASONS } from '../../../../src/index/discovery/skipReasons';
import { fileColumns, FileTable, type FileRecord } from '../../../../src/index/segments/fileTable';
import { hashBytes } from '../../../../src/index/discovery/fileReading';
import { random } from '../../../fakes/seededRandom';

const names = [
  'a.md',
  'src/b.ts',
  'docs/héllo wörld.md',
  'emoji/😀.txt',
  'deep/x/y/z.c',
  'README',
  'c:\\win\\path.txt',
];

function record(i: number, next: () => number): FileRecord {
  const r: FileRecord = {
    path: `${names[i % names.length]}.${i}`,
    location: `/ws/${i % 7}/${names[i % names.length]}.${i}`,
    mtimeMs: 1_700_000_000_000 + i * 1.5,
    size: Math.floor(next() * 1e6),
    hash: next() < 0.1 ? '' : i.toString(16).padStart(40, 'f'),
    segment: next() < 0.2 ? -1 : 1 + (i % 3),
    firstDoc: i * 2,
    docCount: i % 5,
  };
  if (next() < 0.15) r.skip = SKIP_REASONS[i % SKIP_REASONS.length];
  return r;
}

/** countFiles agrees with the records (it keeps its counts up to date as rows go, once it has counted). */
function assertCounts(table: FileTable, model: Map<string, FileRecord>): void {
  const skipped = emptySkipCounts();
  const expected = emptySkipCounts();
  for (const r of model.values()) if (r.skip) expected[r.skip]++;
  assert.equal(table.countFiles(skipped), [...model.values()].filter(r => !r.skip).length);
  assert.deepEqual(skipped, expected);
}

const byLocation = (records: Iterable<FileRecord>): FileRecord[] =>
  [...records].sort((a, b) => (a.location < b.location ? -1 : 1));

describe('the file table (columns, found by location)', () => {
  it('answers as a map of records would, over base rows and records set since, through sets and deletes', async () => {
    const next = random(7);
    const base = Array.from({ length: 3000 }, (_, i) => record(i, next));
    const model = new Map(base.map(r => [r.location, r]));
    const table = await FileTable.open(fileColumns(base), () => Promise.resolve());
    for (let op = 0; op < 4000; op++) {
      const i = Math.floor(next() * 4000);
      const location = record(i, () => 0.5).location;
      const roll = next();
      if (roll < 0.4) {
        const r = { ...record(i, next), mtimeMs: op };
        table.set(r);
        model.set(r.location, r);
      } else if (roll < 0.7) {
        table.delete(location);
        model.delete(location);
      } else {
        assert.deepEqual(table.get(location), model.get(location), location);
      }
      if (op % 500 < 6) {
        assertCounts(table, model);
        assert.deepEqual(
          byLocation(FileTable.of(table.columns()).values()),
          byLocation(model.values()),
          'columns after each change',
        );
      }
    }
    assert.equal(table.size, model.size);
    assert.deepEqual(byLocation(table.values()), byLocation(model.values()));
    assert.deepEqual([...table.locations()].sort(), [...model.keys()].sort());
    assertCounts(table, model);
    assert.equal(table.get('/ws/nowhere'), undefined);
    const again = FileTable.of(table.columns());
    assert.deepEqual(byLocation(again.values()), byLocation(model.values()));
  });

  it('appends a few rows one by one and many as its new base columns, answering the same either way', () => {
    const next = random(11);
    const all = Array.from({ length: 800 }, (_, i) => record(i, next));
    const table = FileTable.of(fileColumns(all.slice(0, 100)));
    const model = new Map(all.slice(0, 100).map(r => [r.location, r]));
    for (const r of all.slice(0, 20)) {
      table.delete(r.location);
      model.delete(r.location);
    }
    const edited = { ...(all[50] as FileRecord), mtimeMs: 1 };
    table.set(edited);
    model.set(edited.location, edited);
    for (const [from, to] of [
      [100, 120],
      [120, 800],
    ] as const) {
      table.append(fileColumns(all.slice(from, to)));
      for (const r of all.slice(from, to)) model.set(r.location, r);
      assert.equal(table.size, model.size);
      assert.deepEqual(byLocation(table.values()), byLocation(model.values()));
      for (const r of all) assert.deepEqual(table.get(r.location), model.get(r.location), r.location);
      assertCounts(table, model);
    }
  });

  it('moves documents after a merge without changing columns handed out before', () => {
    const next = random(3);
    const base = Array.from({ length: 50 }, (_, i) => record(i, next));
    const table = FileTable.of(fileColumns(base));
    const before = table.columns(); // the base columns themselves, as a snapshot hands them to the store
    const frozen = [...FileTable.of(before).values()];
    const added = { ...record(60, next), segment: 2, firstDoc: 3 };
    table.set(added);
    table.columns(); // compacted now, and stale once the documents move
    const map = Int32Array.from({ length: 1000 }, (_, d) => d + 1000);
    table.moveDocs(new Map([[2, map]]), 9);
    for (const r of table.values()) {
      const old = [...base, added].find(b => b.location === r.location) as FileRecord;
      assert.deepEqual(
        [r.segment, r.firstDoc],
        old.segment === 2 ? [9, old.firstDoc + 1000] : [old.segment, old.firstDoc],
        r.location,
      );
    }
    assert.deepEqual([...FileTable.of(before).values()], frozen);
    assert.deepEqual(byLocation(FileTable.of(table.columns()).values()), byLocation(table.values()));
  });

  it('gives back its base columns unchanged when nothing was set or deleted', () => {
    const columns = fileColumns(Array.from({ length: 10 }, (_, i) => record(i, random(1))));
    assert.equal(FileTable.of(columns).columns(), columns);
  });

  it("holds each file's SHA-1 as 20 raw bytes (zeros for a file never read) and gives back its hex", () => {
    const hash = hashBytes(Buffer.from('some file'));
    const records = [
      { ...record(1, random(1)), hash },
      { ...record(2, random(2)), hash: '' },
    ];
    const columns = fileColumns(records);
    assert.deepEqual([...columns.hashes.subarray(0, 20)], [...Buffer.from(hash, 'hex')]);
    assert.deepEqual([...columns.hashes.subarray(20)], Array<number>(20).fill(0));
    assert.deepEqual(
      [...FileTable.of(columns).values()].map(r => r.hash),
      [hash, ''],
    );
    assert.throws(() => fileColumns([{ ...record(3, random(3)), hash: 'not a hash' }]), /SHA-1 in 40 hex digits/);
  });
});
