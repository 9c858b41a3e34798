/** What went wrong, in the terms a surface needs to choose its rendering and its next-step action. */
export type ErrorKind =
  | 'auth'
  | 'rate-limit'
  | 'network'
  | 'timeout'
  | 'model-refused'
  | 'no-model'
  | 'index'
  | 'cancelled'
  | 'bad-input'
  | 'stream-broken'
  | 'unknown';

/** Carried by every GroundedError, whichever copy of this module made it (a registered symbol is the same in each). */
const GROUNDED_ERROR = Symbol.for('grounded.GroundedError');

/** An error with a message written for the user: what happened and what to do next, in one sentence. */
export class GroundedError extends Error {
  /**
   * `instanceof GroundedError` holds for a GroundedError made by another copy of this module: the extension's
   * entry bundle and the core bundle it loads on first use (esbuild.mjs) each hold one, and errors cross between
   * them. A subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== GroundedError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && GROUNDED_ERROR in value;
  }

  readonly [GROUNDED_ERROR] = true;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly options: { cause?: unknown; retryAfterMs?: number; action?: ErrorAction } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GroundedError';
  }

  /** Worth another attempt with the same input. */
  get transient(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'network' || this.kind === 'timeout';
  }
}

/** A command a surface can offer as the fix (a button in chat and in the panel). */
export interface ErrorAction {
  title: string;
  command: string;
  arguments?: unknown[];
}

export const isAbort = (e: unknown): boolean =>
  e instanceof Error && (e.name === 'AbortError' || (e instanceof GroundedError && e.kind === 'cancelled'));

export const cancelled = (): GroundedError => new GroundedError('cancelled', 'Cancelled.');

/**
 * Maps whatever a provider threw onto a GroundedError. Providers differ (the OpenAI client puts the HTTP status
 * on `status`, fetch puts a code on `cause`), so this reads the common shapes and never shows a raw body.
 */
export function toGroundedError(e: unknown, signal?: AbortSignal): GroundedError {
  if (e instanceof GroundedError) return e;
  if (signal?.aborted || isAbort(e)) return cancelled();
  const err = e instanceof Error ? e : new Error(String(e));
  const status = numberProp(err, 'status') ?? numberProp(err, 'statusCode') ?? numberProp(err, 'response', 'status');
  const code = stringProp(err, 'code') ?? stringProp(err, 'cause', 'code') ?? '';
  const retryAfterMs = retryAfter(err);
  if (status === 401 || status === 403)
    return new GroundedError(
      'auth',
      'The model endpoint rejected the credentials. Set the API key with “Grounded: Set API Key”.',
      {
        cause: e,
        action: { title: 'Set API Key', command: 'grounded.setApiKey' },
      },
    );
  if (status === 404)
    // A wrong serving-endpoint, deployment or model name: no retry fixes it, the settings do.
    return new GroundedError(
      'no-model',
      'The model endpoint has no such model (HTTP 404). Check the base URL and model name, then run “Grounded: Test Connection”.',
      {
        cause: e,
        action: { title: 'Test Connection', command: 'grounded.testConnection' },
      },
    );
  if (status === 429)
    return new GroundedError('rate-limit', 'The model is rate-limited right now. Wait a moment and retry.', {
      cause: e,
      retryAfterMs,
    });
  if (status !== undefined && status >= 500)
    return new GroundedError('network', `The model endpoint failed (HTTP ${status}). Retry in a moment.`, {
      cause: e,
      retryAfterMs,
    });
  if (status === 408 || /timed? ?out|ETIMEDOUT/i.test(code + ' ' + err.message))
    return new GroundedError('timeout', 'The model did not answer in time. Retry, or check the endpoint.', {
      cause: e,
    });
  if (
    /ECONNRESET|ECONNREFUSED|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR|socket hang up|fetch failed|terminated|network/i.test(
      code + ' ' + err.message,
    )
  )
    return new GroundedError('network', 'The connection to the model was lost. Check the endpoint and retry.', {
      cause: e,
    });
  if (status === 400 && /content|policy|filter|refus/i.test(err.message))
    return new GroundedError(
      'model-refused',
      'The model declined to answer this question. Rephrase it and try again.',
      { cause: e },
    );
  return new GroundedError('unknown', 'The model call failed. See the “Grounded” output for details, then retry.', {
    cause: e,
  });
}

function prop(o: unknown, ...keys: string[]): unknown {
  let v: unknown = o;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
const numberProp = (o: unknown, ...keys: string[]) => {
  const v = prop(o, ...keys);
  return typeof v === 'number' ? v : undefined;
};
const stringProp = (o: unknown, ...keys: string[]) => {
  const v = prop(o, ...keys);
  return typeof v === 'string' ? v : undefined;
};

function retryAfter(err: Error): number | undefined {
  const headers = prop(err, 'headers');
  let value: unknown;
  if (headers && typeof (headers as { get?: unknown }).get === 'function')
    value = (headers as Headers).get('retry-after');
  else value = prop(headers, 'retry-after');
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
