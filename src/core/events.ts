import type { GroundedError } from './errors';
import type { Passage } from './passage';

export type StepName = 'retrieve' | 'grade' | 'rewrite' | 'generate';

/** Whether the cited lines say what the claim says (see src/core/citations). */
export type Support = 'supported' | 'partial' | 'unsupported';

/**
 * One cited number of the answer: the claim its marker closes, aligned to the lines of `passage` that support it.
 * `n` is the source it points at (1-based in `sources`); when checking moved it to a source that supports the claim
 * better, `movedFrom` is the number the model wrote. `support` is absent when nothing was checked (search results,
 * checking off).
 */
export interface Citation {
  n: number;
  /**
   * Which cited number of the answer this is, counted from 0 over the streamed text (the `token` events) outside code,
   * numbers that name no source included (`done.answer` leaves those out).
   */
  ordinal: number;
  passage: Passage;
  claim: string;
  /** The aligned lines, 1-based, inclusive, within the passage. */
  startLine: number;
  endLine: number;
  support?: Support;
  movedFrom?: number;
}

export interface Usage {
  /** Model calls made for this answer (grading, rewriting, generation, retries). */
  modelCalls: number;
  retries: number;
  rewrites: number;
  fallback: boolean;
}

/** The single contract between the core and every surface. */
export type AnswerEvent =
  | { type: 'step'; name: StepName; detail: string }
  | { type: 'sources'; sources: Passage[] }
  | { type: 'token'; text: string }
  /**
   * A marker's claim aligned and checked. Sent just before the token that completes the marker, so a surface has it
   * when it renders the marker; sent again with the same ordinal when the model check changes its verdict.
   */
  | { type: 'citation'; citation: Citation }
  /**
   * `answer`: the tokens' text without the numbers that name no source, as every surface shows it. `model`: who
   * answered, for people; the surface that chose the model adds it (the core does not know its name).
   */
  | { type: 'done'; answer: string; citations: Citation[]; usage: Usage; mode: AnswerMode; model?: string }
  | { type: 'error'; error: GroundedError; partial: string };

/** `answer`: a model wrote the text. `search`: the text is the ranked passages themselves. */
export type AnswerMode = 'answer' | 'search';

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface AskRequest {
  question: string;
  /** Earlier turns of this conversation, oldest first. */
  history?: Turn[];
  /** Text the user pointed at (an editor selection): shown to the generator and added to the search. */
  context?: SelectionContext;
  /** `search` answers with ranked passages and never calls a model. */
  mode?: AnswerMode;
  signal?: AbortSignal;
}

export interface SelectionContext {
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}
