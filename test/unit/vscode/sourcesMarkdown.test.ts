import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { passage } from '../../fakes/fakeRetriever';
import { commandArgs, OPEN_CITATION, sourcesMarkdown } from '../../../src/vscode/sourcesMarkdown';

/** The links of rendered markdown, as markdown-it renders them (as VS Code's chat view does). */
function links(markdown: string): { text: string; href: string }[] {
  const html = new MarkdownIt().render(markdown);
  return [...html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map(m => ({ href: m[1] ?? '', text: m[2] ?? '' }));
}

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
});
