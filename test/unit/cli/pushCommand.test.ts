import * as assert from 'node:assert/strict';
import { terminalError } from '../../../src/cli/terminalError';
import { GroundedError } from '../../../src/core/errors';
import { cli } from './cliHarness';
import { tempDirs } from '../../support/tempDirs';

describe('grounded index --target (before connecting)', () => {
  const dirs = tempDirs();
  let folder: string;
  beforeEach(async () => {
    folder = await dirs.make('grounded-push-cli-');
  });

  it('warns that a password in --target can be read in ps and points to PGPASSWORD, never printing it', async () => {
    // A table name that cannot be used stops the push before it connects.
    const withPassword = await cli(
      'index',
      '--target',
      'postgres://me:hunter2secret@127.0.0.1:1/db',
      '--table',
      'bad name',
      '--folder',
      folder,
    );
    assert.equal(withPassword.code, 2);
    assert.match(
      withPassword.err,
      /^grounded: warning: the password in --target can be read by other users of this machine \(ps\).*PGPASSWORD/,
    );
    assert.doesNotMatch(withPassword.err + withPassword.out, /hunter2secret/);
    const withoutPassword = await cli(
      'index',
      '--target',
      'postgres://me@127.0.0.1:1/db',
      '--table',
      'bad name',
      '--folder',
      folder,
    );
    assert.doesNotMatch(withoutPassword.err, /warning/);
  });

  it('refuses a server on another machine without sslmode, saying what to add', async () => {
    const result = await cli('index', '--target', 'postgres://me@db.example.com/docs', '--folder', folder);
    assert.equal(result.code, 2);
    assert.match(result.err, /has no sslmode.*add \?sslmode=require.*, or set --allow-insecure to allow it\./);
    assert.doesNotMatch(result.err, /grounded\.allowInsecureConnections/, 'the CLI names its flag, not a setting');
  });

  it('refuses an embeddings endpoint over plain http to another machine', async () => {
    const result = await cli(
      'index',
      '--target',
      'postgres://me@127.0.0.1:1/db',
      '--folder',
      folder,
      '--embeddings-model',
      'm',
      '--embeddings-base-url',
      'http://gpu.example.com/v1',
    );
    assert.equal(result.code, 2);
    assert.match(
      result.err,
      /http:\/\/gpu\.example\.com is plain http.*use https, or set --allow-insecure to allow it\./,
    );
    assert.doesNotMatch(result.err, /grounded\.allowInsecureConnections/, 'the CLI names its flag, not a setting');
  });
});

describe('CLI error report', () => {
  it('prints the cause of a failure whose message points to the Grounded output, redacted, instead of the pointer', () => {
    const cause = Object.assign(
      new Error('invalid byte sequence for encoding "UTF8": 0x00 near password=hunter2secret'),
      { code: '22021' },
    );
    const text = terminalError(
      new GroundedError(
        'unknown',
        'PostgreSQL at db:5432/docs failed a query. See the “Grounded” output for details.',
        { cause },
      ),
    );
    assert.equal(
      text,
      'grounded: PostgreSQL at db:5432/docs failed a query.\ngrounded: cause: invalid byte sequence for encoding "UTF8": 0x00 near password=[redacted] (22021)\n',
    );
  });

  it('prints only the message of a failure that names its fix', () => {
    const text = terminalError(
      new GroundedError('network', 'PostgreSQL at db:5432/docs could not be reached (ECONNREFUSED).', {
        cause: new Error('connect ECONNREFUSED'),
      }),
    );
    assert.equal(text, 'grounded: PostgreSQL at db:5432/docs could not be reached (ECONNREFUSED).\n');
  });
});
