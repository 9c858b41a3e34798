import assert from 'node:assert/strict';
import { FRONT_CODED_BLOCK, FrontCodedList } from '../../../../src/index/base/frontCodedList';
import { StringList } from '../../../../src/index/base/stringList';
import { random } from '../../../fakes/seededRandom';

/** Sorted in JS string order and distinct, as a segment's terms are. */
const sortedDistinct = (strings: readonly string[]): string[] => [...new Set(strings)].sort();

/** Terms sharing prefixes, with non-ASCII, astral characters and a few longer than 127 bytes (two-byte lengths). */
function randomTerms(next: () => number, count: number): string[] {
  const alphabet = ['a', 'b', 'c', 'é', '\ue000', '\u{1F600}', 'z', '0'];
  const stems = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
    Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
  return Array.from({ length: count }, () => {
    const stem = stems[Math.floor(next() * stems.length)] ?? '';
    const tail = Array.from(
      { length: next() < 0.05 ? 130 : Math.floor(next() * 5) },
      () => alphabet[Math.floor(next() * alphabet.length)],
    ).join('');
    return stem + tail;
  });
}

describe('front-coded string lists (a segment term dictionary)', () => {
  it('finds every string at its index and misses every other, as the plain list does, on random sorted lists', () => {
    const next = random(23);
    for (let round = 0; round < 40; round++) {
      const count =
        [0, 1, FRONT_CODED_BLOCK - 1, FRONT_CODED_BLOCK, FRONT_CODED_BLOCK + 1][round] ?? 1 + Math.floor(next() * 400);
      const all = sortedDistinct(randomTerms(next, 2 * count + 10));
      const terms = all.filter((_, i) => i % 2 === 0).slice(0, count);
      const absent = all.filter(t => !terms.includes(t));
      const plain = StringList.from(terms);
      const coded = FrontCodedList.of(plain);
      assert.equal(coded.length, terms.length);
      terms.forEach((term, i) => {
        assert.equal(coded.get(i), term);
        assert.equal(coded.indexOfSorted(term), i, `round ${round}: ${JSON.stringify(term)}`);
      });
      for (const term of [...absent, '', '\u{10FFFF}', '\uffff'])
        assert.equal(coded.indexOfSorted(term), plain.indexOfSorted(term), JSON.stringify(term));
      assert.deepEqual(coded.toArray(), terms);
      const back = coded.toStringList();
      assert.deepEqual([...back.bytes], [...plain.bytes]);
      assert.deepEqual([...back.offsets], [...plain.offsets]);
    }
  });

  it('gives back strings in any order, as the file paths of a segment are listed', () => {
    const next = random(7);
    const paths = Array.from(
      { length: 300 },
      () =>
        ['src/index/', 'src/core/', 'node_modules/é/', '\u{1F600}/', ''][Math.floor(next() * 5)] +
        randomTerms(next, 1).join(''),
    );
    const coded = FrontCodedList.of(StringList.from(paths));
    assert.deepEqual(
      paths.map((_, i) => coded.get(i)),
      paths,
    );
    assert.deepEqual(coded.toArray(), paths);
  });

  it('holds sorted terms with shared prefixes in fewer bytes than the plain list', () => {
    const terms = sortedDistinct(
      Array.from({ length: 2000 }, (_, i) => `parse${['Header', 'Body', 'Url'][i % 3]}${i}`),
    );
    const plain = StringList.from(terms);
    const coded = FrontCodedList.of(plain);
    assert.ok(coded.byteSize < plain.byteSize / 2, `${coded.byteSize} bytes against ${plain.byteSize}`);
  });
});
