import { realClock, type Clock } from '../core/clock';
import { cancelled, GroundedError } from '../core/errors';
import type { RetryPolicy } from '../core/options';
import { defaultAskOptions } from '../core/options';
import type { EmbedOptions, Embedder } from './embedder';
import type { EmbeddingsEndpoint } from './embeddingsEndpoint';
import type { InputLimits } from './inputLimits';
import { bodyReason, HttpStatusError, postJsonWithRetry } from '../providers/http/postJsonWithRetry';
import { WebPageReplyError } from '../providers/http/webPageReplyError';
import { sliceWhole } from '../shared/wholeCharacters';

export interface OpenAiEmbeddingsClientOptions {
  endpoint: EmbeddingsEndpoint;
  apiKey?: string;
  /** Texts per request; OpenAI takes up to 2048, Databricks endpoints ~150, so the default is modest. */
  batchSize?: number;
  /** Characters per text sent; longer texts are cut (the endpoint would reject them). */
  maxChars?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  clock?: Clock;
  onRetry?: (detail: string) => void;
  /**
   * Where the cut a refused text fitted at is kept for this endpoint and model, so that a new client cuts there from
   * its first request instead of learning it again from refused ones.
   */
  inputLimits?: InputLimits;
}

const DEFAULT_BATCH = 64;
const SET_KEY = { title: 'Set Embeddings API Key', command: 'grounded.setEmbeddingsApiKey' };
const DEFAULT_MAX_CHARS = 8000;
/** The shortest cut of a refused text: a request refused even so is wrong in another way than its size. */
const MIN_CUT_CHARS = 256;
/** The statuses an endpoint or its proxy refuses an input too long for the model, or a body too large, with. */
const TOO_LARGE = new Set([400, 413, 422]);

/**
 * An OpenAI-compatible `POST {base}/embeddings` client (OpenAI, Azure, Databricks Model Serving, Ollama, vLLM…):
 * batched, retried by the core's rules, cancellable, and strict about the reply (one finite vector per text, all
 * of one length in one call), so a broken endpoint is named instead of filling an index with garbage. Two calls may
 * differ in length: the model behind the name may change while the client lives (a redeployed serving endpoint, a
 * model pulled again), and the caller that keeps vectors decides what its older ones are worth.
 */
export class OpenAiEmbeddingsClient implements Embedder {
  readonly model: string;
  /** Characters per text sent: the option, or the shorter cut a refused text fitted at (here, or saved before). */
  private maxChars: number;
  /** The saved cut read (once, before the first request). */
  private savedLimit: Promise<void> | undefined;

  constructor(private readonly options: OpenAiEmbeddingsClientOptions) {
    this.model = options.endpoint.model;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const batchSize = Math.max(1, this.options.batchSize ?? DEFAULT_BATCH);
    await (this.savedLimit ??= this.readSavedLimit());
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      if (options.signal?.aborted) throw cancelled();
      vectors.push(...(await this.embedFitting(texts.slice(start, start + batchSize), options.signal)));
      options.onProgress?.({ done: vectors.length, total: texts.length });
    }
    // one call's vectors are compared with each other: of two lengths, they cannot be ranked together
    const other = vectors.find(v => v.length !== vectors[0]?.length);
    if (other) throw this.malformed(`vectors of ${other.length} and ${vectors[0]?.length ?? 0} dimensions`);
    return vectors;
  }

  /**
   * One batch, fitted to what the endpoint takes: a batch it refuses as too large (a text over the model's input
   * limit, which the character cut does not know, or a body over a proxy's) is split in halves, and a single text it
   * refuses is cut to half its length until it fits; that cut then applies to every later text, so they are not
   * refused first. A text refused even at MIN_CUT_CHARS keeps the refusal (the request is wrong, not long).
   *
   * A first refusal is checked with the smallest request there is (`refusedForSize`): refused too, the request is
   * wrong in another way than its size (a model that is not an embeddings model, an option the endpoint does not
   * take), and that refusal is said at once instead of after a dozen smaller requests. `sized`: the batch this one was
   * split from passed that check.
   */
  private async embedFitting(
    texts: readonly string[],
    signal: AbortSignal | undefined,
    sized = false,
  ): Promise<Float32Array[]> {
    try {
      return await this.embedBatch(texts, signal, this.maxChars);
    } catch (e) {
      if (!refusedAsTooLarge(e)) throw e;
      if (!sized) await this.refusedForSize(texts, signal, e);
      if (texts.length > 1) {
        const half = Math.ceil(texts.length / 2);
        const first = await this.embedFitting(texts.slice(0, half), signal, true);
        return [...first, ...(await this.embedFitting(texts.slice(half), signal, true))];
      }
      for (let cut = Math.min(texts[0]?.length ?? 0, this.maxChars) >> 1; cut >= MIN_CUT_CHARS; cut >>= 1) {
        try {
          const vectors = await this.embedBatch(texts, signal, cut);
          this.maxChars = cut;
          await this.options.inputLimits?.set(this.limitKey(), cut);
          this.options.onRetry?.(
            `${this.options.endpoint.label} refused a text as too long; texts are cut to ${cut.toLocaleString('en-US')} characters from now on.`,
          );
          return vectors;
        } catch (shorter) {
          if (!refusedAsTooLarge(shorter)) throw shorter;
        }
      }
      throw e;
    }
  }

  /** Takes the cut saved for this endpoint and model when it is shorter than the one set. */
  private async readSavedLimit(): Promise<void> {
    const saved = await this.options.inputLimits?.get(this.limitKey()).catch(() => undefined);
    if (saved !== undefined && saved >= MIN_CUT_CHARS && saved < this.maxChars) this.maxChars = saved;
  }

  /** The model and endpoint a saved cut is for (the URL without its query, which no secret is kept under). */
  private limitKey(): string {
    return `${this.model} ${this.options.endpoint.url.split('?')[0] ?? ''}`;
  }

  /**
   * Returns when the endpoint takes the smallest request there is (the shortest of `texts`, cut to MIN_CUT_CHARS), so
   * that `refusal` of `texts` may be about their size; else throws `refusal` (or what failed that request).
   */
  private async refusedForSize(
    texts: readonly string[],
    signal: AbortSignal | undefined,
    refusal: unknown,
  ): Promise<void> {
    const cut = Math.min(MIN_CUT_CHARS, this.maxChars);
    const smallest = sliceWhole(
      texts.reduce((a, b) => (b.length < a.length ? b : a), texts[0] ?? ''),
      0,
      cut,
    );
    // the request refused was already that one
    if (texts.length === 1 && smallest === texts[0]) throw refusal;
    try {
      await this.embedBatch([smallest], signal, cut);
    } catch (small) {
      throw refusedAsTooLarge(small) ? refusal : small;
    }
  }

  private async embedBatch(
    texts: readonly string[],
    signal: AbortSignal | undefined,
    maxChars: number,
  ): Promise<Float32Array[]> {
    const { endpoint, apiKey } = this.options;
    if (endpoint.keyRequired && !apiKey)
      throw new GroundedError(
        'auth',
        `${endpoint.label} needs an API key. Set it with “Grounded: Set Embeddings API Key”.`,
        {
          action: SET_KEY,
        },
      );
    const input = texts.map(t => sliceWhole(t, 0, maxChars) || ' ');
    const headers: Record<string, string> = {};
    if (apiKey) headers[endpoint.keyHeader] = endpoint.keyHeader === 'authorization' ? `Bearer ${apiKey}` : apiKey;
    const reply = await postJsonWithRetry(
      endpoint.url,
      { model: endpoint.model, input, encoding_format: 'float' },
      {
        headers,
        signal,
        timeoutMs: this.options.timeoutMs ?? 60_000,
        retry: this.options.retry ?? defaultAskOptions.retry,
        clock: this.options.clock ?? realClock,
        describe: (error, cause) => describeEmbeddingsError(error, cause, endpoint),
        setting: 'grounded.embeddings.baseUrl',
        onRetry: this.options.onRetry,
      },
    );
    return this.readVectors(reply, texts.length);
  }

  private malformed(why: string): GroundedError {
    return new GroundedError(
      'unknown',
      `${this.options.endpoint.label} sent an unusable reply (${why}). Check that the model is an embeddings model.`,
    );
  }

  private readVectors(reply: unknown, expected: number): Float32Array[] {
    const data = (reply as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || data.length !== expected) throw this.malformed(`expected ${expected} vectors`);
    const vectors: Float32Array[] = new Array<Float32Array>(expected);
    let dimensions: number | undefined;
    data.forEach((item: unknown, position) => {
      const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
      if (
        !Array.isArray(embedding) ||
        embedding.length === 0 ||
        !embedding.every(v => typeof v === 'number' && Number.isFinite(v))
      )
        throw this.malformed('a vector is not a list of numbers');
      dimensions ??= embedding.length;
      if (embedding.length !== dimensions)
        throw this.malformed(`vectors of ${embedding.length} and ${dimensions} dimensions`);
      // a number too large for a 32-bit float is infinite once stored as one
      const vector = Float32Array.from(embedding as number[]);
      if (!vector.every(Number.isFinite)) throw this.malformed('a vector has numbers too large for 32-bit floats');
      vectors[typeof index === 'number' && index >= 0 && index < expected ? index : position] = vector;
    });
    if (vectors.some(v => v === undefined)) throw this.malformed('duplicate indexes');
    return vectors;
  }
}

/** The endpoint refused the request itself (400, 413, 422), which a smaller request may pass. */
const refusedAsTooLarge = (e: unknown): boolean =>
  e instanceof GroundedError &&
  e.kind === 'bad-input' &&
  e.options.cause instanceof HttpStatusError &&
  TOO_LARGE.has(e.options.cause.status);

/** The embeddings endpoint's failures in words that say which setting to fix. */
function describeEmbeddingsError(error: GroundedError, cause: unknown, endpoint: EmbeddingsEndpoint): GroundedError {
  const reason = cause instanceof HttpStatusError ? bodyReason(cause.body) : '';
  const options = { cause, retryAfterMs: error.options.retryAfterMs };
  const where = endpoint.label;
  if (cause instanceof WebPageReplyError)
    return new GroundedError(
      'bad-input',
      `${where}: ${cause.origin} answered with a web page, not the OpenAI-compatible API. Check grounded.embeddings.baseUrl (a sign-in page or a web app is not the API).`,
      options,
    );
  switch (error.kind) {
    case 'cancelled':
      return error;
    case 'auth':
      return new GroundedError(
        'auth',
        `${where} rejected the API key. Set it with “Grounded: Set Embeddings API Key”.`,
        {
          ...options,
          action: SET_KEY,
        },
      );
    case 'index':
    case 'no-model':
      return new GroundedError(
        'bad-input',
        `${where} was not found (HTTP 404) at ${new URL(endpoint.url).origin}. Check grounded.embeddings.baseUrl and grounded.embeddings.model.`,
        options,
      );
    case 'bad-input':
      return new GroundedError(
        'bad-input',
        `${where} refused the request${reason ? ` (${reason})` : ''}. Check grounded.embeddings.model.`,
        options,
      );
    case 'rate-limit':
      return new GroundedError('rate-limit', `${where} is rate-limited.`, options);
    case 'timeout':
      return new GroundedError('timeout', `${where} did not answer in time.`, options);
    case 'network':
      return new GroundedError(
        'network',
        `${where} could not be reached or failed${cause instanceof HttpStatusError ? ` (HTTP ${cause.status})` : ''}. Check grounded.embeddings.baseUrl.`,
        options,
      );
    default:
      return new GroundedError(error.kind, `${where} failed. See the “Grounded” output for details.`, options);
  }
}
