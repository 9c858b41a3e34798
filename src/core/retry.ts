import type { Clock } from './clock';
import { cancelled, toGroundedError, type GroundedError } from './errors';
import type { RetryPolicy } from './options';

/** What a retry is told before its wait: the failure, the wait, and which retry this is (1-based) of how many. */
export interface RetryNote {
  error: GroundedError;
  delayMs: number;
  attempt: number;
  retries: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  /** Cancels the wait between attempts (a cancelled wait ends as `cancelled`). */
  signal?: AbortSignal;
  /** The failure as a GroundedError (its kind says whether it is transient, its options carry Retry-After); default: the core's mapping. */
  classify?: (e: unknown) => GroundedError;
  /** Whether another attempt may fix this failure; default: its kind is transient. */
  shouldRetry?: (error: GroundedError) => boolean;
  onRetry?: (note: RetryNote) => void;
}

/**
 * The one retry policy of model calls, embeddings and the remote retrievers: `run` is tried, and a failure that
 * `shouldRetry` (a transient one: rate limit, timeout, network) is tried again up to `policy.retries` times, after
 * a backoff with jitter that honours Retry-After. Anything else, the last failure, or one whose Retry-After asks for
 * longer than a retry waits, is thrown as classified.
 */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const classify = options.classify ?? ((e: unknown) => toGroundedError(e, options.signal));
  const shouldRetry = options.shouldRetry ?? ((error: GroundedError) => error.transient);
  for (let attempt = 0; ; attempt++) {
    // a request cancelled before an attempt (while its caller awaited something else) sends nothing
    if (options.signal?.aborted) throw cancelled();
    let error: GroundedError;
    try {
      return await run(attempt);
    } catch (e) {
      error = classify(e);
    }
    // a server that asks for a longer wait than a retry waits would refuse that retry too: its answer is final now
    const asked = error.options.retryAfterMs;
    if (
      error.kind === 'cancelled' ||
      options.signal?.aborted ||
      !shouldRetry(error) ||
      attempt >= options.policy.retries ||
      (asked !== undefined && asked > longestWaitMs(options.policy))
    )
      throw error;
    const delayMs = backoffMs(attempt, options.policy, options.clock.random(), error.options.retryAfterMs);
    options.onRetry?.({ error, delayMs, attempt: attempt + 1, retries: options.policy.retries });
    try {
      await options.clock.sleep(delayMs, options.signal);
    } catch {
      throw cancelled();
    }
  }
}

/** The longest a retry waits: Retry-After is honoured up to this; a server that asks for longer is not retried. */
const longestWaitMs = (policy: RetryPolicy): number => policy.maxDelayMs * 4;

/** The wait before retry `attempt + 1`: Retry-After when the server gave one (capped), else "equal jitter" exponential backoff. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, longestWaitMs(policy));
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exp / 2 + (random * exp) / 2); // never zero, never above the cap
}
