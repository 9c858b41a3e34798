import assert from 'node:assert/strict';
import { evaluateRun, formatTrecRun, queryMetrics, trecOrder } from '../../../src/cli/evalMetrics';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('evaluation metrics', () => {
  it('orders equal scores by document id descending, as trec_eval does', () => {
    const ordered = trecOrder([
      { doc: 'a', score: 1 },
      { doc: 'c', score: 1 },
      { doc: 'b', score: 2 },
      { doc: '10', score: 1 },
      { doc: '9', score: 1 },
    ]);
    assert.deepEqual(
      ordered.map(e => e.doc),
      ['b', 'c', 'a', '9', '10'],
    );
  });

  it('computes nDCG@10, MRR@10 and recall on a hand-made run', () => {
    // relevant: d2 (gain 2) and d5 (gain 1); run ranks d2 at 3 and d5 at 12
    const judged = new Map([
      ['d2', 2],
      ['d5', 1],
      ['dx', 0],
    ]);
    const entries = ['n1', 'dx', 'd2', ...Array.from({ length: 8 }, (_, i) => `m${i}`), 'd5'].map((doc, i) => ({
      doc,
      score: 100 - i,
    }));
    const m = queryMetrics(entries, judged);
    close(m.ndcgAt10, 2 / Math.log2(4) / (2 / Math.log2(2) + 1 / Math.log2(3)));
    close(m.mrrAt10, 1 / 3);
    close(m.recallAt10, 1 / 2);
    close(m.recallAt100, 1);
  });

  it('lets tie order decide the rank (a tie with a larger id goes first)', () => {
    const m = queryMetrics(
      [
        { doc: '1', score: 5 },
        { doc: '2', score: 5 },
      ],
      new Map([['1', 1]]),
    );
    close(m.mrrAt10, 1 / 2);
  });

  it('averages over every judged query with a relevant document, counting a missing one as zero', () => {
    const qrels = new Map([
      ['q1', new Map([['d1', 1]])],
      ['q2', new Map([['d9', 1]])],
      // judged, but nothing relevant: trec_eval leaves such a query out
      ['q4', new Map([['d1', 0]])],
    ]);
    const run = new Map([
      ['q1', [{ doc: 'd1', score: 1 }]],
      ['q3', [{ doc: 'd9', score: 1 }]],
    ]);
    const { mean, queries } = evaluateRun(run, qrels);
    assert.equal(queries, 2);
    close(mean.mrrAt10, 0.5);
    close(mean.ndcgAt10, 0.5);
    close(mean.recallAt100, 0.5);
  });

  it('writes a TREC run file in trec_eval order', () => {
    const run = new Map([
      [
        'q1',
        [
          { doc: 'a', score: 1.5 },
          { doc: 'b', score: 2 },
        ],
      ],
    ]);
    assert.equal(formatTrecRun(run), 'q1 Q0 b 1 2 grounded\nq1 Q0 a 2 1.5 grounded\n');
  });
});
