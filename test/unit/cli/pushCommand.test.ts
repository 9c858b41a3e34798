import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { terminalError } from '../../../src/cli/terminalError';
import { GroundedError } from '../../../src/core/errors';
import { cli } from './cliHarness';
import { closedPort } from '../../support/closedPort';
import { tempDirs } from '../../support/tempDirs';

/**
 * A PostgreSQL server that refuses every password: it answers the startup message with the FATAL 28P01 a real one
 * sends for a wrong password.
 */
async function passwordRefusingServer(): Promise<{ server: Server; port: number }> {
  const field = (type: string, value: string) => Buffer.concat([Buffer.from(type), Buffer.from(`${value}\0`)]);
  const fields = Buffer.concat([
    field('S', 'FATAL'),
    field('V', 'FATAL'),
    field('C', '28P01'),
    field('M', 'password authentication failed for user "me"'),
    Buffer.from([0]),
  ]);
  const length = Buffer.alloc(4);
  length.writeInt32BE(4 + fields.length);
  const refusal = Buffer.concat([Buffer.from('E'), length, fields]);
  const server = createServer(socket => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(refusal));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

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

  it('says a server it cannot reach, or that refuses the password, before it reads the workspace', async () => {
    const refusing = await passwordRefusingServer();
    const before = process.env['PGPASSWORD'];
    process.env['PGPASSWORD'] = 'wrong-password';
    try {
      const cases: [number, RegExp][] = [
        [await closedPort(), /^grounded: PostgreSQL at 127\.0\.0\.1:\d+\/db could not be reached \(ECONNREFUSED\)/],
        [refusing.port, /^grounded: PostgreSQL at 127\.0\.0\.1:\d+\/db rejected the user or password\. .*PGPASSWORD/],
      ];
      for (const [port, said] of cases) {
        const store = join(await dirs.make('grounded-push-cli-store-'), 'index');
        const args = ['index', '--target', `postgres://me@127.0.0.1:${port}/db`, '--folder', folder, '--store', store];
        const result = await cli(...args);
        assert.equal(result.code, 3, result.err);
        assert.match(result.err, said);
        assert.ok(!existsSync(store), 'the local index was not built for a push that cannot be made');
        assert.doesNotMatch(result.err, /wrong-password/);
      }
    } finally {
      if (before === undefined) delete process.env['PGPASSWORD'];
      else process.env['PGPASSWORD'] = before;
      await new Promise(resolve => refusing.server.close(resolve));
    }
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
