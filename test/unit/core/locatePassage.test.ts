import assert from 'node:assert/strict';
import { fingerprintOf, locatePassage } from '../../../src/core/locatePassage';

// A cited passage is found again by its text, or (in a restored conversation) by the fingerprint of its text.

const TEXT = 'const level = 88;\nexport { level };';
const byText = (startLine: number) => ({ startLine, text: TEXT });
const byFingerprint = (startLine: number) => ({ startLine, fingerprint: fingerprintOf(TEXT) });

describe('locatePassage', () => {
  for (const [how, at] of [
    ['its text', byText],
    ['the fingerprint of its text', byFingerprint],
  ] as const) {
    describe(`by ${how}`, () => {
      it('finds the passage where it was', () => {
        assert.deepEqual(locatePassage(`// a\n${TEXT}\n// b`, at(2)), { startLine: 2, endLine: 3, how: 'exact' });
      });

      it('finds the passage where it moved, the nearest copy first', () => {
        const file = [TEXT, 'x', 'y', 'z', 'w', TEXT, 'v'].join('\n');
        assert.deepEqual(locatePassage(file, at(5)), { startLine: 7, endLine: 8, how: 'moved' });
      });

      it('reads a CRLF file and a BOM as the passage’s lines', () => {
        assert.deepEqual(locatePassage(`\uFEFF${TEXT.replace('\n', '\r\n')}\r\n`, at(1)), {
          startLine: 1,
          endLine: 2,
          how: 'exact',
        });
      });

      it('is undefined when the text is gone', () => {
        assert.equal(locatePassage('const level = 89;\nexport { level };', at(1)), undefined);
      });
    });
  }

  it('finds a passage whose text keeps CRLF line ends (a remote row), by its text and by its fingerprint', () => {
    const crlf = TEXT.replace('\n', '\r\n');
    const file = `// a\n${TEXT}\n`;
    const found = { startLine: 2, endLine: 3, how: 'exact' };
    assert.deepEqual(locatePassage(file, { startLine: 2, text: crlf }), found);
    assert.deepEqual(locatePassage(file, { startLine: 2, fingerprint: fingerprintOf(crlf) }), found);
    assert.deepEqual(locatePassage(file.replace(/\n/g, '\r\n'), { startLine: 2, text: crlf }), found);
  });

  it('keeps of the text only its line count and a hash', () => {
    const fingerprint = fingerprintOf(TEXT);
    assert.equal(fingerprint.lines, 2);
    assert.match(fingerprint.sha256, /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(fingerprint).includes('level'));
  });
});
