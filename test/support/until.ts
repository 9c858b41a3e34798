// Waits for a condition another part of the system makes true (a server sees a request, an index takes in
// a save), polling instead of sleeping a fixed time: the test goes on as soon as the condition holds.

export interface UntilOptions {
  /** Gives up after this long (the caller asserts on the falsy value it gets back); default: see `until`. */
  readonly ms?: number;
  /** How often `read` runs. */
  readonly everyMs?: number;
}

/** Without a test running (a hook, a script), or with its timeout off, a wait gives up after this long. */
const OUTSIDE_A_TEST_MS = 5000;
/** What a wait leaves of its test's time, for the test to assert on what it got and say why it failed. */
const LEFT_TO_THE_TEST_MS = 1000;

/** The mocha test running now and when it started (mocha's hooks, once this module is loaded in a mocha run). */
let running: { test: Mocha.Runnable; started: number } | undefined;
if (typeof beforeEach === 'function' && typeof afterEach === 'function') {
  beforeEach(function () {
    running = this.currentTest ? { test: this.currentTest, started: Date.now() } : undefined;
  });
  afterEach(() => {
    running = undefined;
  });
}

/**
 * How long a wait begun now may last by default: as long as the running test may still run (less a moment to
 * report), so that how long a condition takes on a slow or busy machine is bounded by the test's own timeout only.
 */
export function defaultWaitMs(now = Date.now()): number {
  const timeout = running?.test.timeout() ?? 0;
  if (!running || timeout <= 0) return OUTSIDE_A_TEST_MS;
  return Math.max(0, running.started + timeout - LEFT_TO_THE_TEST_MS - now);
}

/** Calls `read` until it gives a truthy value or `ms` have passed; resolves to its last value. */
export async function until<T>(read: () => T | Promise<T>, { ms, everyMs = 10 }: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + (ms ?? defaultWaitMs());
  for (;;) {
    const value = await read();
    if (value || Date.now() >= deadline) return value;
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
}
