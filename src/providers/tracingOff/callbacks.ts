/**
 * Stands in for @langchain/core's `utils/callbacks` module in dist/extension.js and dist/cli.js (see esbuild.mjs).
 * LangChain adds its LangSmith tracer to every run when LANGSMITH_TRACING, LANGCHAIN_TRACING_V2 and the like are
 * "true"; in a bundle tracing is off whatever the environment or a caller says.
 */
export const isTracingEnabled = (_tracingEnabled?: boolean): boolean => false;
