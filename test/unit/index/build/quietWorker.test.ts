import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDirs } from '../../../support/tempDirs';

const NOISY_WORKER = join(__dirname, '../../../fakes/noisyWorker.js');
const BUILD = join(__dirname, '../../../../src/index/build');

/** Runs `script` in a new Node process (stdout is then all the workers could print to) and returns its output. */
const runNode = (script: string) => promisify(execFile)(process.execPath, ['-e', script]);

describe('index worker threads and stdout (the MCP server speaks its protocol there)', () => {
  const dirs = tempDirs();
  let ws: string;
  before(async () => {
    ws = await dirs.make('grounded-quiet-');
    for (let i = 0; i < 40; i++) await writeFile(join(ws, `f${i}.md`), `# File ${i}\n\nalpha beta ${i}\n`);
  });

  it('sends what the sync worker prints to stderr, never to stdout', async () => {
    const { stdout, stderr } = await runNode(`
      const { runSyncTask } = require(${JSON.stringify(join(BUILD, 'indexWorkerClient.js'))});
      runSyncTask({ folders: [${JSON.stringify(ws)}], rules: {} }, { workerFile: ${JSON.stringify(NOISY_WORKER)} })
        .then(result => process.stderr.write('built ' + result.stats.files + ' files\\n'));
    `);
    assert.equal(stdout, '');
    assert.match(stderr, /noise from a worker/);
    assert.match(stderr, /built 40 files/);
  });

  it('sends what the helper threads print to stderr, never to stdout', async () => {
    const { stdout, stderr } = await runNode(`
      const { syncIndex } = require(${JSON.stringify(join(BUILD, 'syncIndex.js'))});
      const helpers = { workerFile: ${JSON.stringify(NOISY_WORKER)}, threads: 2, minBytes: 0 };
      syncIndex({ folders: [${JSON.stringify(ws)}], rules: {} }, { helpers })
        .then(result => process.stderr.write('built with ' + result.stats.timings.threads + ' threads\\n'));
    `);
    assert.equal(stdout, '');
    assert.match(stderr, /noise from a worker/);
    assert.match(stderr, /built with 2 threads/);
  });
});
