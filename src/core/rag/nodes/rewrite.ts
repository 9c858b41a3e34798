import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { toGroundedError } from '../../errors';
import { invokeWithRetry } from '../../modelCall';
import { REWRITE_SYSTEM, rewriteUserPrompt } from '../prompts';
import { callContext, emitter, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';
import { clip } from './retrieve';

/** Asks the model for a better search query; its text only ever becomes the next query, never the answer. */
export async function rewrite(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  const model = run.helperModel ?? run.model;
  const rewrites = state.rewrites + 1;
  run.usage.rewrites = rewrites;
  if (!model) return { rewrites };
  emit({ type: 'step', name: 'rewrite', detail: 'Few relevant passages; rewriting the search query' });
  let reply = '';
  try {
    const messages = [
      new SystemMessage(REWRITE_SYSTEM),
      new HumanMessage(rewriteUserPrompt(state.question, state.query)),
    ];
    reply = await invokeWithRetry(
      model,
      messages,
      callContext(run, detail => emit({ type: 'step', name: 'rewrite', detail })),
    );
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (err.kind === 'cancelled' || err.kind === 'auth') throw err;
  }
  const query = cleanQuery(reply);
  if (!query || query === state.query) return { rewrites };
  emit({ type: 'step', name: 'rewrite', detail: `Searching again for “${clip(query, 80)}”` });
  return { rewrites, query };
}

/** First non-empty line, without quotes or a "Query:" label, at most 300 characters. */
export function cleanQuery(reply: string): string {
  const line =
    reply
      .split('\n')
      .map(l => l.trim())
      .find(l => l.length > 0) ?? '';
  return line
    .replace(/^(search )?query:\s*/i, '')
    .replace(/^["'`]+|["'`]+$/g, '')
    .trim()
    .slice(0, 300);
}
