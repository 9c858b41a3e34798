import assert from 'node:assert/strict';
import { chunkSpans, chunkText, splitLines } from '../../../../src/index/chunking/chunker';
import { lineOffsets } from '../../../../src/index/chunking/lineOffsets';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { DEFAULT_BM25_PARAMS } from '../../../../src/index/scoring/bm25';
import { SegmentBuilder } from '../../../../src/index/segments/segmentBuilder';
import { createTermCounter } from '../../../../src/index/terms/createTermCounter';
import type { TermCounter } from '../../../../src/index/terms/termCounter';
import { tokenize } from '../../../../src/index/terms/tokenizer';
import { sortStrings, TokenizerTermCounter } from '../../../../src/index/terms/tokenizerTermCounter';
import { WasmTermCounter, wasmTermCounter } from '../../../../src/index/terms/wasmTermCounter';
import { random } from '../../../fakes/seededRandom';
import { segmentArrays } from '../segmentArrays';

/** The dictionary, by term number. */
const termsOf = (counter: TermCounter): string[] =>
  Array.from({ length: counter.termCount }, (_, id) => counter.term(id));

/** One document's counts as sorted "term×count" strings. */
function drained(counter: TermCounter): string[] {
  const { ids, counts } = counter.drain();
  return [...ids].map((id, i) => `${counter.term(id)}×${counts[i]}`).sort();
}

/** What `tokenize` says, in the same shape, each term `weight` times. */
function expected(text: string, weight = 1): string[] {
  const counts = new Map<string, number>();
  for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + weight);
  return [...counts].map(([t, n]) => `${t}×${n}`).sort();
}

/** Pieces that stress the scanner: case changes, digits, underscores, possessives, Unicode letters and marks. */
const PIECES = [
  'get',
  'User',
  'HTTP',
  'Server',
  'xml',
  'X',
  'a',
  'the',
  'is',
  '8',
  '256',
  '_',
  '__',
  "'s",
  '’s',
  "'",
  '’',
  's',
  ' ',
  '.',
  '/',
  '-',
  '\n',
  '\r\n',
  'é',
  'Größe',
  'e\u0301',
  '東京',
  'サーバー',
  '설정을',
  '\u00a0',
  '—',
  'İ',
  '𝒳',
  '٣',
  'ǅ',
  'ʰ',
  'parsing',
  'iterable',
  'α',
  'Aβ',
  'κB',
  'µ',
  'αβ',
  'ﬁ',
  '₂',
  'Ａ',
  '\ud800',
];

function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('WasmTermCounter (the shipped tokenizer, counted in WebAssembly)', () => {
  it('is what createTermCounter gives for the shipped tokenizer, and only for it', () => {
    assert.ok(createTermCounter(tokenize) instanceof WasmTermCounter);
    assert.ok(createTermCounter(text => text.split(' ')) instanceof TokenizerTermCounter);
  });

  it('counts exactly the terms of tokenize(text) on random text, with weights', () => {
    const next = random(11);
    const counter = new WasmTermCounter();
    for (let i = 0; i < 3000; i++) {
      const text = randomText(next, 1 + Math.floor(next() * 20));
      const weight = 1 + (i % 3);
      counter.add(text, weight);
      assert.deepEqual(drained(counter), expected(text, weight), JSON.stringify(text));
    }
  });

  it('counts exactly the terms of tokenize(text) on code and prose', () => {
    const counter = new WasmTermCounter();
    for (const text of [
      'export function parseHttpHeaders(raw: string): Map<string, string> { return new XMLHttpRequest().user_name__id; }',
      "The user's files aren't the server’s; it's HTTPServer's utf8Decode and sha256_sum (v2.0-beta).",
      'def __init__(self, max_retries=3): self._cache = {}  # Größe, café, ÉTÉ, 東京',
      "ends with a possessive user's",
      '_leading __and_trailing__ ___',
      'The tumour colour was characterised at the centre; randomised, anaesthetised, haemoglobin.',
    ]) {
      counter.add(text, 1);
      assert.deepEqual(drained(counter), expected(text), text);
    }
  });

  it("counts a chunk's lines from the file's bytes as tokenize counts the chunk's text (CRLF, CR, BOM, bad UTF-8), every line alone too", () => {
    const next = random(3);
    const counter = new WasmTermCounter();
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 30) }, () =>
        randomText(next, Math.floor(next() * 8)).replace(/\r?\n/g, ' '),
      );
      const breaks = ['\n', '\r\n', '\r'];
      let text = (next() < 0.2 ? '\uFEFF' : '') + lines.map(l => l + (breaks[Math.floor(next() * 3)] ?? '\n')).join('');
      if (next() < 0.5) text = text.slice(0, -1);
      let bytes = Buffer.from(text);
      if (next() < 0.3) bytes = Buffer.concat([bytes, Buffer.from([0xff, 0x61, 0xc3, 0x28, 0x62])]); // invalid UTF-8 around letters
      const decoded = bytes.toString('utf8');
      counter.setFile(bytes);
      for (const chunk of chunkText('notes.txt', decoded)) {
        counter.addLines(chunk.startLine, chunk.endLine, 1);
        assert.deepEqual(drained(counter), expected(chunk.text), JSON.stringify(chunk.text));
      }
      splitLines(decoded).forEach((line, n) => {
        counter.addLines(n + 1, n + 1, 1);
        assert.deepEqual(drained(counter), expected(line), `line ${n + 1} of ${JSON.stringify(decoded)}`);
      });
      const count = splitLines(decoded).length;
      assert.throws(() => counter.addLines(count + 1, count + 1, 1), RangeError);
      assert.throws(() => counter.addLines(0, 1, 1), RangeError);
    }
  });

  it('keeps counting right when its identifier table starts over and when its tables grow', () => {
    const small = new WasmTermCounter(8);
    const large = new WasmTermCounter();
    // 20k distinct identifiers: past the first table sizes (4096 slots, 4096 counted terms) and past 8 many times.
    const text = Array.from({ length: 20_000 }, (_, i) => `name${i}Part x_${i}_y`).join(' ');
    for (const counter of [small, large]) {
      counter.add(text, 2);
      assert.deepEqual(drained(counter), expected(text, 2));
      counter.add(text, 1);
      assert.deepEqual(drained(counter), expected(text, 1));
    }
    assert.ok(small.identifierCount <= 8, `${small.identifierCount}`);
    assert.ok(large.identifierCount >= 40_000, `${large.identifierCount}`);
  });

  it('keeps one dictionary for the terms the module makes (compounds) and those the host makes (pieces, spans)', () => {
    const counter = new WasmTermCounter();
    // `x_ml` makes the compound `xml` in the module; `XML` is one piece, stemmed to `xml` on the host.
    for (const text of ['x_ml XML', 'XML x_ml', 'größe_x Größex']) {
      counter.add(text, 1);
      assert.deepEqual(drained(counter), expected(text), text);
    }
    const terms = termsOf(counter);
    assert.equal(new Set(terms).size, terms.length);
    terms.forEach((term, id) => assert.equal(counter.termId(term), id, term));
    assert.equal(counter.termId('never-seen'), terms.length);
    assert.equal(counter.term(terms.length), 'never-seen');
  });

  it('counts pairs from countOnce with a weight, alongside text', () => {
    const counter = new WasmTermCounter();
    const pairs = counter.countOnce('src/userName.ts');
    assert.deepEqual([...pairs].length, 2 * expected('src/userName.ts').length);
    counter.add('user', 1);
    counter.addCounted(pairs, 3);
    assert.deepEqual(drained(counter), ['name×3', 'src×3', 'ts×3', 'username×3', 'user×4']);
  });

  it('counts a file larger than any before it, after smaller ones (its buffer grows)', () => {
    const counter = new WasmTermCounter();
    for (const size of [10, 100_000, 3_000_000]) {
      const text = 'alpha beta\n'.repeat(size / 10);
      const bytes = Buffer.from(text);
      counter.setFile(bytes);
      counter.addLines(1, size / 10, 1);
      assert.deepEqual(drained(counter), expected(text));
    }
  });
});

describe('sortedTerms', () => {
  it('sorts the dictionary in JS string order, with each term’s rank, in the module as sortStrings does', () => {
    const next = random(17);
    const extra = ['\uE000x', '\uFFFDy', '𝒳z', 'zz', 'Zeta', 'ʰa', '\uD7FFq'];
    const wasm = new WasmTermCounter();
    for (let i = 0; i < 2000; i++)
      wasm.add(randomText(next, 1 + Math.floor(next() * 12)) + ' ' + (extra[i % extra.length] ?? ''), 1);
    wasm.drain();
    for (const term of ['\uE000', '\u{1F600}', '\u{10000}a', '\uFFFF']) wasm.termId(term);
    // Terms that share their first 8 bytes or more (the sort's prefix keys tie, the text decides).
    for (const term of [
      'longprefix',
      'longprefi',
      'longprefixaaa',
      'longprefixaab',
      'longprefixa',
      'longprefixa𝒳',
      'longprefixa\uE000',
      'longpref',
      'longpre',
      'ééééa',
      'éééé',
      'ééééb',
    ])
      wasm.termId(term);
    const terms = termsOf(wasm);
    const { list, ranks } = wasm.sortedTerms();
    assert.deepEqual(list.toArray(), sortStrings(terms));
    terms.forEach((term, id) => assert.equal(list.get(ranks[id] ?? -1), term));
    const plain = new TokenizerTermCounter(tokenize);
    terms.forEach(term => plain.termId(term));
    const other = plain.sortedTerms();
    assert.deepEqual(other.list.toArray(), list.toArray());
    assert.deepEqual([...other.ranks], [...ranks]);
  });
});

describe('reusing a WebAssembly counter', () => {
  it('hands a disposed counter out again, reset: the next segment numbers its terms from 0 and knows only its own', () => {
    const first = wasmTermCounter();
    first.add(Array.from({ length: 10_000 }, (_, i) => `big${i}Word`).join(' '), 1);
    first.endDocument(0);
    first.dispose();
    const again = wasmTermCounter();
    assert.equal(again, first);
    assert.equal(again.termCount, 0);
    assert.deepEqual([...again.postings().terms], []);
    again.add('bigWord fresh', 1);
    assert.deepEqual(drained(again), ['bigword×1', 'big×1', 'fresh×1', 'word×1']);
    assert.deepEqual(termsOf(again), ['big', 'word', 'bigword', 'fresh']);
    again.dispose();
  });

  it('keeps no counter whose memory grew large', () => {
    const large = wasmTermCounter();
    const bytes = Buffer.from('word '.repeat(16 * 1024 * 1024)); // 80 MB
    large.setFile(bytes);
    large.dispose();
    assert.notEqual(wasmTermCounter(), large);
  });

  it('builds a segment after a large one exactly as a fresh builder of its own would', () => {
    const build = (texts: readonly string[]) => {
      const builder = new SegmentBuilder();
      const file = builder.addFile('a.md', '/ws/a.md');
      texts.forEach(text => builder.addChunk(file, { text, startLine: 1, endLine: 1 }));
      return builder.build(1).data;
    };
    const small = ['parseHttpHeaders of the user', 'größe café'];
    const alone = build(small);
    build(Array.from({ length: 3000 }, (_, i) => `chunk ${i} with token${i} and HTTPServer${i % 7}`));
    const after = build(small);
    assert.deepEqual(after.terms.toArray(), alone.terms.toArray());
    assert.deepEqual([...after.postingStarts], [...alone.postingStarts]);
    assert.deepEqual([...after.postings], [...alone.postings]);
    assert.deepEqual([...after.docLengths], [...alone.docLengths]);
  });

  it('refuses a builder that has built its segment (its counter counts for another one now)', () => {
    const builder = new SegmentBuilder();
    builder.addChunk(builder.addFile('a.md', '/ws/a.md'), { text: 'alpha', startLine: 1, endLine: 1 });
    builder.build(1);
    assert.throws(() => builder.addFile('b.md', '/ws/b.md'), /built its segment already/);
    assert.throws(() => builder.build(2), /built its segment already/);
  });
});

describe('both counters', () => {
  for (const make of [() => new WasmTermCounter(), () => new TokenizerTermCounter(tokenize)]) {
    it(`${make().constructor.name}: counts lines of the file set last, and refuses lines it does not have`, () => {
      const counter = make();
      counter.setFile(Buffer.from('\uFEFFalpha beta\r\ngamma\rdelta\n\nepsilon\n'));
      counter.addLines(1, 3, 1);
      assert.deepEqual(drained(counter), ['alpha×1', 'beta×1', 'delta×1', 'gamma×1']);
      counter.addLines(4, 4, 1);
      assert.deepEqual(drained(counter), []);
      counter.addLines(5, 5, 2);
      assert.deepEqual(drained(counter), ['epsilon×2']);
      assert.throws(() => counter.addLines(6, 6, 1), /not lines of the file/);
      assert.throws(() => counter.addLines(3, 2, 1), RangeError);
      counter.setFile(new Uint8Array(0));
      assert.throws(() => counter.addLines(1, 1, 1), RangeError);
    });

    it(`${make().constructor.name}: one posting per term and document, tf saturating at 65535, lengths summed`, () => {
      const counter = make();
      const docs = ['alpha beta alpha', 'beta', '', `gamma ${'alpha '.repeat(70_000)}`];
      const lengths = docs.map((text, doc) => {
        counter.add(text, 1);
        counter.add('beta', 2);
        return counter.endDocument(doc);
      });
      const { terms, docs: postingDocs, tfs } = counter.postings();
      const got = [...terms].map((t, i) => `${postingDocs[i]}:${counter.term(t)}×${tfs[i]}`);
      assert.deepEqual(got, [
        '0:alpha×2',
        '0:beta×3',
        '1:beta×3',
        '2:beta×2',
        '3:gamma×1',
        '3:alpha×65535',
        '3:beta×2',
      ]);
      assert.deepEqual(lengths, [5, 3, 2, 1 + 65535 + 2]);
    });
  }
});

describe('documents copied from postings', () => {
  for (const make of [() => new WasmTermCounter(), () => new TokenizerTermCounter(tokenize)]) {
    it(`${make().constructor.name}: copies a document's postings, takes counts back (none kept at 0), knows a saturated range`, () => {
      const counter = make();
      counter.add('alpha beta alpha gamma gamma', 1);
      counter.endDocument(0);
      counter.add('alpha '.repeat(70_000), 1);
      counter.endDocument(1);
      const [alpha, beta, gamma, delta] = ['alpha', 'beta', 'gamma', 'delta'].map(t => counter.termId(t)) as number[];
      assert.equal(counter.postingCount, 4);
      assert.equal(counter.saturated(0, 3), false);
      assert.equal(counter.saturated(0, 4), true);
      counter.copyPostings(0, 3);
      counter.addCounted(Int32Array.of(gamma ?? 0, -1, beta ?? 0, 1, delta ?? 0, 2, alpha ?? 0, -1), 2);
      assert.equal(counter.endDocument(2), 3 + 4);
      const { terms, docs, tfs } = counter.postings();
      const got = [...terms].map((t, i) => `${docs[i]}:${counter.term(t)}×${tfs[i]}`).slice(4);
      assert.deepEqual(got.sort(), ['2:beta×3', '2:delta×4']);
    });
  }

  for (const [name, tokenizer] of [
    ['the shipped tokenizer', tokenize],
    [
      'a custom tokenizer',
      (text: string) =>
        text
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter(Boolean),
    ],
  ] as const) {
    it(`a builder makes a copied file's chunks exactly as counting its text again would (${name})`, () => {
      const text = '# Alpha guide\n\nalpha beta gamma\n\n## Setup\n\nrun the setup script for alpha\n';
      const bytes = Buffer.from(text);
      const spans = chunkSpans('docs/alpha.md', new TextLines(text));
      const params = { ...DEFAULT_BM25_PARAMS, pathBoost: 3 };
      const files = [
        ['docs/alpha.md', '/ws/docs/alpha.md'],
        ['vendor/setup/guide.md', '/ws/vendor/setup/guide.md'],
        ['docs/alpha.md', '/ws/copy/docs/alpha.md'],
      ] as const;
      const counted = new SegmentBuilder(tokenizer, params);
      for (const [path, location] of files) {
        const file = counted.addFile(path, location, bytes);
        for (const span of spans) counted.addLines(file, span);
      }
      const copied = new SegmentBuilder(tokenizer, params);
      const first = copied.addFile(files[0][0], files[0][1], bytes);
      for (const span of spans) copied.addLines(first, span);
      assert.equal(copied.addCopy(files[1][0], files[1][1], first), 1);
      assert.equal(copied.addCopy(files[2][0], files[2][1], 1), 2);
      assert.deepEqual(segmentArrays(copied.build(1).data), segmentArrays(counted.build(1).data));
    });
  }

  it('refuses to copy a file whose postings saturated, adding nothing', () => {
    const builder = new SegmentBuilder();
    const bytes = Buffer.from(`heading\n${'alpha '.repeat(70_000)}\n`);
    const file = builder.addFile('a.txt', '/ws/a.txt', bytes);
    for (const span of chunkSpans('a.txt', new TextLines(bytes.toString()))) builder.addLines(file, span);
    const docs = builder.docCount;
    assert.equal(builder.addCopy('b.txt', '/ws/b.txt', file), undefined);
    assert.equal(builder.docCount, docs);
    assert.deepEqual(builder.build(1).data.filePaths.toArray(), ['a.txt']);
  });
});

describe('lineOffsets', () => {
  it('finds the lines splitLines finds in the decoded text', () => {
    const next = random(9);
    const alphabet = ['a', 'é', '\r', '\n', '\r\n', ' ', '東'];
    for (let i = 0; i < 2000; i++) {
      let text = next() < 0.2 ? '\uFEFF' : '';
      for (let j = Math.floor(next() * 12); j > 0; j--) text += alphabet[Math.floor(next() * alphabet.length)];
      const bytes = Buffer.from(text);
      const { starts, ends } = lineOffsets(bytes);
      const lines = [...starts].map((start, k) => bytes.toString('utf8', start, ends[k]));
      assert.deepEqual(lines, splitLines(text), JSON.stringify(text));
    }
  });
});
