import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Milliseconds of each call of `fn` over `inputs`, sorted. */
export function timeEach<T>(inputs: readonly T[], fn: (input: T) => unknown): number[] {
  const times = inputs.map(input => {
    const t0 = performance.now();
    fn(input);
    return performance.now() - t0;
  });
  return times.sort((a, b) => a - b);
}

/**
 * Watches the event loop while `work` runs: a 5 ms interval timer that records how late it fires. The largest
 * delay is the longest the loop was blocked (what a user typing in the editor would feel).
 */
export async function withLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; maxLagMs: number; ms: number }> {
  let maxLagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 5);
    last = now;
  }, 5);
  const t0 = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - t0;
    await new Promise(r => setTimeout(r, 20)); // let the timer see a block at the very end
    return { result, maxLagMs, ms };
  } finally {
    clearInterval(timer);
  }
}

/** Full GCs, with turns between them so freed array buffers are released too: heap figures then mean retained memory. */
export async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise(r => setTimeout(r, 10));
  }
}

export const fmt = (ms: number, digits = 2): string => (Number.isFinite(ms) ? ms.toFixed(digits) : 'n/a');
