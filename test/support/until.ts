// Waits for a condition another part of the system makes true (a server sees a request, an index takes in
// a save), polling instead of sleeping a fixed time: the test goes on as soon as the condition holds.

export interface UntilOptions {
  /** Gives up after this long (the caller asserts on the falsy value it gets back). */
  readonly ms?: number;
  /** How often `read` runs. */
  readonly everyMs?: number;
}

/** Calls `read` until it gives a truthy value or `ms` have passed; resolves to its last value. */
export async function until<T>(read: () => T | Promise<T>, { ms = 5000, everyMs = 10 }: UntilOptions = {}): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value || Date.now() >= deadline) return value;
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
}
