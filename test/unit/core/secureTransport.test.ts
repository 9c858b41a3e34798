import assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import { insecureTransport, isLoopbackHost, requireSecureTransport } from '../../../src/core/secureTransport';

describe('secure transport (TLS except on loopback)', () => {
  it('takes localhost, 127.0.0.0/8 and ::1 as loopback, and nothing that only looks like them', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      'localhost.',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '::1',
      '[::ffff:7f00:1]',
      '::ffff:127.0.0.1',
    ])
      assert.ok(isLoopbackHost(host), host);
    for (const host of [
      '127.evil.com',
      'localhost.evil.com',
      '10.0.0.1',
      '0.0.0.0',
      '127.0.0.256',
      '2130706433',
      '[::2]',
      '[::ffff:a00:1]',
      'example.com',
    ])
      assert.ok(!isLoopbackHost(host), host);
  });

  it('refuses plain http to another machine, saying to use https or set grounded.allowInsecureConnections', () => {
    const problem = insecureTransport('http://models.example.com/v1', false);
    assert.match(
      problem ?? '',
      /^http:\/\/models\.example\.com is plain http.*use https, or set grounded\.allowInsecureConnections \(--allow-insecure in the CLI\)/,
    );
    assert.equal(insecureTransport('http://models.example.com/v1', true), undefined, 'allowed explicitly');
    assert.equal(insecureTransport('https://models.example.com/v1', false), undefined);
    assert.equal(insecureTransport('http://localhost:11434/v1', false), undefined);
    assert.equal(insecureTransport(new URL('http://127.0.0.1:8000'), false), undefined);
    assert.throws(
      () => requireSecureTransport('http://10.1.2.3:8080', false),
      (e: unknown) => e instanceof GroundedError && e.kind === 'bad-input',
    );
  });

  it('refuses PostgreSQL on another machine without sslmode=require or verify-*, wherever the host is named', () => {
    const refused = [
      'postgres://u@db.example.com:5432/docs',
      'postgres://u@db.example.com/docs?sslmode=prefer',
      'postgres://u@db.example.com/docs?sslmode=disable',
      'postgres://u@db.example.com/docs?sslmode=no-verify',
      'postgresql://u@localhost/docs?host=db.example.com', // pg connects to the host parameter
      'postgres://u@localhost/docs?host=127.0.0.1&host=db.example.com', // and to the last one when it is repeated
      'postgres://u@db.example.com/docs?sslmode=require&sslmode=disable',
      'postgres://u@db.example.com/docs?host=', // an empty host parameter: pg connects to the URL's host
      'postgres://u@db.example.com/docs?host=/tmp&host=', // the last one, empty, names nothing either
    ];
    for (const url of refused)
      assert.match(
        insecureTransport(url, false) ?? '',
        /cleartext: add \?sslmode=require.*grounded\.allowInsecureConnections/,
        url,
      );
    const allowed = [
      'postgres://u@db.example.com/docs?sslmode=require',
      'postgres://u@db.example.com/docs?sslmode=verify-ca',
      'postgres://u@db.example.com/docs?sslmode=verify-full',
      'postgres://u@127.0.0.1:5432/docs',
      'postgres://u@localhost/docs',
      'postgres://u@[::1]/docs',
      'postgres:///docs',
      'postgres://u@x/docs?host=/var/run/postgresql',
    ];
    for (const url of allowed) assert.equal(insecureTransport(url, false), undefined, url);
    assert.equal(insecureTransport('postgres://u@db.example.com/docs', true), undefined, 'allowed explicitly');
  });

  it('takes a PostgreSQL URL that names no host to PGHOST, as pg connects there', () => {
    const env = { PGHOST: 'db.example.com' };
    assert.match(insecureTransport('postgres:///docs', false, env) ?? '', /connection to db\.example\.com .*cleartext/);
    assert.equal(insecureTransport('postgres:///docs?sslmode=require', false, env), undefined);
    assert.equal(insecureTransport('postgres://u@localhost/docs', false, env), undefined, 'a host named wins');
    assert.equal(insecureTransport('postgres:///docs', false, { PGHOST: '/var/run/postgresql' }), undefined);
    assert.equal(insecureTransport('postgres:///docs', false, {}), undefined, 'pg connects to localhost');
  });
});
