import assert from 'node:assert/strict';
import { cp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  type CallToolResult,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { mcpCommand } from '../../../src/cli/mcpCommand';
import { createMcpServer, type McpServerDeps } from '../../../src/cli/mcpServer';
import { MAX_QUERY_CHARS } from '../../../src/core/agentSearch';
import { GroundedError, toGroundedError } from '../../../src/core/errors';
import type { AnswerEvent } from '../../../src/core/events';
import type { Passage } from '../../../src/core/passage';
import type { Retriever } from '../../../src/core/ports';
import { lockStore } from '../../../src/index/store/storeLock';
import { claimStoreFolder } from '../../../src/index/store/storeFolder';
import { FaultServer, isGradeRequest } from '../../fakes/faultServer';
import { FakeRetriever, passage } from '../../fakes/fakeRetriever';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';

interface Running {
  client: Client;
  logs: string[];
  stderr: () => string;
  /** Resolves to mcpCommand's exit code once the server stopped. */
  exit: Promise<number>;
  indexed: Promise<void>;
}

/** `grounded mcp ARGS` in-process, its protocol over an in-memory pipe to the SDK's own client. */
async function startMcp(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  let err = '';
  let out = '';
  let connected: (session: { server: Server; indexed: Promise<void> }) => void = () => undefined;
  const session = new Promise<{ server: Server; indexed: Promise<void> }>(resolve => (connected = resolve));
  const exit = mcpCommand(args, { out: t => (out += t), err: t => (err += t) }, env, {
    transport: serverSide,
    onConnected: connected,
  });
  const { indexed } = await Promise.race([
    session,
    exit.then(code => assert.fail(`mcp exited with ${code} before connecting: ${err}`)),
  ]);
  const logs: string[] = [];
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, n => void logs.push(String(n.params.data)));
  await client.connect(clientSide);
  return {
    client,
    logs,
    stderr: () => {
      assert.equal(out, '', 'nothing but protocol: the command writes nothing to stdout itself');
      return err;
    },
    exit,
    indexed,
  };
}

const texts = (result: unknown): string[] =>
  ((result as CallToolResult).content ?? []).map(c => (c.type === 'text' ? c.text : `<${c.type}>`));

interface StructuredPassage {
  ref: string;
  path: string;
  startLine: number;
  endLine: number;
  title?: string;
  text: string;
}

describe('grounded mcp (driven by the MCP SDK client)', () => {
  const dirs = tempDirs();
  const cacheBefore = process.env['XDG_CACHE_HOME'];
  let running: Running | undefined;
  beforeEach(async () => {
    process.env['XDG_CACHE_HOME'] = await dirs.make('grounded-mcp-cache-'); // the stored index lands here
  });
  afterEach(async () => {
    await running?.client.close();
    if (running) assert.equal(await running.exit, 0, 'the server ends with 0 once the client closed');
    running = undefined;
    if (cacheBefore === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = cacheBefore;
  });

  it('initializes, lists search only without a model, and says the index is ready in a logging notification', async () => {
    running = await startMcp(['--folder', FIXTURE_WORKSPACE]);
    const { client } = running;
    assert.equal(client.getServerVersion()?.name, 'grounded');
    assert.ok(client.getServerCapabilities()?.logging, 'the server declares logging');
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map(t => t.name),
      ['search'],
    );
    assert.deepEqual(tools[0]?.inputSchema.required, ['query']);
    assert.ok(tools[0]?.outputSchema, 'search declares its structured output');
    await running.indexed;
    const logs = running.logs;
    assert.ok(await until(() => logs.some(l => /^index ready: \d+ files, \d+ chunks/.test(l))), logs.join('\n'));
  });

  it('answers tools/call search with passages as text and as structured content matching its schema', async () => {
    running = await startMcp(['--folder', FIXTURE_WORKSPACE]);
    await running.indexed;
    const result = await running.client.callTool({ name: 'search', arguments: { query: 'install widget', k: 3 } });
    assert.equal(result.isError, undefined, texts(result).join('\n'));
    const structured = result.structuredContent as { query: string; passages: StructuredPassage[] };
    assert.equal(structured.query, 'install widget');
    assert.ok(structured.passages.length >= 1 && structured.passages.length <= 3);
    const top = structured.passages.find(p => p.path === 'README.md');
    assert.ok(top, JSON.stringify(structured.passages.map(p => p.ref)));
    assert.ok(top.startLine >= 1 && top.endLine >= top.startLine);
    assert.match(top.text, /npm install widget/);
    const [summary, ...blocks] = texts(result);
    assert.match(summary ?? '', /passages? from the workspace for “install widget”/);
    assert.equal(blocks.length, structured.passages.length, 'one text block per structured passage');
    assert.ok(blocks.some(b => b.startsWith(`${top.ref}`)));
    assert.equal(running.stderr(), '');
  });

  it('answers bad arguments with a tool error the agent can read, and an unknown tool with a protocol error', async () => {
    running = await startMcp(['--folder', FIXTURE_WORKSPACE]);
    await running.indexed;
    const { client } = running;
    const missing = await client.callTool({ name: 'search', arguments: {} });
    assert.equal(missing.isError, true);
    assert.deepEqual(texts(missing), ['The search needs a query: a few words or a question about the workspace.']);
    const long = await client.callTool({ name: 'search', arguments: { query: 'x'.repeat(MAX_QUERY_CHARS + 1) } });
    assert.equal(long.isError, true);
    assert.match(texts(long)[0] ?? '', /characters long; keep it under 1000/);
    const k = await client.callTool({ name: 'search', arguments: { query: 'widget', k: 0 } });
    assert.match(texts(k)[0] ?? '', /^k is a whole number from 1 to 30/);
    await assert.rejects(
      client.callTool({ name: 'grep', arguments: { query: 'x' } }),
      (e: unknown) =>
        e instanceof McpError && e.code === ErrorCode.InvalidParams && /Unknown tool “grep”/.test(e.message),
    );
    // still serving
    const ok = await client.callTool({ name: 'search', arguments: { query: 'widget' } });
    assert.equal(ok.isError, undefined);
  });

  it('starts with a folder that does not exist and answers every call with why', async () => {
    const missing = join(FIXTURE_WORKSPACE, 'no-such-folder');
    running = await startMcp(['--folder', missing]);
    const result = await running.client.callTool({ name: 'search', arguments: { query: 'widget' } });
    assert.equal(result.isError, true);
    assert.deepEqual(texts(result), [`Folder not found: ${missing}`]);
    assert.match(running.stderr(), /Folder not found/);
    assert.ok(await until(() => running?.logs.includes(`Folder not found: ${missing}`)), 'told to the client too');
  });

  it("does not index the home folder it was started in without --folder (a client's default), and says why", async () => {
    const home = await dirs.make('grounded-mcp-home-');
    await writeFile(join(home, 'credentials'), '[default]\naws_secret_access_key = widget-secret\n');
    const before = { cwd: process.cwd(), home: process.env['HOME'] };
    process.env['HOME'] = home;
    process.chdir(home);
    try {
      running = await startMcp([]);
      await running.indexed;
      const result = await running.client.callTool({ name: 'search', arguments: { query: 'widget secret' } });
      assert.equal(result.isError, true);
      assert.match(texts(result).join('\n'), /home folder.*--folder/);
      assert.match(running.stderr(), /--folder/);
    } finally {
      process.chdir(before.cwd);
      if (before.home === undefined) delete process.env['HOME'];
      else process.env['HOME'] = before.home;
    }
  });

  it('stops the first build when the client leaves, instead of finishing it first, and says nothing failed', async () => {
    const folder = await dirs.make('grounded-mcp-big-');
    for (let i = 0; i < 20; i++)
      await writeFile(join(folder, `note${i}.md`), `# Note ${i}\n\nThe flux level of unit ${i} is ${i * 7}.\n`);
    const store = join(await dirs.make('grounded-mcp-store-'), 'store');
    // the test holds the store's lock, so the build cannot finish (its sync waits for the lock) until the client left
    await claimStoreFolder(store);
    const release = await lockStore(store);
    try {
      const left = await startMcp(['--folder', folder, '--store', store]);
      assert.ok(await until(() => left.logs.includes('indexing the folder…')), left.logs.join('\n'));
      await left.client.close();
      assert.equal(await left.exit, 0);
      await left.indexed;
      assert.match(left.stderr(), /stopped: the connection closed/);
      assert.doesNotMatch(left.stderr(), /failed/);
      const saved = await readdir(store).catch((): string[] => []);
      assert.ok(!saved.includes('manifest.bin'), `the build was stopped, not finished and saved: ${saved.join(', ')}`);
    } finally {
      await release();
    }
  });

  it('finds a file written while it runs (the index is kept current)', async function () {
    this.timeout(20_000); // a watch event, then an update of the index, on a busy machine
    const folder = await dirs.make('grounded-mcp-ws-');
    await cp(FIXTURE_WORKSPACE, folder, { recursive: true });
    running = await startMcp(['--folder', folder]);
    await running.indexed;
    await writeFile(join(folder, 'docs', 'gizmo.md'), '# Gizmo\n\nThe zorbulator gizmo hums at night.\n');
    const client = running.client;
    const found = await until(
      async () => {
        const result = await client.callTool({ name: 'search', arguments: { query: 'zorbulator' } });
        const passages = (result.structuredContent as { passages: StructuredPassage[] }).passages;
        return passages.find(p => p.path === 'docs/gizmo.md');
      },
      { everyMs: 100 },
    );
    assert.ok(found, 'the new file was indexed while the server ran');
    assert.equal(found.startLine, 1);
  });

  it('lists ask with a model endpoint and answers with the cited answer and its citations, its steps as progress', async () => {
    const model = await FaultServer.start(request => ({
      tokens: isGradeRequest(request) ? ['{"relevant":[1]}'] : ['Run ', '`npm install widget` ', '[1].'],
    }));
    try {
      running = await startMcp(['--folder', FIXTURE_WORKSPACE, '--base-url', model.baseUrl, '--model', 'fault-model'], {
        GROUNDED_API_KEY: 'sk-mcp-key',
      });
      await running.indexed;
      const { tools } = await running.client.listTools();
      assert.deepEqual(
        tools.map(t => t.name),
        ['search', 'ask'],
      );
      const steps: string[] = [];
      const result = await running.client.callTool(
        { name: 'ask', arguments: { question: 'how do I install widget?' } },
        undefined,
        { onprogress: p => void steps.push(p.message ?? '') },
      );
      assert.ok(steps.length >= 2, `the answer's steps came as progress: ${JSON.stringify(steps)}`);
      assert.equal(result.isError, undefined, texts(result).join('\n'));
      const { answer, citations } = result.structuredContent as {
        answer: string;
        citations: { n: number; ref: string; path: string; startLine: number; endLine: number }[];
      };
      assert.equal(answer, 'Run `npm install widget` [1].');
      assert.deepEqual(
        citations.map(c => [c.n, c.path]),
        [[1, 'README.md']],
      );
      assert.equal(texts(result)[0], `${answer}\n\nSources:\n[1] ${citations[0]?.ref}`);
      const missing = await running.client.callTool({ name: 'ask', arguments: { question: ' ' } });
      assert.deepEqual(texts(missing), ['Ask needs a question about the workspace.']);
    } finally {
      await running?.client.close();
      await model.close();
    }
  });
});

describe('the MCP server (createMcpServer)', () => {
  /** A retriever that searches until its signal aborts, and records that it did. */
  function stalling() {
    const state = { started: false, aborted: false };
    const retriever: Retriever = {
      search: (_q, { signal }) =>
        new Promise((_resolve, reject) => {
          state.started = true;
          signal?.addEventListener('abort', () => {
            state.aborted = true;
            reject(new DOMException('Aborted', 'AbortError'));
          });
        }),
    };
    return { retriever, state };
  }

  /** A server with these deps (by default a test version and a log that drops), connected to the SDK's own client. */
  async function connect(deps: Partial<McpServerDeps>) {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = createMcpServer({ version: 'test', log: () => undefined, ...deps });
    await server.connect(serverSide);
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(clientSide);
    return { server, client };
  }

  it('answers ask with what streamed before the stream broke, marked interrupted, with why (the text is not lost)', async () => {
    async function* ask(): AsyncIterable<AnswerEvent> {
      yield { type: 'token', text: 'Run `npm install widget` [1]' };
      yield {
        type: 'error',
        error: new GroundedError('stream-broken', 'The answer was cut off: the connection to the model was lost.'),
        partial: 'Run `npm install widget` [1]',
      };
    }
    const { client } = await connect({
      retriever: new FakeRetriever(() => []),
      ask,
    });
    try {
      const result = await client.callTool({ name: 'ask', arguments: { question: 'how do I install widget?' } });
      assert.equal(result.isError, true);
      assert.deepEqual(texts(result), [
        'Run `npm install widget` [1]\n\n[interrupted] The answer was cut off: the connection to the model was lost.',
      ]);
    } finally {
      await client.close();
    }
  });

  it("reports ask's steps as progress in the CLI's words: a step naming a setting names its flag", async () => {
    async function* ask(): AsyncIterable<AnswerEvent> {
      yield { type: 'step', name: 'grade', detail: 'Grading failed (Check the host name in grounded.model.baseUrl.)' };
      yield {
        type: 'done',
        answer: 'No answer.',
        citations: [],
        usage: { modelCalls: 1, retries: 0, rewrites: 0, fallback: false },
        mode: 'answer',
      };
    }
    const { client } = await connect({ retriever: new FakeRetriever(() => []), ask });
    try {
      const steps: string[] = [];
      await client.callTool({ name: 'ask', arguments: { question: 'how do I install widget?' } }, undefined, {
        onprogress: p => void steps.push(p.message ?? ''),
      });
      assert.deepEqual(steps, ['Grading failed (Check the host name in --base-url.)']);
    } finally {
      await client.close();
    }
  });

  it("answers ask with each citation's number as the answer writes it, when the check moved it to another source", async () => {
    const sources = [passage(1, 'The car is red.'), passage(2, 'The doors open upwards.')];
    const moved = { n: 2, ordinal: 0, passage: sources[1] as Passage, claim: 'Doors open', startLine: 2, endLine: 2 };
    async function* ask(): AsyncIterable<AnswerEvent> {
      yield { type: 'sources', sources };
      yield { type: 'token', text: 'Doors open upwards [1].' };
      yield {
        type: 'done',
        answer: 'Doors open upwards [1].',
        citations: [{ ...moved, support: 'supported', movedFrom: 1 }],
        usage: { modelCalls: 1, retries: 0, rewrites: 0, fallback: false },
        mode: 'answer',
      };
    }
    const { client } = await connect({
      retriever: new FakeRetriever(() => []),
      ask,
    });
    try {
      const result = await client.callTool({ name: 'ask', arguments: { question: 'how do the doors open?' } });
      const { citations } = result.structuredContent as { citations: { n: number; movedFrom?: number }[] };
      assert.deepEqual(
        citations.map(c => [c.n, c.movedFrom]),
        [[2, 1]],
      );
      assert.equal(texts(result)[0], 'Doors open upwards [1].\n\nSources:\n[2] docs/file2.md:2-2 (moved from [1])');
    } finally {
      await client.close();
    }
  });

  it("names a notebook cell's source or outputs, or a PDF page, in search passages and ask citations alike", async () => {
    const output: Passage = { ...passage(1, 'zebra count 42\nmean 7', 'nb.ipynb'), cell: 2, cellOutput: true };
    const page: Passage = { ...passage(2, 'Zebras have stripes.', 'report.pdf'), page: 4 };
    const sources = [output, page];
    async function* ask(): AsyncIterable<AnswerEvent> {
      yield { type: 'sources', sources };
      yield {
        type: 'done',
        answer: 'There are 42 zebras [1] with stripes [2].',
        citations: sources.map((p, i) => ({ n: i + 1, ordinal: i, passage: p, claim: 'c', startLine: 1, endLine: 1 })),
        usage: { modelCalls: 1, retries: 0, rewrites: 0, fallback: false },
        mode: 'answer',
      };
    }
    const { client } = await connect({
      retriever: new FakeRetriever(() => sources),
      ask,
    });
    try {
      await client.listTools(); // the client checks structured content against the output schemas listed
      const place = (p: Record<string, unknown>) => [p['ref'], p['cell'], p['cellOutput'], p['page']];
      const expected = [
        ['nb.ipynb#cell=2/output:1-1', 2, true, undefined],
        ['report.pdf#page=4:1-1', undefined, undefined, 4],
      ];
      const answered = await client.callTool({ name: 'ask', arguments: { question: 'how many zebras?' } });
      const { citations } = answered.structuredContent as { citations: Record<string, unknown>[] };
      assert.deepEqual(citations.map(place), expected);
      const found = await client.callTool({ name: 'search', arguments: { query: 'zebra' } });
      const { passages } = found.structuredContent as { passages: Record<string, unknown>[] };
      assert.deepEqual(passages.map(place), [
        ['nb.ipynb#cell=2/output:1-3', 2, true, undefined],
        ['report.pdf#page=4:1-3', undefined, undefined, 4],
      ]);
    } finally {
      await client.close();
    }
  });

  it('stops the search when the client cancels the call', async () => {
    const { retriever, state } = stalling();
    const { client, server } = await connect({ retriever });
    const controller = new AbortController();
    const call = client.callTool({ name: 'search', arguments: { query: 'flux' } }, undefined, {
      signal: controller.signal,
    });
    assert.ok(await until(() => state.started));
    controller.abort();
    await assert.rejects(call);
    assert.ok(await until(() => state.aborted), 'the search saw the cancel');
    // the server goes on serving
    assert.deepEqual(
      (await client.listTools()).tools.map(t => t.name),
      ['search'],
    );
    await client.close();
    await server.close();
  });

  it('stops the search when the client disconnects mid-call, and stays up for nothing else to crash', async () => {
    const { retriever, state } = stalling();
    const { client, server } = await connect({ retriever });
    let closed = false;
    server.onclose = () => (closed = true);
    const call = client.callTool({ name: 'search', arguments: { query: 'flux' } }).catch((e: unknown) => e);
    assert.ok(await until(() => state.started));
    await client.close();
    assert.ok(await call, 'the client’s call ends with an error');
    assert.ok(await until(() => closed), 'the server saw the connection close');
    assert.ok(await until(() => state.aborted), 'the search in flight was aborted');
  });

  it('answers a search during the first build at once with how far the build got, and searches once it is done', async () => {
    const { retriever, state } = stalling();
    let building: { done: number; total: number } | undefined = { done: 1200, total: 5000 };
    const { client } = await connect({ retriever, building: () => building });
    const result = await client.callTool({ name: 'search', arguments: { query: 'flux' } });
    assert.equal(result.isError, true);
    assert.deepEqual(texts(result), [
      'The index is still being built (1200 of 5000 files read). Call search again in a few seconds.',
    ]);
    assert.equal(state.started, false, 'the retriever was not asked (it would wait for the whole build)');
    building = undefined;
    const call = client.callTool({ name: 'search', arguments: { query: 'flux' } }).catch((e: unknown) => e);
    assert.ok(await until(() => state.started), 'searched once the index can be searched');
    await client.close();
    await call;
  });

  it('reports a failing retriever as a tool error and logs the cause for a person', async () => {
    const logged: string[] = [];
    const { client } = await connect({
      retriever: { search: () => Promise.reject(new Error('disk on fire')) },
      log: m => logged.push(m),
    });
    const result = await client.callTool({ name: 'search', arguments: { query: 'flux' } });
    assert.equal(result.isError, true);
    assert.deepEqual(texts(result), ["The search failed; the server's log (stderr) says why."]);
    assert.match(logged[0] ?? '', /disk on fire/);
    await client.close();
  });

  it('logs a failure once named and with its credentials redacted (the log line already names the server)', async () => {
    const logged: string[] = [];
    const { client } = await connect({
      retriever: { search: () => Promise.reject(new Error('request failed: api_key=sk-live-1234567890abcdef')) },
      log: m => logged.push(`grounded mcp: ${m}`),
    });
    await client.callTool({ name: 'search', arguments: { query: 'flux' } });
    assert.match(logged[0] ?? '', /^grounded mcp: search failed: /);
    assert.ok(!(logged[0] ?? '').includes('sk-live-1234567890abcdef'), logged[0]);
    await client.close();
  });

  it('says what to do on the server where a failure names a VS Code command or output, and logs the cause', async () => {
    const logged: string[] = [];
    const failures: Record<string, unknown> = {
      unknown: new TypeError('reply.choices is undefined'),
      auth: Object.assign(new Error('401 Unauthorized'), { status: 401 }),
      'no-such-model': Object.assign(new Error('404 Not Found'), { status: 404 }),
    };
    async function* ask(question: string): AsyncIterable<AnswerEvent> {
      yield { type: 'error', error: toGroundedError(failures[question]), partial: '' };
    }
    const { client } = await connect({
      retriever: { search: () => Promise.reject(toGroundedError(new Error('socket hang on'))) },
      ask,
      log: m => logged.push(m),
    });
    try {
      const said = async (question: string) =>
        texts(await client.callTool({ name: 'ask', arguments: { question } })).join('\n');
      assert.equal(await said('unknown'), "The model call failed. The server's log (stderr) says why.");
      assert.match(logged.join('\n'), /^ask failed: The model call failed\. Cause: reply\.choices is undefined$/m);
      assert.equal(
        await said('auth'),
        "The model endpoint rejected the credentials. Check GROUNDED_API_KEY in the server's environment (the client's configuration of it).",
      );
      assert.equal(
        await said('no-such-model'),
        "The model endpoint has no such model (HTTP 404). Check the server's --base-url and --model.",
      );
      const search = await client.callTool({ name: 'search', arguments: { query: 'flux' } });
      assert.equal(texts(search).join('\n'), "The model call failed. The server's log (stderr) says why.");
      assert.match(logged.join('\n'), /^search failed: The model call failed\. Cause: socket hang on$/m);
    } finally {
      await client.close();
    }
  });

  it('passes remote passages through the same path checks as every surface', async () => {
    const { client } = await connect({
      retriever: { search: async () => [passage(1, 'x', '/etc/passwd'), passage(2, 'y', 'docs/ok.md')] },
    });
    const result = await client.callTool({ name: 'search', arguments: { query: 'x' } });
    const passages = (result.structuredContent as { passages: StructuredPassage[] }).passages;
    assert.deepEqual(
      passages.map(p => p.path),
      ['docs/ok.md'],
    );
    await client.close();
  });

  /**
   * Sends each request as written (no client checks them first) to a server over a retriever that finds nothing, and
   * resolves to each one's error code and message ('result' for an answer), by its place in `requests`.
   */
  async function rawReplies(requests: readonly [method: string, params: unknown][]): Promise<[unknown, string][]> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = createMcpServer({ retriever: new FakeRetriever(() => []), version: 'test', log: () => undefined });
    await server.connect(serverSide);
    const replies: JSONRPCMessage[] = [];
    clientSide.onmessage = m => void replies.push(m);
    await clientSide.start();
    for (const [i, [method, params]] of requests.entries())
      await clientSide.send({
        jsonrpc: '2.0',
        id: i,
        method,
        ...(params === undefined ? {} : { params }),
      } as JSONRPCMessage);
    assert.ok(await until(() => replies.length === requests.length), JSON.stringify(replies));
    await server.close();
    const byId = new Map(
      replies.map(r => ['id' in r ? r.id : '', 'error' in r ? [r.error.code, r.error.message] : ['result', 'result']]),
    );
    return requests.map((_, i) => (byId.get(i) ?? ['none', 'none']) as [unknown, string]);
  }

  it('answers params their method’s schema refuses with -32602 (invalid params), not -32603 (internal error)', async () => {
    const replies = await rawReplies([
      ['initialize', undefined], // params are required
      ['tools/call', { name: 'search', arguments: 'install widget' }], // a string where an object belongs
      ['tools/call', { arguments: { query: 'widget' } }], // no tool name
      ['tools/list', { cursor: 5 }], // a cursor is a string
      ['logging/setLevel', { level: 'loud' }], // not a level
      ['tools/call', { name: 'search', arguments: { query: 'widget' } }],
      ['tools/list', {}],
      ['logging/setLevel', { level: 'error' }],
    ]);
    assert.deepEqual(
      replies.map(([code]) => code),
      [...Array<number>(5).fill(ErrorCode.InvalidParams), 'result', 'result', 'result'],
      JSON.stringify(replies),
    );
  });

  const UNKNOWN_CURSOR =
    'MCP error -32602: Invalid params for tools/list: the cursor is not one this server gave (it lists every tool at once, with no nextCursor).';

  it('answers tools/list with a cursor it never gave with -32602 (invalid params), as the protocol’s pagination says', async () => {
    const replies = await rawReplies([
      ['tools/list', { cursor: 'eyJwYWdlIjogMn0=' }],
      ['tools/list', { cursor: '' }],
      ['tools/list', {}],
    ]);
    assert.deepEqual(replies, [
      [ErrorCode.InvalidParams, UNKNOWN_CURSOR],
      [ErrorCode.InvalidParams, UNKNOWN_CURSOR],
      ['result', 'result'],
    ]);
  });

  it('says in one short line which tools/call param is wrong, not a dump of the schema’s issues', async () => {
    const replies = await rawReplies(
      [{ arguments: { query: 'widget' } }, { name: 5 }, { name: 'search', arguments: 'install widget' }, undefined].map(
        params => ['tools/call', params] as [string, unknown],
      ),
    );
    assert.deepEqual(
      replies.map(([, message]) => message),
      [
        'MCP error -32602: Invalid params for tools/call: params.name is missing (expected string).',
        'MCP error -32602: Invalid params for tools/call: params.name: expected string, received number.',
        'MCP error -32602: Invalid params for tools/call: params.arguments: expected object, received string.',
        'MCP error -32602: Invalid params for tools/call: params is missing (expected object).',
      ],
    );
  });
});
