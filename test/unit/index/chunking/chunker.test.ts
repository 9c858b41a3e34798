import assert from 'node:assert/strict';
import { chunkKind, chunkText, splitLines, type Chunk } from '../../../../src/index/chunking/chunker';
import { MAX_CHUNK_LINES } from '../../../../src/index/chunking/chunkPacking';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { random } from '../../../fakes/seededRandom';

/** The chunks of `text`, asserted to cover every line exactly once, in order, each chunk's text exactly its lines. */
function coveringChunks(path: string, text: string): Chunk[] {
  const chunks = chunkText(path, text);
  const lines = splitLines(text);
  let next = 1;
  for (const c of chunks) {
    assert.equal(c.startLine, next, `chunk starts at ${c.startLine}, expected ${next}`);
    assert.ok(c.endLine >= c.startLine);
    assert.equal(c.text, lines.slice(c.startLine - 1, c.endLine).join('\n'));
    next = c.endLine + 1;
  }
  assert.equal(next - 1, lines.length);
  return chunks;
}

const numbered = (n: number, prefix = 'line'): string[] => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

describe('splitLines', () => {
  it('drops a BOM and handles CRLF, CR and a last line without newline', () => {
    assert.deepEqual(splitLines('\uFEFFa\r\nb\rc\nd'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitLines('a\r\nb\r\n'), ['a', 'b']);
    assert.deepEqual(splitLines('a\n\n'), ['a', '']);
    assert.deepEqual(splitLines(''), []);
  });

  it('splits exactly as split(/\\r\\n|\\r|\\n/) does, without the trailing empty string, on random texts', () => {
    const next = random(5);
    const pieces = ['a', 'bc', '\r', '\n', '\r\n', '\n\r', ' ', '\uFEFF', 'é'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from(
        { length: Math.floor(next() * 12) },
        () => pieces[Math.floor(next() * pieces.length)],
      ).join('');
      const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
      const expected = body === '' ? [] : body.split(/\r\n|\r|\n/);
      if (expected[expected.length - 1] === '') expected.pop();
      assert.deepEqual(splitLines(text), expected, JSON.stringify(text));
    }
  });
});

describe('TextLines', () => {
  it('reads each line as splitLines does, and says of it what /^\\s*$/ and /^\\S/ say, on random texts', () => {
    const next = random(21);
    const alphabet = [
      ' ',
      '\t',
      '\v',
      '\f',
      '\u0001',
      '\u007f',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      'a',
      '}',
      '~',
      'é',
      '\n',
      '\r',
      '\r\n',
    ];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let j = Math.floor(next() * 12); j > 0; j--) text += alphabet[Math.floor(next() * alphabet.length)];
      const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
      const expected = body === '' ? [] : body.split(/\r\n|\r|\n/);
      if (expected[expected.length - 1] === '') expected.pop();
      const lines = new TextLines(text);
      assert.equal(lines.length, expected.length, JSON.stringify(text));
      expected.forEach((line, n) => {
        const says = JSON.stringify({ text, n });
        assert.equal(lines.line(n), line, says);
        assert.equal(lines.width(n), line.length, says);
        assert.equal(lines.isBlank(n), /^\s*$/.test(line), says);
        assert.equal(lines.startsWithNonSpace(n), /^\S/.test(line), says);
        assert.equal(lines.indentation(n), /^[ \t]*/.exec(line)?.[0].replace(/\t/g, '    ').length, says);
        const first = /^[ \t]*([^ \t])/.exec(line)?.[1];
        assert.equal(lines.firstAfterIndent(n), first === undefined ? -1 : first.charCodeAt(0), says);
      });
      const from = Math.floor(next() * (expected.length + 1));
      const to = from + Math.floor(next() * (expected.length - from + 1));
      assert.equal(lines.join(from, to), expected.slice(from, to).join('\n'), JSON.stringify({ text, from, to }));
      assert.equal(
        lines.chars(from, to),
        expected.slice(from, to).reduce((n, line) => n + line.length + 1, 0),
        JSON.stringify({ text, from, to }),
      );
    }
  });

  it('reads a line number outside the text as an empty line', () => {
    const lines = new TextLines('a\nb');
    assert.equal(lines.line(5), '');
    assert.equal(lines.isBlank(-1), true);
    assert.equal(lines.width(2), 0);
  });
});

describe('chunkText', () => {
  it('returns no chunks for an empty file', () => {
    assert.deepEqual(chunkText('a.md', ''), []);
    assert.deepEqual(chunkText('a.md', '\uFEFF'), []);
  });

  it('gives exact line ranges for a CRLF file with a BOM and no final newline', () => {
    const text = '\uFEFF# Title\r\n\r\nintro\r\n## Part\r\nbody\r\nlast';
    const chunks = coveringChunks('doc.md', text);
    assert.equal(chunks[0]?.text.startsWith('# Title'), true);
    assert.ok(!chunks.some(c => c.text.includes('\r') || c.text.includes('\uFEFF')));
    assert.equal(chunks.at(-1)?.endLine, 6);
  });

  it('titles markdown chunks with the heading trail', () => {
    const text = [
      '# Guide',
      ...numbered(45, 'intro'),
      '## Install',
      ...numbered(45, 'steps'),
      '### Linux',
      ...numbered(45, 'apt'),
      '## Usage',
      'run it',
    ].join('\n');
    const chunks = coveringChunks('README.md', text);
    assert.deepEqual(
      chunks.map(c => [c.startLine, c.title]),
      [
        [1, 'Guide'],
        [47, 'Guide > Install'],
        [93, 'Guide > Install > Linux; Guide > Usage'],
      ],
    );
  });

  it('ignores # lines inside fenced code blocks', () => {
    const text = ['# Real', ...numbered(45), '```python', '# not a heading', '```', ...numbered(45)].join('\n');
    const chunks = coveringChunks('a.md', text);
    assert.ok(
      chunks.every(c => c.title === 'Real'),
      JSON.stringify(chunks.map(c => c.title)),
    );
  });

  it('takes a paragraph line underlined with === or --- for a heading (setext), and no list item, quote or indented code', () => {
    const text = [
      'Guide',
      '=====',
      ...numbered(45, 'intro'),
      '',
      'Install',
      '-------',
      ...numbered(45, 'steps'),
      '- a list item',
      '---',
      '> a quote',
      '---',
      '    indented code',
      '---',
    ].join('\n');
    const chunks = coveringChunks('README.md', text);
    assert.deepEqual(
      chunks.map(c => [c.startLine, c.title]),
      [
        [1, 'Guide'],
        [49, 'Guide > Install'],
      ],
    );
  });

  it('takes a whole paragraph for a setext heading, and no paragraph of a list item, a quote or a table', () => {
    const text = [
      '# Guide',
      ...numbered(45, 'intro'),
      '',
      'Install the tool',
      'on Linux',
      '---',
      ...numbered(45, 'steps'),
      '- an item',
      '  that goes on',
      '---',
      '> a quote',
      'lazily continued',
      '---',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '---',
      ...numbered(10, 'more'),
    ].join('\n');
    const chunks = coveringChunks('README.md', text);
    assert.deepEqual(
      chunks.map(c => [c.startLine, c.title]),
      [
        [1, 'Guide'],
        [48, 'Guide > Install the tool on Linux'],
      ],
    );
  });

  it('reads fences as CommonMark does: a run with an info string closes none, a run with a backtick after it opens none', () => {
    const text = [
      '# Real',
      '```md',
      '```python',
      '# not a heading',
      '```',
      '## After',
      '```ts``` is inline code',
      '## Last',
    ].join('\n');
    const chunks = coveringChunks('a.md', text);
    assert.deepEqual(
      chunks.map(c => c.title),
      ['Real > After; Real > Last'],
    );
  });

  it("reads # lines in a markdown file's front matter as comments, not headings", () => {
    const yaml = [
      '---',
      'title: Install guide',
      '# draft: true',
      'tags: [a, b]',
      '---',
      '',
      'Intro.',
      '# Install',
      'Run it.',
    ];
    const toml = ['+++', 'title = "Install guide"', '# draft = true', '+++', '# Install', 'Run it.'];
    for (const text of [yaml.join('\n'), toml.join('\r\n')]) {
      const chunks = coveringChunks('docs/install.md', text);
      assert.deepEqual(
        chunks.map(c => c.title),
        ['Install'],
      );
    }
    // a first thematic break that sets no key is no front matter: the headings after it are headings
    const slides = ['---', '# Slide one', '- a point', '---', '# Slide two'].join('\n');
    assert.deepEqual(
      chunkText('slides.md', slides).map(c => c.title),
      ['Slide one; Slide two'],
    );
  });

  it('splits code at top-level blocks and titles them with symbol names', () => {
    const fn = (name: string, body: number) => [`export function ${name}() {`, ...numbered(body, '  x'), '}', ''];
    const text = [...fn('alpha', 30), ...fn('beta', 30), ...fn('gamma', 60)].join('\n');
    const chunks = coveringChunks('src/a.ts', text);
    assert.deepEqual(
      chunks.map(c => [c.startLine, c.endLine, c.title]),
      [
        [1, 66, 'alpha; beta'],
        [67, 128, 'gamma'],
      ],
    );
  });

  it('finds a symbol under comments, decorators and odd indentation', () => {
    const title = (head: string[]): string | undefined =>
      chunkText('a.ts', [...head, ...numbered(3, '  x')].join('\n'))[0]?.title;
    assert.equal(title(['// licence', '/* more', ' * lines */', '@Component()', 'export class Panel {']), 'Panel');
    assert.equal(title(['\t// tabbed comment', '\tconst handler = async (event) => {']), 'handler');
    assert.equal(title(['\u00a0', '\u00a0 def run(self):']), 'run');
    assert.equal(title(['#!/usr/bin/env python', '# comment', 'def main():']), 'main');
    assert.equal(title(['#[derive(Debug)]', 'pub struct Point {']), 'Point'); // `#[` is an attribute, not a comment
    assert.equal(title(['x', 'y', 'z', '1', '2', '3', 'function late() {']), undefined); // only six lines are looked at
  });

  it('splits an over-long block at a blank line within the cap', () => {
    const body = [...numbered(50, '    a'), '', ...numbered(50, '    b')];
    const text = ['class Big:', ...body].join('\n');
    const chunks = coveringChunks('big.py', text);
    assert.ok(chunks.every(c => c.endLine - c.startLine + 1 <= MAX_CHUNK_LINES));
    assert.equal(chunks[1]?.startLine, 53); // the line after the blank line
    assert.equal(chunks[0]?.title, 'Big');
  });

  it('hard-caps a block with no good break', () => {
    const text = numbered(250, 'x').join('\n');
    const chunks = coveringChunks('data.txt', text);
    assert.deepEqual(
      chunks.map(c => c.endLine - c.startLine + 1),
      [80, 80, 80, 10],
    );
  });

  it('packs plain-text paragraphs to about 40 lines', () => {
    const paragraph = (n: number) => [...numbered(n), ''];
    const text = [...paragraph(15), ...paragraph(15), ...paragraph(15), ...paragraph(15)].join('\n');
    const chunks = coveringChunks('notes.txt', text);
    assert.deepEqual(
      chunks.map(c => [c.startLine, c.endLine]),
      [
        [1, 48],
        [49, 63],
      ],
    );
  });

  it('chooses the kind by extension', () => {
    assert.equal(chunkKind('docs/Guide.MD'), 'markdown');
    assert.equal(chunkKind('notes.txt'), 'text');
    assert.equal(chunkKind('LICENSE'), 'text');
    assert.equal(chunkKind('src/x.rs'), 'code');
  });
});
