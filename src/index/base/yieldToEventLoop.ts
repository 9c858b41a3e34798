import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Returns a function to call often inside a long loop: it lets the event loop run (one `setImmediate` turn)
 * whenever `budgetMs` of work has passed since the last turn, so the host stays responsive. It also throws
 * when `signal` is aborted, so loops that yield are loops that cancel.
 */
export function createYielder(signal?: AbortSignal, budgetMs = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    signal?.throwIfAborted();
    if (performance.now() - last < budgetMs) return;
    await nextTurn();
    signal?.throwIfAborted();
    last = performance.now();
  };
}
