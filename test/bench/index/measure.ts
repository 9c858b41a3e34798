import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
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

/** Nanoseconds this thread has spent runnable but waiting for a core (Linux's schedstat), or undefined elsewhere. */
function runqueueWaitNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Milliseconds the machine's virtual CPUs were ready but not run by the hypervisor (steal time, all CPUs summed,
 * in 10 ms steps), or undefined where /proc/stat does not say.
 */
function vmStealMs(): number | undefined {
  try {
    const steal = Number(readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/)[8]);
    return Number.isFinite(steal) ? steal * 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the virtual machine has gone `quietMs` without steal time (at most `maxMs`), and returns how long it
 * waited. After the bench frees a lot of memory (the corpus it wrote), a VM that hands free pages back to its host
 * stalls both CPUs for tens of ms every few seconds; a lag measured then would be the bench's, not the index's.
 */
export async function settleMachine(quietMs = 3000, maxMs = 60_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    const before = vmStealMs();
    if (before === undefined) break;
    await new Promise(r => setTimeout(r, quietMs));
    if (vmStealMs() === before) break;
  }
  return performance.now() - t0;
}

/**
 * Watches the event loop while `work` runs: a 5 ms interval timer that records how late it fires. The largest
 * delay is the longest the loop was blocked (what a user typing in the editor would feel). On Linux,
 * `maxLagWaitMs` is how much of that delay the thread spent runnable but waiting for a core (the scheduler's
 * share, not the loop's work nor a stall of the whole machine), `maxLagStealMs` the machine's steal time meanwhile
 * (both CPUs stalled by the hypervisor: the machine's, not the loop's), `maxLagGcMs` the time this thread's own
 * garbage collector paused it meanwhile (the bench's heap, not the index's: the index adds almost nothing to it), and
 * `maxLagAtMs` when, from the start of `work`, the timer that saw it fired.
 */
export async function withLoopLag<T>(work: () => Promise<T>): Promise<{
  result: T;
  maxLagMs: number;
  maxLagAtMs: number;
  maxLagWaitMs?: number;
  maxLagStealMs?: number;
  maxLagGcMs: number;
  ms: number;
}> {
  const pauses: [number, number][] = [];
  const gc = new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (e.duration >= 1) pauses.push([e.startTime, e.startTime + e.duration]);
  });
  gc.observe({ entryTypes: ['gc'] });
  let maxLagFrom = 0;
  let maxLagMs = 0;
  let maxLagAtMs = 0;
  let maxLagWaitMs: number | undefined;
  let maxLagStealMs: number | undefined;
  let last = performance.now();
  let lastWait = runqueueWaitNs();
  let lastSteal = vmStealMs();
  const t0 = last;
  const timer = setInterval(() => {
    const now = performance.now();
    const wait = runqueueWaitNs();
    const steal = vmStealMs();
    if (now - last - 5 > maxLagMs) {
      maxLagMs = now - last - 5;
      maxLagAtMs = now - t0;
      maxLagFrom = last;
      maxLagWaitMs = wait !== undefined && lastWait !== undefined ? (wait - lastWait) / 1e6 : undefined;
      maxLagStealMs = steal !== undefined && lastSteal !== undefined ? steal - lastSteal : undefined;
    }
    last = now;
    lastWait = wait;
    lastSteal = steal;
  }, 5);
  try {
    const result = await work();
    const ms = performance.now() - t0;
    await new Promise(r => setTimeout(r, 20)); // let the timer see a block at the very end
    const to = t0 + maxLagAtMs;
    const maxLagGcMs = pauses.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, maxLagFrom)), 0);
    return {
      result,
      maxLagMs,
      maxLagAtMs,
      maxLagGcMs,
      ms,
      ...(maxLagWaitMs !== undefined ? { maxLagWaitMs } : {}),
      ...(maxLagStealMs !== undefined ? { maxLagStealMs } : {}),
    };
  } finally {
    clearInterval(timer);
    gc.disconnect();
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
