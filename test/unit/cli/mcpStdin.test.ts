import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { checkedLines } from '../../../src/cli/mcpStdin';

/** Writes `chunks` to checkedLines and resolves with the lines passed on, the replies and the log once input ended. */
async function check(chunks: (string | Buffer)[], options?: Parameters<typeof checkedLines>[3]) {
  const input = new PassThrough();
  const replies: unknown[] = [];
  const logged: string[] = [];
  const out = checkedLines(
    input,
    line => replies.push(JSON.parse(line)),
    m => logged.push(m),
    options,
  );
  let passed = '';
  out.on('data', (chunk: Buffer) => (passed += chunk.toString('utf8')));
  const ended = new Promise(resolve => out.on('end', resolve));
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await ended;
  return { lines: passed.split('\n').filter(Boolean), replies, logged };
}

const ping = (id: number, extra: object = {}) => ({ jsonrpc: '2.0', id, method: 'ping', ...extra });

describe('checkedLines (the MCP server’s stdin, checked before the SDK reads it)', () => {
  it('passes a message on whole when a character, or the line, is split across chunks, and a CRLF line too', async () => {
    const bytes = Buffer.from(JSON.stringify(ping(1, { params: { _meta: { note: 'café 💥' } } })) + '\r\n');
    const split = bytes.indexOf(Buffer.from('💥')) + 2; // inside the emoji's four bytes
    const { lines, replies } = await check([bytes.subarray(0, split), bytes.subarray(split)]);
    assert.deepEqual(replies, []);
    assert.deepEqual(
      lines.map(l => JSON.parse(l) as unknown),
      [ping(1, { params: { _meta: { note: 'café 💥' } } })],
    );
  });

  it('passes on the last message when the input ends without its newline, and answers it when it is not JSON', async () => {
    const { lines } = await check([JSON.stringify(ping(1)) + '\n', JSON.stringify(ping(2))]);
    assert.deepEqual(lines, [JSON.stringify(ping(1)), JSON.stringify(ping(2))]);
    const { replies } = await check(['{"jsonrpc":"2.0","id":3']);
    assert.deepEqual(replies, [
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32700, message: 'Parse error: the line is not JSON (one JSON-RPC message a line).' },
      },
    ]);
  });

  it('answers a line over the limit and goes on with the next one', async () => {
    const long = JSON.stringify(ping(2, { params: { _meta: { note: 'x'.repeat(300) } } }));
    const { lines, replies } = await check(
      [long.slice(0, 150), long.slice(150), '\n', JSON.stringify(ping(3)) + '\n'],
      { maxLineBytes: 100 },
    );
    assert.deepEqual(replies, [
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request: a message over 100 bytes.' } },
    ]);
    assert.deepEqual(lines, [JSON.stringify(ping(3))]);
  });

  it("answers a line over the limit that comes whole, and passes on only lines the SDK's buffer takes", async () => {
    const max = 100;
    // the line at the limit: with its newline, one byte over what the SDK's buffer holds
    const atLimit = JSON.stringify(ping(4, { params: { _meta: { note: '' } } }));
    const padded = (id: number, bytes: number) =>
      JSON.stringify(ping(id, { params: { _meta: { note: 'x'.repeat(bytes - atLimit.length) } } }));
    const input = new PassThrough();
    const replies: unknown[] = [];
    const out = checkedLines(
      input,
      line => replies.push(JSON.parse(line)),
      () => undefined,
      { maxLineBytes: max },
    );
    // the SDK's own buffer, as the server's transport reads what checkedLines passes on
    const sdk = new ReadBuffer({ maxBufferSize: max });
    const passed: unknown[] = [];
    out.on('data', (chunk: Buffer) => {
      sdk.append(chunk);
      for (let m = sdk.readMessage(); m; m = sdk.readMessage()) passed.push(m);
    });
    const ended = new Promise(resolve => out.on('end', resolve));
    input.write([padded(5, 150), padded(6, max), padded(7, max - 1), JSON.stringify(ping(8))].join('\n') + '\n');
    input.end();
    await ended;
    const over = { code: -32600, message: `Invalid request: a message over ${max} bytes.` };
    assert.deepEqual(replies, [
      { jsonrpc: '2.0', id: null, error: over },
      { jsonrpc: '2.0', id: null, error: over },
    ]);
    assert.deepEqual(
      passed.map(m => (m as { id: number }).id),
      [7, 8],
    );
  });

  it('answers a message nested too deeply to write again, instead of the throw ending the server', async () => {
    // JSON.parse reads this; JSON.stringify runs out of stack on it
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const { lines, replies, logged } = await check([
      `{"jsonrpc":"2.0","id":9,"method":"ping","params":{"x":${deep}}}\n`,
      `{"jsonrpc":"2.0","method":"notifications/progress","params":{"x":${deep}}}\n`,
      JSON.stringify(ping(10)) + '\n',
    ]);
    assert.deepEqual(replies, [
      {
        jsonrpc: '2.0',
        id: 9,
        error: { code: -32600, message: 'Invalid request: the message is nested too deeply to read.' },
      },
    ]);
    assert.deepEqual(logged, ['a notification that is nested too deeply was ignored: notifications/progress']);
    assert.deepEqual(lines, [JSON.stringify(ping(10))]);
  });

  it('passes on a batch message by message only once MCP 2025-03-26 (the one version with batches) was agreed on, and answers it as invalid otherwise', async () => {
    const batch = JSON.stringify([ping(1), ping(2)]) + '\n';
    const refused = (agreed: string) => ({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: `Invalid request: a batch (a JSON array) is a message only in MCP 2025-03-26, and this connection ${agreed}: send one message a line.`,
      },
    });
    for (const version of ['2025-06-18', '2025-11-25', '2024-11-05']) {
      const { lines, replies } = await check([batch, '[]\n'], { protocolVersion: () => version });
      assert.deepEqual(lines, [], version);
      assert.deepEqual(replies, [refused(`agreed on ${version}`), refused(`agreed on ${version}`)], version);
    }
    const before = await check([batch]);
    assert.deepEqual(before.lines, []);
    assert.deepEqual(before.replies, [refused('has not initialized')], 'nor before initialize (never in a batch)');
    const { lines, replies } = await check([batch], { protocolVersion: () => '2025-03-26' });
    assert.deepEqual(replies, []);
    assert.deepEqual(lines, [JSON.stringify(ping(1)), JSON.stringify(ping(2))]);
  });

  it('answers a request that is not JSON-RPC with its id, and only logs a notification that is not', async () => {
    const { lines, replies, logged } = await check(
      [
        JSON.stringify({ jsonrpc: '1.0', id: 'a', method: 'ping' }) + '\n',
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: 'half' }) + '\n',
        '\n',
        '[]\n',
      ],
      { protocolVersion: () => '2025-03-26' },
    );
    assert.deepEqual(lines, []);
    assert.deepEqual(
      replies.map(r => {
        const { id, error } = r as { id: unknown; error: { code: number } };
        return [id, error.code];
      }),
      [
        ['a', -32600],
        [null, -32600],
      ],
      'a blank line is skipped; an empty batch is answered',
    );
    assert.deepEqual(logged, ['a notification that is not valid JSON-RPC was ignored: notifications/progress']);
  });
});
