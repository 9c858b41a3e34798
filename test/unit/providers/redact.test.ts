import assert from 'node:assert/strict';
import { redactSecrets, secretsInHeaders } from '../../../src/providers/redact';

describe('redactSecrets', () => {
  it('removes a known key wherever it appears', () => {
    assert.equal(
      redactSecrets('key=abc123xyz in url?k=abc123xyz', ['abc123xyz']),
      'key=[redacted] in url?k=[redacted]',
    );
  });

  it('removes credential-shaped strings it was not told about, keeping their labels', () => {
    const text =
      'Authorization: Bearer dapi0123456789abcdef0123456789abcdef-2 and sk-proj-AbCdEf123456 and {"api-key":"zzzzzzzz"} token=qwertyuiop';
    const out = redactSecrets(text);
    assert.ok(!/dapi0123|AbCdEf123456|zzzzzzzz|qwertyuiop/.test(out), out);
    assert.match(out, /Authorization: \[redacted\]|Bearer \[redacted\]/);
    assert.match(out, /"api-key":"\[redacted\]"/);
  });

  it('leaves ordinary log lines alone', () => {
    const line = 'connection test: Databricks Model Serving · llama answered in 312 ms';
    assert.equal(redactSecrets(line, ['']), line);
  });
});

describe('redactSecrets, per shape', () => {
  it('removes a bare 32-hex key (the shape of an Azure OpenAI key) and longer hex runs', () => {
    assert.equal(
      redactSecrets('Access denied: key 0123456789abcdef0123456789ABCDEF is invalid'),
      'Access denied: key [redacted] is invalid',
    );
    assert.equal(redactSecrets(`server key ${'a1'.repeat(32)}.`), 'server key [redacted].');
  });

  it('keeps prefixed request ids, UUIDs and shorter hex', () => {
    const line =
      'request req_0123456789abcdef0123456789abcdef, trace 123e4567-e89b-12d3-a456-426614174000, commit 9fceb02';
    assert.equal(redactSecrets(line), line);
  });

  it('removes the password of a postgres:// or postgresql:// URL and keeps the user and host', () => {
    assert.equal(
      redactSecrets('connect postgres://grounded:s3cr3t-pw@db.example.com:5432/docs failed'),
      'connect postgres://grounded:[redacted]@db.example.com:5432/docs failed',
    );
    assert.equal(
      redactSecrets('postgresql://app:hunter2@10.0.0.5/x?sslmode=require'),
      'postgresql://app:[redacted]@10.0.0.5/x?sslmode=require',
    );
  });

  it('removes the password of any scheme://user:password@ URL, up to the last @ before the host', () => {
    assert.equal(
      redactSecrets('GET https://bot:p@ss@w0rd@host.example/v1'),
      'GET https://bot:[redacted]@host.example/v1',
    );
    assert.equal(redactSecrets('mysql://root:toor@localhost'), 'mysql://root:[redacted]@localhost');
  });

  it('leaves a URL with a user but no password alone', () => {
    const line = 'postgres://grounded@db.example.com:5432/docs?sslmode=require';
    assert.equal(redactSecrets(line), line);
  });

  it('removes the token of an echoed `auth=Bearer …` and of `auth=…`', () => {
    assert.equal(
      redactSecrets('400 bad request: header auth=Bearer abc.def-123456 not allowed'),
      '400 bad request: header auth=Bearer [redacted] not allowed',
    );
    assert.equal(redactSecrets('{"auth":"q1w2e3r4t5"}'), '{"auth":"[redacted]"}');
  });

  it('removes an Authorization header credential of any scheme and length, keeping the scheme', () => {
    const headers: [string, string][] = [
      ['Authorization: Token 0a1b2c3d4e5f6g7h', 'Authorization: Token [redacted]'],
      ['Authorization: Basic dTpw', 'Authorization: Basic [redacted]'],
      ['Authorization: Bearer abc1234', 'Authorization: Bearer [redacted]'],
      ['Authorization: ApiKey AKIAabcd1234', 'Authorization: ApiKey [redacted]'],
      ['{"Authorization":"Token kq8xv"}', '{"Authorization":"Token [redacted]"}'],
      ['Proxy-Authorization: abc123', 'Proxy-Authorization: [redacted]'],
      ['Authorization: Bearer abcdefgh12345678', 'Authorization: Bearer [redacted]'],
    ];
    for (const [header, kept] of headers) assert.equal(redactSecrets(header), kept, header);
  });

  it('removes key headers and labelled values too short to be redacted before', () => {
    assert.equal(redactSecrets('x-api-key: abc12'), 'x-api-key: [redacted]');
    assert.equal(redactSecrets('api-key: Ab3'), 'api-key: [redacted]');
    assert.equal(redactSecrets('host=db password=pw1 dbname=x'), 'host=db password=[redacted] dbname=x');
    assert.equal(redactSecrets('auth=Bearer abc'), 'auth=Bearer [redacted]');
  });

  it('removes credential parameters of a URL query, whatever their value', () => {
    assert.equal(
      redactSecrets(
        'GET https://generativelanguage.googleapis.com/v1/models?key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv',
      ),
      'GET https://generativelanguage.googleapis.com/v1/models?key=[redacted]',
    );
    assert.equal(
      redactSecrets('https://h.example/v1?api_key=abc&x=1&access_token=ya29.a0&client_secret=s#top'),
      'https://h.example/v1?api_key=[redacted]&x=1&access_token=[redacted]&client_secret=[redacted]#top',
    );
  });

  it('removes a JWT and an Azure 84-character key standing alone', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
    assert.equal(redactSecrets(`invalid token ${jwt} rejected`), 'invalid token [redacted] rejected');
    const azure = `${'5QxAbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl'}JQQJ99BCACYeBjFXJ3w3AAABACOGAbCd`;
    assert.equal(redactSecrets(`key ${azure} is invalid`), 'key [redacted] is invalid');
  });

  it('keeps short words and numbers after a label, URL parameters that are not credentials, and prose', () => {
    for (const line of [
      'auth: none; token: 0, "secret": true, "api_key": null}',
      'Bearer token required; missing Authorization header',
      'https://shop.example/search?monkey=banana&sortkey=price&q=token',
      'usage: prompt_tokens=12, max_tokens=4096',
    ])
      assert.equal(redactSecrets(line), line);
  });

  it('does not take words that merely start like a label for one', () => {
    const line = 'author: Jane Smith; tokens: 12; Authentication failed';
    assert.equal(redactSecrets(line), line);
  });
});

describe('secretsInHeaders', () => {
  it("gives each credential header's value and the token after Bearer, not the plain headers", () => {
    const secrets = secretsInHeaders({
      'content-type': 'application/json',
      authorization: 'Bearer tok-123456',
      'api-key': 'azure-key-1',
    });
    assert.deepEqual(secrets, ['tok-123456', 'Bearer tok-123456', 'azure-key-1']);
    assert.equal(
      redactSecrets('server said: key azure-key-1 and tok-123456', secrets),
      'server said: key [redacted] and [redacted]',
    );
  });
});
