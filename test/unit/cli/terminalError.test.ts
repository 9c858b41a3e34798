import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import {
  cliMessage,
  MCP_SERVER,
  settingFlags,
  TERMINAL,
  terminalError,
  unexpectedError,
} from '../../../src/cli/terminalError';
import { EndpointRequestError, GroundedError, toGroundedError } from '../../../src/core/errors';
import { outOfMemory } from '../../../src/index/build/workerLimits';
import { fileLimitNotice } from '../../../src/index/segments/indexStats';
import { DatabricksVectorSearchRetriever } from '../../../src/retrievers/databricksVectorSearchRetriever';
import { pgError } from '../../../src/retrievers/pgvectorConnection';
import { closeServer } from '../../fakes/loopbackHttp';
import { closedPort } from '../../support/closedPort';

describe('unexpectedError', () => {
  const before = process.env['GROUNDED_API_KEY'];
  afterEach(() => {
    if (before === undefined) delete process.env['GROUNDED_API_KEY'];
    else process.env['GROUNDED_API_KEY'] = before;
  });

  it('prints the stack of a failure nobody expected with the known key and credential shapes redacted', () => {
    process.env['GROUNDED_API_KEY'] = 'plain-cli-key-7';
    const text = unexpectedError(
      new Error('upstream said: key plain-cli-key-7 refused for postgres://app:pw-4242@db/x'),
    );
    assert.match(
      text,
      /^grounded: unexpected failure: Error: upstream said: key \[redacted\] refused for postgres:\/\/app:\[redacted\]@db\/x\n {4}at /,
    );
    assert.doesNotMatch(text, /plain-cli-key-7|pw-4242/);
  });

  it('prints no part of a key that the cut of a long cause would split', async () => {
    process.env['GROUNDED_API_KEY'] = 'plain-cli-key-7';
    // the key starts 9 characters before the 600th: cut first, what is left of it would no longer be the key
    const cause = new Error(`${'x'.repeat(591)} plain-cli-key-7 was refused`);
    const text = terminalError(new GroundedError('unknown', 'The model call failed.', { cause }));
    assert.match(text, /^grounded: cause: x+ \[redac/m);
    assert.doesNotMatch(text, /plain/);
    // a reply that is not JSON, echoing the request's token where the 2,000 characters kept of it end
    const token = 'tok-Zq9XwPm4LrT8';
    const server = createHttpServer((_req, res) => res.end(`${'x'.repeat(1990)} ${token} was sent`));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const failure = await new DatabricksVectorSearchRetriever({
        workspaceUrl: `http://127.0.0.1:${port}`,
        indexName: 'main.docs.chunks',
        token,
        columns: { text: 'text', path: 'path' },
        retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      })
        .search('flux', { k: 3 })
        .then(
          () => assert.fail('expected a failure'),
          (e: unknown) => e,
        );
      let reply: unknown = failure;
      while (reply instanceof Error) reply = reply.cause;
      assert.equal(typeof reply, 'string');
      assert.match(String(reply), /^x+ \[redac/);
      assert.doesNotMatch(String(reply), /tok-/);
    } finally {
      await closeServer(server);
    }
  });
});

describe('the cause of a failure, cut', () => {
  it('cuts a long cause between whole characters, never through an emoji', () => {
    // the cause's 600th and 601st UTF-16 units are the two halves of 🚀
    const cause = new Error(`${'x'.repeat(599)}🚀 and more`);
    const text = terminalError(new GroundedError('unknown', 'The model call failed.', { cause }));
    const detail = /^grounded: cause: (.*)$/m.exec(text)?.[1];
    assert.equal(detail, 'x'.repeat(599));
  });
});

describe('the CLI’s words for a failure (terminalError, cliMessage)', () => {
  const columns = { text: 'text', path: 'path', startLine: 'start_line', endLine: 'end_line', title: '' };
  const databricks = (workspaceUrl: string, token: string | undefined) =>
    new DatabricksVectorSearchRetriever({
      workspaceUrl,
      indexName: 'main.docs.chunks',
      token,
      columns,
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
  const failureOf = async (work: Promise<unknown>): Promise<GroundedError> => {
    try {
      await work;
    } catch (e) {
      assert.ok(e instanceof GroundedError, String(e));
      return e;
    }
    assert.fail('expected a failure');
  };
  it('says which environment variable holds the key the model endpoint rejected (401)', () => {
    const e = toGroundedError(Object.assign(new Error('401 Unauthorized'), { status: 401 }));
    assert.equal(
      terminalError(e),
      'grounded: The model endpoint rejected the credentials. Check GROUNDED_API_KEY in the environment.\n',
    );
  });

  it('names --base-url and --model for a model the endpoint does not have (404)', () => {
    const e = toGroundedError(Object.assign(new Error('404 Not Found'), { status: 404 }));
    assert.equal(
      terminalError(e),
      'grounded: The model endpoint has no such model (HTTP 404). Check --base-url and --model.\n',
    );
  });

  it('keeps what an unreachable endpoint’s message says, naming the flag where it names a setting', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const model = toGroundedError(new EndpointRequestError('http://127.0.0.1:9', 'grounded.model.baseUrl', refused));
    assert.equal(terminalError(model), `grounded: ${model.message}\n`);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const e = await failureOf(databricks(url, 'dapi-token').search('flux', { k: 3 }));
    assert.equal(
      terminalError(e),
      `grounded: Databricks at ${new URL(url).host} could not be reached or failed. Check --workspace-url and the network.\n`,
    );
  });

  it('says which environment variable a missing token goes in', async () => {
    const e = await failureOf(databricks('https://adb-1.azuredatabricks.net', undefined).search('flux', { k: 3 }));
    assert.equal(
      terminalError(e),
      'grounded: Databricks Vector Search needs a personal access token. Check DATABRICKS_TOKEN in the environment.\n',
    );
  });

  it('says PGPASSWORD for a password PostgreSQL rejected', () => {
    const rejected = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' });
    const e = pgError(rejected, new URL('postgres://app@db.example.com/docs'), 'grounded_chunks');
    assert.equal(
      terminalError(e),
      'grounded: PostgreSQL at db.example.com:5432/docs rejected the user or password. Check PGPASSWORD in the environment.\n',
    );
  });

  describe('a connection that fails in a shell set up for a proxy', () => {
    const unreachable = (endpoint: string, cause: Error) =>
      toGroundedError(new EndpointRequestError(endpoint, 'grounded.model.baseUrl', cause));
    const timedOut = Object.assign(new Error('connect ETIMEDOUT 203.0.113.7:443'), { code: 'ETIMEDOUT' });
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });

    it('says that Node goes through HTTPS_PROXY only with NODE_USE_ENV_PROXY=1', () => {
      const e = unreachable('https://llm.example.com', timedOut);
      const said = cliMessage(e, TERMINAL, { https_proxy: 'http://proxy.corp:8080' });
      assert.ok(said.startsWith(settingFlags(e.message)), said);
      assert.match(
        said,
        /https_proxy is set in the environment, but Node\.js goes through it only with NODE_USE_ENV_PROXY=1/,
      );
      assert.match(
        cliMessage(e, MCP_SERVER, { HTTPS_PROXY: 'http://proxy.corp:8080' }),
        /HTTPS_PROXY is set in the server's environment/,
      );
    });

    it('says nothing of the proxy when Node uses it, none is set, or the host is this machine', () => {
      const e = unreachable('https://llm.example.com', timedOut);
      const used = { HTTPS_PROXY: 'http://proxy.corp:8080', NODE_USE_ENV_PROXY: '1' };
      assert.equal(cliMessage(e, TERMINAL, used), settingFlags(e.message));
      assert.equal(cliMessage(e, TERMINAL, {}), settingFlags(e.message));
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), { code: 'ECONNREFUSED' });
      const local = unreachable('http://localhost:11434', refused);
      assert.equal(cliMessage(local, TERMINAL, { HTTP_PROXY: 'http://proxy.corp:8080' }), settingFlags(local.message));
      // a host NO_PROXY names goes direct anyway; an https endpoint goes through HTTPS_PROXY, not HTTP_PROXY
      for (const noProxy of ['llm.example.com', '.example.com', 'example.com:443', 'localhost, *'])
        assert.equal(
          cliMessage(e, TERMINAL, { HTTPS_PROXY: 'http://proxy.corp:8080', NO_PROXY: noProxy }),
          settingFlags(e.message),
          noProxy,
        );
      assert.match(
        cliMessage(e, TERMINAL, { HTTPS_PROXY: 'http://proxy.corp:8080', NO_PROXY: 'other.example.com' }),
        /HTTPS_PROXY is set/,
      );
      assert.equal(cliMessage(e, TERMINAL, { HTTP_PROXY: 'http://proxy.corp:8080' }), settingFlags(e.message));
    });

    it('names NODE_EXTRA_CA_CERTS for a certificate Node does not trust, unless it is set', () => {
      const e = unreachable('https://llm.example.com', untrusted);
      assert.match(
        cliMessage(e, TERMINAL, {}),
        /set NODE_EXTRA_CA_CERTS in the environment to its certificate authority's file\.$/,
      );
      assert.equal(cliMessage(e, TERMINAL, { NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem' }), settingFlags(e.message));
    });

    it('says nothing of the environment for a failure that is not the connection’s, or is PostgreSQL’s', () => {
      const e = toGroundedError(Object.assign(new Error('404 Not Found'), { status: 404 }));
      assert.doesNotMatch(cliMessage(e, TERMINAL, { HTTPS_PROXY: 'http://proxy.corp:8080' }), /PROXY/);
      const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
      const database = pgError(refused, new URL('postgres://app@db.example.com/docs'), 't');
      assert.equal(database.kind, 'network');
      assert.doesNotMatch(cliMessage(database, TERMINAL, { HTTPS_PROXY: 'http://proxy.corp:8080' }), /PROXY/);
    });
  });

  it('says the same to an MCP client, as the server’s environment and flags', () => {
    const e = toGroundedError(Object.assign(new Error('404 Not Found'), { status: 404 }));
    assert.equal(
      cliMessage(e, MCP_SERVER),
      "The model endpoint has no such model (HTTP 404). Check the server's --base-url and --model.",
    );
    const rejected = Object.assign(new Error('SASL: client password must be a string'), {});
    assert.equal(
      cliMessage(pgError(rejected, new URL('postgres://app@db/docs'), 't'), MCP_SERVER),
      "PostgreSQL at db:5432/docs rejected the user or password. Check PGPASSWORD in the server's environment (the client's configuration of it).",
    );
  });
});

describe("a step or a notice in the CLI's words", () => {
  it('leaves out what sends the reader to VS Code from a failure a step quotes, and keeps the rest', () => {
    assert.equal(
      settingFlags(
        'Grading failed (The model call failed. See the “Grounded” output for details, then retry.); using the top passages by search score',
      ),
      'Grading failed (The model call failed.); using the top passages by search score',
    );
    assert.equal(
      settingFlags(
        'The citation check failed (The model endpoint has no such model (HTTP 404). Check the base URL and model name, then run “Grounded: Test Connection”.); keeping the lexical verdicts',
      ),
      'The citation check failed (The model endpoint has no such model (HTTP 404).); keeping the lexical verdicts',
    );
    assert.equal(
      settingFlags(
        'Databricks Vector Search failed. See the “Grounded” output for details. Answering from grounded.retriever.',
      ),
      'Databricks Vector Search failed. Answering from --retriever.',
    );
    // a dotted name or host within the sentence does not end it
    assert.equal(
      settingFlags(
        'The endpoint refused the key. After fixing it at api.example.com, run “Grounded: Test Connection”. Nothing was sent.',
      ),
      'The endpoint refused the key. Nothing was sent.',
    );
  });
});

describe("the index's notes and failures in the CLI's words", () => {
  it('says what a terminal can do at the file limit, not the grounded.index settings it has no flags for', () => {
    const vscode = fileLimitNotice(1234);
    assert.match(vscode, /grounded\.index\.maxFiles.*grounded\.index\.include/);
    assert.equal(
      settingFlags(vscode),
      '1,234 files were left out: the index stops at its file limit. List what the index need not hold in a ' +
        '.groundedignore in the folder (written like a .gitignore), so that it holds the files that matter.',
    );
  });

  it('says how to index less when the index ran out of memory, in a terminal and to an MCP client alike', () => {
    for (const said of [terminalError(outOfMemory(4096)), cliMessage(outOfMemory(4096), MCP_SERVER)]) {
      assert.match(said, /The index ran out of memory \(its limit is 4096 MB\): the workspace has too much to index\./);
      assert.match(said, /List what the index need not hold in a \.groundedignore in the folder/);
      assert.doesNotMatch(said, /grounded\.index\./);
    }
  });

  it('keeps a text whose every sentence names such a setting, and still names the flags of the others', () => {
    assert.equal(settingFlags('Lower grounded.index.maxFiles.'), 'Lower grounded.index.maxFiles.');
    assert.equal(settingFlags('Check grounded.model.baseUrl. Or narrow grounded.index.include.'), 'Check --base-url.');
  });
});
