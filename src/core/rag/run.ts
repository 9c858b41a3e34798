import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Clock } from '../clock';
import type { AnswerEvent, Usage } from '../events';
import type { CallContext } from '../modelCall';
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
}

/** The run a node belongs to: ask() passes it in `configurable`, so the graph is compiled once for every run. */
export function runOf(config: LangGraphRunnableConfig): RagRun {
  const run = config.configurable?.run as RagRun | undefined;
  if (!run) throw new Error('the RAG graph was invoked without its run (configurable.run)');
  return run;
}

/** Emits an event out of the graph (streamMode "custom"): the only way anything reaches a surface. */
export function emitter(config: LangGraphRunnableConfig): (event: AnswerEvent) => void {
  return event => config.writer?.(event);
}

export function callContext(run: RagRun, onStatus: (detail: string) => void): CallContext {
  return {
    signal: run.signal,
    retry: run.options.retry,
    clock: run.clock,
    onStatus,
    onCall: kind => {
      run.usage.modelCalls++;
      if (kind === 'retry') run.usage.retries++;
      if (kind === 'fallback') run.usage.fallback = true;
    },
  };
}
