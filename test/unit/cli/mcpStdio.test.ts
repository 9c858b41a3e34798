import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FaultServer } from '../../fakes/faultServer';
import { tempDirs } from '../../support/tempDirs';
import { FIXTURE_WORKSPACE } from '../index/fixturePaths';

/** The CLI's entry as tsc compiles it (out/src/cli/main.js), run as `grounded` would be. */
const MAIN = join(__dirname, '../../../src/cli/main.js');

const message = (id: number | undefined, method: string, params: object = {}) =>
  JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method, params }) + '\n';

const initialize = (protocolVersion: string) =>
  message(1, 'initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'stdio-test', version: '1' } });

/**
 * Runs `grounded mcp ARGS` and plays the client, which initializes with `protocolVersion`: `next` gets each stdout
 * line and returns what to write to stdin (and whether to close stdin after it); `started` gets the process. Resolves
 * with the exit code and the output once the process ended.
 */
function runStdio(
  args: string[],
  env: NodeJS.ProcessEnv,
  next: (line: string) => { write?: string; end?: boolean; interrupt?: true | 'SIGTERM' },
  started?: (child: ChildProcess) => void,
  protocolVersion = '2025-06-18',
): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'mcp', ...args], { env: { ...process.env, ...env } });
    started?.(child);
    const stdout: string[] = [];
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 1);
        stdout.push(line);
        const { write, end, interrupt } = next(line);
        if (write) child.stdin.write(write);
        if (end) child.stdin.end();
        if (interrupt) child.kill(interrupt === true ? 'SIGINT' : interrupt);
      }
    });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stdout: buffered ? [...stdout, buffered] : stdout, stderr }));
    child.stdin.write(initialize(protocolVersion));
  });
}

describe('grounded mcp over stdio (a child process)', function () {
  this.timeout(30_000);
  const dirs = tempDirs();

  it('writes only protocol to stdout, answers a search, and exits 0 when the client closes stdin mid-call, once that call is answered', async () => {
    const cache = await dirs.make('grounded-mcp-stdio-');
    const { code, stdout, stderr } = await runStdio(
      ['--folder', FIXTURE_WORKSPACE],
      { XDG_CACHE_HOME: cache },
      line => {
        const { id, params } = JSON.parse(line) as { id?: number; params?: { data?: unknown } };
        if (id === 1) return { write: message(undefined, 'notifications/initialized') };
        // searched once the index is built (a search during the first build is told to come back)
        if (typeof params?.data === 'string' && params.data.startsWith('index ready'))
          return { write: message(2, 'tools/call', { name: 'search', arguments: { query: 'install widget' } }) };
        // a second call, and the client closes stdin before its answer (the stdio transport's shutdown)
        if (id === 2)
          return {
            write: message(3, 'tools/call', { name: 'search', arguments: { query: 'flux capacitor' } }),
            end: true,
          };
        return {};
      },
    );
    const replies = stdout.map(line => {
      assert.doesNotThrow(() => JSON.parse(line), `not protocol on stdout: ${line}`);
      return JSON.parse(line) as { id?: number; result?: { structuredContent?: { passages: { path: string }[] } } };
    });
    const search = replies.find(r => r.id === 2);
    assert.ok(
      search?.result?.structuredContent?.passages.some(p => p.path === 'README.md'),
      `${stdout.join('\n')}\n${stderr}`,
    );
    const last = replies.find(r => r.id === 3);
    assert.ok(last?.result?.structuredContent, `the call sent before stdin closed is answered: ${stdout.join('\n')}`);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /grounded mcp: stopped: the connection closed\n$/, 'it stopped, not just exited');
  });

  it('answers a call still running when the client closes stdin before the server exits', async () => {
    const cache = await dirs.make('grounded-mcp-stdio-');
    let child: ChildProcess | undefined;
    // the client closes stdin once the answer is being written, and the model takes a moment to reply
    const model = await FaultServer.start(() => {
      child?.stdin?.end();
      return { tokens: ['Run ', '`npm install widget`.'], stallBeforeFirstMs: 300 };
    });
    try {
      const { code, stdout, stderr } = await runStdio(
        ['--folder', FIXTURE_WORKSPACE, '--base-url', model.baseUrl, '--model', 'fault-model', '--no-grading'],
        { XDG_CACHE_HOME: cache, GROUNDED_API_KEY: 'sk-test' },
        line => {
          const { id, params } = JSON.parse(line) as { id?: number; params?: { data?: unknown } };
          if (id === 1) return { write: message(undefined, 'notifications/initialized') };
          if (typeof params?.data === 'string' && params.data.startsWith('index ready'))
            return { write: message(2, 'tools/call', { name: 'ask', arguments: { question: 'install widget?' } }) };
          return {};
        },
        spawned => (child = spawned),
      );
      const replies = stdout.map(line => JSON.parse(line) as { id?: number; result?: { structuredContent?: unknown } });
      assert.deepEqual(
        replies.find(r => r.id === 2)?.result?.structuredContent,
        { answer: 'Run `npm install widget`.', citations: [] },
        `${stdout.join('\n')}\n${stderr}`,
      );
      assert.equal(code, 0, stderr);
    } finally {
      await model.close();
    }
  });

  /** What the server answers, by id and error code (`result` for an answer), to malformed lines and a batch. */
  async function answersToMalformed(protocolVersion: string): Promise<unknown[][]> {
    const cache = await dirs.make('grounded-mcp-stdio-');
    const folder = await dirs.make('grounded-mcp-empty-');
    const raw = (value: unknown) => JSON.stringify(value) + '\n';
    const { stdout } = await runStdio(
      ['--folder', folder],
      { XDG_CACHE_HOME: cache },
      line => {
        const { id } = JSON.parse(line) as { id?: unknown };
        if (id === 1)
          return {
            write: [
              message(undefined, 'notifications/initialized'),
              '{"jsonrpc":"2.0","id":2,"method":"ping"\n', // cut short: not JSON
              raw({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: 'all' }), // params must be an object
              raw({ jsonrpc: '2.0', id: { n: 4 }, method: 'ping' }), // an id must be a string or a number
              raw([
                { jsonrpc: '2.0', id: 5, method: 'ping' },
                { jsonrpc: '2.0', id: 6, method: 'tools/list' },
              ]),
              raw({ jsonrpc: '2.0', method: 'notifications/nonsense', params: 7 }), // a notification is never answered
              message(99, 'ping'),
            ].join(''),
          };
        if (id === 99) return { end: true };
        return {};
      },
      undefined,
      protocolVersion,
    );
    const replies = stdout
      .map(line => JSON.parse(line) as { id?: unknown; method?: string; result?: unknown; error?: { code: number } })
      .filter(r => r.method === undefined && r.id !== 1);
    // in any order: the answers to the batch come when their handlers end
    return replies.map(r => [r.id, r.error?.code ?? 'result']);
  }

  it('answers a line that is not JSON, a request that is not JSON-RPC, and a batch, instead of leaving them unanswered', async () => {
    const inOrder = (pairs: unknown[][]) => pairs.map(p => JSON.stringify(p)).sort();
    const malformed = [
      [3, -32600],
      [99, 'result'],
      [null, -32600],
      [null, -32700],
    ];
    // MCP 2025-03-26 has batches: each message in it is answered
    assert.deepEqual(
      inOrder(await answersToMalformed('2025-03-26')),
      inOrder([...malformed, [5, 'result'], [6, 'result']]),
    );
    // 2025-06-18 has none: the batch is answered as an invalid request, and nothing in it runs
    assert.deepEqual(inOrder(await answersToMalformed('2025-06-18')), inOrder([...malformed, [null, -32600]]));
  });

  it('exits 0 on Ctrl-C while the client still holds stdin open', async () => {
    const cache = await dirs.make('grounded-mcp-stdio-');
    const folder = await dirs.make('grounded-mcp-empty-');
    const { code, stderr } = await runStdio(['--folder', folder], { XDG_CACHE_HOME: cache }, line => {
      const { id } = JSON.parse(line) as { id?: unknown };
      // connected: the person presses Ctrl-C, stdin stays open (a terminal, or a client that does not close it)
      return id === 1 ? { interrupt: true } : {};
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /grounded mcp: stopped: the connection closed\n$/);
  });

  it('exits 0 on SIGTERM (how an MCP client ends a server that did not exit when stdin closed)', async () => {
    const cache = await dirs.make('grounded-mcp-stdio-');
    const folder = await dirs.make('grounded-mcp-empty-');
    const { code, stderr } = await runStdio(['--folder', folder], { XDG_CACHE_HOME: cache }, line => {
      const { id } = JSON.parse(line) as { id?: unknown };
      return id === 1 ? { interrupt: 'SIGTERM' } : {};
    });
    assert.equal(code, 0, stderr);
    assert.match(stderr, /grounded mcp: stopped: the connection closed\n$/);
  });
});
