/** Time as a port, so tests can run backoff schedules and silence limits without waiting. */
export interface Clock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
  /** Calls `fire` once `ms` have passed, unless the function it returns is called first. */
  timer(ms: number, fire: () => void): () => void;
}

export const realClock: Clock = {
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: Math.random,
  timer: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};
