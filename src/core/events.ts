import type { GroundedError } from './errors';
import type { Passage } from './passage';

export type StepName = 'retrieve' | 'grade' | 'rewrite' | 'generate';

/** A numbered source the answer cites: `[n]` in the text refers to `passage`. */
export interface Citation {
  n: number;
  passage: Passage;
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
  | { type: 'done'; answer: string; citations: Citation[]; usage: Usage; mode: AnswerMode }
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
