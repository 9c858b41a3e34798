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
});
