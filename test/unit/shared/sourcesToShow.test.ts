import assert from 'node:assert/strict';
import type { Citation } from '../../../src/core/events';
import { sourcesToShow } from '../../../src/shared/sourcesToShow';
import { passage } from '../../fakes/fakeRetriever';

const sources = [passage(1), passage(2), passage(3)];
const cite = (
  n: number,
  ordinal: number,
  startLine: number,
  endLine = startLine,
  claim = `claim ${ordinal}`,
): Citation => {
  const p = sources[n - 1] ?? passage(n);
  return { n, ordinal, passage: p, claim, startLine, endLine };
};

describe('the sources a finished answer shows', () => {
  it('shows every claim’s citation, each cited range once in the order first cited, and each cited number once', () => {
    const citations = [cite(2, 0, 2), cite(1, 1, 1), cite(2, 2, 2, 2, 'another claim on the same line'), cite(2, 3, 3)];
    const shown = sourcesToShow({ citations, mode: 'answer' }, sources);
    assert.ok(shown.kind === 'cited');
    assert.deepEqual(shown.citations, citations, 'one per claim, in answer order');
    assert.deepEqual(
      shown.ranges.map(c => [c.passage.path, c.startLine, c.endLine, c.ordinal]),
      [
        ['docs/file2.md', 2, 2, 0],
        ['docs/file1.md', 1, 1, 1],
        ['docs/file2.md', 3, 3, 3],
      ],
    );
    assert.deepEqual(shown.numbers, [2, 1]);
  });

  it('shows the passages a model wrote from when its answer cites nothing', () => {
    assert.deepEqual(sourcesToShow({ citations: [], mode: 'answer' }, sources), { kind: 'written-from', sources });
  });

  it('shows nothing for search results that cite nothing (they found nothing)', () => {
    assert.deepEqual(sourcesToShow({ citations: [], mode: 'search' }, sources), { kind: 'written-from', sources: [] });
  });
});
