import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { HumanMessage } from '@langchain/core/messages';
import {
  EndpointRequestError,
  fixActions,
  GroundedError,
  SELECT_MODEL,
  SET_API_KEY,
  SHOW_LOG,
  toGroundedError,
} from '../../../src/core/errors';
import { createOpenAiCompatibleModel } from '../../../src/providers/openAiCompatible';
import { resolveEndpoint } from '../../../src/providers/presets';

/** What fetch throws for a connection the system refused: "fetch failed", the reason as its cause. */
function fetchFailed(code: string, message = `connect ${code} 127.0.0.1:8000`): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

/** A port nothing listens on: one that was just listened on and closed. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise(resolve => server.close(resolve));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** How a request to a custom endpoint at `baseUrl` fails, through the real OpenAI-compatible client. */
async function failureAt(baseUrl: string): Promise<GroundedError> {
  const resolved = resolveEndpoint({
    preset: 'custom',
    baseUrl,
    model: 'm',
    helperModel: '',
    azureApiVersion: '2024-10-21',
  });
  assert.ok('endpoint' in resolved, JSON.stringify(resolved));
  const thrown = await createOpenAiCompatibleModel(resolved.endpoint, 'm', undefined)
    .invoke([new HumanMessage('hi')])
    .then(
      () => assert.fail('the call should fail'),
      (e: unknown) => e,
    );
  return toGroundedError(thrown);
}

describe('network failures become network errors that name the endpoint and the cause', () => {
  it('maps a refused connection wrapped by the OpenAI client to network, naming the endpoint origin only', () => {
    const wrapped = Object.assign(new Error('Connection error.'), {
      cause: new EndpointRequestError('https://llm.example.com', 'grounded.model.baseUrl', fetchFailed('ECONNREFUSED')),
    });
    const error = toGroundedError(wrapped);
    assert.equal(error.kind, 'network');
    assert.match(error.message, /https:\/\/llm\.example\.com: the connection was refused \(ECONNREFUSED\)/);
    assert.equal(error.options.setting, 'grounded.model.baseUrl');
    // its own action: the first fix every surface offers
    assert.deepEqual(error.options.action?.arguments, ['grounded.model.baseUrl']);
  });

  // ENOTFOUND is not among these: a name that does not exist does not come to exist in the seconds a retry waits
  // (it is final, below); EAI_AGAIN is the resolver failing to answer now, which another attempt may get past
  for (const [code, words] of [
    ['EAI_AGAIN', 'the host name could not be looked up'],
    ['ETIMEDOUT', 'the connection timed out'],
    ['ECONNRESET', 'the connection was reset'],
  ] as const)
    it(`maps ${code} to network with the cause in words`, () => {
      const error = toGroundedError(new Error('Connection error.', { cause: fetchFailed(code) }));
      assert.equal(error.kind, 'network');
      assert.ok(error.message.includes(`${words} (${code})`), error.message);
      assert.ok(error.transient);
    });

  for (const code of ['ENOTFOUND', 'EAI_NONAME'])
    it(`does not retry a host name that does not exist (${code}): it names the host and the setting to fix`, () => {
      const lookup = Object.assign(new Error(`getaddrinfo ${code} llm.exmaple.com`), {
        code,
        hostname: 'llm.exmaple.com',
      });
      const error = toGroundedError(
        new Error('Connection error.', {
          cause: new EndpointRequestError(
            'https://llm.exmaple.com',
            'grounded.model.baseUrl',
            new TypeError('fetch failed', { cause: lookup }),
          ),
        }),
      );
      assert.equal(error.kind, 'network');
      assert.equal(error.transient, false);
      assert.equal(error.options.final, true, 'no non-streaming fallback either');
      assert.match(error.message, new RegExp(`the host name llm\\.exmaple\\.com was not found \\(${code}\\)`));
      assert.match(error.message, /Check the host name in grounded\.model\.baseUrl\.$/);
      assert.equal(error.options.setting, 'grounded.model.baseUrl');
    });

  it('names the host of a failed lookup from its message or, failing that, from the endpoint', () => {
    const fromMessage = toGroundedError(fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND llm.exmaple.com'));
    assert.match(
      fromMessage.message,
      /the host name llm\.exmaple\.com was not found \(ENOTFOUND\)\. Check the host name in the base URL\.$/,
    );
    const fromEndpoint = toGroundedError(
      new EndpointRequestError('https://gw.corp.example:8443', undefined, fetchFailed('EAI_AGAIN', 'lookup failed')),
    );
    assert.match(fromEndpoint.message, /the host name gw\.corp\.example could not be looked up \(EAI_AGAIN\)/);
    assert.ok(fromEndpoint.transient);
  });

  it('retries a connection a remote host refused (it may be restarting), not one this machine refused', () => {
    const refusedAt = (address: string) =>
      toGroundedError(
        new Error('Connection error.', {
          cause: new TypeError('fetch failed', {
            cause: Object.assign(new Error(`connect ECONNREFUSED ${address}:8000`), { code: 'ECONNREFUSED', address }),
          }),
        }),
      );
    assert.equal(refusedAt('10.0.0.5').transient, true);
    assert.equal(refusedAt('127.0.0.1').transient, false);
    assert.equal(refusedAt('::1').transient, false);
    assert.equal(toGroundedError(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED ::1:11434')).transient, false);
  });

  it('does not retry a certificate the client refused: it is refused again', () => {
    const error = toGroundedError(
      new Error('Connection error.', { cause: fetchFailed('DEPTH_ZERO_SELF_SIGNED_CERT') }),
    );
    assert.equal(error.kind, 'network');
    assert.match(error.message, /certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    assert.equal(error.transient, false);
  });

  it('says why fetch failed from its innermost cause when it carries no code', () => {
    const error = toGroundedError(new TypeError('fetch failed', { cause: new Error('unexpected reply') }));
    assert.equal(error.kind, 'network');
    assert.match(error.message, /: unexpected reply\./);
  });

  it('does not retry a port fetch refuses to connect to (6000, X11): it names the port and the setting to change', async () => {
    const error = await failureAt('http://127.0.0.1:6000/v1');
    assert.equal(error.kind, 'network');
    assert.equal(error.transient, false, 'fetch refuses the port again on every attempt');
    assert.equal(error.options.final, true, 'no non-streaming fallback either');
    assert.match(
      error.message,
      /http:\/\/127\.0\.0\.1:6000: fetch refuses to connect to port 6000, one it blocks as unsafe \(bad port\)\. Serve it on another port and set that port in grounded\.model\.baseUrl\.$/,
    );
    assert.equal(error.options.setting, 'grounded.model.baseUrl');
  });

  it('names the endpoint of a real refused connection through the OpenAI-compatible client, its origin only', async () => {
    const port = await refusedPort();
    const resolved = resolveEndpoint({
      preset: 'custom',
      baseUrl: `http://127.0.0.1:${port}/v1/secret-path`,
      model: 'm',
      helperModel: '',
      azureApiVersion: '2024-10-21',
    });
    assert.ok('endpoint' in resolved, JSON.stringify(resolved));
    const model = createOpenAiCompatibleModel(resolved.endpoint, 'm', 'sk-test-key-123456');
    const thrown = await model.invoke([new HumanMessage('hi')]).then(
      () => assert.fail('the call should fail'),
      (e: unknown) => e,
    );
    const error = toGroundedError(thrown);
    assert.equal(error.kind, 'network');
    assert.ok(
      error.message.includes(`http://127.0.0.1:${port}: the connection was refused (ECONNREFUSED)`),
      error.message,
    );
    assert.ok(!error.message.includes('secret-path'));
    assert.equal(
      error.transient,
      false,
      'nothing listens on this machine’s port: a retry seconds later meets the same',
    );
    assert.equal(error.options.final, true);
    assert.deepEqual(
      fixActions(error).map(a => [a.title, ...(a.arguments ?? [])]),
      [['Open Setting', 'grounded.model.baseUrl'], ['Show Log']],
    );
  });

  it('says that a plain http server was reached at an https:// URL, not that its certificate was refused', async () => {
    const server = createHttpServer((_req, res) => res.end('{}'));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address();
      assert.ok(address && typeof address === 'object');
      const error = await failureAt(`https://127.0.0.1:${address.port}/v1`);
      assert.equal(error.kind, 'network');
      assert.match(error.message, /the server does not speak https \(ERR_SSL_\w+\): its URL may need http:\/\//);
      assert.doesNotMatch(error.message, /certificate/);
      assert.equal(error.transient, false, 'the same handshake fails the same way');
    } finally {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('keeps HTTP statuses ahead of the connection codes', () => {
    const error = toGroundedError(Object.assign(new Error('Service Unavailable'), { status: 503, code: 'ECONNRESET' }));
    assert.match(error.message, /HTTP 503/);
  });
});

describe('the fix buttons chosen per error', () => {
  const titles = (e: GroundedError) => fixActions(e).map(a => a.title);

  it('offers Set API Key for a rejected key, then Show Log', () => {
    assert.deepEqual(titles(toGroundedError(Object.assign(new Error('Unauthorized'), { status: 401 }))), [
      'Set API Key',
      'Show Log',
    ]);
  });

  it('offers Select Model for a missing model without an action of its own', () => {
    assert.deepEqual(fixActions(new GroundedError('no-model', 'No model.')), [SELECT_MODEL, SHOW_LOG]);
  });

  it('offers Set API Key for an auth error without an action of its own', () => {
    assert.deepEqual(fixActions(new GroundedError('auth', 'No key.')), [SET_API_KEY, SHOW_LOG]);
  });

  it('keeps an error’s own action first and does not repeat it', () => {
    const own = { title: 'Set Databricks Token', command: 'grounded.setDatabricksToken' };
    assert.deepEqual(fixActions(new GroundedError('auth', 'Token rejected.', { action: own })), [own, SHOW_LOG]);
    assert.deepEqual(fixActions(new GroundedError('no-model', 'x', { action: SELECT_MODEL })), [
      SELECT_MODEL,
      SHOW_LOG,
    ]);
  });

  it('opens the setting an error names', () => {
    const actions = fixActions(new GroundedError('index', 'No such table.', { setting: 'grounded.pgvector.table' }));
    assert.deepEqual(actions[0], {
      title: 'Open Setting',
      command: 'workbench.action.openSettings',
      arguments: ['grounded.pgvector.table'],
    });
  });

  it('offers Show Log for an unexplained failure, nothing for a cancel, and no log for a plain bad input', () => {
    assert.deepEqual(titles(toGroundedError(new Error('weird'))), ['Show Log']);
    assert.deepEqual(titles(new GroundedError('cancelled', 'Cancelled.')), []);
    assert.deepEqual(titles(new GroundedError('bad-input', 'Type a question.')), []);
  });
});
