import assert from 'node:assert/strict';
import { StringList, utf8Length } from '../../../../src/index/base/stringList';

/** ASCII, Latin-1, the top of the BMP (U+E000–U+FFFF), astral characters (surrogate pairs) and the empty string. */
const MIXED = [
  '',
  'a',
  'abc',
  'ab',
  'zz',
  'é',
  'éa',
  '\u00ff',
  '\u0800',
  '\ud7ff',
  '\ue000',
  '\uffef',
  '\u{1F600}',
  '\u{10000}x',
  'a\u{1F600}',
  'a\ue000',
];

describe('string tables (UTF-8 bytes)', () => {
  it('gives back every string, one at a time and all at once, ASCII or not', () => {
    for (const strings of [MIXED, ['src/a.ts', 'lib/b.md', '']]) {
      const list = StringList.from(strings);
      assert.equal(list.length, strings.length);
      assert.deepEqual(
        strings.map((_, i) => list.get(i)),
        strings,
      );
      assert.deepEqual(list.toArray(), strings);
    }
  });

  it('gives back all strings at once as one at a time does, lone surrogates (stored as U+FFFD) included', () => {
    const strings = ['src/a.ts', 'x\ud800', 'ok', '\udc00\u{1F600}é', '', 'tail'];
    const list = StringList.from(strings);
    assert.deepEqual(
      list.toArray(),
      strings.map((_, i) => list.get(i)),
    );
    assert.equal(list.toArray()[3], '\ufffd\u{1F600}é');
    const view = new StringList(list.bytes, list.offsets.subarray(2)); // a list whose first string does not start at byte 0
    assert.deepEqual(
      view.toArray(),
      strings.slice(2).map((_, i) => view.get(i)),
    );
    for (let from = 0; from <= strings.length; from++)
      for (let to = from; to <= strings.length; to++)
        assert.deepEqual(list.toArray(from, to), list.toArray().slice(from, to), `${from}..${to}`);
  });

  it('keeps a lone high surrogate ending one string apart from a low one starting the next', () => {
    const strings = ['a\ud83d', '\ude00b', 'c', '\ud800', '\udc00', 'é\u{1F600}'];
    const list = StringList.from(strings);
    const expected = ['a\ufffd', '\ufffdb', 'c', '\ufffd', '\ufffd', 'é\u{1F600}'];
    assert.deepEqual(
      strings.map((_, i) => list.get(i)),
      expected,
    );
    assert.deepEqual(list.toArray(), expected);
    assert.equal(list.compareAt(2, 'c'), 0);
  });

  it('counts UTF-8 bytes as TextEncoder writes them, lone surrogates included', () => {
    for (const s of [...MIXED, '\ud800', 'x\udc00y', '\ud83d'])
      assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  });

  it('finds every term of a list sorted in JS order, though astral characters sort differently in UTF-8', () => {
    const sorted = [...MIXED].sort();
    const list = StringList.from(sorted);
    sorted.forEach((s, i) => assert.equal(list.indexOfSorted(s), i, JSON.stringify(s)));
    for (const missing of ['b', '\ue001', '\u{1F601}', 'ab\u{1F600}', 'zzz'])
      assert.equal(list.indexOfSorted(missing), -1);
  });

  it('compares in JS string order', () => {
    const list = StringList.from(MIXED);
    MIXED.forEach((a, i) => {
      for (const b of MIXED)
        assert.equal(
          Math.sign(list.compareAt(i, b)),
          a < b ? -1 : a > b ? 1 : 0,
          `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        );
    });
  });
});
