import * as assert from 'node:assert/strict';
import { excerpt } from '../../../src/core/rag/prompts';
import { sliceWhole } from '../../../src/shared/wholeCharacters';

/** Whether `text` holds half of a surrogate pair (a lone surrogate), which strict JSON parsers refuse. */
const holdsHalfCharacter = (text: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('sliceWhole', () => {
  it('slices as String.slice where no cut falls inside a character', () => {
    assert.equal(sliceWhole('abcdef', 1, 4), 'bcd');
    assert.equal(sliceWhole('a😀b', 0, 3), 'a😀');
    assert.equal(sliceWhole('abc', 0), 'abc');
  });

  it('leaves out a character whose halves a cut would separate, at either end', () => {
    // '😀' is two UTF-16 units: 1 and 2
    assert.equal(sliceWhole('a😀b', 0, 2), 'a');
    assert.equal(sliceWhole('a😀b', 2, 4), 'b');
    assert.equal(sliceWhole('😀', 1, 2), '');
    for (let start = 0; start <= 8; start++)
      for (let end = start; end <= 8; end++) assert.ok(!holdsHalfCharacter(sliceWhole('😀a😀b😀', start, end)));
  });
});

describe('prompt excerpts', () => {
  it('never cut an emoji or another character beyond the basic plane in half', () => {
    const text = `${'🙂'.repeat(300)}\nThe flux capacitor needs 1.21 GW ${'😀'.repeat(300)}\n${'𠜎'.repeat(300)}`;
    for (let max = 50; max < 120; max++) {
      const cut = excerpt(text, 'flux capacitor', max);
      assert.ok(!holdsHalfCharacter(cut), `cut at ${max}: ${JSON.stringify(cut.slice(-4))}`);
    }
  });
});
