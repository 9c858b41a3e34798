import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { toGroundedError } from '../../errors';
import { fitRewritePrompt } from '../promptBudget';
import { REWRITE_SYSTEM } from '../prompts';
import { emitter, endsAnswer, helperOf, invokeHelper, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';
import { clip } from './retrieve';

/** Asks the model for a better search query; its text only ever becomes the next query, never the answer. */
export async function rewrite(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  const { model, maxInputTokens } = helperOf(run);
  const rewrites = state.rewrites + 1;
  run.usage.rewrites = rewrites;
  if (!model) return { rewrites };
  // within the rewriting model's input limit, as grading is: the helper's when a helper rewrites
  const prompt = fitRewritePrompt(state.question, state.query, maxInputTokens);
  if (prompt === undefined) {
    emit({
      type: 'step',
      name: 'rewrite',
      detail: 'The question leaves no room to rewrite the search query in the model’s context; searching no further',
    });
    return { rewrites };
  }
  emit({ type: 'step', name: 'rewrite', detail: 'Few relevant passages; rewriting the search query' });
  let reply: string;
  try {
    const messages = [new SystemMessage(REWRITE_SYSTEM), new HumanMessage(prompt)];
    reply = await invokeHelper(run, model, messages, detail => emit({ type: 'step', name: 'rewrite', detail }));
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (endsAnswer(run, model, err)) throw err;
    emit({ type: 'step', name: 'rewrite', detail: `Rewriting failed (${err.message}); searching no further` });
    return { rewrites };
  }
  const query = cleanQuery(reply);
  if (!query || query === state.query) return { rewrites };
  emit({ type: 'step', name: 'rewrite', detail: `Searching again for “${clip(query, 80)}”` });
  return { rewrites, query };
}

/**
 * The query in a rewriter's answer (its reply past any reasoning, as invokeWithRetry gives it): its first line with
 * words, past a line that only introduces it ("Here is a better query:"), without quotes, emphasis or a "Query:"
 * label, at most 300 characters.
 */
export function cleanQuery(answer: string): string {
  const lines = answer
    .split('\n')
    .map(l =>
      l
        .trim()
        .replace(/^[*_]+|[*_]+$/g, '')
        .replace(/^(?:(?:better |search |rewritten )*query)[*_]*:[*_]*\s*/i, '')
        .replace(/^["'`]+|["'`]+$/g, '')
        .trim(),
    )
    .filter(l => /[\p{L}\p{N}]/u.test(l));
  const line = lines.find(l => !l.endsWith(':')) ?? '';
  return line.slice(0, 300);
}
