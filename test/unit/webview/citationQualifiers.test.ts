import assert from 'node:assert/strict';
import type { CitationView } from '../../../src/shared/messages';
import { qualifiers } from '../../../src/webview/markdown';

const moved = (over: Partial<CitationView> = {}): CitationView => ({
  ordinal: 0,
  n: 2,
  movedFrom: 3,
  path: 'docs/flux.md',
  startLine: 4,
  endLine: 4,
  claim: 'Flux is 88',
  ...over,
});

describe('the words a panel chip is qualified with', () => {
  it('explains a supported moved citation as the lines that say the claim', () => {
    for (const support of ['supported', undefined] as const)
      assert.deepEqual(
        qualifiers(moved({ support })).map(q => q.explanation),
        ['Moved from [3]: the lines that say this are in source 2.'],
      );
  });

  it('never says the lines of a moved citation say the claim when its verdict says they do not, or only partly', () => {
    const unsupported = qualifiers(moved({ support: 'unsupported' })).map(q => q.explanation);
    assert.deepEqual(unsupported, [
      'Moved from [3]: source 2 matches this more closely than source 3.',
      'Not in source: the cited lines do not say this.',
    ]);
    const partial = qualifiers(moved({ support: 'partial' })).map(q => q.explanation);
    assert.deepEqual(partial, [
      'Moved from [3]: source 2 matches this more closely than source 3.',
      'Partly supported: the cited lines say only part of this.',
    ]);
  });
});
