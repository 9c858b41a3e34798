import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBody } from './loopbackHttp';
import {
  writeChatCompletion,
  writeChunk,
  writeDone,
  writeFirstChunk,
  writeLastChunk,
  writeSseHead,
} from './openAiWire';

/** What the server does with one request. Unset fields mean "behave like a healthy endpoint". */
export interface ReplyScript {
  /** The reply, token by token (streamed) or joined (non-streaming). */
  tokens?: string[];
  /** Answer with this HTTP error instead (429, 500, 401…), with an OpenAI-shaped error body. */
  status?: number;
  /** The `Retry-After` header sent with `status`. */
  retryAfter?: string;
  /** The error body's `message` and `code` sent with `status` (default: "Scripted <status>" and the status). */
  errorMessage?: string;
  errorCode?: string;
  /** Destroy the socket after this many tokens were sent (0: right after the headers). */
  cutAfter?: number;
  /** Wait this long before the first token; `Infinity` never sends one. */
  stallBeforeFirstMs?: number;
  /** After `tokens` tokens, wait `ms` (`Infinity`: forever). */
  stallMidStream?: { tokens: number; ms: number };
  /** Send a chunk that is not JSON in place of the token at this index. */
  malformedAt?: number;
  /** Send chunks with `choices: []` first (Azure's content-filter preamble does this). */
  emptyChoicesFirst?: number;
  /** Delay between two tokens. */
  tokenDelayMs?: number;
  /** Awaited before each piece of reasoning and each token is sent: the test decides when the next one comes. */
  pace?: () => Promise<void>;
  /**
   * Reasoning sent before the tokens, piece by piece in the delta's own field (`reasoning_content`, as DeepSeek and
   * vLLM's reasoning parser send it), `tokenDelayMs` apart.
   */
  reasoning?: string[];
  /** The delta's field `reasoning` is sent in (default `reasoning_content`; newer Ollama and vLLM send `reasoning`). */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /**
   * The last chunk's `finish_reason` (default `stop`); null sends no chunk that gives a reason. A non-streaming
   * reply's `finish_reason` too.
   */
  finishReason?: string | null;
  /**
   * The model's refusal (OpenAI's structured refusal), piece by piece in the delta's `refusal` after the tokens; in a
   * non-streaming reply, its message's `refusal`, its content null when there are no tokens.
   */
  refusal?: string[];
  /** Send the last chunk without `delta` (`{"index":0,"finish_reason":"stop"}`), as some servers do. */
  finishWithoutDelta?: boolean;
  /** false: close the connection in order without the `[DONE]` line, as a proxy that cuts the answer does. */
  done?: boolean;
  /**
   * After this many tokens, send an error event (`data: {"error":{message,code}}`) and end the stream, as servers
   * report a failure once the response has begun (vLLM, LiteLLM, OpenAI).
   */
  streamErrorAfter?: { tokens: number; message: string; code?: string };
}

/** One request as the server saw it, and what became of its connection. */
export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  /** Path and query as sent. */
  url: string;
  authorization: string | undefined;
  headers: IncomingMessage['headers'];
  body: ChatRequestBody | undefined;
  stream: boolean;
  startedAt: number;
  tokensSent: number;
  /** When the client closed the connection before the response ended (cancel, timeout). */
  clientClosedAt?: number;
  finishedAt?: number;
}

export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: unknown }[];
}

export type ScriptPicker = (request: RecordedRequest) => ReplyScript;

/**
 * A loopback OpenAI-compatible endpoint (`POST /v1/chat/completions`, `GET /v1/models`) that speaks SSE like
 * the real API and misbehaves on request: each request gets the script `pick(request)` returns (or the next
 * queued one). It records every request and when the client hung up, so tests can prove a cancel reached
 * the network. Binds to 127.0.0.1 only.
 */
export class FaultServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ReplyScript[] = [];
  private readonly server: Server;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly open = new Set<ServerResponse>();

  constructor(private pick: ScriptPicker = () => ({})) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(pick?: ScriptPicker): Promise<FaultServer> {
    const server = new FaultServer(pick);
    await new Promise<void>(resolve => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** What a client puts in `baseURL`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Scripts for the next requests, in order; once used up, `pick` decides. */
  enqueue(...scripts: ReplyScript[]): this {
    this.queue.push(...scripts);
    return this;
  }

  setPicker(pick: ScriptPicker): this {
    this.pick = pick;
    return this;
  }

  /** Chat requests only (`/models` lookups left out). */
  get chatRequests(): RecordedRequest[] {
    return this.requests.filter(r => r.path.endsWith('/chat/completions'));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const res of this.open) res.destroy();
    await closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = parseJson(raw);
    const record: RecordedRequest = {
      index: this.requests.length,
      method: req.method ?? 'GET',
      path,
      url: req.url ?? '/',
      authorization: req.headers.authorization,
      headers: req.headers,
      body,
      stream: body?.stream === true,
      startedAt: Date.now(),
      tokensSent: 0,
    };
    this.requests.push(record);
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableEnded) record.clientClosedAt ??= Date.now();
    });
    if (req.method === 'GET' && path.endsWith('/models')) return this.finish(record, res, () => writeModels(res));
    if (req.method === 'GET' && path === '/api/2.0/serving-endpoints')
      return this.finish(record, res, () => writeServingEndpoints(res));
    if (req.method !== 'POST' || !path.endsWith('/chat/completions'))
      return this.finish(record, res, () => writeError(res, 404, 'Not found'));
    const script = this.queue.shift() ?? this.pick(record);
    try {
      await this.reply(record, script, res);
    } catch {
      // The client went away mid-reply: recorded by the 'close' listener.
    }
  }

  private async reply(record: RecordedRequest, script: ReplyScript, res: ServerResponse): Promise<void> {
    const model = record.body?.model ?? 'fault-model';
    if (script.status !== undefined) {
      const headers: Record<string, string> =
        script.retryAfter !== undefined ? { 'retry-after': script.retryAfter } : {};
      return this.finish(record, res, () =>
        writeError(
          res,
          script.status ?? 500,
          script.errorMessage ?? `Scripted ${script.status}`,
          headers,
          script.errorCode,
        ),
      );
    }
    const tokens = script.tokens ?? ['Hello', ' world'];
    if (!record.stream) {
      await this.sleep(script.stallBeforeFirstMs ?? 0, res);
      return this.finish(record, res, () =>
        writeChatCompletion(
          res,
          model,
          tokens.join(''),
          script.finishReason === undefined ? 'stop' : script.finishReason,
          script.refusal?.join(''),
        ),
      );
    }
    writeSseHead(res);
    if (script.cutAfter === 0) return cut(res);
    await this.sleep(script.stallBeforeFirstMs ?? 0, res);
    for (let i = 0; i < (script.emptyChoicesFirst ?? 0); i++) writeChunk(res, { model, choices: [] });
    writeFirstChunk(res, model);
    for (const piece of script.reasoning ?? []) {
      await this.sleep(script.tokenDelayMs ?? 0, res);
      await script.pace?.();
      if (res.destroyed) return;
      const delta = { [script.reasoningField ?? 'reasoning_content']: piece };
      writeChunk(res, { model, choices: [{ index: 0, delta, finish_reason: null }] });
    }
    for (const [i, token] of tokens.entries()) {
      if (script.stallMidStream?.tokens === i) await this.sleep(script.stallMidStream.ms, res);
      if (i > 0) await this.sleep(script.tokenDelayMs ?? 0, res);
      await script.pace?.();
      if (res.destroyed) return;
      if (script.streamErrorAfter?.tokens === i) return this.finish(record, res, () => writeStreamError(res, script));
      if (script.malformedAt === i) res.write('data: {"choices":[{"delta":{"content":\n\n');
      else writeChunk(res, { model, choices: [{ index: 0, delta: { content: token }, finish_reason: null }] });
      record.tokensSent++;
      if (script.cutAfter === i + 1) return cut(res);
    }
    if (script.streamErrorAfter?.tokens === tokens.length)
      return this.finish(record, res, () => writeStreamError(res, script));
    for (const piece of script.refusal ?? []) {
      await this.sleep(script.tokenDelayMs ?? 0, res);
      if (res.destroyed) return;
      writeChunk(res, { model, choices: [{ index: 0, delta: { refusal: piece }, finish_reason: null }] });
    }
    if (script.finishWithoutDelta)
      writeChunk(res, { model, choices: [{ index: 0, finish_reason: script.finishReason ?? 'stop' }] });
    else if (script.finishReason !== null) writeLastChunk(res, model, script.finishReason);
    this.finish(record, res, () => (script.done === false ? res.end() : writeDone(res)));
  }

  private finish(record: RecordedRequest, res: ServerResponse, write: () => void): void {
    if (res.destroyed) return;
    write();
    record.finishedAt = Date.now();
  }

  /** Waits, but gives up as soon as the client hangs up, so a stalled reply never outlives its socket. */
  private sleep(ms: number, res: ServerResponse): Promise<void> {
    if (ms <= 0 || res.destroyed) return Promise.resolve();
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, Number.isFinite(ms) ? ms : 2 ** 31 - 1);
      this.timers.add(timer);
      res.once('close', done);
    });
  }
}

/** Drops the connection mid-response, after what was written has reached the client (as a proxy that dies does). */
async function cut(res: ServerResponse): Promise<void> {
  await new Promise<void>(resolve => res.write('', () => resolve()));
  await new Promise(resolve => setTimeout(resolve, 5));
  res.socket?.destroy();
}

function writeStreamError(res: ServerResponse, script: ReplyScript): void {
  const { message, code } = script.streamErrorAfter ?? { message: '' };
  res.end(`data: ${JSON.stringify({ error: { message, type: 'server_error', code: code ?? null } })}\n\n`);
}

function parseJson(text: string): ChatRequestBody | undefined {
  try {
    return JSON.parse(text) as ChatRequestBody;
  } catch {
    return undefined;
  }
}

function writeError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code: string | number = status,
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type: 'scripted_error', code } }));
}

function writeModels(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: [
        { id: 'fault-model', object: 'model', owned_by: 'tests' },
        { id: 'fault-small', object: 'model', owned_by: 'tests' },
      ],
    }),
  );
}

/** Databricks' list of serving endpoints (its OpenAI surface has no `/models`). */
function writeServingEndpoints(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      endpoints: [{ name: 'databricks-meta-llama-3-3-70b-instruct' }, { name: 'databricks-gte-large-en' }],
    }),
  );
}

/** The text of the last user message, for pickers that answer by question. */
export function lastUserText(request: RecordedRequest): string {
  const user = [...(request.body?.messages ?? [])].reverse().find(m => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

/** Whether the request is the grader's (its system prompt starts "You grade"). */
export function isGradeRequest(request: RecordedRequest): boolean {
  const system = request.body?.messages?.find(m => m.role === 'system');
  return typeof system?.content === 'string' && system.content.startsWith('You grade');
}
