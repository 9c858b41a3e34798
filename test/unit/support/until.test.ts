import assert from 'node:assert/strict';
import { until } from '../../support/until';

describe('until (test support)', () => {
  it('resolves to the first truthy value, reading async conditions too', async () => {
    let reads = 0;
    assert.equal(await until(async () => (++reads === 3 ? 'ready' : undefined), { everyMs: 1 }), 'ready');
    assert.equal(reads, 3);
  });

  it('gives up with the last falsy value once its time is up', async () => {
    assert.equal(await until(() => 0, { ms: 20, everyMs: 5 }), 0);
  });
});
