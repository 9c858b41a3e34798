import assert from 'node:assert/strict';
import { claimBefore, ClaimTracker, type ClaimMarker } from '../../../src/core/citations/claims';
import {
  MarkerScanner,
  markersOf,
  WithoutInventedNumbers,
  withoutInventedNumbers,
  type MarkerPiece,
} from '../../../src/shared/citationMarkers';
import { commitBoundary } from '../../../src/webview/streamingMarkdown';

const show = (pieces: MarkerPiece[]) =>
  pieces.map(p => (p.type === 'text' ? p.text : `<${p.n}#${p.ordinal}>`)).join('|');
const scanAll = (...tokens: string[]) => {
  const scanner = new MarkerScanner();
  return show([...tokens.flatMap(t => scanner.push(t)), ...scanner.flush()]);
};
const claims = (...tokens: string[]): ClaimMarker[] => {
  const tracker = new ClaimTracker();
  return [...tokens.flatMap(t => tracker.push(t)), ...tracker.flush()];
};
const claimTexts = (...tokens: string[]): string[] => claims(...tokens).map(c => c.claim);

/** Asserts that `read` gives `want` for `text` whole and for `text` split into two tokens at every position. */
function assertEverySplit<T>(text: string, read: (...tokens: string[]) => T, want: T): void {
  assert.deepEqual(read(text), want);
  for (let i = 1; i < text.length; i++) assert.deepEqual(read(text.slice(0, i), text.slice(i)), want, `split at ${i}`);
}

describe('citation markers', () => {
  it('turns a marker split across tokens into one marker', () => {
    assert.equal(scanAll('Set it to 88 [', '2', '] and', ' done.'), 'Set it to 88 |<2#0>| and| done.');
  });

  it('counts every number of a list marker, in order', () => {
    assert.deepEqual(markersOf('A [2]. B [1, 3]. C [2][9].'), [
      { n: 2, ordinal: 0 },
      { n: 1, ordinal: 1 },
      { n: 3, ordinal: 2 },
      { n: 2, ordinal: 3 },
      { n: 9, ordinal: 4 },
    ]);
  });

  it('reads a list marker of many numbers split across tokens anywhere as it reads it whole', () => {
    const text = 'Seen in all [1, 2, 3, 4, 5, 6, 7, 8]. Then [2].';
    const whole = scanAll(text);
    assert.match(whole, /<8#7>.*<2#8>/);
    for (let i = 1; i < text.length; i++) {
      const split = scanAll(text.slice(0, i), text.slice(i));
      assert.equal(split.replace(/\|/g, ''), whole.replace(/\|/g, ''), `split at ${i}`);
    }
  });

  it('reads a link reference definition (`[1]: https://…`) as markdown-it does: no citation, however the tokens fall', () => {
    const text = 'Flux is fast [1].\n\n[1]: https://example.com/flux "Flux"\r\n[2]: docs/b.md\n    code[3]\n\nOn [4].';
    const whole = scanAll(text);
    assert.deepEqual(
      markersOf(text).map(m => m.n),
      [1, 4],
    );
    for (let i = 1; i < text.length; i++) {
      const split = scanAll(text.slice(0, i), text.slice(i));
      assert.equal(split.replace(/\|/g, ''), whole.replace(/\|/g, ''), `split at ${i}`);
    }
    // where a paragraph goes on it is no definition, nor is a line with more than a destination and a title
    assert.deepEqual(
      markersOf('Flux [1].\n[2]: https://x\n\n[3]: docs/a.md, the setup\n\n> [4]: x').map(m => m.n),
      [1, 2, 3],
    );
  });

  it('reads no citation in a link destination, title or autolink, as markdown-it renders them, however the tokens fall', () => {
    const text =
      'See [the docs](https://x.org/a[1]b "about [2]") [3], <https://x.org/[4]> [5] and [Guide [6]](g.md).\n' +
      'Not links: [a](b[7] c), [a](b[8]\nthen [x [d](u)](v[9]) and a < b [10].';
    const whole = scanAll(text);
    assert.deepEqual(
      markersOf(text).map(m => m.n),
      [3, 5, 6, 7, 8, 9, 10],
    );
    for (let i = 1; i < text.length; i++) {
      const split = scanAll(text.slice(0, i), text.slice(i));
      assert.equal(split.replace(/\|/g, ''), whole.replace(/\|/g, ''), `split at ${i}`);
    }
  });

  it('leaves out the numbers that name no source, and only them, however the tokens fall', () => {
    const text = 'A [1, 7] and [3][4]. B [2, 3].\n```\nx[9]\n```\n[c](u[8]) `y[7]` [0] end';
    const want = 'A [1] and [3]. B [2, 3].\n```\nx[9]\n```\n[c](u[8]) `y[7]` end';
    assert.equal(withoutInventedNumbers(text, 3), want);
    for (let i = 1; i < text.length; i++) {
      const filter = new WithoutInventedNumbers(3);
      assert.equal(filter.push(text.slice(0, i)) + filter.push(text.slice(i)) + filter.flush(), want, `split at ${i}`);
    }
  });

  it('leaves out an invented marker with the space before it, and keeps indentation and shown markers spaced', () => {
    const text = 'It is cold [7]. It is\twarm [7] [9] here [7][1] and [1] [8].\n- [9] item\n\n  [7] more [0]';
    const want = 'It is cold. It is\twarm here [1] and [1].\n- item\n\n  more';
    assert.equal(withoutInventedNumbers(text, 3), want);
    for (let i = 1; i < text.length; i++) {
      const filter = new WithoutInventedNumbers(3);
      assert.equal(filter.push(text.slice(0, i)) + filter.push(text.slice(i)) + filter.flush(), want, `split at ${i}`);
    }
  });

  it('leaves out an invented marker that opens its line with the space after it, keeping the indentation', () => {
    const text = '[7] Foo [1].\n\nIntro.\n\n   [9] [8]\tBar [1].\n- [0] Baz\n[7][1] Qux\n[7]\n  [7] [2] Quux';
    const want = 'Foo [1].\n\nIntro.\n\n   Bar [1].\n- Baz\n[1] Qux\n\n  [2] Quux';
    assert.equal(withoutInventedNumbers(text, 3), want);
    for (let i = 1; i < text.length; i++) {
      const filter = new WithoutInventedNumbers(3);
      assert.equal(filter.push(text.slice(0, i)) + filter.push(text.slice(i)) + filter.flush(), want, `split at ${i}`);
    }
  });

  it('gives a marker written before its claim the rest of its sentence, however the tokens fall', () => {
    const text = 'Flux is 88 [1].\n\n- [2] Logs rotate daily.\n\nAccording to [3], the doors open upwards. Cold. [1]';
    const want = [
      { n: 1, ordinal: 0, claim: 'Flux is 88', claimId: 1 },
      { n: 2, ordinal: 1, claim: 'Logs rotate daily.', claimId: 2 },
      { n: 3, ordinal: 2, claim: 'the doors open upwards.', claimId: 3 },
      { n: 1, ordinal: 3, claim: 'Cold.', claimId: 4 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('gives a marker with no words after the claim of the markers before it that claim, co-cited, however the tokens fall', () => {
    const text = 'According to [1], flux is 88. [2] Logs rotate [3].\n\n- [1] Doors open. [2]\n- [3] Cold.';
    const want = [
      { n: 1, ordinal: 0, claim: 'flux is 88.', claimId: 1 },
      { n: 2, ordinal: 1, claim: 'flux is 88.', claimId: 1 },
      { n: 3, ordinal: 2, claim: 'Logs rotate', claimId: 2 },
      { n: 1, ordinal: 3, claim: 'Doors open.', claimId: 3 },
      { n: 2, ordinal: 4, claim: 'Doors open.', claimId: 3 },
      { n: 3, ordinal: 5, claim: 'Cold.', claimId: 4 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('gives a lead-in marker whose sentence ends right after it the claim before it, however the tokens fall', () => {
    const text =
      'Flux is 88. See [2]. More text [3].\n\nLogs rotate daily. Source: [1]. Doors open [2]. See also [3].\n\n' +
      'Cold. See [1] [2]. Warm. See [3]: it is warm.';
    const want = [
      { n: 2, ordinal: 0, claim: 'Flux is 88.', claimId: 1 },
      { n: 3, ordinal: 1, claim: 'More text', claimId: 2 },
      { n: 1, ordinal: 2, claim: 'Logs rotate daily.', claimId: 3 },
      { n: 2, ordinal: 3, claim: 'Doors open', claimId: 4 },
      { n: 3, ordinal: 4, claim: 'Doors open', claimId: 4 },
      { n: 1, ordinal: 5, claim: 'Cold.', claimId: 5 },
      { n: 2, ordinal: 6, claim: 'Cold.', claimId: 5 },
      { n: 3, ordinal: 7, claim: 'it is warm.', claimId: 6 },
    ];
    assertEverySplit(text, claims, want);
    // the answer's end ends the sentence too
    assert.deepEqual(
      claims('Flux is 88. See [2]').map(c => [c.n, c.claim, c.claimId]),
      [[2, 'Flux is 88.', 1]],
    );
  });

  it('gives a list item or paragraph that opens with a marker its own words after uncited text, however the tokens fall', () => {
    const text =
      'Flux [1] is 88.\n\n- [2] Logs rotate daily.\n1. **[3]** Doors open.\n\nThe car [1] is red.\n\n[2] Wheels turn.';
    const want = [
      { n: 1, ordinal: 0, claim: 'Flux', claimId: 1 },
      { n: 2, ordinal: 1, claim: 'Logs rotate daily.', claimId: 2 },
      { n: 3, ordinal: 2, claim: 'Doors open.', claimId: 3 },
      { n: 1, ordinal: 3, claim: 'The car', claimId: 4 },
      { n: 2, ordinal: 4, claim: 'Wheels turn.', claimId: 5 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('gives a marker after words that name its source, then a comma or colon, the rest of its sentence, however the tokens fall', () => {
    const text =
      'According to the README [1], flux is 88. As the configuration guide explains [2], logs rotate daily.\n\n' +
      '- In the design doc [3]: doors open upwards.\n- The car has wheels [1], and the doors open upwards.\n\n' +
      'See section 4 [1] [2]: restart it. In the design doc [3] doors open. Per the docs [2]';
    const want = [
      { n: 1, ordinal: 0, claim: 'flux is 88.', claimId: 1 },
      { n: 2, ordinal: 1, claim: 'logs rotate daily.', claimId: 2 },
      { n: 3, ordinal: 2, claim: 'doors open upwards.', claimId: 3 },
      { n: 1, ordinal: 3, claim: 'The car has wheels', claimId: 4 },
      { n: 1, ordinal: 4, claim: 'restart it.', claimId: 5 },
      { n: 2, ordinal: 5, claim: 'restart it.', claimId: 5 },
      { n: 3, ordinal: 6, claim: 'In the design doc', claimId: 6 },
      { n: 2, ordinal: 7, claim: 'Per the docs', claimId: 7 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('reads the claim after a lead-in in its table cell, and a line after a table row as no row, however the tokens fall', () => {
    const text =
      'Flux is 88 [1].\n\n| According to [2], x is y | z [3] | w [4] |\n| In the design doc [1]: u is v | t [2] |\n\n' +
      'According to [3], a | b is c [4]. More | text [1].';
    const want = [
      { n: 1, ordinal: 0, claim: 'Flux is 88', claimId: 1 },
      { n: 2, ordinal: 1, claim: 'x is y', claimId: 2 },
      { n: 3, ordinal: 2, claim: 'z', claimId: 3 },
      { n: 4, ordinal: 3, claim: 'w', claimId: 4 },
      { n: 1, ordinal: 4, claim: 'u is v', claimId: 5 },
      { n: 2, ordinal: 5, claim: 't', claimId: 6 },
      { n: 3, ordinal: 6, claim: 'a | b is c', claimId: 7 },
      { n: 4, ordinal: 7, claim: 'a | b is c', claimId: 7 },
      { n: 1, ordinal: 8, claim: 'More | text', claimId: 8 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('reads the claim after a lead-in in a block quote without its quote markers, however the tokens fall', () => {
    const text = '> According to [1], values above 88 are\n> clamped. Doors [2] open.\n>\n> - [3] Logs\n>   rotate.';
    const want = ['values above 88 are clamped.', 'Doors', 'Logs rotate.'];
    assertEverySplit(text, claimTexts, want);
  });

  it('gives a marker that opens a list item or a table row the words after it, though the paragraph before has none', () => {
    const text =
      'The steps:\n\n- [2] Logs rotate daily\n- [1] Flux is 88\n\n| Source | Fact |\n| --- | --- |\n| [3] | Doors open |\n';
    const want = [
      { n: 2, ordinal: 0, claim: 'Logs rotate daily', claimId: 1 },
      { n: 1, ordinal: 1, claim: 'Flux is 88', claimId: 2 },
      { n: 3, ordinal: 2, claim: 'Doors open', claimId: 3 },
    ];
    assertEverySplit(text, claims, want);
  });

  it('leaves brackets that are not citations alone', () => {
    assert.equal(scanAll('a [link](u) and arr[i] and [ ').replaceAll('|', ''), 'a [link](u) and arr[i] and [ ');
  });

  it('does not read markers inside fenced code or inline code', () => {
    const text = 'Use `xs[1]` here [1].\n```ts\nconst a = xs[2];\n```\nAfter [3].\n~~~\n[4]\n~~~\n';
    assert.deepEqual(
      markersOf(text).map(m => m.n),
      [1, 3],
    );
  });

  it('reads a marker after a backtick that nothing closes on its line, however the tokens fall', () => {
    const text = 'Press the ` key [1] to open it.\nThen `xs[2]` and ``a ` [3]`` stay code, `b [4].\nEnd [5].';
    const want = [1, 4, 5];
    assert.deepEqual(
      markersOf(text).map(m => m.n),
      want,
    );
    for (let cut = 1; cut < text.length; cut++) {
      const got = scanAll(text.slice(0, cut), text.slice(cut));
      assert.deepEqual(
        [...got.matchAll(/<(\d+)#/g)].map(m => Number(m[1])),
        want,
        `split at ${cut}`,
      );
      assert.equal(
        got.replace(/<\d+#\d+>/g, '').replaceAll('|', ''),
        text.replace(/\[\d\]/g, m => (['[2]', '[3]'].includes(m) ? m : '')),
      );
    }
  });

  it('reads the code spans after a backtick run that nothing closes as CommonMark does, however the tokens fall', () => {
    const texts: [string, number[]][] = [
      ['Wrap it in double backticks (``) when the code holds a backtick; `xs[1]` is code [2].', [2]],
      ['Type `` then [1] and `xs[2]` ok.', [1]],
      [`A span longer than any code span: \`${'x'.repeat(500)} [1]\` [2]`, [1, 2]],
    ];
    for (const [text, want] of texts)
      for (let cut = 0; cut < text.length; cut += 7) {
        const got = scanAll(text.slice(0, cut), text.slice(cut));
        assert.deepEqual(
          [...got.matchAll(/<(\d+)#/g)].map(m => Number(m[1])),
          want,
          `${text.slice(0, 30)} split at ${cut}`,
        );
      }
  });

  it('reads a marker in an open code span at the end of the answer as a marker', () => {
    assert.equal(scanAll('Hold `Ctrl [2]').replaceAll('|', ''), 'Hold `Ctrl <2#0>');
  });

  it('reads fences as CommonMark does: indented by three columns at most, closed only by a bare run of their own kind and length, never opened by a run that another backtick follows, and opened after a list marker too, ending with its list item', () => {
    const texts: [string, number[]][] = [
      ['1. Install it:\n\n   ```sh\n   grep arr[1] x\n   ```\n\nDone [2].', [2]],
      ['Example:\n\n    ```\n    x\n\nNext [2] and [3].', [2, 3]],
      ['Para [1]\n    ```\nmore [2]\n\nEnd [3]', [1, 2, 3]],
      ['Text [1]\n\n\t```\n\n[2]', [1, 2]],
      ['```\ncode\n    ```\narr[1]\n```\n[2]', [2]],
      ['A [1,\n\n2] B [3]', [3]],
      ['1. ```bash\n   x[1]\n   ```\n\nSee [2] and [3].', [2, 3]],
      ['- ```python\n  a[1]\n  ```\n- next [2]', [2]],
      ['1990 was warm [1].\n- `x[2]` is code [3]\n12) Step [4].', [1, 3, 4]],
      ['10. ```bash\n    x[2]\n    ```\n\nEnd [4].', [4]],
      ['1. ```bash\n   x[1]\n\nEnd [4].', [4]],
      ['- ```\n- b [1]\n\nEnd [2]', [1, 2]],
      ['- ```js\n  a[1]\n- next [2]\n\n```\nc[3]\n```\nEnd [4]', [2, 4]],
      ['1. ```bash\nx[1]\n```\n\nEnd [2].', [1]],
      ['-     ```bash\n  x[1]\n\nEnd [4].', [1, 4]],
      ['```text\n~~~ is a fence too\n\nxs[1] in code\n```\n\nThe answer [2].\n', [2]],
      ['````md\n```\nxs[1]\n```\n````\nAfter [3].', [3]],
      ['```ts const x = a[1]``` is inline [2].\nMore [3].', [2, 3]],
      ['```\ncode a[1]\n```python\nb[2]\n```\nAfter [3].', [3]],
      ['1. Install:\n\n    ```bash\n    npm i a[1]\n    ```\n\n2. Run [2].', [2]],
      ['1. Install:\n    ```py\n    print(sys.argv[1])\n    ```\n2. Run [2].', [2]],
      ['- a\n  - b:\n\n      ```sh\n      x[1]\n      ```\n\nDone [2].', [2]],
      ['1. a\n   - b:\n     ```sh\n     x[1]\n     ```\n   - c [3]\n\nDone [2].', [3, 2]],
      ['1. a\n    ```\n    x[1]\nb [2]\n    y[3]\n', [2, 3]],
      ['Para\n\n    ```\n    x[1]\n    ```\n\n    y[2]\nDone [3].', [3]],
      ['- a\n\n        ```\n        x[1]\n        ```\n\n[2]', [2]],
      ['## Example\n    arr[1] = 1\nIntro [2]\n---\n    a[3]\n- - -\n    b[4]\n#tag [5]\n    c[6]', [2, 5, 6]],
      ['The steps:\n2. run it\n\n    code[1] here\n\n1. a\n2. b\n\n    c[2]', [2]],
      ['1. First step\n2. Second step\nNote: it needs root\n3. Third step\n\n    Check the log [1].', [1]],
      ['para\n1. \n\n    x[1]\n\nEnd [2].', [2]],
      ['1. a\n   2. b\n\n       x[1]\n\nEnd [2].', [2]],
    ];
    for (const [text, want] of texts) {
      assert.deepEqual(
        markersOf(text).map(m => m.n),
        want,
        text,
      );
      for (let cut = 0; cut < text.length; cut += 3)
        assert.deepEqual(
          [...scanAll(text.slice(0, cut), text.slice(cut)).matchAll(/<(\d+)#/g)].map(m => Number(m[1])),
          want,
          `${text} split at ${cut}`,
        );
    }
  });

  it('reads fences in block quotes as CommonMark does: ending with their quote, and a `>` in code as code', () => {
    const texts: [string, number[]][] = [
      ['The docs say:\n\n> ```js\n> const a = b[1];\n> ```\n> Then [2].', [2]],
      ['> ```\n> t[1]\nu [2]', [2]], // a line without `>` ends the quote, and the fence in it
      ['> > ```\n> > v[1]\n> w [2]', [2]],
      ['> > ```\n> > v[1]\n> ```\n> w [2]', []], // the inner quote ends; its ``` opens a fence in the outer
      ['```\n> w[1]\n> ```\nstill[2]\n```\nout [3]', [3]],
      ['1. Step:\n   > ```py\n   > s[1]\n   > ```\n   after [2]', [2]],
      ['> - item [1]\n>   ```sh\n>   r[2]\n>   ```\n> done [3]', [1, 3]],
      ['>     code[1]\n>\n>    para [2]', [2]],
      ['1. a\n\n>     code[1]', []], // the quote ends the item: its lines are indented code in the quote
      ['Para [1]\n>     code[2]', [1]], // a quote opening ends the paragraph
      // a quote's own list items go on from line to line; a tab after `>` runs from its column, one of them the quote's
      ['> 1. Step one\n>    - sub item [1]\n>\n>      More detail [2].\n> 2. Step two [3]', [1, 2, 3]],
      ['> 10. Step ten:\n>\n>     Details of the step [1].', [1]],
      ['> 1. Step\n>    - sub:\n>      ```sh\n>      x[1]\n>      ```\n>      after [2]', [2]],
      ['>\ttext [1]\n> \ttext [2]\n   >  text [3]\n>\n>\t\tcode[4]', [1, 2, 3]],
      ['> - a [1]\n\n    b[2]', [1]], // the blank line ends the quote and its item: b is indented code
      ['> para\nlazy\n>     more [1]', [1]], // the lazy line keeps the paragraph in its quote
      ['> a\n    b\n>     [1]', [1]], // however far the lazy line is indented
      ['1. Step\n   ```\n   x\n> ```\n> y[1]\n> ```', []], // the > ends the item and its fence, and opens a quoted one
    ];
    for (const [text, want] of texts) {
      assert.deepEqual(
        markersOf(text).map(m => m.n),
        want,
        text,
      );
      for (let cut = 0; cut < text.length; cut++)
        assert.deepEqual(
          [...scanAll(text.slice(0, cut), text.slice(cut)).matchAll(/<(\d+)#/g)].map(m => Number(m[1])),
          want,
          `${text} split at ${cut}`,
        );
    }
  });

  it("splits an answer into blocks only where a whole answer's scan stands outside code, so every block counts alike", () => {
    const text =
      '```text\n~~~ is a fence too\n\nxs[1] in code\n```\n\nThe answer [2].\n\n- step:\n\n   ```\n   a[3]\n\n   ```\n\n```\n\u00a0```\n\nx[5]\n```\n\nEnd [4].\n';
    const blocks = blocksAsCommitted(text);
    assert.ok(blocks.length > 3);
    assert.deepEqual(
      blocks.flatMap(b => markersOf(b).map(m => m.n)),
      markersOf(text).map(m => m.n),
    );
    assert.deepEqual(
      markersOf(text).map(m => m.n),
      [2, 4],
    );
  });

  it('keeps a list, with the code indented under its items, in one block, so the panel renders it as the whole answer does', () => {
    const text =
      '1. Install:\n\n    ```bash\n    npm i\n\n    ```\n\n1. Run it [1].\n\n   More [2].\n\nDone [3].\n\n- a\n\nEnd.';
    assert.deepEqual(blocksAsCommitted(text), [
      '1. Install:\n\n    ```bash\n    npm i\n\n    ```\n\n1. Run it [1].\n\n   More [2].\n\n',
      'Done [3].\n\n',
      '- a\n\nEnd.', // the tail: until its line ends, "End." might have been the list's next item
    ]);
  });

  it('splits a list between its items only when it grows too long to render again every frame', () => {
    const item = (i: number) => `${i}. Step ${i} [${i}]:\n\n   \`\`\`sh\n   run --step ${i} a[${i}]\n   \`\`\`\n\n`;
    const text = Array.from({ length: 40 }, (_, i) => item(i + 1)).join('') + 'Done [99].';
    const blocks = blocksAsCommitted(text);
    assert.ok(blocks.length > 3, 'a long list is committed in parts');
    assert.ok(
      blocks.every(b => /^\d+\. Step/.test(b) || b.startsWith('Done')),
      'each part starts at an item',
    );
    assert.ok(Math.max(...blocks.map(b => b.length)) < 2_500, 'no part is much longer than the limit');
    assert.deepEqual(
      blocks.flatMap(b => markersOf(b).map(m => m.n)),
      markersOf(text).map(m => m.n),
    );
  });

  it('sees a fence whose backticks arrive in separate tokens', () => {
    assert.deepEqual(
      (() => {
        const scanner = new MarkerScanner();
        const pieces = ['Intro [1].\n', '`', '``', 'js\nx[2]\n', '```\nend [3]'].flatMap(t => scanner.push(t));
        return [...pieces, ...scanner.flush()].flatMap(p => (p.type === 'marker' ? [p.n] : []));
      })(),
      [1, 3],
    );
  });
});

describe('claims', () => {
  it('takes the sentence before the marker, after the previous sentence end', () => {
    assert.deepEqual(
      claims('Winters are long. The Thames froze in 1814 [1]. It ', 'thawed in spring [2].').map(c => [c.n, c.claim]),
      [
        [1, 'The Thames froze in 1814'],
        [2, 'It thawed in spring'],
      ],
    );
  });

  it('reads `[text][1]` as the text `[text]` and citation 1, with or without a later `[1]: url` definition', () => {
    const text = 'The flux is [high][1]. Logs go to [the log folder][2, 3].';
    for (const definitions of ['', '\n\n[1]: https://x.org/flux\n[2]: https://x.org/logs'])
      assert.deepEqual(
        claims(text + definitions).map(c => [c.n, c.ordinal, c.claim]),
        [
          [1, 0, 'The flux is [high]'],
          [2, 1, 'Logs go to [the log folder]'],
          [3, 2, 'Logs go to [the log folder]'],
        ],
      );
  });

  it('gives adjacent markers one claim', () => {
    assert.deepEqual(
      claims('Flux needs 1.21 gigawatts [1][3]. Doors open upwards [2], [4].').map(c => [c.n, c.claim]),
      [
        [1, 'Flux needs 1.21 gigawatts'],
        [3, 'Flux needs 1.21 gigawatts'],
        [2, 'Doors open upwards'],
        [4, 'Doors open upwards'],
      ],
    );
    assert.deepEqual(
      claims('Flux needs 1.21 gigawatts [1] and [3]. Doors open (see [2], or [4]). Flux [1] and doors [2] agree.').map(
        c => [c.n, c.claim, c.claimId],
      ),
      [
        [1, 'Flux needs 1.21 gigawatts', 1],
        [3, 'Flux needs 1.21 gigawatts', 1],
        [2, 'Doors open', 2],
        [4, 'Doors open', 2],
        [1, 'Flux', 3],
        [2, 'and doors', 4],
      ],
    );
  });

  it('starts a claim after the punctuation that joined it to the marker before, however the tokens fall', () => {
    const text =
      'The car has wheels [1], and the doors open upwards [2]. Flux is 88 [1]; see [2]: restart it. ' +
      'Risk fell (HR 0.8 [3]) and rose [1] — then it is cold [2], -5 °C at night [3]. ' +
      'He said "stop [1]" and left [2]. 很冷[1]，然后变热[2]。';
    const want = [
      'The car has wheels',
      'and the doors open upwards',
      'Flux is 88',
      'restart it.',
      'Risk fell (HR 0.8',
      'and rose',
      'then it is cold',
      '-5 °C at night',
      'He said "stop',
      'and left',
      '很冷',
      '然后变热',
    ];
    assertEverySplit(text, claimTexts, want);
  });

  it('takes the sentence a marker follows when it comes after the full stop', () => {
    assert.equal(claims('The capacitor is in the rear. [2]')[0]?.claim, 'The capacitor is in the rear.');
  });

  it('reads list items and table cells as claims', () => {
    const list = claims('Settings:\n- `flux.level` sets the level [1]\n- **doors** open upwards [2]\n');
    assert.deepEqual(
      list.map(c => c.claim),
      ['`flux.level` sets the level', 'doors open upwards'],
    );
    const table = claims('| setting | meaning |\n|---|---|\n| flux.level | the power level [1] |\n');
    assert.equal(table[0]?.claim, 'the power level');
  });

  it('cuts a claim at a table cell only in a table row, never inside inline code or after an abbreviation', () => {
    assert.equal(
      claims('It throws when none of the `||`-separated parts parses, e.g. `a || b`, not a table [1].')[0]?.claim,
      'It throws when none of the `||`-separated parts parses, e.g. `a || b`, not a table',
    );
    assert.deepEqual(
      claims('| flux | the level [1] and more | doors [2] |\n').map(c => c.claim),
      ['the level', 'doors'],
    );
    assert.equal(claims('Intro.\n[1] is on | off | auto [2].')[1]?.claim, 'is on | off | auto');
    assert.deepEqual(
      claims('| op | meaning |\n|---|---|\n| `\\|` | a or b, as in x \\| y [1] | z [2] |\n').map(c => c.claim),
      ['a or b, as in x | y', 'z'],
    );
    assert.equal(claims('Run `npm ci. Then` it [1].')[0]?.claim, 'Run `npm ci. Then` it');
    assert.equal(claims('It is written in C. It runs fast [1].')[0]?.claim, 'It runs fast');
    assert.equal(claims('**George** W. Bush signed it [1].')[0]?.claim, 'George W. Bush signed it');
    assert.equal(claims('It was proposed by J. Smith in 2001 [1].')[0]?.claim, 'It was proposed by J. Smith in 2001');
    // a row indented by any white space: its first cell's marker and the next one read the line alike
    assert.deepEqual(
      claims('\u00a0| flux | the level [1] | doors [2] |\n').map(c => c.claim),
      ['the level', 'doors'],
    );
  });

  it('drops emphasis from a claim but keeps its inline code as written, and the underscores of names', () => {
    assert.equal(
      claims('Set **`max_retries`** to _three_ in __init__ or MAX_WORKERS, not `a*b` [1].')[0]?.claim,
      'Set `max_retries` to three in init or MAX_WORKERS, not `a*b`',
    );
    assert.equal(claims('Set max\\_retries to 2*3, *not* 5 [1].')[0]?.claim, 'Set max_retries to 2*3, not 5');
    assert.equal(
      claims('Use 2**10 bytes, model__field, 2 \\* 3 and \\_\\_init\\_\\_ [1].')[0]?.claim,
      'Use 2**10 bytes, model__field, 2 * 3 and __init__',
    );
  });

  it("reads a link's text, not its destination, and leaves links in inline code and escaped brackets as written", () => {
    assert.equal(
      claims('See [the `max_retries` guide](https://example.com/a_b "Guide") and ![a *chart*](c.png) too [1].')[0]
        ?.claim,
      'See the `max_retries` guide and a chart too',
    );
    assert.equal(claims('Write `[a](b)` or \\[x\\](y) [1].')[0]?.claim, 'Write `[a](b)` or [x](y)');
  });

  it('reads a quoted claim without its quote markers, and a `>` inside a line as written', () => {
    assert.deepEqual(
      claims(
        'The docs say:\n\n> Set `flux.level` to 88 [1].\n> Values above 88 are\n> clamped [2].\n>\n> - a quoted item [3]\n',
      ).map(c => c.claim),
      ['Set `flux.level` to 88', 'Values above 88 are clamped', 'a quoted item'],
    );
    // a quoted table's cells are claims as an unquoted one's
    assert.deepEqual(
      claims('> | option | meaning |\n> |---|---|\n> | flux | the level [1] | doors open upward [2] |\n').map(
        c => c.claim,
      ),
      ['the level', 'doors open upward'],
    );
    assert.deepEqual(
      claims('Values [1] > 88 are clamped [2]. So A > B [3].').map(c => c.claim),
      ['Values', '> 88 are clamped', 'So A > B'],
    );
  });

  it('leaves out an aside that only points at the source, but not a call or a figure in brackets', () => {
    assert.deepEqual(
      claims(
        'Set flux to 88 (see [1]). It is clamped ([2]). Doors open (as described in [3]). Risk fell (HR 0.8 [4]). Call f(x [5]).',
      ).map(c => c.claim),
      ['Set flux to 88', 'It is clamped', 'Doors open', 'Risk fell (HR 0.8', 'Call f(x'],
    );
    // an aside of its own after the sentence, or after a marker, points at the source of the claim before it
    assert.deepEqual(
      claims('Set flux to 88. (See [1].) Doors open upward [2] (see also [3]).').map(c => [c.n, c.claim, c.claimId]),
      [
        [1, 'Set flux to 88.', 1],
        [2, 'Doors open upward', 2],
        [3, 'Doors open upward', 2],
      ],
    );
    // words that are no pointer are the claim's
    assert.equal(
      claims('The watcher runs everywhere (not on Windows [1]).')[0]?.claim,
      'The watcher runs everywhere (not on Windows',
    );
  });

  it('handles CRLF line ends', () => {
    assert.deepEqual(
      claims('First line.\r\n- item one [1]\r\n- item two [2]\r\n').map(c => c.claim),
      ['item one', 'item two'],
    );
  });

  it('starts a claim after a heading, a setext underline, a rule or a fence line, and after a CRLF blank line', () => {
    const after = [
      '## Flux settings\nSet flux.level to 88 [1].',
      'Intro\n## Flux settings\r\nSet flux.level to 88 [1].',
      'Flux settings\n=============\nSet flux.level to 88 [1].',
      'Flux settings\r\n---\r\nSet flux.level to 88 [1].',
      'Use this:\n```yaml\nflux: 88\n```\nSet flux.level to 88 [1].',
      '> Use this:\n> ~~~\n> flux: 88\n> ~~~\n> Set flux.level to 88 [1].',
      'Flux settings\r\n\r\nSet flux.level to 88 [1].',
    ];
    for (const text of after) {
      // the same claim however the answer is cut into tokens
      for (let cut = 0; cut <= text.length; cut++)
        assert.deepEqual(
          claims(text.slice(0, cut), text.slice(cut)).map(c => c.claim),
          ['Set flux.level to 88'],
          `${JSON.stringify(text)} split at ${cut}`,
        );
    }
    // a marker on a heading's line cites the heading's words
    assert.equal(claims('Intro\n## Flux settings [1]\nText.')[0]?.claim, 'Flux settings');
    // after a marker, mid-line, `##` and `==` open no heading
    assert.deepEqual(
      claims('Doors open [1] ## upward\nand close [2]. Flux [3] ==\nis 88 [4].').map(c => c.claim),
      ['Doors open', 'upward and close', 'Flux', '== is 88'],
    );
  });

  it('ends a claim at a Chinese or Japanese full stop, exclamation or question mark, with no space after it', () => {
    assert.deepEqual(
      claims('系统会重试五次。默认的超时时间是三十秒[1]。真的吗？是的[2]！').map(c => c.claim),
      ['默认的超时时间是三十秒', '是的'],
    );
  });

  it('finds the claim in a long run of full stops (a model stuck repeating them)', () => {
    assert.equal(claimBefore(`Intro${'.'.repeat(50_000)}x`).length, 50_006, 'no sentence ends before the x');
  });

  it('finds the claim in text with nothing but a marker after a sentence', () => {
    assert.equal(claimBefore('Alpha. Beta gamma. '), 'Beta gamma.');
    assert.equal(claimBefore(''), '');
  });
});

/** The blocks the panel commits while `text` streams in a character at a time, and the tail left at its end. */
function blocksAsCommitted(text: string): string[] {
  const blocks: string[] = [];
  let committed = 0;
  for (let end = 1; end <= text.length; end++) {
    const to = commitBoundary(text.slice(0, end), committed);
    if (to > committed) blocks.push(text.slice(committed, to));
    committed = Math.max(committed, to);
  }
  blocks.push(text.slice(committed));
  return blocks;
}
