import assert from 'node:assert/strict';
import { MarkerScanner, markersOf } from '../../../src/shared/citationMarkers';
import MarkdownIt from 'markdown-it';
import { commitBoundary } from '../../../src/webview/streamingMarkdown';
import { random } from '../../fakes/seededRandom';

// Random answers built from the pieces that decide what is code: fences of both kinds and lengths (some with an info
// string, some holding backticks), list items with their code indented, block quotes with code in them, inline code,
// stray backticks, links with markers in their destinations and titles, markers split anywhere, CRLF. Every surface must count the same markers with the same ordinals: the core scanning the stream as
// it arrives, chat scanning it the same way, and the panel scanning each block it commits at a blank line.

const PIECES = [
  'The config is parsed [1].',
  'Use `arr[2]` here [3].',
  'Press the ` key [4].',
  'See ``a ` b`` [5] too.',
  'Call ```ts``` inline [6].',
  'Text [6, 7].',
  '```\narr[8] = 1\n```',
  '```ts\nconst x = y[9];\n~~~\n```',
  '~~~\n```\nz[10]\n~~~',
  '````md\n```\nw[11]\n```\n````',
  '1. Step one [12].\n\n   ```sh\n   grep a[13] x\n   ```',
  '- Item [14]\n  ```py\n  b[15]\n  ```',
  '1. ```sh\n   c[18]\n   ```',
  '- ```py\n  d[19]\n  ```',
  '1990 was warm [20].',
  '10. ```sh\n    e[21]\n    ```',
  '- ```\n- f [22]',
  '- ```js\n  g[23]\n\u00a0\nh [24]',
  '    indented [16] text',
  '1. Install it:\n\n    ```bash\n    npm i a[25]\n    ```\n\n2. Run it [26].',
  '- a\n  - b:\n\n      ```sh\n      x[27]\n      ```',
  '- Step:\n    ```py\n    print(argv[28])\n    ```\n- next [29]',
  'Para [30]\n\n    code[31]\n\n    more[32]\nEnd [33].',
  '## Example [34]\n    arr[35] = 1',
  'Intro [36]\n---\n    a[37]\n***\n    b[38]\nEnd [39]',
  'The steps:\n2. run it\n\n    code[40] here',
  '> Quoted [41] text.\n> ```js\n> const q = a[42];\n> ```\n> after [43]',
  '> - item [44]\n>   ```sh\n>   r[45]\n>   ```',
  '1. Step:\n   > ```py\n   > s[46]\n   > ```',
  '> ```\n> t[47]\nu [48]',
  '> > ```\n> > v[49]\n> > ```\n> w [50]',
  '```\n> x[51]\n> ```\ny[52]\n```',
  '>     code[53]\n>\n>    para [54]',
  '> 1. Step one\n>    - sub [56]\n>\n>      More [57].',
  '>\ttab [58]\n>\n>\t\tcode[59]',
  'See [the docs](https://x.org/a[60]b) [61].',
  'Open <https://x.org/p[62]> now [63].',
  '[Guide [64]](docs/g.md "about [65]")',
  '[x [d](u)](v[66])',
  'Bad [a](b[67] c) link.',
  "![img](s[68].png) and [b](<c [69]> 't [70]')",
  '[',
  '17]',
  '`',
  '\n',
  ' ',
];

/** `blocks`: the pieces are joined by blank lines (else by a blank line or a space, at random). */
function answer(next: () => number, blocks = false): string {
  const parts: string[] = [];
  const n = 2 + Math.floor(next() * 10);
  for (let i = 0; i < n; i++) parts.push(PIECES[Math.floor(next() * PIECES.length)] as string);
  const text = parts.join(blocks || next() < 0.5 ? '\n\n' : ' ');
  return next() < 0.3 ? text.replace(/\n/g, '\r\n') : text;
}

/** The cited numbers that markdown-it renders outside code, links' destinations and titles, and autolinks. */
function renderedMarkers(markdown: { render(text: string): string }, text: string): number[] {
  const html = markdown
    .render(text)
    .replace(/<code[^>]*>[\s\S]*?<\/code>/g, '')
    .replace(/<a href="[^"]*">https:[^<]*<\/a>/g, '')
    .replace(/<[^>]*>/g, '');
  return [...html.matchAll(/\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g)].flatMap(m =>
    (m[1] ?? '').split(',').map((n: string) => Number(n.trim())),
  );
}

const shown = (text: string, cuts: number[]): string => {
  const scanner = new MarkerScanner();
  const pieces = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    pieces.push(...scanner.push(text.slice(from, cut)));
    from = cut;
  }
  pieces.push(...scanner.flush());
  return pieces.map(p => (p.type === 'text' ? p.text : `<${p.n}#${p.ordinal}>`)).join('');
};

/** `text` with every marker-like bracket taken out, again until none is left (`[[2]1]` leaves none). */
function withoutMarkers(text: string): string {
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/\[\d{1,3}(?:[ \t]*,[ \t]*\d{1,3})*\]/g, '');
  }
  return text;
}

/** The markers the panel counts: blocks committed as the answer streams in, each scanned on its own. */
function panelMarkers(text: string, step: number): number[] {
  const blocks: string[] = [];
  let committed = 0;
  for (let end = Math.min(step, text.length); ; end = Math.min(end + step, text.length)) {
    const to = commitBoundary(text.slice(0, end), committed);
    if (to > committed) blocks.push(text.slice(committed, to));
    committed = Math.max(committed, to);
    if (end === text.length) break;
  }
  blocks.push(text.slice(committed));
  return blocks.flatMap(b => markersOf(b).map(m => m.n));
}

describe('the marker scanner on random answers', () => {
  it('counts the same markers however the answer is split into tokens, and loses or doubles no text', () => {
    const next = random(18);
    for (let k = 0; k < 400; k++) {
      const text = answer(next);
      const whole = shown(text, []);
      const cuts = [
        ...new Set(Array.from({ length: 1 + Math.floor(next() * 12) }, () => Math.floor(next() * text.length))),
      ]
        .filter(c => c > 0)
        .sort((a, b) => a - b);
      assert.equal(shown(text, cuts), whole, `${JSON.stringify(text)} cut at ${cuts.join(',')}`);
      // the text around the markers is all there, once: both sides without anything that reads as a marker
      assert.equal(withoutMarkers(whole.replace(/<\d+#\d+>/g, '')), withoutMarkers(text), JSON.stringify(text));
    }
  });

  it('counts in the panel, block by block, the markers the core counts in the whole answer', () => {
    const next = random(19);
    for (let k = 0; k < 400; k++) {
      const text = answer(next);
      const core = markersOf(text).map(m => m.n);
      assert.deepEqual(panelMarkers(text, 1 + Math.floor(next() * 40)), core, JSON.stringify(text));
    }
  });

  it('reads as code what markdown-it renders as code: fences at any depth of lists, indented code', () => {
    // joined by blank lines: a code span across lines (which the scanner does not follow) cannot form between pieces
    const markdown = new MarkdownIt();
    const next = random(20);
    for (let k = 0; k < 400; k++) {
      const text = answer(next, true);
      assert.deepEqual(
        markersOf(text).map(m => m.n),
        renderedMarkers(markdown, text),
        JSON.stringify(text),
      );
    }
  });
});
