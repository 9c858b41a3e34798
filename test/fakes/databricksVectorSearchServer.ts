import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBody } from './loopbackHttp';

/** A Direct Vector Access / Delta Sync index as the fake holds it. */
export interface FakeIndex {
  name: string;
  /** The index's columns, in schema order. */
  columns: string[];
  /** The column query_text is matched against (word overlap stands in for managed embeddings). */
  textColumn: string;
  /** The column holding vectors, for query_vector (self-managed embeddings). */
  vectorColumn?: string;
  rows: Record<string, unknown>[];
}

export interface VectorSearchRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A loopback Databricks workspace serving the documented Vector Search REST shapes:
 * `POST /api/2.0/vector-search/indexes/{name}/query` ({columns, num_results, query_text | query_vector, query_type};
 * HYBRID requires query_text, with query_vector beside it for self-managed vectors)
 * → {manifest: {column_count, columns: [{name}]}, result: {row_count, data_array}, next_page_token}, with `score`
 * appended as the last column; `…/query-next-page` ({endpoint_name, page_token}); and Databricks' error bodies
 * ({error_code, message}) for a bad token (401), a missing index or endpoint (404), unknown columns (400). Binds
 * 127.0.0.1.
 */
export class DatabricksVectorSearchServer {
  readonly requests: VectorSearchRequest[] = [];
  /** Status codes (with Retry-After) to answer the next requests with. */
  /** Faults for the next requests: an error status (with Retry-After), or a web page sent with the status. */
  readonly faults: { status: number; retryAfter?: string; html?: string }[] = [];
  /** Rows per page (Databricks: 1,000). */
  pageSize = 1000;
  /** Whether a next page repeats the manifest, which the API documents as optional there. */
  nextPageManifest = true;
  /** A misbehaving server: every next page is empty and still names a next page. */
  emptyNextPages = false;
  private readonly pages = new Map<string, { index: string; rows: unknown[][]; columns: string[] }>();

  private constructor(
    private readonly server: Server,
    private readonly indexes: Map<string, FakeIndex>,
    readonly token: string,
    readonly endpointName: string,
  ) {}

  static async start(
    indexes: FakeIndex[],
    token = 'dapi-test',
    endpointName = 'vs-endpoint',
  ): Promise<DatabricksVectorSearchServer> {
    const server = createServer();
    const self = new DatabricksVectorSearchServer(server, new Map(indexes.map(i => [i.name, i])), token, endpointName);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void self.handle(req, res));
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const path = req.url ?? '';
    this.requests.push({ path, authorization: req.headers.authorization, body });
    const send = (status: number, reply: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(reply));
    };
    const fault = this.faults.shift();
    if (fault?.html !== undefined)
      return void res.writeHead(fault.status, { 'content-type': 'text/html' }).end(fault.html);
    if (fault)
      return send(
        fault.status,
        { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'try later' },
        fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
      );
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return send(401, { error_code: 'UNAUTHENTICATED', message: 'Invalid access token.' });
    const match = /^\/api\/2\.0\/vector-search\/indexes\/([^/]+)\/(query|query-next-page)$/.exec(path);
    if (req.method !== 'POST' || !match)
      return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: 'No API found' });
    const index = this.indexes.get(decodeURIComponent(match[1] ?? ''));
    if (!index)
      return send(404, {
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: `Index ${decodeURIComponent(match[1] ?? '')} does not exist.`,
      });
    if (match[2] === 'query-next-page') return this.nextPage(index, body, send);

    const columns = Array.isArray(body.columns) ? body.columns.map(String) : [];
    const unknown = columns.filter(c => !index.columns.includes(c));
    if (columns.length === 0 || unknown.length > 0)
      return send(400, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Requested columns to fetch are not present in index: ${unknown.join(', ')}`,
      });
    const hasText = typeof body.query_text === 'string';
    const hasVector = Array.isArray(body.query_vector);
    // HYBRID needs query_text (its keyword half) and takes query_vector beside it for a self-managed index; ANN takes
    // one of the two.
    const hybrid = String(body.query_type ?? 'ANN').toUpperCase() === 'HYBRID';
    if (hybrid && !hasText)
      return send(400, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'query_text must be specified for hybrid search.',
      });
    if (!hybrid && hasText === hasVector)
      return send(400, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'Exactly one of query_text and query_vector must be given.',
      });
    if (hasVector && !index.vectorColumn)
      return send(400, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: 'query_vector is not supported for an index with managed embeddings.',
      });
    const numResults = typeof body.num_results === 'number' ? body.num_results : 10;
    const scored = index.rows
      .map(row => ({
        row,
        score: !hasVector
          ? overlap(String(body.query_text), String(row[index.textColumn] ?? ''))
          : cosine(body.query_vector as number[], row[index.vectorColumn ?? ''] as number[]),
      }))
      .filter(s => s.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, numResults)
      .map(s => [...columns.map(c => s.row[c] ?? null), s.score]);
    this.sendPage(send, index.name, [...columns, 'score'], scored);
  }

  private nextPage(
    index: FakeIndex,
    body: Record<string, unknown>,
    send: (status: number, reply: unknown) => void,
  ): void {
    if (body.endpoint_name !== this.endpointName)
      return send(404, {
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: `Vector search endpoint ${String(body.endpoint_name)} not found.`,
      });
    const page = this.pages.get(String(body.page_token));
    if (!page || page.index !== index.name)
      return send(400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid page token.' });
    this.pages.delete(String(body.page_token));
    if (this.emptyNextPages) {
      const next_page_token = randomUUID();
      this.pages.set(next_page_token, page);
      return send(200, { result: { row_count: 0, data_array: [] }, next_page_token });
    }
    this.sendPage(send, index.name, page.columns, page.rows, this.nextPageManifest);
  }

  private sendPage(
    send: (status: number, reply: unknown) => void,
    index: string,
    columns: string[],
    rows: unknown[][],
    withManifest = true,
  ): void {
    const page = rows.slice(0, this.pageSize);
    let next_page_token: string | undefined;
    if (rows.length > this.pageSize) {
      next_page_token = randomUUID();
      this.pages.set(next_page_token, { index, columns, rows: rows.slice(this.pageSize) });
    }
    send(200, {
      ...(withManifest ? { manifest: { column_count: columns.length, columns: columns.map(name => ({ name })) } } : {}),
      result: { row_count: page.length, data_array: page },
      ...(next_page_token ? { next_page_token } : {}),
    });
  }
}

const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);
function overlap(query: string, text: string): number {
  const q = words(query);
  const t = words(text);
  let shared = 0;
  for (const w of q) if (t.has(w)) shared++;
  return q.size ? shared / q.size : 0;
}
function cosine(a: number[], b: number[] | undefined): number {
  if (!b || a.length !== b.length) return 0;
  let dot = 0,
    na = 0,
    nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return na && nb ? (dot / Math.sqrt(na * nb) + 1) / 2 : 0;
}
