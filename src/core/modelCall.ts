import type { BaseMessage, MessageContent } from '@langchain/core/messages';
import type { Clock } from './clock';
import {
  cancelled,
  finishFailure,
  GroundedError,
  helperRefusal,
  modelRefusal,
  reachedOutputLimit,
  reasoningSpentOutput,
  toGroundedError,
} from './errors';
import type { RetryPolicy } from './options';
import type { ChatModel } from './ports';
import { AnswerStart, readReply, reasoningOpenedByTemplate } from './reasoning';
import { withRetry, type RetryOptions } from './retry';

export interface CallContext {
  signal?: AbortSignal;
  retry: RetryPolicy;
  clock: Clock;
  /** A visible note: "rate-limited, retrying in 2 s (1/3)". */
  onStatus(detail: string): void;
  /** Counts every request sent, for `usage`. */
  onCall(kind: 'call' | 'retry' | 'fallback'): void;
  /**
   * No reply to a non-streaming call within this time ends the call with a timeout, not retried: a model that took
   * the request and sent nothing for that long would most likely do so again, each retry costing the whole limit.
   * Unset: no limit but the client's own (the OpenAI client's is 10 minutes).
   */
  replyTimeoutMs?: number;
}

export interface StreamContext extends CallContext {
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  onToken(text: string): void;
}

/**
 * Kinds that asking another way (the non-streaming fallback) cannot fix: a rate limit that outlasted the retries
 * holds for every request to the endpoint, and more requests only prolong it.
 */
const FINAL: ReadonlySet<string> = new Set([
  'auth',
  'cancelled',
  'model-refused',
  'no-model',
  'bad-input',
  'rate-limit',
]);

/**
 * One non-streaming call, retried on transient errors, given up after `replyTimeoutMs` without a reply: its reply's
 * answer, past a reasoning model's opening `<think>…</think>` (see readReply), whose drafts and words are not read.
 * The reply is read for reasoning here only: callers parse the answer as it is.
 * A reply that is the model's refusal fails as `model-refused`, quoting it (not retried: asked again, it declines
 * again).
 */
export async function invokeWithRetry(model: ChatModel, messages: BaseMessage[], ctx: CallContext): Promise<string> {
  const reply = await invokeReply(model, messages, ctx);
  if (reply.refusal.trim()) throw helperRefusal(reply.refusal);
  return answerOf(model, reply.text);
}

/**
 * The models whose replies were seen to close a reasoning block they never opened (their server's chat template
 * opens it in the prompt: DeepSeek-R1's and QwQ's templates served by vLLM or LM Studio without a reasoning parser).
 * Their streamed answers are read as reasoning until `</think>`, so the reasoning is not shown as the answer: from the
 * first answer after any whole reply of theirs (a grade, a rewrite) or a streamed one said it. The latest reply
 * decides: one without that lone tag (a model mistaken for one, whose prose once wrote `</think>`) forgets it, so its
 * next answer streams as it comes again.
 */
const templateOpensReasoning = new WeakSet<ChatModel>();

function noteReasoning(model: ChatModel, openedByTemplate: boolean): void {
  if (openedByTemplate) templateOpensReasoning.add(model);
  else templateOpensReasoning.delete(model);
}

/** A whole reply's answer, past its reasoning (see readReply), noting how the model's template treats it. */
function answerOf(model: ChatModel, reply: string, read = readReply(reply)): string {
  noteReasoning(model, read.openedByTemplate);
  return read.answer;
}

/**
 * Whether a whole reply (`read`: as readReply reads `reply`) that stopped early stopped inside its reasoning: a
 * `<think>` block it opened and never closed, or, for a model whose template opens the block, a reply without the
 * `</think>` that would end it (read whole, such a reply would pass its reasoning for the answer, and make the model's
 * next answers stream it as well).
 */
function stillReasoning(model: ChatModel, reply: string, read: ReturnType<typeof readReply>): boolean {
  return (!read.answer && reply.trim() !== '') || (templateOpensReasoning.has(model) && !read.openedByTemplate);
}

/**
 * invokeWithRetry's reply with its finish reason (`stop`, `length`, `content_filter`), when the provider gives one,
 * and the model's refusal (`refusal`), when it declined.
 */
function invokeReply(
  model: ChatModel,
  messages: BaseMessage[],
  ctx: CallContext,
): Promise<{ text: string; finish?: string; refusal: string }> {
  let outlasted: GroundedError | undefined;
  return withRetry(
    async attempt => {
      ctx.onCall(attempt === 0 ? 'call' : 'retry');
      const watchdog = new Watchdog(ctx.clock, ctx.signal);
      if (ctx.replyTimeoutMs !== undefined) watchdog.arm(ctx.replyTimeoutMs, 'reply');
      try {
        // LangChain's invoke() waits for the model whatever its signal says: a model that ignores it (a VS Code
        // model's provider may) would outlast the limit and a cancel, so the wait ends when the signal aborts
        const result = await untilAborted(model.invoke(messages, { signal: watchdog.signal }), watchdog.signal);
        const finish: unknown = result.response_metadata['finish_reason'];
        return {
          text: contentText(result.content),
          finish: typeof finish === 'string' ? finish : undefined,
          refusal: refusalText(result.additional_kwargs),
        };
      } catch (e) {
        // aborted by the watchdog: a timeout, not a cancel
        outlasted = watchdog.error;
        throw watchdog.error ?? e;
      } finally {
        watchdog.disarm();
      }
    },
    // an attempt that outlasts the reply limit ends the call; other transient failures are retried
    { ...retryOptions(ctx), shouldRetry: err => err.transient && err !== outlasted },
  );
}

/**
 * Streams one answer. Before the first token, transient errors are retried with backoff and any other
 * stream failure falls back to one non-streaming call; after it, a failure is `stream-broken` (the caller
 * keeps the partial text). A token is never delivered twice.
 */
export async function streamWithResilience(
  model: ChatModel,
  messages: BaseMessage[],
  ctx: StreamContext,
): Promise<string> {
  let text = '';
  // a stream that ended with no answer: the non-streaming fallback may still get one
  let empty: GroundedError | undefined;
  const streamOnce = async (attempt: number): Promise<string> => {
    const watchdog = new Watchdog(ctx.clock, ctx.signal);
    // the reply reasoned (a `<think>` block, or a reasoning field) before any answer text
    let reasoning = false;
    try {
      ctx.onCall(attempt === 0 ? 'call' : 'retry');
      watchdog.arm(ctx.firstTokenTimeoutMs, 'first-token');
      const stream = await model.stream(messages, { signal: watchdog.signal });
      const start = new AnswerStart(templateOpensReasoning.has(model));
      let reply = '';
      let refusal = '';
      const deliver = (piece: string) => {
        if (!piece) return;
        text += piece;
        ctx.onToken(piece);
      };
      for await (const chunk of stream) {
        // every chunk, reasoning too, shows the model is at work: the silence limits count from the last one
        if (text) watchdog.arm(ctx.idleTimeoutMs, 'idle');
        else watchdog.arm(ctx.firstTokenTimeoutMs, 'first-token');
        const piece = contentText(chunk.content);
        reply += piece;
        deliver(start.push(piece));
        refusal += refusalText(chunk.additional_kwargs);
        if (!text && !reasoning && (start.reasoning || hasReasoningField(chunk.additional_kwargs))) {
          reasoning = true;
          ctx.onStatus('The model is reasoning before it answers');
        }
      }
      deliver(start.flush());
      noteReasoning(model, reasoningOpenedByTemplate(reply));
      watchdog.disarm();
      // LangChain's OpenAI stream ends quietly (no throw) when its signal aborts between chunks: a timeout or
      // a cancel must not pass for a finished answer.
      if (watchdog.error) throw watchdog.error;
      if (ctx.signal?.aborted) throw cancelled();
      // a refusal after some text ends the answer there: the text so far is kept as cut off
      if (refusal.trim()) throw modelRefusal(refusal);
      if (text) return text;
      empty = emptyAnswer();
      throw empty;
    } catch (e) {
      watchdog.disarm();
      const err = watchdog.error ?? toGroundedError(e, ctx.signal);
      // what a reply stopped there holds is reasoning (a block never closed is not answer text): none of it is shown,
      // and the error says where the output went
      throw !text && reasoning && reachedOutputLimit(err) ? reasoningSpentOutput(err) : err;
    }
  };
  try {
    // retried only before the first token: once text was delivered, another attempt would repeat it
    return await withRetry(streamOnce, { ...retryOptions(ctx), shouldRetry: err => !text && err.transient });
  } catch (e) {
    const err = toGroundedError(e, ctx.signal);
    if (err.kind === 'cancelled' || ctx.signal?.aborted) throw cancelled();
    if (text)
      throw new GroundedError('stream-broken', `The answer was cut off: ${lowerFirst(err.message)}`, { cause: err });
    if (err.options.final) throw err;
    if (FINAL.has(err.kind) && err !== empty) throw err;
    ctx.onStatus('Streaming failed; asking for the whole answer at once');
    ctx.onCall('fallback');
    // the whole answer at once may take far longer than a first token: no reply limit but the client's
    const reply = await invokeReply(model, messages, {
      ...ctx,
      replyTimeoutMs: undefined,
      onCall: () => undefined,
    });
    // a refusal, a content filter or the output limit stops a whole answer as it stops a stream: said, not passed for
    // finished
    const stopped = reply.refusal.trim() ? modelRefusal(reply.refusal) : finishFailure(reply.finish);
    const read = readReply(reply.text);
    // the limit met inside the reasoning: none of it is the answer, and the model is still one whose template opens it
    if (stopped && reachedOutputLimit(stopped) && stillReasoning(model, reply.text, read))
      throw reasoningSpentOutput(stopped);
    const whole = answerOf(model, reply.text, read);
    if (!whole) throw stopped ?? emptyAnswer();
    ctx.onToken(whole);
    if (stopped)
      throw new GroundedError('stream-broken', `The answer was cut off: ${lowerFirst(stopped.message)}`, {
        cause: stopped,
      });
    return whole;
  }
}

const emptyAnswer = () =>
  new GroundedError('model-refused', 'The model returned an empty answer. Rephrase the question and try again.');

/**
 * The refusal a reply or chunk carries (`refusal`, where LangChain keeps OpenAI's structured refusal, the model's
 * reason for declining, sent in place of an answer); empty when none.
 */
function refusalText(fields: Record<string, unknown> | undefined): string {
  const refusal = fields?.['refusal'];
  return typeof refusal === 'string' ? refusal : '';
}

/** Whether a chunk carries reasoning in a field of its own (`reasoning_content`: DeepSeek, vLLM's reasoning parser). */
function hasReasoningField(fields: Record<string, unknown> | undefined): boolean {
  const reasoning = fields?.['reasoning_content'];
  return typeof reasoning === 'string' && reasoning.length > 0;
}

/** The call's retry policy, with each wait shown as a status line. */
function retryOptions(ctx: CallContext): RetryOptions {
  return {
    policy: ctx.retry,
    clock: ctx.clock,
    signal: ctx.signal,
    onRetry: ({ error, delayMs, attempt, retries }) => {
      const what =
        error.kind === 'rate-limit'
          ? 'Rate-limited'
          : error.kind === 'timeout'
            ? 'The model timed out'
            : 'The model call failed';
      ctx.onStatus(`${what}; retrying in ${(delayMs / 1000).toFixed(1)} s (${attempt}/${retries})`);
    },
  };
}

/** Aborts the request when no token arrives in time, and remembers why, so a timeout is not read as a cancel. */
class Watchdog {
  private readonly controller = new AbortController();
  private stopTimer: (() => void) | undefined;
  private readonly unlink: () => void;
  error: GroundedError | undefined;

  constructor(
    private readonly clock: Clock,
    parent?: AbortSignal,
  ) {
    const onAbort = () => this.controller.abort(parent?.reason);
    parent?.addEventListener('abort', onAbort, { once: true });
    if (parent?.aborted) onAbort();
    this.unlink = () => parent?.removeEventListener('abort', onAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  arm(ms: number, phase: 'first-token' | 'idle' | 'reply'): void {
    this.stopTimer?.();
    this.stopTimer = this.clock.timer(ms, () => {
      this.error = new GroundedError(
        'timeout',
        phase === 'idle'
          ? `the model went silent for ${Math.round(ms / 1000)} s mid-answer. Retry to get the whole answer.`
          : `The model sent nothing for ${Math.round(ms / 1000)} s. Retry, or check the endpoint.`,
      );
      this.controller.abort(this.error);
    });
  }

  disarm(): void {
    this.stopTimer?.();
    this.unlink();
  }
}

/** `work`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The text of a message's content, whether a string or a list of parts. */
export function contentText(content: MessageContent): string {
  if (typeof content === 'string') return content;
  let out = '';
  for (const part of content) {
    if (typeof part === 'string') out += part;
    else if (part.type === 'text' && typeof part.text === 'string') out += part.text;
  }
  return out;
}
