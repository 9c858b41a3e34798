/**
 * Settles a build's promise once, whichever comes first: its result, its failure, the end of what ran it, or the
 * signal's abort, which rejects with an AbortError and calls `stop`. Returns `finish`, which runs `settle` (resolving
 * or rejecting) unless the promise is already settled.
 */
export function settleOnce(
  reject: (reason: unknown) => void,
  signal: AbortSignal | undefined,
  stop: () => void,
): (settle: () => void) => void {
  let settled = false;
  const finish = (settle: () => void): void => {
    if (settled) return;
    settled = true;
    signal?.removeEventListener('abort', onAbort);
    settle();
  };
  const onAbort = (): void => {
    finish(() => reject(new DOMException('The index build was cancelled.', 'AbortError')));
    stop();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return finish;
}
