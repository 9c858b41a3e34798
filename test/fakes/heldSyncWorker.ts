// The index worker, its syncs held once they hold the store's lock (syncHold), so that a test acts while a sync is
// surely under way. As a sync's own process it sends { type: 'held' } and is held until the process that started it
// goes away (then the sync goes on, unless the worker stops it); as a thread it is held until it is terminated.
import { isMainThread, parentPort } from 'node:worker_threads';
import { syncHold } from '../../src/index/build/syncIndex';

syncHold.whileLocked = () =>
  new Promise<void>(resolve => {
    if (isMainThread) {
      process.send?.({ type: 'held' });
      process.once('disconnect', () => setImmediate(resolve));
    } else parentPort?.once('message', () => resolve()); // the host sends nothing: the thread waits, alive
  });

// loaded once the hold is in place: a thread starts its sync as it loads
void import('../../src/index/build/indexWorker.js');
