import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveEmbeddingsEndpoint, type EmbeddingsEndpoint } from '../../src/embeddings/embeddingsEndpoint';
import { closeServer, readBody } from './loopbackHttp';

/** One `/embeddings` request as the server saw it. */
export interface EmbeddingsRequest {
  path: string;
  url: string;
  authorization: string | undefined;
  apiKeyHeader: string | undefined;
  model: string | undefined;
  input: string[];
}

/**
 * A fault for the next request: an HTTP status (with Retry-After), a dropped connection, a malformed reply, vectors
 * of another length than the server's, or `embedding` as every text's vector.
 */
export type EmbeddingsFault =
  | { status: number; retryAfter?: string; body?: unknown; html?: string }
  | { drop: true }
  | { malformed: 'short' | 'not-json' }
  | { dimensions: number }
  | { embedding: number[] };

/**
 * A loopback OpenAI-compatible `POST /v1/embeddings` with deterministic vectors: hashed bags of words,
 * normalised, so texts that share words are close (good enough to test ranking) and the same text always gets
 * the same vector. Faults are queued per request. Binds to 127.0.0.1 only.
 */
export class EmbeddingsServer {
  readonly requests: EmbeddingsRequest[] = [];
  readonly faults: EmbeddingsFault[] = [];
  /** The model's input limit in characters: a request with a longer text is refused with 400, as OpenAI and vLLM do. */
  maxInputChars = Infinity;

  private constructor(
    private readonly server: Server,
    /** The length of the vectors it answers with; a test changes it to load another model under the same name. */
    public dimensions: number,
  ) {}

  static async start(dimensions = 64): Promise<EmbeddingsServer> {
    const server = createServer();
    const self = new EmbeddingsServer(server, dimensions);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** This server as a custom (OpenAI-compatible) embeddings endpoint asked for `model`. */
  endpoint(model: string): EmbeddingsEndpoint {
    const resolved = resolveEmbeddingsEndpoint({ preset: 'custom', baseUrl: this.baseUrl, model, azureApiVersion: '' });
    if ('problem' in resolved) throw new Error(resolved.problem);
    return resolved.endpoint;
  }

  /** Texts sent to the endpoint, over every request. */
  get textsEmbedded(): number {
    return this.requests.reduce((n, r) => n + r.input.length, 0);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = JSON.parse(raw || '{}') as { model?: string; input?: string | string[] };
    const input = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
    const url = req.url ?? '';
    this.requests.push({
      path: url.split('?')[0] ?? '',
      url,
      authorization: req.headers.authorization,
      apiKeyHeader: typeof req.headers['api-key'] === 'string' ? req.headers['api-key'] : undefined,
      model: body.model,
      input,
    });
    const fault = this.faults.shift();
    if (fault && 'drop' in fault) return void req.socket.destroy();
    if (fault && 'status' in fault) {
      const headers: Record<string, string> = { 'content-type': fault.html ? 'text/html' : 'application/json' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res
        .writeHead(fault.status, headers)
        .end(
          fault.html ?? JSON.stringify(fault.body ?? { error: { message: `fault ${fault.status}`, type: 'fault' } }),
        );
      return;
    }
    // half of a surrogate pair is no text to a Rust JSON parser (TEI's serde_json): the request is refused
    if (input.some(text => LONE_SURROGATE.test(text))) {
      const message = 'Failed to deserialize the JSON body into the target type: lone leading surrogate in hex escape';
      res.writeHead(422, { 'content-type': 'text/plain' }).end(message);
      return;
    }
    const tooLong = input.find(text => text.length > this.maxInputChars);
    if (tooLong !== undefined) {
      const message = `This model's maximum context length is ${this.maxInputChars} characters, however you requested ${tooLong.length}.`;
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message, type: 'invalid_request_error' } }));
      return;
    }
    if (fault && 'malformed' in fault && fault.malformed === 'not-json')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    const dimensions = fault && 'dimensions' in fault ? fault.dimensions : this.dimensions;
    const vectors = input.map(text =>
      fault && 'embedding' in fault ? fault.embedding : bagOfWordsVector(text, dimensions),
    );
    if (fault && 'malformed' in fault && fault.malformed === 'short') vectors.pop();
    const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding }));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 0, total_tokens: 0 } }));
  }
}

/** Half of a surrogate pair, alone (code units, not code points: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The deterministic vector the server gives a text (exported so tests can compute expectations). */
export function bagOfWordsVector(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    const h = createHash('sha1').update(word).digest();
    const slot = h.readUInt32BE(0) % dimensions;
    v[slot] = (v[slot] ?? 0) + ((h[4] ?? 0) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v.map(() => 1 / Math.sqrt(dimensions)) : v.map(x => x / norm);
}
