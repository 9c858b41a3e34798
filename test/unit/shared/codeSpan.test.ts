import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { codeSpan } from '../../../src/shared/codeSpan';

/** The text of the one code element in `markdown` as markdown-it (VS Code's chat view's renderer) renders it. */
function shownCode(markdown: string): string | undefined {
  const html = new MarkdownIt().renderInline(markdown);
  const codes = [...html.matchAll(/<code>([^]*?)<\/code>/g)];
  if (codes.length !== 1) return undefined;
  return codes[0]?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('codeSpan', () => {
  for (const name of [
    'docs/a.md:1-3',
    'we`ird.md:4',
    'two``runs`.md',
    '`start.md',
    'end.md`',
    '`',
    '```',
    ' spaced name ',
    ' lead.md',
    'a *b* _c_ [d](e) <f> &amp; \\g.md',
  ])
    it(`shows ${JSON.stringify(name)} as written, in one code span`, () => {
      assert.equal(shownCode(`*Asked again about ${codeSpan(name)} as it read.*`), name);
    });

  it('writes a name without backticks between single backticks, as before', () => {
    assert.equal(codeSpan('src/a.ts:10'), '`src/a.ts:10`');
  });
});
