import assert from 'node:assert/strict';
import { defaultWaitMs, until } from '../../support/until';

describe('until (test support)', () => {
  it('resolves to the first truthy value, reading async conditions too', async () => {
    let reads = 0;
    assert.equal(await until(async () => (++reads === 3 ? 'ready' : undefined), { everyMs: 1 }), 'ready');
    assert.equal(reads, 3);
  });

  it('gives up with the last falsy value once its time is up', async () => {
    assert.equal(await until(() => 0, { ms: 20, everyMs: 5 }), 0);
  });

  it('waits by default as long as the running test may run, its own timeout set inside it included', function () {
    this.timeout(120_000);
    const ms = defaultWaitMs();
    assert.ok(ms > 60_000 && ms < 120_000, `${ms} ms`);
    this.timeout(4_000);
    assert.ok(defaultWaitMs() < 4_000, 'less than the test has, leaving it time to report');
  });

  it('waits 5 s by default in a test without a timeout', function () {
    this.timeout(0);
    assert.equal(defaultWaitMs(), 5000);
  });
});
