import { parse } from 'pg-connection-string';
import assert from 'node:assert/strict';
import { GroundedError } from '../../../src/core/errors';
import {
  endpointOrigin,
  isAllowed,
  originOf,
  parseSecretRecord,
  postgresOrigin,
  releaseSecret,
  serializeSecretRecord,
  withOrigin,
  type ConfirmSend,
  type SecretUse,
} from '../../../src/providers/secretOrigin';

const use = (origin: string): SecretUse => ({
  name: 'the OpenAI API key',
  origin,
  setting: 'grounded.model.baseUrl',
  setCommand: { title: 'Set API Key', command: 'grounded.setApiKey' },
});

/** A confirm that answers `answer` and records what it was asked. */
function confirmAnswering(answer: boolean) {
  const asked: { origin: string; boundTo: readonly string[] }[] = [];
  const confirm: ConfirmSend = async (u, boundTo) => {
    asked.push({ origin: u.origin, boundTo });
    return answer;
  };
  return { confirm, asked };
}

describe('secret origins', () => {
  describe('originOf', () => {
    it('drops default ports, paths, queries and case', () => {
      assert.equal(originOf('HTTPS://API.OpenAI.com:443/v1/'), 'https://api.openai.com');
      assert.equal(originOf('https://api.openai.com/v1/chat/completions?x=1#f'), 'https://api.openai.com');
      assert.equal(originOf('http://localhost:80/v1'), 'http://localhost');
    });

    it('keeps a port that is not the default, and tells http from https', () => {
      assert.equal(originOf('http://127.0.0.1:8000/v1'), 'http://127.0.0.1:8000');
      assert.equal(originOf('https://example.com:8443'), 'https://example.com:8443');
      assert.notEqual(originOf('http://example.com'), originOf('https://example.com'));
    });

    it('takes a bare host as https, as the endpoint settings do', () => {
      assert.equal(originOf('adb-1234.7.azuredatabricks.net'), 'https://adb-1234.7.azuredatabricks.net');
      assert.equal(originOf('  adb-1234.7.azuredatabricks.net/  '), 'https://adb-1234.7.azuredatabricks.net');
    });

    it('has no origin for an empty text or a scheme that is not http(s)', () => {
      assert.equal(originOf(''), undefined);
      assert.equal(originOf('   '), undefined);
      assert.equal(originOf('ftp://example.com'), undefined);
      assert.equal(originOf('file:///etc/passwd'), undefined);
    });

    it('does not let userinfo hide the real host', () => {
      assert.equal(originOf('https://api.openai.com@evil.example/v1'), 'https://evil.example');
    });
  });

  describe('postgresOrigin', () => {
    it('is host, port and database, the password and query left out', () => {
      assert.equal(
        postgresOrigin('postgres://grounded:pw@DB.Example.com/docs?sslmode=require'),
        'postgres://db.example.com:5432/docs',
      );
      assert.equal(
        postgresOrigin('postgresql://grounded@db.example.com:6543/docs'),
        'postgres://db.example.com:6543/docs',
      );
    });

    it('follows host and port query parameters, which the driver lets win over the URL', () => {
      assert.equal(
        postgresOrigin('postgres://u@db.example.com:5432/docs?host=evil.example&port=6000'),
        'postgres://evil.example:6000/docs',
      );
    });

    it('names the host and port the driver connects to, a repeated parameter included', () => {
      for (const connectionString of [
        'postgres://me@127.0.0.1:5432/grounded?host=127.0.0.1&host=127.0.0.3&port=5432&port=6543',
        'postgres://me@db.example.com/docs?host=&port=',
        'postgres://me@db.example.com:7000/docs?port=7001&sslmode=require&port=7002',
      ]) {
        const driver = parse(connectionString);
        assert.equal(
          postgresOrigin(connectionString),
          `postgres://${driver.host ?? ''}:${driver.port || '5432'}/${driver.database ?? ''}`,
          connectionString,
        );
      }
    });

    it('names the server PGHOST and PGPORT name when the URL names none, as the driver connects there', () => {
      const env = { PGHOST: 'db.example.com', PGPORT: '6543' };
      assert.equal(postgresOrigin('postgres:///docs', env), 'postgres://db.example.com:6543/docs');
      assert.equal(postgresOrigin('postgres://u@127.0.0.1:5432/docs', env), 'postgres://127.0.0.1:5432/docs');
      assert.equal(postgresOrigin('postgres:///docs', {}), 'postgres://localhost:5432/docs');
    });

    it('tells databases on one server apart', () => {
      assert.notEqual(postgresOrigin('postgres://u@db:5432/a'), postgresOrigin('postgres://u@db:5432/b'));
    });

    it('has no origin for what is not a postgres URL', () => {
      assert.equal(postgresOrigin(''), undefined);
      assert.equal(postgresOrigin('https://db.example.com/docs'), undefined);
      assert.equal(postgresOrigin('db.example.com:5432/docs'), undefined);
    });
  });

  it('an endpoint with no base URL sends its key to the preset default', () => {
    assert.equal(endpointOrigin({ preset: 'openai', baseUrl: '' }), 'https://api.openai.com');
    assert.equal(endpointOrigin({ preset: 'openai', baseUrl: 'http://127.0.0.1:9/v1' }), 'http://127.0.0.1:9');
    assert.equal(endpointOrigin({ preset: 'databricks', baseUrl: '' }), undefined);
  });

  describe('records', () => {
    it('round-trips a value with its origins', () => {
      const record = { value: 'sk-1', origins: ['https://api.openai.com'] };
      assert.deepEqual(parseSecretRecord(serializeSecretRecord(record)), record);
    });

    it('reads a plain string stored before origins were kept as bound to none', () => {
      assert.deepEqual(parseSecretRecord('sk-legacy'), { value: 'sk-legacy', origins: [] });
    });

    it('keeps a plain password as stored, spaces and braces included', () => {
      assert.deepEqual(parseSecretRecord(' p w '), { value: ' p w ', origins: [] });
      assert.deepEqual(parseSecretRecord('{notjson'), { value: '{notjson', origins: [] });
    });

    it('reads nothing from an absent or blank secret', () => {
      assert.equal(parseSecretRecord(undefined), undefined);
      assert.equal(parseSecretRecord('  '), undefined);
      assert.equal(parseSecretRecord(serializeSecretRecord({ value: ' ', origins: ['https://a'] })), undefined);
    });

    it('allows only the listed origins, and adds one once', () => {
      const record = { value: 'k', origins: ['https://a.example'] };
      assert.ok(isAllowed(record, 'https://a.example'));
      assert.ok(!isAllowed(record, 'https://b.example'));
      const both = withOrigin(withOrigin(record, 'https://b.example'), 'https://b.example');
      assert.deepEqual(both.origins, ['https://a.example', 'https://b.example']);
      assert.deepEqual(record.origins, ['https://a.example'], 'the original record is left as it was');
    });
  });

  describe('releaseSecret', () => {
    it('gives a bound secret without asking', async () => {
      const { confirm, asked } = confirmAnswering(false);
      const released = await releaseSecret(
        { value: 'k', origins: ['https://api.openai.com'] },
        use('https://api.openai.com'),
        confirm,
      );
      assert.deepEqual(released, { value: 'k' });
      assert.equal(asked.length, 0);
    });

    it('asks before another origin, and on yes binds the secret there too', async () => {
      const { confirm, asked } = confirmAnswering(true);
      const released = await releaseSecret(
        { value: 'k', origins: ['https://api.openai.com'] },
        use('http://127.0.0.1:9'),
        confirm,
      );
      assert.deepEqual(asked, [{ origin: 'http://127.0.0.1:9', boundTo: ['https://api.openai.com'] }]);
      assert.deepEqual(released, {
        value: 'k',
        bound: { value: 'k', origins: ['https://api.openai.com', 'http://127.0.0.1:9'] },
      });
    });

    it('on no, fails with an auth error that says the secret was not sent, where it was set for, and the fix', async () => {
      const { confirm } = confirmAnswering(false);
      const refused = await releaseSecret(
        { value: 'k', origins: ['https://api.openai.com'] },
        use('http://evil.example'),
        confirm,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(refused instanceof GroundedError);
      assert.equal(refused.kind, 'auth');
      assert.match(refused.message, /did not send the OpenAI API key to http:\/\/evil\.example/);
      assert.match(refused.message, /set for https:\/\/api\.openai\.com/);
      assert.match(refused.message, /grounded\.model\.baseUrl/);
      assert.equal(refused.options.action?.command, 'grounded.setApiKey');
      assert.doesNotMatch(refused.message, /\bk\b/, 'never the secret itself');
    });

    it('asks for a legacy secret (bound to no origin) even at the origin it was meant for', async () => {
      const { confirm, asked } = confirmAnswering(true);
      const released = await releaseSecret({ value: 'k', origins: [] }, use('https://api.openai.com'), confirm);
      assert.deepEqual(asked, [{ origin: 'https://api.openai.com', boundTo: [] }]);
      assert.deepEqual(released.bound?.origins, ['https://api.openai.com']);
    });
  });
});
