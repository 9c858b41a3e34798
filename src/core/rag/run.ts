import { Annotation, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Clock } from '../clock';
import type { AnswerEvent, Usage } from '../events';
import type { BaseMessage } from '@langchain/core/messages';
import { toGroundedError, type GroundedError } from '../errors';
import { invokeWithRetry, type CallContext } from '../modelCall';
import type { AskOptions } from '../options';
import type { ChatModel, Retriever } from '../ports';

/** What the nodes of one run share: the ports, the options, the signal and the usage counters. */
export interface RagRun {
  retriever: Retriever;
  /** Undefined in no-model mode. */
  model?: ChatModel;
  /** Grading and rewriting; defaults to `model`. */
  helperModel?: ChatModel;
  options: AskOptions;
  clock: Clock;
  signal?: AbortSignal;
  usage: Usage;
  /** Set when a helper call got no reply within its limit: the helper is not asked again in this run. */
  helperTimedOut?: boolean;
}

/**
 * The graph's typed per-run context: ask() passes `{ run }` as LangGraph's `context`, so the graph is compiled once
 * for every run and each node reads its run's ports with their types.
 */
export const RagContext = Annotation.Root({ run: Annotation<RagRun> });
export type RagContextType = typeof RagContext.State;
export type RagConfig = LangGraphRunnableConfig<RagContextType>;

/** The run a node belongs to. */
export function runOf(config: RagConfig): RagRun {
  const run = config.context?.run;
  if (!run) throw new Error('the RAG graph was invoked without its run (context.run)');
  return run;
}

/** Emits an event out of the graph (streamMode "custom"): the only way anything reaches a surface. */
export function emitter(config: RagConfig): (event: AnswerEvent) => void {
  return event => config.writer?.(event);
}

/**
 * The model that grades, rewrites and checks citations: the helper when one is set, else the generator (none in
 * no-model mode, nor after a helper call of this run timed out), with its own input limit (a helper's, when it
 * states one, else the generator's).
 */
export function helperOf(run: RagRun): { model?: ChatModel; maxInputTokens?: number } {
  const { maxInputTokens, helperMaxInputTokens } = run.options;
  if (run.helperTimedOut) return { maxInputTokens };
  if (run.helperModel) return { model: run.helperModel, maxInputTokens: helperMaxInputTokens ?? maxInputTokens };
  return { model: run.model, maxInputTokens };
}

/**
 * One helper call (a grade, a rewrite, a citation check): one request, retried on transient failures, given up
 * without a retry when no reply comes within the first-token limit. Such a timeout is remembered: the helper's other
 * calls are optimisations too, and each would cost the user that limit again.
 */
export async function invokeHelper(
  run: RagRun,
  model: ChatModel,
  messages: BaseMessage[],
  onStatus: (detail: string) => void,
): Promise<string> {
  try {
    return await invokeWithRetry(model, messages, callContext(run, onStatus));
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (err.kind === 'timeout') run.helperTimedOut = true;
    throw err;
  }
}

/**
 * Whether a grade's or a rewrite's failure (of `helper`, the model that was asked) ends the answer with it: a cancel,
 * or a failure the answer's own request to the same endpoint would meet the same way (the key refused, an endpoint
 * that cannot be reached or used as configured: `final`, or, when the helper is the model that answers, that model
 * missing: `no-model`), so that going on would only make the user wait for it again and see it twice. Any other
 * failure (a transient one past its retries, a refusal, an unreadable reply, a separate helper model that is missing)
 * lets the answer go on without the helper's work.
 */
export function endsAnswer(run: RagRun, helper: ChatModel, err: GroundedError): boolean {
  if (err.kind === 'cancelled' || err.kind === 'auth' || err.options.final === true) return true;
  return err.kind === 'no-model' && helper === run.model;
}

export function callContext(run: RagRun, onStatus: (detail: string) => void): CallContext {
  return {
    signal: run.signal,
    retry: run.options.retry,
    clock: run.clock,
    // a grade, a rewrite or a check is a short reply: it gets the time a stream gets for its first token
    replyTimeoutMs: run.options.firstTokenTimeoutMs,
    onStatus,
    onCall: kind => {
      run.usage.modelCalls++;
      if (kind === 'retry') run.usage.retries++;
      if (kind === 'fallback') run.usage.fallback = true;
    },
  };
}
