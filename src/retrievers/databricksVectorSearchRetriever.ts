import { realClock, type Clock } from '../core/clock';
import { GroundedError } from '../core/errors';
import { requireSecureTransport } from '../core/secureTransport';
import { defaultAskOptions, type RetryPolicy } from '../core/options';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import type { Embedder } from '../embeddings/embedder';
import { bodyReason, HttpStatusError, postJsonWithRetry } from '../providers/http/postJsonWithRetry';
import { WebPageReplyError } from '../providers/http/webPageReplyError';
import { refusedRowsNotice, type RefusedPath } from './citablePath';
import { zeroQuestionVector } from './hybridRankFusion';
import { rowsToPassages, type QueryReply, type VectorSearchColumns } from './databricksVectorSearchRows';

export type { VectorSearchColumns } from './databricksVectorSearchRows';

export interface DatabricksVectorSearchOptions {
  /** https://adb-….azuredatabricks.net (a bare host is taken as https). */
  workspaceUrl: string;
  /** catalog.schema.index */
  indexName: string;
  /** The Vector Search endpoint serving the index: needed only to page past 1,000 results. */
  endpointName?: string;
  /** A personal access token (or an OAuth token), from SecretStorage. */
  token: string | undefined;
  columns: VectorSearchColumns;
  /** Without it the index embeds `query_text` itself (managed embeddings); with it, `query_vector` is sent. */
  embedder?: Embedder;
  queryType?: 'ANN' | 'HYBRID';
  locate?: (path: string) => string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  clock?: Clock;
  onRetry?: (detail: string) => void;
  /** Told how many rows were refused (a path outside the workspace), and why. */
  onNotice?: (message: string) => void;
  /** `grounded.allowInsecureConnections`: plain http to a workspace other than this machine is refused otherwise. */
  allowInsecure?: boolean;
}

/**
 * Databricks Vector Search (`POST /api/2.0/vector-search/indexes/{name}/query`) as a retriever: rows become
 * passages with the configured text, path and line columns; pages are followed with `query-next-page`.
 */
export class DatabricksVectorSearchRetriever implements Retriever {
  private readonly base: string;
  /** The log was told that, without an endpoint name, pages after the first are not read. */
  private toldNoEndpoint = false;

  constructor(private readonly options: DatabricksVectorSearchOptions) {
    this.base = workspaceOrigin(options.workspaceUrl);
    requireSecureTransport(this.base, options.allowInsecure === true);
    if (!options.indexName.trim())
      throw new GroundedError(
        'bad-input',
        'Databricks Vector Search needs grounded.databricksVectorSearch.indexName (catalog.schema.index).',
      );
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    const { columns, indexName } = this.options;
    if (!this.options.token)
      throw new GroundedError(
        'auth',
        'Databricks Vector Search needs a personal access token. Set it with “Grounded: Set Databricks Token”.',
        { action: SET_TOKEN },
      );
    const requested = [columns.text, columns.path, columns.startLine, columns.endLine, columns.title].filter(
      (c): c is string => !!c,
    );
    const body: Record<string, unknown> = { columns: requested, num_results: options.k };
    if (this.options.queryType) body.query_type = this.options.queryType;
    if (this.options.embedder) body.query_vector = await this.questionVector(this.options.embedder, query, options);
    // HYBRID's keyword half searches query_text, which the API requires for it even beside a query_vector.
    if (!this.options.embedder || this.options.queryType === 'HYBRID') body.query_text = query;

    const index = encodeURIComponent(indexName.trim());
    let reply = (await this.post(`/api/2.0/vector-search/indexes/${index}/query`, body, options.signal)) as QueryReply;
    const refused: RefusedPath[] = [];
    const passages = rowsToPassages(reply, columns, indexName, this.options.locate, refused);
    // Pages are followed until k rows are had, a page is empty, or MAX_PAGES were read: a server that kept naming a
    // next page would otherwise be asked forever.
    let pages = 1;
    let stopped: string | undefined;
    while (passages.length < options.k && reply.next_page_token && this.options.endpointName) {
      if (pages >= MAX_PAGES) {
        stopped = `stopped after ${MAX_PAGES} pages of results (Vector Search returns at most 10,000 rows)`;
        break;
      }
      const next = { endpoint_name: this.options.endpointName, page_token: reply.next_page_token };
      const page = (await this.post(
        `/api/2.0/vector-search/indexes/${index}/query-next-page`,
        next,
        options.signal,
        'next-page',
      )) as QueryReply;
      pages++;
      // The manifest is optional on a next page: its rows are in the columns of the page before.
      reply = page.manifest?.columns?.length ? page : { ...page, manifest: reply.manifest };
      if ((reply.result?.data_array ?? []).length === 0) {
        if (reply.next_page_token) stopped = 'a page of results came back empty but named a next page; stopped there';
        break;
      }
      passages.push(...rowsToPassages(reply, columns, indexName, this.options.locate, refused));
    }
    // query-next-page needs the endpoint's name: without it the rest is not read, which the log is told once
    if (passages.length < options.k && reply.next_page_token && !this.options.endpointName && !this.toldNoEndpoint) {
      this.toldNoEndpoint = true;
      this.options.onNotice?.(
        `Databricks Vector Search index ${indexName} has more results than its first page, with ${passages.length} of the ${options.k} results asked for: set grounded.databricksVectorSearch.endpointName to the endpoint serving the index to read them.`,
      );
    }
    if (stopped)
      this.options.onNotice?.(
        `Databricks Vector Search index ${indexName}: ${stopped}, with ${Math.min(passages.length, options.k)} of the ${options.k} results asked for.`,
      );
    if (refused.length > 0)
      this.options.onNotice?.(refusedRowsNotice(`Databricks Vector Search index ${indexName}`, refused));
    return passages.slice(0, options.k);
  }

  /**
   * The question's vector, for a self-managed index. A self-managed index is ranked by that vector alone (HYBRID takes
   * query_text beside it, not instead of it), so a vector that ranks nothing (all zeros, or not numbers JSON can send)
   * fails the search here, naming the embeddings setting, instead of ranking the index by it.
   */
  private async questionVector(embedder: Embedder, query: string, options: SearchOptions): Promise<number[]> {
    const [vector] = await embedder.embed([query], { signal: options.signal });
    const numbers = Array.from(vector ?? []);
    const flaw = !numbers.every(Number.isFinite)
      ? `${embedder.model} gave the question a vector with numbers that are not finite.`
      : !numbers.some(x => x !== 0)
        ? zeroQuestionVector(embedder.model)
        : undefined;
    if (!flaw) return numbers;
    throw new GroundedError(
      'bad-input',
      `${flaw} Databricks Vector Search ranks ${this.options.indexName}, an index of self-managed vectors, by the question's vector, so it cannot be searched with this one. Check grounded.embeddings.model: it must name the model that embedded the index.`,
    );
  }

  private post(
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    request: VectorSearchRequest = 'query',
  ): Promise<unknown> {
    return postJsonWithRetry(this.base + path, body, {
      headers: { authorization: `Bearer ${this.options.token ?? ''}` },
      signal,
      timeoutMs: this.options.timeoutMs ?? 30_000,
      retry: this.options.retry ?? defaultAskOptions.retry,
      clock: this.options.clock ?? realClock,
      describe: (error, cause) =>
        describeVectorSearchError(error, cause, this.base, this.options.indexName, request, this.options.endpointName),
      setting: 'grounded.databricksVectorSearch.workspaceUrl',
      onRetry: this.options.onRetry,
    });
  }
}

/** The most pages one search reads: Vector Search returns at most 10,000 rows, 1,000 a page. */
const MAX_PAGES = 10;

/** Which call failed: the query, or `query-next-page`, which also names the endpoint serving the index. */
type VectorSearchRequest = 'query' | 'next-page';

const SET_TOKEN = { title: 'Set Databricks Token', command: 'grounded.setDatabricksToken' };

function workspaceOrigin(text: string): string {
  const trimmed = text.trim();
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin;
  } catch {
    // falls through to the message below
  }
  throw new GroundedError(
    'bad-input',
    `grounded.databricksVectorSearch.workspaceUrl “${trimmed}” is not a URL; expected https://adb-….azuredatabricks.net.`,
  );
}

function describeVectorSearchError(
  error: GroundedError,
  cause: unknown,
  base: string,
  indexName: string,
  request: VectorSearchRequest,
  endpointName: string | undefined,
): GroundedError {
  const reason = cause instanceof HttpStatusError ? bodyReason(cause.body) : '';
  const options = { cause, retryAfterMs: error.options.retryAfterMs };
  const host = new URL(base).host;
  if (cause instanceof WebPageReplyError)
    return new GroundedError(
      'bad-input',
      `Databricks at ${host} answered with a web page, not the Vector Search API. Check grounded.databricksVectorSearch.workspaceUrl (the workspace's own URL, https://adb-….azuredatabricks.net).`,
      options,
    );
  // The query found the index: a next page that is not found or is refused is about the endpoint named for paging.
  if (request === 'next-page' && (error.kind === 'index' || error.kind === 'no-model' || error.kind === 'bad-input')) {
    const said = reason.replace(/[\s.]+$/, '');
    return new GroundedError(
      'index',
      `Databricks Vector Search at ${host} did not give the next page of results for ${indexName} from the endpoint ${endpointName ?? ''}${said ? ` (${said})` : ''}. Check grounded.databricksVectorSearch.endpointName: it must name the endpoint serving the index.`,
      options,
    );
  }
  switch (error.kind) {
    case 'cancelled':
      return error;
    case 'auth':
      return new GroundedError(
        'auth',
        `Databricks at ${host} rejected the token for index ${indexName}${reason ? ` (${reason})` : ''}. Set a token with access to the index with “Grounded: Set Databricks Token”.`,
        {
          ...options,
          action: SET_TOKEN,
        },
      );
    case 'index':
    case 'no-model':
      return new GroundedError(
        'index',
        `Databricks Vector Search has no index ${indexName} at ${host}. Check grounded.databricksVectorSearch.indexName (catalog.schema.index) and the workspace URL.`,
        options,
      );
    case 'bad-input': {
      // The reason is Databricks' own sentence, often with its full stop: one stop ends it here.
      const said = (reason || 'bad request').replace(/[\s.]+$/, '');
      // Only a refusal that names columns is about the column settings (a query type or a vector may be refused too).
      const hint = /\bcolumns?\b/i.test(reason) ? ' Check the grounded.databricksVectorSearch column settings.' : '';
      return new GroundedError(
        'index',
        `Databricks Vector Search refused the query on ${indexName}: ${said}.${hint}`,
        options,
      );
    }
    case 'rate-limit':
      return new GroundedError('rate-limit', `Databricks Vector Search is rate-limited.`, options);
    case 'timeout':
      return new GroundedError('timeout', `Databricks Vector Search at ${host} did not answer in time.`, options);
    case 'network':
      return new GroundedError(
        'network',
        `Databricks at ${host} could not be reached or failed${cause instanceof HttpStatusError ? ` (HTTP ${cause.status})` : ''}. Check grounded.databricksVectorSearch.workspaceUrl and the network.`,
        options,
      );
    default:
      return new GroundedError(
        error.kind,
        'Databricks Vector Search failed. See the “Grounded” output for details.',
        options,
      );
  }
}
