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
    readonly options: {
      cause?: unknown;
      retryAfterMs?: number;
      action?: ErrorAction;
      /** The setting that fixes it (a setting id such as `grounded.model.baseUrl`), offered as *Open Setting*. */
      setting?: string;
      /** Certain to fail the same way again (a TLS failure): neither retried nor asked another way. */
      final?: boolean;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GroundedError';
  }

  /** Worth another attempt with the same input. */
  get transient(): boolean {
    if (this.options.final) return false;
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

/** What was thrown, as an Error: an Error as it is, anything else as an Error whose message is its text. */
export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export const SHOW_LOG: ErrorAction = { title: 'Show Log', command: 'grounded.showLog' };
export const SELECT_MODEL: ErrorAction = { title: 'Select Model', command: 'grounded.selectModel' };
export const SET_API_KEY: ErrorAction = { title: 'Set API Key', command: 'grounded.setApiKey' };
export const OPEN_FOLDER: ErrorAction = { title: 'Open Folder', command: 'workbench.action.files.openFolder' };
export const openSetting = (id: string): ErrorAction => ({
  title: 'Open Setting',
  command: 'workbench.action.openSettings',
  arguments: [id],
});

/**
 * The buttons that fix an error, most direct first: its own action, *Open Setting* for the setting it names, *Set
 * API Key* or *Select Model* for a missing key or model that came without an action, and *Show Log* (the log holds
 * the cause) for every failure but a cancel and a plain bad input (nothing there to read).
 */
export function fixActions(error: GroundedError): ErrorAction[] {
  if (error.kind === 'cancelled') return [];
  const actions: ErrorAction[] = [];
  if (error.options.action) actions.push(error.options.action);
  if (error.options.setting) actions.push(openSetting(error.options.setting));
  if (!error.options.action && error.kind === 'auth') actions.push(SET_API_KEY);
  if (!error.options.action && error.kind === 'no-model') actions.push(SELECT_MODEL);
  if (error.kind !== 'bad-input' || error.cause !== undefined) actions.push(SHOW_LOG);
  const seen = new Set<string>();
  return actions.filter(a => {
    const key = JSON.stringify([a.command, a.arguments ?? []]);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * Carried in the cause chain of a request that never got an answer: which endpoint it was for (an origin, never a
 * path or credentials) and the setting that names it, so the error can say where it failed and offer the fix.
 */
export class EndpointRequestError extends Error {
  constructor(
    readonly endpoint: string,
    readonly setting: string | undefined,
    cause: unknown,
  ) {
    super(`The request to ${endpoint} failed.`, { cause });
    this.name = 'EndpointRequestError';
  }
}

/**
 * Maps whatever a provider threw onto a GroundedError. Providers differ (the OpenAI client puts the HTTP status
 * on `status`, fetch puts a code on `cause`, the OpenAI client wraps fetch's error in its own), so this reads the
 * common shapes along the cause chain and never shows a raw body.
 */
export function toGroundedError(e: unknown, signal?: AbortSignal): GroundedError {
  if (e instanceof GroundedError) return e;
  if (signal?.aborted || isAbort(e)) return cancelled();
  const err = asError(e);
  const chain = causeChain(err);
  // a GroundedError that a client wrapped (the OpenAI client wraps whatever its fetch threw) already says it all
  const said = chain.find(c => c instanceof GroundedError);
  if (said) return said as GroundedError;
  const status = numberProp(err, 'status') ?? numberProp(err, 'statusCode') ?? numberProp(err, 'response', 'status');
  // a system code on any error of the chain, or named in its message ("connect ECONNREFUSED 127.0.0.1:8000")
  const codes = chain
    .flatMap(c => [stringProp(c, 'code') ?? '', ...(c.message.match(/\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/g) ?? [])])
    .filter(Boolean);
  const retryAfterMs = retryAfter(err);
  if (status === 401 || status === 403)
    return new GroundedError(
      'auth',
      'The model endpoint rejected the credentials. Set the API key with “Grounded: Set API Key”.',
      {
        cause: e,
        action: SET_API_KEY,
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
  if (status === 429) return new GroundedError('rate-limit', rateLimited(retryAfterMs), { cause: e, retryAfterMs });
  if (status !== undefined && status >= 500)
    return new GroundedError('network', `The model endpoint failed (HTTP ${status}). Retry in a moment.`, {
      cause: e,
      retryAfterMs,
    });
  const where = chain.find(c => c.name === 'EndpointRequestError');
  const endpoint = stringProp(where, 'endpoint');
  const failure = status === undefined ? connectionFailure(chain, codes, endpoint) : undefined;
  if (failure) {
    const setting = stringProp(where, 'setting');
    const at = endpoint ? ` ${endpoint}` : '';
    const fix = failure.lost
      ? 'Retry, or check the endpoint.'
      : failure.missingHost
        ? `Check the host name in ${setting ?? 'the base URL'}.`
        : failure.badPort
          ? `Serve it on another port and set that port in ${setting ?? 'the base URL'}.`
          : 'Check that it is running and that the base URL is right, then retry.';
    return new GroundedError(
      'network',
      failure.lost
        ? `The connection to the model endpoint${at} was lost: ${failure.reason}. ${fix}`
        : `Could not reach the model endpoint${at}: ${failure.reason}. ${fix}`,
      { cause: e, setting, action: setting ? openSetting(setting) : undefined, final: failure.final },
    );
  }
  const text = [...codes, ...chain.map(c => c.message)].join(' ');
  // `text` holds the codes (`context_length_exceeded`, `content_filter`) and the server's reasons along the chain; an
  // error event in a stream that had begun (`data: {"error": …}`) is the server's own reason, sent without a status
  const streamed = status === undefined && streamedError(chain);
  const reasonGiven = status === 400 || status === 413 || status === 422 || streamed;
  // LangChain wraps the OpenAI client's overflow error in its own ContextOverflowError, which carries no status
  const overflow = chain.some(c => c.name === 'ContextOverflowError') || (reasonGiven && CONTEXT_OVERFLOW.test(text));
  if (overflow)
    // the same prompt fails the same way: no retry or non-streaming fallback helps, a shorter one does (a limit of
    // the model, as its output limit is in sseEnd.ts)
    return new GroundedError('model-refused', CONTEXT_EXCEEDED, { cause: e });
  if ((status === 400 || streamed) && REFUSAL.test(text))
    return new GroundedError(
      'model-refused',
      'The model declined to answer this question. Rephrase it and try again.',
      { cause: e },
    );
  if (status === 408 || /timed? ?out/i.test(text))
    return new GroundedError('timeout', 'The model did not answer in time. Retry, or check the endpoint.', {
      cause: e,
    });
  if (/UND_ERR|socket hang up|terminated|fetch failed|network/i.test(text))
    return new GroundedError('network', 'The connection to the model was lost. Check the endpoint and retry.', {
      cause: e,
    });
  return new GroundedError('unknown', 'The model call failed. See the “Grounded” output for details, then retry.', {
    cause: e,
  });
}

/**
 * What a reply's finish reason says stopped it short, streamed or not: a content filter (`content_filter`) or the
 * output limit (`length`); undefined for a finished reply.
 */
export function finishFailure(finish: string | undefined): GroundedError | undefined {
  if (finish === 'content_filter')
    return new GroundedError(
      'model-refused',
      "The endpoint's content filter stopped the answer. Rephrase the question and try again.",
    );
  if (finish === 'length') return new GroundedError('model-refused', OUTPUT_LIMIT);
  return undefined;
}

const CONTEXT_EXCEEDED =
  "The question and its passages are longer than the model's context window. Ask about less, or use a model with a larger context.";

/**
 * Whether the endpoint refused a prompt longer than the model's context window (toGroundedError's overflow), which
 * the caller that knows what limit the prompt was fitted to can say more about (see promptBudget's contextExceeded).
 */
export const exceededContext = (e: GroundedError): boolean =>
  e.kind === 'model-refused' && e.message === CONTEXT_EXCEEDED;

const OUTPUT_LIMIT =
  "The answer reached the model's output limit (its maximum tokens). Ask for less, or raise the limit on the endpoint.";

/** Whether a reply was stopped by the model's output limit (finishFailure's `length`), streamed or not. */
export const reachedOutputLimit = (e: GroundedError): boolean =>
  e.kind === 'model-refused' && e.message === OUTPUT_LIMIT;

/**
 * The output limit met while the reply was still reasoning (inside its `<think>` block, or in a reasoning field), so
 * no answer was written: said so, as asking for less or a higher limit is what leaves the model room to answer.
 */
export function reasoningSpentOutput(cause: GroundedError): GroundedError {
  return new GroundedError(
    'model-refused',
    'The model spent its output limit (its maximum tokens) on reasoning and wrote no answer. Ask for less, or raise the limit on the endpoint.',
    { cause },
  );
}

/**
 * The characters of a model's or server's own words quoted in an error (a refusal, an error message sent in place of
 * an answer): enough for its reason, short enough for a status line.
 */
const QUOTE_CHARS = 160;

/**
 * The model declining to answer in words of its own (OpenAI's structured refusal: the reply's `refusal` in place of
 * its content), quoted, shortened to one line, as a model-refused error that says what to do.
 */
export function modelRefusal(refusal: string): GroundedError {
  return new GroundedError(
    'model-refused',
    `The model declined to answer (“${quotedLine(refusal)}”). Rephrase the question and try again.`,
  );
}

/**
 * A helper call's reply that is the model's refusal (grading, rewriting, checking citations), quoted: the step that
 * says the answer goes on without that work names it, as neither an empty nor an unreadable reply.
 */
export function helperRefusal(refusal: string): GroundedError {
  return new GroundedError('model-refused', `The model declined: “${quotedLine(refusal)}”`);
}

/** Words to quote in an error, on one line, shortened to QUOTE_CHARS characters. */
export function quotedLine(text: string): string {
  const said = [...text.replace(/\s+/g, ' ').trim()];
  return said.length > QUOTE_CHARS
    ? `${said
        .slice(0, QUOTE_CHARS - 1)
        .join('')
        .trimEnd()}…`
    : said.join('');
}

/** A rate limit in words, with the wait the endpoint asks for when it is a minute or more (a quota's, not a burst's). */
function rateLimited(retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined || retryAfterMs < 60_000)
    return 'The model is rate-limited right now. Wait a moment and retry.';
  const minutes = Math.round(retryAfterMs / 60_000);
  const wait = minutes < 90 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return `The model is rate-limited: the endpoint asks to wait about ${wait} before the next request. Retry then, or pick another model.`;
}

/** A server's reason for refusing a prompt longer than the model takes (OpenAI, Azure, vLLM, TGI, llama.cpp). */
const CONTEXT_OVERFLOW =
  /context_length_exceeded|context (?:length|window|size)|maximum context|too many tokens|prompt is too long|tokens \+ `?max_new_tokens/i;

/**
 * A content filter's or safety system's refusal of the prompt (Azure's `content_filter`, OpenAI's policy flags). Not
 * the bare word "content": a 400 about `messages[1].content` is a malformed request, not a refusal.
 */
const REFUSAL =
  /content[ _-]?(?:filter|management|policy)|content_policy_violation|usage polic|safety system|flagged|responsible ai|refus/i;

/**
 * Whether an error of the chain is one a server sent inside its event stream: the OpenAI client throws such an event's
 * `error` object ({message, code}) as an error of no status.
 */
function streamedError(chain: readonly Error[]): boolean {
  return chain.some(c => {
    const error = (c as { error?: unknown }).error;
    return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
  });
}

/** The error and its causes, outermost first (a few levels: fetch and the clients wrap each other). */
function causeChain(err: Error): Error[] {
  const chain: Error[] = [];
  for (let c: unknown = err; c instanceof Error && chain.length < 6 && !chain.includes(c); c = c.cause) chain.push(c);
  return chain;
}

/**
 * Why a request failed below HTTP, in words with the system's code: it never reached the endpoint, or (`lost`) the
 * connection dropped. Undefined when nothing in the chain says so.
 */
function connectionFailure(
  chain: readonly Error[],
  codes: readonly string[],
  endpoint: string | undefined,
): { reason: string; lost?: true; final?: true; missingHost?: true; badPort?: true } | undefined {
  const code = (pattern: RegExp) => codes.find(c => pattern.test(c));
  const refused = code(/^ECONNREFUSED$/);
  // nothing listens at that port. On this machine (Ollama, vLLM or LM Studio not started) it stays so for the seconds a
  // retry waits; a remote host may be restarting behind its address, so its refusal is worth another attempt
  if (refused)
    return { reason: `the connection was refused (${refused})`, ...(refusedOnLoopback(chain) && { final: true }) };
  // the name does not exist (the resolver said so: a mistyped host): it will not exist a few seconds later, and a
  // non-streaming request would look it up to the same answer
  const missingHost = code(/^(ENOTFOUND|EAI_NONAME)$/);
  if (missingHost)
    return {
      reason: `the host name${hostNamed(chain, endpoint)} was not found (${missingHost})`,
      final: true,
      missingHost: true,
    };
  // the resolver could not answer now (no network yet, a DNS server timing out): another attempt may get an answer
  const unresolved = code(/^EAI_AGAIN$/);
  if (unresolved)
    return { reason: `the host name${hostNamed(chain, endpoint)} could not be looked up (${unresolved})` };
  const slow = code(/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT)$/);
  if (slow) return { reason: `the connection timed out (${slow})` };
  const unreachable = code(/^(ENETUNREACH|EHOSTUNREACH)$/);
  if (unreachable) return { reason: `the network is unreachable (${unreachable})` };
  // a TLS handshake answered in plain text: an http server (Ollama, vLLM, LM Studio) at an https:// URL
  const plain = code(/^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG)$/);
  // the same handshake with the same server fails the same way: no retry can succeed
  if (plain) return { reason: `the server does not speak https (${plain}): its URL may need http://`, final: true };
  const certificate = code(/CERT|SSL|TLS|SELF_SIGNED/);
  if (certificate) return { reason: `the server's certificate was not accepted (${certificate})`, final: true };
  // fetch connects to no port the Fetch standard blocks (6000 X11, 6665-6669 IRC, 5060 SIP, …): it refuses before any
  // connection, so no retry, non-streaming request or server restart gets through, only another port does
  if (chain.some(c => /^bad port$/i.test(c.message))) {
    const port = urlPart(endpoint, 'port');
    return {
      reason: `fetch refuses to connect to ${port ? `port ${port}` : 'its port'}, one it blocks as unsafe (bad port)`,
      final: true,
      badPort: true,
    };
  }
  const reset = code(/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/);
  if (reset) return { reason: `the connection was reset (${reset})`, lost: true };
  // fetch's own error says only "fetch failed"; its innermost cause says why
  const fetchFailed = chain.findIndex(c => /^fetch failed$/i.test(c.message));
  const reason = chain[chain.length - 1];
  if (fetchFailed >= 0 && reason && chain.length - 1 > fetchFailed) return { reason: reason.message.slice(0, 200) };
  return undefined;
}

/**
 * The host name a failed lookup was for, with a space before it: the resolver's error names it (`hostname`, or its
 * message "getaddrinfo ENOTFOUND llm.example.com"), else the endpoint's origin does; '' when nothing does.
 */
function hostNamed(chain: readonly Error[], endpoint: string | undefined): string {
  const named =
    chain.map(c => stringProp(c, 'hostname')).find(Boolean) ??
    chain.map(c => /\bgetaddrinfo \w+ ([^\s:]+)/.exec(c.message)?.[1]).find(Boolean) ??
    urlPart(endpoint, 'hostname');
  return named ? ` ${named}` : '';
}

/**
 * A part of an endpoint's URL: its host name, or the port it names (none for its scheme's default port); undefined
 * for no endpoint or one that is no URL.
 */
const urlPart = (url: string | undefined, part: 'hostname' | 'port'): string | undefined => {
  if (!url) return undefined;
  try {
    return new URL(url)[part] || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Whether a refused connection was refused by this machine: the address it was refused at (`address`, or its message
 * "connect ECONNREFUSED 127.0.0.1:11434") is a loopback one.
 */
function refusedOnLoopback(chain: readonly Error[]): boolean {
  const address =
    chain.map(c => stringProp(c, 'address')).find(Boolean) ??
    chain.map(c => /\bECONNREFUSED (\S+):\d+/.exec(c.message)?.[1]).find(Boolean);
  return address !== undefined && /^(?:127\.|::1$|::ffff:127\.|\[::1\]$)/i.test(address);
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
