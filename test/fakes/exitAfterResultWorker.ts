// A stand-in for the index worker that posts a real 'done' message carrying a large file table and exits at once,
// so its 'exit' event reaches the host right behind the result.
import { parentPort, workerData } from 'node:worker_threads';
import { syncIndex } from '../../src/index/build/syncIndex';
import type { SyncRequest } from '../../src/index/build/syncRequest';
import { doneMessage } from '../../src/index/build/workerMessages';
import { fileColumns } from '../../src/index/segments/fileTable';

const FILES = 60_000;

void syncIndex(workerData.request as SyncRequest).then(result => {
  result.snapshot.files = fileColumns(
    Array.from({ length: FILES }, (_, i) => ({
      path: `f${i}.md`,
      location: `/ws/f${i}.md`,
      mtimeMs: i,
      size: i,
      hash: '',
      segment: -1,
      firstDoc: 0,
      docCount: 0,
    })),
  );
  const { message, transfer } = doneMessage(result);
  parentPort?.postMessage(message, transfer);
  process.exit(0);
});
