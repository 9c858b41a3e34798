import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BUILD_NICE, lowerBuildThreadPriority } from '../../../../src/index/build/buildPriority';

/** Runs `lowerBuildThreadPriority` in a worker thread and answers with what it returned and that thread's priority. */
function lowerInWorker(): Promise<{ lowered: boolean; priority: number }> {
  const module = join(__dirname, '../../../../src/index/build/buildPriority.js');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    const lowered = require(${JSON.stringify(module)}).lowerBuildThreadPriority();
    parentPort.postMessage({ lowered, priority: getPriority() });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', message => {
      resolve(message as { lowered: boolean; priority: number });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('build thread priority', () => {
  it('lowers only the calling thread on Linux, never the thread that started it', async function () {
    if (process.platform !== 'linux') this.skip();
    const before = getPriority();
    const { lowered, priority } = await lowerInWorker();
    assert.equal(lowered, true);
    assert.equal(priority, Math.max(before, BUILD_NICE));
    assert.equal(getPriority(), before, 'the starting thread keeps its priority');
  });

  it('leaves the priority alone where a nice value belongs to the whole process', () => {
    const before = getPriority();
    assert.equal(lowerBuildThreadPriority('darwin'), false);
    assert.equal(lowerBuildThreadPriority('win32'), false);
    assert.equal(getPriority(), before);
  });
});
