import type { CitationCheck } from './citations/resolve';

/** A selection asked about is cut to this many characters: it shares the prompt with the passages. */
export const MAX_CONTEXT_CHARS = 6000;

export interface RetryPolicy {
  /** Extra attempts after the first, for transient errors, before the first token only. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface AskOptions {
  /** Passages retrieved per search. */
  k: number;
  /** Passages given to the generator at most. */
  maxContext: number;
  /** Fewer relevant passages than this triggers a query rewrite (while rewrites remain). */
  minRelevant: number;
  maxRewrites: number;
  grading: boolean;
  maxQuestionChars: number;
  retry: RetryPolicy;
  /** No first token within this time counts as a timeout (retried like a network error). */
  firstTokenTimeoutMs: number;
  /** A gap between two tokens longer than this breaks the stream. */
  idleTimeoutMs: number;
  /**
   * How citations are checked against their lines: `lexical` (the index's analysis, as they stream), `model` (that,
   * then one helper-model call over every claim after the answer), `off` (lines aligned, no verdicts).
   */
  citationCheck: CitationCheck;
  /**
   * The generator's input limit in tokens (`LanguageModelChat.maxInputTokens`, `grounded.model.maxInputTokens`,
   * `--max-input-tokens`): prompts are fitted to it, leaving room for the reply. Undefined or 0: no limit.
   */
  maxInputTokens?: number;
  /**
   * What set `maxInputTokens`, so that a question it cannot take is told what to change: `setting`, the user's
   * `grounded.model.maxInputTokens` (`--max-input-tokens` in the CLI); `default`, the limit assumed for the endpoint
   * while that is unset; undefined, the model's own (a VS Code model says what it takes).
   */
  maxInputTokensSource?: InputLimitSource;
  /** The helper model's input limit, when a helper model grades; defaults to `maxInputTokens`. */
  helperMaxInputTokens?: number;
}

/** Who set an input limit: the user's setting, or the default assumed for the endpoint (see AskOptions). */
export type InputLimitSource = 'setting' | 'default';

export const defaultAskOptions: AskOptions = {
  k: 8,
  maxContext: 6,
  minRelevant: 1,
  maxRewrites: 1,
  grading: true,
  maxQuestionChars: 8000,
  retry: { retries: 3, baseDelayMs: 500, maxDelayMs: 8000 },
  firstTokenTimeoutMs: 60_000,
  idleTimeoutMs: 30_000,
  citationCheck: 'lexical',
};

/** What is said of a question longer than `limit` characters (its length and the limit); undefined when it fits. */
export function questionTooLong(question: string, limit = defaultAskOptions.maxQuestionChars): string | undefined {
  if (question.length <= limit) return undefined;
  return `The question is ${question.length.toLocaleString('en-US')} characters long; the limit is ${limit.toLocaleString('en-US')}.`;
}
