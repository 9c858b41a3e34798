import { Transform, type Readable } from 'node:stream';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { ErrorCode, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** The one MCP version whose messages include JSON-RPC batches: 2025-06-18 removed them, and 2024-11-05 had none. */
const BATCH_VERSION = '2025-03-26';

/**
 * The client's lines as the SDK's stdio transport should read them: one JSON-RPC message a line. The SDK drops
 * without a word a line that is not JSON, JSON that is not a JSON-RPC message, and a batch (an array), so a client
 * that sent a request waits for an answer that never comes. Here such a request is answered as JSON-RPC 2.0 says,
 * through `reply` (one line of stdout): -32700 (parse error) or -32600 (invalid request), with the request's id when
 * it has one a client can match, null otherwise. A batch is a message only in MCP 2025-03-26 (which the server still
 * negotiates): once `protocolVersion` says the connection agreed on it, a batch is passed on as its messages, one a
 * line, each answered on its own line, the only shape stdio clients read; under any other version, or before
 * initialize (which is never sent in a batch), it is answered -32600. An invalid notification is not answered
 * (nothing ever is), only said to `log`. A line longer than the SDK's buffer (`maxLineBytes`) is dropped as the SDK
 * would, but answered, and the server goes on; so is a message nested too deeply to pass on. The last message before
 * the input ends is read without its newline too (the SDK would drop it).
 */
export function checkedLines(
  input: Readable,
  reply: (line: string) => void,
  log: (message: string) => void,
  {
    protocolVersion = () => undefined,
    maxLineBytes = STDIO_DEFAULT_MAX_BUFFER_SIZE,
  }: { protocolVersion?: () => string | undefined; maxLineBytes?: number } = {},
): Readable {
  // bytes, not text, are kept across chunks, so a character split between two chunks is decoded whole
  let pending: Buffer = Buffer.alloc(0);
  let skipping = false;
  const answer = (id: unknown, code: number, message: string) =>
    reply(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }) + '\n');

  const check = (line: string, out: Transform) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      answer(null, ErrorCode.ParseError, 'Parse error: the line is not JSON (one JSON-RPC message a line).');
      return;
    }
    const refused = Array.isArray(parsed) ? batchRefused(protocolVersion(), parsed.length) : undefined;
    if (refused) {
      answer(null, ErrorCode.InvalidRequest, refused);
      return;
    }
    for (const message of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
      const valid = JSONRPCMessageSchema.safeParse(message).success;
      if (valid) {
        // JSON.stringify recurses, and throws on a message nested thousands deep (which JSON.parse reads): such a
        // message is refused below rather than the throw ending the server
        const text = serialized(message);
        if (text !== undefined) {
          out.push(text + '\n');
          continue;
        }
      }
      const fields = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
      if (!('id' in fields) && typeof fields['method'] === 'string') {
        log(
          `a notification that is ${valid ? 'nested too deeply' : 'not valid JSON-RPC'} was ignored: ${fields['method']}`,
        );
        continue;
      }
      const id = typeof fields['id'] === 'string' || typeof fields['id'] === 'number' ? fields['id'] : null;
      answer(
        id,
        ErrorCode.InvalidRequest,
        valid
          ? 'Invalid request: the message is nested too deeply to read.'
          : 'Invalid request: not a JSON-RPC 2.0 message (jsonrpc "2.0", a string or integer id, a method name, params an object).',
      );
    }
  };

  // the SDK takes a line with its newline, and stops the server when that is over its buffer: such a line is
  // answered here instead, whether it came whole in one chunk or is still coming
  const overLimit = (lineBytes: number) => lineBytes + 1 > maxLineBytes;
  const tooLong = () =>
    answer(null, ErrorCode.InvalidRequest, `Invalid request: a message over ${maxLineBytes} bytes.`);

  const lines = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (let end = pending.indexOf(0x0a); end >= 0; end = pending.indexOf(0x0a)) {
        const line = pending.subarray(0, end);
        pending = pending.subarray(end + 1);
        if (skipping) skipping = false;
        else if (overLimit(line.length)) tooLong();
        else check(line.toString('utf8').replace(/\r$/, ''), this);
      }
      if (overLimit(pending.length)) {
        // the rest of this line is dropped as it comes, without holding it
        if (!skipping) tooLong();
        skipping = true;
        pending = Buffer.alloc(0);
      }
      done();
    },
    // the client's last message, when it closed its input without the newline after it, is read as a line too
    flush(done) {
      if (!skipping && pending.length) check(pending.toString('utf8').replace(/\r$/, ''), this);
      pending = Buffer.alloc(0);
      done();
    },
  });
  input.pipe(lines);
  return lines;
}

/**
 * Why a batch of `size` messages is not read under the agreed `version` (undefined: none yet); undefined when it is.
 */
function batchRefused(version: string | undefined, size: number): string | undefined {
  if (version !== BATCH_VERSION) {
    const agreed = version === undefined ? 'has not initialized' : `agreed on ${version}`;
    return `Invalid request: a batch (a JSON array) is a message only in MCP ${BATCH_VERSION}, and this connection ${agreed}: send one message a line.`;
  }
  return size === 0 ? 'Invalid request: an empty batch.' : undefined;
}

/** The message as one line of JSON, or undefined when it is nested too deeply for JSON.stringify. */
function serialized(message: unknown): string | undefined {
  try {
    return JSON.stringify(message);
  } catch {
    return undefined;
  }
}
