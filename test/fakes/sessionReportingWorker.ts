// A stand-in for the index worker that answers a sync with an error saying how it was started: as a worker thread,
// or as a process, and then whether that process leads a session of its own.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** The session id of this process (the sixth field of /proc/self/stat). */
const session = (): number => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ')[3]);

if (parentPort) parentPort.postMessage({ type: 'error', message: 'started as a worker thread' });
else
  process.once('message', () => {
    const own = session() === process.pid ? 'leading a session of its own' : 'in the session that started it';
    process.send?.({ type: 'error', message: `started as a process ${own}` });
  });
