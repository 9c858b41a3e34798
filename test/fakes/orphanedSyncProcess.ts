// A stand-in for a sync's process that is busy when the process that started it goes away: it sends progress, then
// works on without turning its event loop (so it does not hear the channel close) until that process says, by
// creating the file it was sent, that its end of the channel is closed; then it sends progress again.
import { existsSync } from 'node:fs';
import { sendToParent } from '../../src/index/build/syncProcess';

process.once('message', (gone: string) => {
  sendToParent({ type: 'progress', done: 1, total: 2 });
  while (!existsSync(gone)) {
    // busy reading files
  }
  sendToParent({ type: 'progress', done: 2, total: 2 });
});
process.once('disconnect', () => process.exit(0)); // as the index worker does
