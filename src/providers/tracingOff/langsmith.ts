/**
 * Stands in for the `langsmith` package, and every `langsmith/…` entry, in dist/extension.js and dist/cli.js
 * (esbuild.mjs resolves those imports here). LangChain traces through LangSmith: with LANGSMITH_TRACING=true it
 * uploads every question, passage and answer to LANGSMITH_ENDPOINT. This module has no network code, so the
 * bundles cannot trace whatever the environment says. It keeps only what LangChain uses when it is not tracing:
 * a run tree as the carrier of a run's config and context variables, and the order key its callback tracers
 * give each run.
 */

/** A run's config and context variables (symbol keys), as LangChain's async-local-storage context keeps them. */
export class RunTree {
  tracingEnabled = false;

  constructor(config: object) {
    Object.assign(this, config);
    this.tracingEnabled = false;
  }
}

/** Only this module's run trees are run trees: there is no other in a bundle. */
export const isRunTree = (value: unknown): value is RunTree => value instanceof RunTree;

/** Never a LangSmith `traceable` function: nothing in a bundle can create one. */
export const isTraceableFunction = (_value: unknown): boolean => false;

/** There is never a current LangSmith run, so LangChain's callbacks never join one. */
export const getCurrentRunTree = (_permitAbsentRunTree?: boolean): undefined => undefined;

/** The client that would send runs. Creating one is a bug in the build: tracing is off. */
export class Client {
  constructor() {
    throw new Error('LangSmith tracing is not part of this build: nothing is sent to LangSmith.');
  }
}

/**
 * The sort key LangChain's tracers give a run (`20240101T000000000001Z<runId>`): its start time to the millisecond,
 * the execution order as microseconds to break ties, then the id. The same format as LangSmith's.
 */
export function convertToDottedOrderFormat(
  epoch: number,
  runId: string,
  executionOrder = 1,
): { dottedOrder: string; microsecondPrecisionDatestring: string } {
  const paddedOrder = executionOrder.toFixed(0).slice(0, 3).padStart(3, '0');
  const microsecondPrecisionDatestring = `${new Date(epoch).toISOString().slice(0, -1)}${paddedOrder}Z`;
  return { dottedOrder: microsecondPrecisionDatestring.replace(/[-:.]/g, '') + runId, microsecondPrecisionDatestring };
}
