import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { CHECK_SYSTEM, checkUserPrompt, parseVerdicts } from '../../citations/modelCheck';
import { toGroundedError } from '../../errors';
import { invokeWithRetry } from '../../modelCall';
import { callContext, emitter, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

/**
 * `citationCheck: "model"`: after the answer has streamed, ONE helper-model call judges every claim against its
 * cited lines, and each citation whose verdict changes is sent again. A failed call or an unreadable reply keeps the
 * lexical verdicts: the check never costs the answer.
 */
export async function checkCitations(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  const model = run.helperModel ?? run.model;
  const citations = state.citations;
  if (!model || citations.length === 0) return {};
  emit({
    type: 'step',
    name: 'generate',
    detail: `Checking ${citations.length} citation${citations.length === 1 ? '' : 's'} with the model`,
  });
  let reply: string;
  try {
    const messages = [new SystemMessage(CHECK_SYSTEM), new HumanMessage(checkUserPrompt(citations))];
    reply = await invokeWithRetry(
      model,
      messages,
      callContext(run, detail => emit({ type: 'step', name: 'generate', detail })),
    );
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (err.kind === 'cancelled') throw err;
    emit({
      type: 'step',
      name: 'generate',
      detail: `The citation check failed (${err.message}); keeping the lexical verdicts`,
    });
    return {};
  }
  const verdicts = parseVerdicts(reply, citations.length);
  if (!verdicts) {
    emit({
      type: 'step',
      name: 'generate',
      detail: 'The citation check’s reply was unreadable; keeping the lexical verdicts',
    });
    return {};
  }
  const checked = citations.map((c, i) => {
    const support = verdicts[i] ?? c.support;
    if (support === c.support) return c;
    const updated = { ...c, support };
    emit({ type: 'citation', citation: updated });
    return updated;
  });
  return { citations: checked };
}
