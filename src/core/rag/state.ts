import { Annotation } from '@langchain/langgraph';
import type { AnswerMode, Citation, SelectionContext, Turn } from '../events';
import type { Passage } from '../passage';

/** Everything the graph knows about one question. Each field is replaced by the node that writes it. */
export const RagState = Annotation.Root({
  question: Annotation<string>,
  history: Annotation<Turn[]>,
  mode: Annotation<AnswerMode>,
  context: Annotation<SelectionContext | undefined>,
  /** What retrieve searches for: the question, or its rewrite. */
  query: Annotation<string>,
  /** The query the last retrieval searched for: a rewrite that brings no other query is not searched again. */
  searched: Annotation<string>,
  /** The last retrieval's results, ranked. */
  passages: Annotation<Passage[]>,
  /** Passages judged relevant so far (kept across a rewrite), in the order the answer numbers them. */
  relevant: Annotation<Passage[]>,
  rewrites: Annotation<number>,
  answer: Annotation<string>,
  /** The answer's citations, in the order of their markers. */
  citations: Annotation<Citation[]>,
});

export type RagStateType = typeof RagState.State;
export type RagUpdate = typeof RagState.Update;
