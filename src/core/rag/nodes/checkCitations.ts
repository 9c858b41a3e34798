import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { CHECK_SYSTEM, parseVerdicts } from '../../citations/modelCheck';
import { toGroundedError } from '../../errors';
import { fitCheckPrompt } from '../promptBudget';
import { emitter, helperOf, invokeHelper, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

/**
 * `citationCheck: "model"`: after the answer has streamed, ONE helper-model call judges every claim against its
 * cited lines, shown with a few lines on either side; where the model names other lines among those that state the
 * claim better, the citation takes them. Each citation whose verdict or lines change is sent again. A failed call or
 * an unreadable reply keeps the lexical verdicts: the check never costs the answer.
 */
export async function checkCitations(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  /** A step of the answer's generation: the check runs after the answer has streamed, as its last part. */
  const step = (detail: string) => emit({ type: 'step', name: 'generate', detail });
  const { model, maxInputTokens } = helperOf(run);
  const citations = state.citations;
  if (run.helperTimedOut && citations.length > 0) {
    step('The model sent no reply in time earlier in this answer; keeping the lexical verdicts without asking it');
    return {};
  }
  if (!model || citations.length === 0) return {};
  // within the checker's input limit: the first citations that fit; the others keep their lexical verdicts
  const prompt = fitCheckPrompt(citations, maxInputTokens);
  if (!prompt) {
    step('The citation check does not fit the model’s context; keeping the lexical verdicts');
    return {};
  }
  step(prompt.cut ?? `Checking ${citations.length} citation${citations.length === 1 ? '' : 's'} with the model`);
  let reply: string;
  try {
    const messages = [new SystemMessage(CHECK_SYSTEM), new HumanMessage(prompt.text)];
    reply = await invokeHelper(run, model, messages, step);
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (err.kind === 'cancelled') throw err;
    step(`The citation check failed (${err.message}); keeping the lexical verdicts`);
    return {};
  }
  const verdicts = parseVerdicts(reply, prompt.checked, prompt.shown);
  if (!verdicts) {
    step('The citation check’s reply was unreadable; keeping the lexical verdicts');
    return {};
  }
  const checked = citations.map((c, i) => {
    const verdict = verdicts[i];
    if (!verdict) return c;
    const { startLine, endLine } = verdict.lines ?? c;
    if (verdict.support === c.support && startLine === c.startLine && endLine === c.endLine) return c;
    const updated = { ...c, support: verdict.support, startLine, endLine };
    emit({ type: 'citation', citation: updated });
    return updated;
  });
  return { citations: checked };
}
