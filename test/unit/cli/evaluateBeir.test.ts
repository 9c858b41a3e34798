import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBeirDataset } from '../../../src/cli/beirDataset';
import { evaluateBeir } from '../../../src/cli/evalCommand';
import { run } from '../../../src/cli/run';
import { tokenize, type Tokenizer } from '../../../src/index';
import { tempDirs } from '../../support/tempDirs';
import { BEIR_TINY } from '../index/fixturePaths';

describe('grounded eval and Ctrl-C', () => {
  const dirs = tempDirs();

  it('hears a Ctrl-C that comes while the queries are ranked, and stops there', async () => {
    const dataset = await loadBeirDataset(BEIR_TINY);
    const queryTexts = new Set(dataset.queries.map(q => q.text));
    const controller = new AbortController();
    let queriesRanked = 0;
    const tokenizer: Tokenizer = text => {
      if (queryTexts.has(text)) {
        // the first query is slow to rank, as a large corpus makes every query; Ctrl-C is pressed meanwhile
        if (++queriesRanked === 1) setImmediate(() => controller.abort());
        for (const start = performance.now(); performance.now() - start < 50;);
      }
      return tokenize(text);
    };
    await assert.rejects(evaluateBeir(dataset, { tokenizer, signal: controller.signal }), { name: 'AbortError' });
    assert.equal(queriesRanked, 1);
  });

  it('exits 130 on Ctrl-C with no metrics printed and no --run file written', async () => {
    const runFile = join(await dirs.make('grounded-eval-cancel-'), 'run.txt');
    const controller = new AbortController();
    controller.abort();
    let out = '';
    let err = '';
    const code = await run(['eval', BEIR_TINY, '--run', runFile], {
      out: t => (out += t),
      err: t => (err += t),
      signal: controller.signal,
    });
    assert.equal(code, 130);
    assert.equal(out, '');
    assert.equal(err, 'Cancelled.\n');
    assert.ok(!existsSync(runFile));
  });
});
