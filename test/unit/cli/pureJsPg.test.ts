import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort } from '../../support/closedPort';
import { tempDirs } from '../../support/tempDirs';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';

// The bundles (dist/, built by `node esbuild.mjs`) hold pg's pure-JS client and never pg-native.

const DIST = join(__dirname, '../../../../dist');

/** A bundle's path; fails with what to run when dist/ has not been built. */
function bundle(name: string): string {
  const file = join(DIST, name);
  if (!existsSync(file)) assert.fail(`${file} is missing: build the bundles first with \`node esbuild.mjs\`.`);
  return file;
}

/** Runs dist/cli.js with `env` added to this process's environment. */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bundle('cli.js'), ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

describe('pg in the bundles, with NODE_PG_FORCE_NATIVE set (as a shell may set it for other programs)', function () {
  this.timeout(60_000);
  const dirs = tempDirs();
  const FORCE_NATIVE = { NODE_PG_FORCE_NATIVE: '1' };

  it('searches the local index with `grounded search`', async () => {
    const cache = await dirs.make('grounded-pg-native-');
    const { code, stdout, stderr } = await cli(['search', 'install widget', '--folder', FIXTURE_WORKSPACE], {
      ...FORCE_NATIVE,
      XDG_CACHE_HOME: cache,
    });
    assert.doesNotMatch(stderr, /pg-native/);
    assert.equal(code, 0, stderr);
    assert.notEqual(stdout, '');
  });

  it('reaches for PostgreSQL with the pure-JS client, and says when the server is not there', async () => {
    const port = await closedPort();
    const { code, stderr } = await cli(
      ['search', 'widget', '--retriever', 'pgvector', '--connection-string', `postgres://u@127.0.0.1:${port}/db`],
      FORCE_NATIVE,
    );
    assert.doesNotMatch(stderr, /pg-native/);
    assert.match(stderr, /^grounded: PostgreSQL at 127\.0\.0\.1:\d+\/db could not be reached \(ECONNREFUSED\)/);
    assert.notEqual(code, 0);
  });

  it('never reads the variable in the extension’s core bundle either', () => {
    assert.doesNotMatch(readFileSync(bundle('core.js'), 'utf8'), /NODE_PG_FORCE_NATIVE/);
  });
});
