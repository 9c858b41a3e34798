import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { tempDirs } from '../../support/tempDirs';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';

/** The CLI's entry as tsc compiles it (out/src/cli/main.js), run as `grounded` would be. */
const MAIN = join(__dirname, '../../../src/cli/main.js');

describe('grounded ask into a pipe that closes (a child process)', function () {
  this.timeout(30_000);
  const dirs = tempDirs();

  it('exits 0 quietly when the reader goes away after the first line, as `| head -1` does', async () => {
    const server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', 'npm ', 'install ', 'widget ', '[1].'],
      tokenDelayMs: 100,
    }));
    try {
      const cache = await dirs.make('grounded-ask-pipe-');
      const args = ['ask', 'install widget', '--folder', FIXTURE_WORKSPACE, '--json', '--no-grading'];
      const child = spawn(process.execPath, [MAIN, ...args, '--base-url', server.baseUrl, '--model', 'fault-model'], {
        env: { ...process.env, XDG_CACHE_HOME: cache, GROUNDED_API_KEY: 'sk-pipe' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // read the first chunk, then close the pipe as head does
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', resolve);
      });
      assert.equal(stderr, '');
      assert.equal(code, 0);
    } finally {
      await server.close();
    }
  });

  it('goes on with the answer on stdout, exit 0, when the reader of stderr goes away after the first progress line', async () => {
    const server = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', 'npm ', 'install ', 'widget ', '[1].'],
      tokenDelayMs: 100,
    }));
    try {
      const cache = await dirs.make('grounded-ask-stderr-pipe-');
      const args = ['ask', 'install widget', '--folder', FIXTURE_WORKSPACE, '--base-url', server.baseUrl];
      const child = spawn(process.execPath, [MAIN, ...args, '--model', 'fault-model'], {
        env: { ...process.env, XDG_CACHE_HOME: cache, GROUNDED_API_KEY: 'sk-pipe' },
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      // the progress lines that follow the first one (grading, writing) meet a closed pipe
      child.stderr.once('data', () => child.stderr.destroy());
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', resolve);
      });
      assert.match(stdout, /^Run npm install widget \[1\]\.\n\nSources:\n {2}\[1\] /);
      assert.equal(code, 0);
    } finally {
      await server.close();
    }
  });
});
