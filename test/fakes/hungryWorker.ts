// A stand-in for the index worker that allocates until V8 stops it at its heap limit; started without a limit it
// says so instead (and exits), so that a missing limit fails the test rather than taking the machine's memory.
import { parentPort, resourceLimits } from 'node:worker_threads';

if (!resourceLimits.maxOldGenerationSizeMb) {
  parentPort?.postMessage({ type: 'error', message: 'started without a heap limit' });
} else {
  const held: number[][] = [];
  for (;;) held.push(Array.from({ length: 100_000 }, (_, i) => i * 1.5));
}
