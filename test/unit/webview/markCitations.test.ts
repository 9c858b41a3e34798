import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { markCitations } from '../../../src/webview/markdown';

describe('the panel marking citations', () => {
  it('leaves a link whose destination holds a `[n]` working, and marks the citation after it', () => {
    const md = new MarkdownIt({ html: false, linkify: false });
    const marked = markCitations('See [the docs](https://x.org/a[1]b) and <https://x.org/[2]> [3].', 0);
    assert.equal(marked.markers, 1);
    const html = md.render(marked.text);
    assert.match(html, /<a href="https:\/\/x\.org\/a%5B1%5Db">the docs<\/a>/);
    assert.match(html, /<a href="https:\/\/x\.org\/%5B2%5D">https:\/\/x\.org\/\[2\]<\/a>/);
  });

  it('reads `[text][1]` as the text `[text]` and a chip, with or without a later `[1]: url` definition', () => {
    const md = new MarkdownIt({ html: false, linkify: false });
    const text = 'The flux is [high][1]. Logs go to [the log folder][2, 3].';
    for (const definitions of ['', '\n\n[1]: https://x.org/flux\n[2]: https://x.org/logs']) {
      const marked = markCitations(text + definitions, 0);
      assert.equal(marked.markers, 3);
      const html = md.render(marked.text);
      // what decorateCitations turns into chips follows the bracketed text as written; no link, no definition shown
      const chip = (ordinal: number, n: number) => `\uFDD0${ordinal}\uFDD1${n}\uFDD2`;
      assert.equal(
        html,
        `<p>The flux is [high][${chip(0, 1)}]. Logs go to [the log folder][${chip(1, 2)}${chip(2, 3)}].</p>\n`,
      );
    }
  });
});
