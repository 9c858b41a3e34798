import assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import { backoffMs, withRetry, type RetryNote } from '../../../src/core/retry';
import { FakeClock } from '../../fakes/fakeClock';

const policy = { retries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/** A run that fails with `failures` in turn, then returns 'ok'; counts its attempts. */
function flaky(failures: unknown[]) {
  const attempts: number[] = [];
  const run = async (attempt: number): Promise<string> => {
    attempts.push(attempt);
    const failure = failures[attempt];
    if (failure !== undefined) throw failure;
    return 'ok';
  };
  return { attempts, run };
}

describe('withRetry', () => {
  it('retries a transient failure after a backoff, telling onRetry, then returns the result', async () => {
    const clock = new FakeClock();
    const notes: RetryNote[] = [];
    const { attempts, run } = flaky([
      new GroundedError('rate-limit', 'slow down'),
      new GroundedError('network', 'dropped'),
    ]);
    assert.equal(await withRetry(run, { policy, clock, onRetry: n => notes.push(n) }), 'ok');
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.deepEqual(clock.sleeps, [backoffMs(0, policy, 0.5), backoffMs(1, policy, 0.5)]);
    assert.deepEqual(
      notes.map(n => [n.error.kind, n.attempt, n.retries]),
      [
        ['rate-limit', 1, 2],
        ['network', 2, 2],
      ],
    );
  });

  it('throws a failure that is not transient at once', async () => {
    const clock = new FakeClock();
    const { attempts, run } = flaky([new GroundedError('auth', 'no')]);
    await assert.rejects(
      withRetry(run, { policy, clock }),
      (e: unknown) => e instanceof GroundedError && e.kind === 'auth',
    );
    assert.deepEqual(attempts, [0]);
    assert.deepEqual(clock.sleeps, []);
  });

  it('throws the last transient failure when the retries are spent', async () => {
    const { attempts, run } = flaky([1, 2, 3].map(n => new GroundedError('timeout', `slow ${n}`)));
    await assert.rejects(withRetry(run, { policy, clock: new FakeClock() }), /slow 3/);
    assert.deepEqual(attempts, [0, 1, 2]);
  });

  it('waits as long as Retry-After says, up to four times the longest backoff', async () => {
    const clock = new FakeClock();
    const { run } = flaky([
      new GroundedError('rate-limit', 'a', { retryAfterMs: 2500 }),
      new GroundedError('rate-limit', 'b', { retryAfterMs: 4000 }),
    ]);
    await withRetry(run, { policy, clock });
    assert.deepEqual(clock.sleeps, [2500, 4000]);
  });

  it('does not retry sooner than a Retry-After longer than that asks: the failure is final at once', async () => {
    const clock = new FakeClock();
    const { attempts, run } = flaky([new GroundedError('rate-limit', 'quota', { retryAfterMs: 60_000 })]);
    await assert.rejects(withRetry(run, { policy, clock }), /quota/);
    assert.deepEqual(attempts, [0]);
    assert.deepEqual(clock.sleeps, []);
  });

  it('classifies failures with the given mapping and retries only what shouldRetry allows', async () => {
    const { attempts, run } = flaky([new Error('ECONNRESET'), new Error('second')]);
    const classify = (e: unknown) => new GroundedError('network', e instanceof Error ? e.message : 'x');
    await assert.rejects(
      withRetry(run, { policy, clock: new FakeClock(), classify, shouldRetry: err => err.message !== 'second' }),
      /second/,
    );
    assert.deepEqual(attempts, [0, 1]);
  });

  it('ends as cancelled when the signal aborts during the wait', async () => {
    const controller = new AbortController();
    const clock = new FakeClock();
    const { attempts, run } = flaky([new GroundedError('network', 'dropped')]);
    const onRetry = () => controller.abort();
    await assert.rejects(
      withRetry(run, { policy, clock, signal: controller.signal, onRetry }),
      (e: unknown) => e instanceof GroundedError && e.kind === 'cancelled',
    );
    assert.deepEqual(attempts, [0]);
  });
});
