// A stand-in for a sync's process that allocates until V8 stops it at its heap limit; started without a limit it says
// so instead, so that a missing limit fails the test rather than taking the machine's memory.
import { getHeapStatistics } from 'node:v8';

process.once('message', () => {
  if (getHeapStatistics().heap_size_limit > 512 * 2 ** 20) {
    process.send?.({ type: 'error', message: 'started without a heap limit' });
    return;
  }
  const held: number[][] = [];
  for (;;) held.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
});
