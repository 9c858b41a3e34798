import type { Clock } from '../../core/clock';
import { GroundedError, toGroundedError } from '../../core/errors';
import type { RetryPolicy } from '../../core/options';
import { withRetry } from '../../core/retry';
import { redactSecrets, secretsInHeaders } from '../redact';
import { fetchWithinOrigin, RedirectRefusedError } from './fetchWithinOrigin';
import { WebPageReplyError } from './webPageReplyError';

/** An HTTP error as `toGroundedError` reads it: the status and headers, never the body in the message. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    /** The parsed JSON error body, or the raw text, with secrets redacted: for the log and for mapping, not for the user. */
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

export interface PostJsonOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** One attempt's limit; a timeout is retried like a network error. */
  timeoutMs: number;
  retry: RetryPolicy;
  clock: Clock;
  /** Turns a failure (already a GroundedError with the right kind) into the message for this service. */
  describe: (error: GroundedError, cause: unknown) => GroundedError;
  /** The setting that holds the address, named when the server redirects elsewhere. */
  setting?: string;
  onRetry?: (detail: string) => void;
}

/**
 * POSTs JSON and returns the parsed JSON reply, retrying 429, 5xx, timeouts and dropped connections with the
 * core's one retry policy (withRetry, honouring Retry-After), as a chat call is. Other failures are final at once.
 */
export function postJsonWithRetry(url: string, body: unknown, options: PostJsonOptions): Promise<unknown> {
  const payload = JSON.stringify(body);
  return withRetry(() => postOnce(url, payload, options), {
    policy: options.retry,
    clock: options.clock,
    signal: options.signal,
    // a refused redirect already says what happened and what to do: no service's wording replaces it
    classify: e => (e instanceof RedirectRefusedError ? e : options.describe(classify(e, options.signal), e)),
    onRetry: ({ error, delayMs, attempt, retries }) =>
      options.onRetry?.(`${error.message} Retrying in ${(delayMs / 1000).toFixed(1)} s (${attempt}/${retries}).`),
  });
}

async function postOnce(url: string, payload: string, options: PostJsonOptions): Promise<unknown> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetchWithinOrigin(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: payload, signal },
      options.setting,
    );
  } catch (e) {
    if (timeout.aborted && !options.signal?.aborted) throw new GroundedError('timeout', 'timed out', { cause: e });
    throw e;
  }
  const text = await response.text();
  if (!response.ok) {
    // A server may echo the request's credentials in its reason; they never reach a message or a log.
    const safe = redactSecrets(text, secretsInHeaders(options.headers));
    throw new HttpStatusError(response.status, response.headers, parseJson(safe) ?? safe.slice(0, 2000));
  }
  const parsed = parseJson(text);
  if (parsed === undefined && (/^text\/html/i.test(response.headers.get('content-type') ?? '') || looksLikeHtml(text)))
    throw new WebPageReplyError(new URL(url).origin);
  if (parsed === undefined)
    throw new GroundedError('unknown', 'The reply was not JSON.', {
      // redacted whole, then cut: a credential the cut would split could no longer be found
      cause: redactSecrets(text, secretsInHeaders(options.headers)).slice(0, 2000),
    });
  return parsed;
}

/** The kind of failure (and Retry-After), from the core's one mapping; messages are replaced by `describe`. */
function classify(e: unknown, signal: AbortSignal | undefined): GroundedError {
  if (e instanceof GroundedError) return e;
  if (e instanceof HttpStatusError && e.status === 404) return new GroundedError('index', 'not found', { cause: e });
  if (e instanceof HttpStatusError && e.status >= 400 && e.status < 500 && ![401, 403, 408, 429].includes(e.status))
    return new GroundedError('bad-input', `HTTP ${e.status}`, { cause: e });
  return toGroundedError(e, signal);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A short, secret-free reason from an error body (`{error:{message}}`, `{message}`, `{error_code}`), for logs and hints.
 * A proxy's HTML error page gives only its title ("413 Request Entity Too Large"): its markup is not for people.
 */
export function bodyReason(body: unknown): string {
  if (typeof body === 'string') return (looksLikeHtml(body) ? htmlTitle(body) : body).slice(0, 300);
  if (!body || typeof body !== 'object') return '';
  const o = body as Record<string, unknown>;
  const nested = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  const message = nested?.message ?? o.message ?? o.error ?? o.detail;
  const code = o.error_code ?? nested?.code;
  return [typeof code === 'string' ? code : '', typeof message === 'string' ? message : '']
    .filter(Boolean)
    .join(': ')
    .slice(0, 300);
}

const looksLikeHtml = (text: string): boolean => /^\s*</.test(text) && /<\/?(?:html|head|body|title|h1)\b/i.test(text);

/** The page's `<title>` (or first `<h1>`) as plain text; '' when it has neither. */
function htmlTitle(html: string): string {
  const heading = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1] ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(html)?.[1] ?? '';
  return heading.replace(/\s+/g, ' ').trim();
}
