import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { passage } from '../../fakes/fakeRetriever';
import { commandArgs, OPEN_CITATION, sourcesMarkdown } from '../../../src/vscode/sourcesMarkdown';

/** The links of rendered markdown, as markdown-it renders them (as VS Code's chat view does). */
function links(markdown: string): { text: string; href: string }[] {
  const html = new MarkdownIt().render(markdown);
  return [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map(m => ({ href: m[1] ?? '', text: m[2] ?? '' }));
}

/** Rendered text as a person reads it: markdown-it writes `&`, `<`, `>` and `"` as entities. */
const shown = (html: string): string =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

describe('the Sources line under a chat answer', () => {
  it('keeps a link whole when its passage has parentheses, as a heading like `Step 1) Install`', () => {
    const span = { ...passage(1, 'Run npm install.'), title: 'Step 1) Install (Linux)' };
    const [link] = links(sourcesMarkdown([{ span }], 'Sources'));
    assert.ok(link, 'one link');
    assert.ok(link.href.startsWith(`command:${OPEN_CITATION}?`), link.href);
    const args = JSON.parse(decodeURIComponent(link.href.split('?')[1] ?? '')) as { title: string }[];
    assert.equal(args[0]?.title, 'Step 1) Install (Linux)');
    assert.equal(commandArgs(['()']), '%5B%22%28%29%22%5D');
  });

  it('shows every file name as written, on one line, as its own link: blank lines, headings, entities and all', () => {
    const paths = ['notes\n\n# Heading.md', 'a\r\n\r\n    code.md', 'e&lt;b&gt; *x* [1](command:x).md', 'plain.md'];
    const ranges = paths.map(path => ({ span: { ...passage(1, 'a'), path, id: path, location: `/w/${path}` } }));
    const markdown = sourcesMarkdown(ranges, 'Sources');
    const html = new MarkdownIt().render(markdown);
    assert.equal(html.match(/<p>/g)?.length, 1, html);
    const found = links(markdown);
    assert.deepEqual(
      found.map(l => shown(l.text)),
      [
        'notes\\n\\n# Heading.md:1-3',
        'a\\r\\n\\r\\n    code.md:1-3',
        'e&lt;b&gt; *x* [1](command:x).md:1-3',
        'plain.md:1-3',
      ],
    );
    for (const [i, link] of found.entries()) {
      const args = JSON.parse(decodeURIComponent(link.href.split('?')[1] ?? '')) as { path: string }[];
      assert.equal(args[0]?.path, paths[i]);
    }
  });

  it('says the verdict in words after a range whose lines do not support what cites it', () => {
    const markdown = sourcesMarkdown(
      [{ span: passage(1, 'a') }, { span: passage(2, 'b'), verdict: 'not in the source' }],
      'Sources',
    );
    assert.deepEqual(
      links(markdown).map(l => l.text),
      ['docs/file1.md:1-3', 'docs/file2.md:1-3'],
    );
    assert.match(markdown, /\(command:[^)\s]+\) · \[[^\]]+\]\(command:[^)\s]+\) — \*not in the source\*$/);
  });

  it('names a range of one line by that line, as the anchor in the answer does', () => {
    const span = { ...passage(1, 'a'), startLine: 56, endLine: 56 };
    assert.deepEqual(
      links(sourcesMarkdown([{ span }, { span: { ...span, page: 4 } }], 'Sources')).map(l => l.text),
      ['docs/file1.md:56', 'docs/file1.md#page=4:56'],
    );
  });
});
