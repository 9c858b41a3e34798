import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { toGroundedError } from '../../errors';
import type { Passage } from '../../passage';
import { fitGradePrompt } from '../promptBudget';
import { GRADE_SYSTEM, gradeUserPrompt } from '../prompts';
import { emitter, endsAnswer, helperOf, invokeHelper, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

/** Grades every retrieved passage in ONE model call; a failed or unreadable grade keeps the top passages. */
export async function grade(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  const { model, maxInputTokens } = helperOf(run);
  const { passages } = state;
  const top = (why: string) => {
    emit({ type: 'step', name: 'grade', detail: why });
    return { relevant: merge(state.relevant, passages.slice(0, run.options.maxContext), run.options.maxContext) };
  };
  if (passages.length === 0) return { relevant: state.relevant };
  if (!model) return top(`Using the top ${Math.min(passages.length, run.options.maxContext)} passages`);

  // still one call within the grader's input limit: shorter excerpts, then only the top passages are graded
  const prompt = fitGradePrompt(state.question, passages, maxInputTokens);
  if (!prompt)
    return top(
      'The question leaves no room to grade passages in the model’s context; using the top passages by search score',
    );
  const graded = prompt.passages;
  emit({ type: 'step', name: 'grade', detail: prompt.cut ?? `Grading ${passages.length} passages for relevance` });
  let reply: string;
  try {
    const messages = [
      new SystemMessage(GRADE_SYSTEM),
      new HumanMessage(gradeUserPrompt(state.question, graded, prompt.passageChars)),
    ];
    reply = await invokeHelper(run, model, messages, detail => emit({ type: 'step', name: 'grade', detail }));
  } catch (e) {
    const err = toGroundedError(e, run.signal);
    if (endsAnswer(run, model, err)) throw err;
    return top(`Grading failed (${err.message}); using the top passages by search score`);
  }
  const picked = parseGrade(reply, graded.length);
  if (picked === undefined) return top('The grader’s reply was unreadable; using the top passages by search score');
  const relevant = picked.map(n => graded[n - 1]).filter((p): p is Passage => p !== undefined);
  emit({ type: 'step', name: 'grade', detail: `${relevant.length} of ${graded.length} passages are relevant` });
  return { relevant: merge(state.relevant, relevant, run.options.maxContext) };
}

/**
 * Reads the grader's answer (its reply past any reasoning, as invokeWithRetry gives it) leniently: `{"relevant":[1,3]}`
 * anywhere in it (in a code fence, among prose), a bare `[1, 3]`, or prose such as "Passages 1 and 3" or "[1] and
 * [3]". Numbers outside 1..count are ignored; undefined when nothing usable is there.
 */
export function parseGrade(answer: string, count: number): number[] | undefined {
  const inRange = (ns: unknown[]) => [
    ...new Set(ns.map(Number).filter(n => Number.isInteger(n) && n >= 1 && n <= count)),
  ];
  const text = answer.trim();
  // only the list is read, so braces or numbers in the prose around it cannot count (nor "1" in "[1] and [3]"): a
  // bare list opens the reply, alone on its line(s) (in a fence or not), whatever explanation follows
  const list =
    /["']?relevant["']?\s*:\s*(\[[^\]]*\])/i.exec(text)?.[1] ??
    /^(?:```\w*\s*)?(\[[^\]]*\])[ \t]*(?:```)?[ \t]*(?:\n|$)/.exec(text)?.[1];
  if (list) return inRange(list.match(/-?\d+(?:\.\d+)?/g) ?? []);
  if (/^\W*(none|no)\b/i.test(text) || (/\b(none|no passages?)\b/i.test(text) && !/\d/.test(text))) return [];
  const digits = text.match(/\d+/g);
  return digits ? inRange(digits) : undefined;
}

function merge(kept: Passage[], added: Passage[], max: number): Passage[] {
  const ids = new Set(kept.map(p => p.id));
  return [...kept, ...added.filter(p => !ids.has(p.id))].slice(0, max);
}
