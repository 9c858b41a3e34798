import assert from 'node:assert/strict';
import { locatePassage } from '../../../src/core/locatePassage';
import { parseStoredPassage, toStoredPassage } from '../../../src/vscode/storedPassage';
import { passage } from '../../fakes/fakeRetriever';

describe('stored passages', () => {
  it('survive JSON and still find their lines after the file changed', () => {
    const cited = { ...passage(1, 'Flux is 88.\nThe doors open upwards.'), startLine: 3, endLine: 4, page: 2 };
    const parsed = parseStoredPassage(JSON.parse(JSON.stringify(toStoredPassage(cited))));
    assert.ok(parsed);
    assert.equal('text' in parsed, false, 'no text is kept');
    assert.deepEqual(parsed, toStoredPassage(cited));
    const file = 'new first line\n# Title\n\nFlux is 88.\nThe doors open upwards.\n';
    assert.deepEqual(locatePassage(file, parsed), { startLine: 4, endLine: 5, how: 'moved' });
  });

  it('rejects a malformed value instead of opening something', () => {
    const good = toStoredPassage(passage(1, 'Flux is 88.'));
    for (const bad of [
      undefined,
      'docs/file1.md',
      { ...good, startLine: 0 },
      { ...good, endLine: good.startLine - 1 },
      { ...good, location: 42 },
      { ...good, fingerprint: { lines: 1 } },
      { ...good, cell: '3' },
      { ...good, cellOutput: false },
    ])
      assert.equal(parseStoredPassage(bad), undefined, JSON.stringify(bad));
  });
});
