import assert from 'node:assert/strict';
import { EXCERPT_CHARS, EXCERPT_LINES, excerptOf } from '../../../src/vscode/panelCitations';

describe('the excerpt a panel chip shows on hover', () => {
  it('keeps short cited lines whole', () => {
    assert.equal(excerptOf('one\ntwo'), 'one\ntwo');
  });

  it('keeps the first lines of a long range and says it was cut', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const excerpt = excerptOf(lines.join('\n'));
    assert.equal(excerpt, `${lines.slice(0, EXCERPT_LINES).join('\n')}…`);
  });

  it('cuts a long line at the character limit, never inside a surrogate pair', () => {
    const excerpt = excerptOf(`${'a'.repeat(EXCERPT_CHARS - 1)}😀 and more`);
    assert.equal(excerpt, `${'a'.repeat(EXCERPT_CHARS - 1)}…`);
    assert.ok(excerptOf('b'.repeat(EXCERPT_CHARS * 2)).length <= EXCERPT_CHARS + 1);
  });
});
