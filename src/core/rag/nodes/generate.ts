import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { Turn } from '../../events';
import { MarkerScanner } from '../../../shared/citationMarkers';
import { sliceWhole } from '../../../shared/wholeCharacters';
import { CitationStream } from '../../citations/citationStream';
import { streamWithResilience } from '../../modelCall';
import { fitAnswerPrompt } from '../promptBudget';
import { GENERATE_SYSTEM, generateUserPrompt } from '../prompts';
import { callContext, emitter, runOf, type RagConfig } from '../run';
import type { RagStateType, RagUpdate } from '../state';

/** Earlier turns given to the generator: enough for a follow-up, small enough to leave room for passages. */
const HISTORY_TURNS = 6;
const HISTORY_CHARS = 2000;

/**
 * The answer when the search found no passage. It names no command: chat's `/search` is offered as its follow-up,
 * and the CLI (`grounded search`) and an MCP client (the search tool) have their own.
 */
export const NOTHING_FOUND = 'I found nothing in the workspace that answers this. Try other words.';

/** The only node that streams: every token it writes is answer text. */
export async function generate(state: RagStateType, config: RagConfig): Promise<RagUpdate> {
  const run = runOf(config);
  const emit = emitter(config);
  // Grading off, or nothing graded relevant even after rewriting: the top results go to the model, which is
  // told to say plainly when they do not answer (a grader's false negative must not block an answer).
  const ranked = state.relevant.length > 0 ? state.relevant : state.passages.slice(0, run.options.maxContext);
  if (run.options.grading && state.relevant.length === 0 && ranked.length > 0)
    emit({
      type: 'step',
      name: 'generate',
      detail: 'No passage was graded relevant; answering from the top search results',
    });
  if (ranked.length === 0 || !run.model) {
    emit({ type: 'sources', sources: ranked });
    emit({ type: 'token', text: NOTHING_FOUND });
    return { answer: NOTHING_FOUND, citations: [] };
  }
  // Within the model's input limit. Passages are left out from the end, so those kept are the first ones and keep
  // their numbers: `sources` (and every citation's n) is exactly the list the prompt numbers [1]..[n].
  const prompt = fitAnswerPrompt(
    { question: state.question, history: historyTurns(state.history), passages: ranked, context: state.context },
    run.options.maxInputTokens,
    run.options.maxInputTokensSource,
  );
  const sources = prompt.passages;
  emit({ type: 'sources', sources });
  if (prompt.cut) emit({ type: 'step', name: 'generate', detail: prompt.cut });
  emit({
    type: 'step',
    name: 'generate',
    detail: `Writing the answer from ${sources.length} passage${sources.length === 1 ? '' : 's'}`,
  });
  const messages: BaseMessage[] = [
    new SystemMessage(GENERATE_SYSTEM),
    ...prompt.history.map(turn => (turn.role === 'user' ? new HumanMessage(turn.text) : new AIMessage(turn.text))),
    new HumanMessage(generateUserPrompt(state.question, sources, prompt.context, prompt.passageChars)),
  ];
  // Each citation is aligned as its marker arrives and sent before the token that completes it, its claim's terms
  // weighed by the index: the weights are fetched before the model is asked, so they never hold a token back.
  const weights = await run.retriever.termWeights?.([state.question, ...sources.map(s => s.text)]);
  const citations = new CitationStream(sources, run.options.citationCheck, weights);
  void citations.prepare();
  const flush = () => {
    for (const citation of citations.flush()) emit({ type: 'citation', citation });
  };
  const answer = await streamWithResilience(run.model, messages, {
    ...callContext(run, detail => emit({ type: 'step', name: 'generate', detail })),
    firstTokenTimeoutMs: run.options.firstTokenTimeoutMs,
    idleTimeoutMs: run.options.idleTimeoutMs,
    onToken: text => {
      for (const citation of citations.push(text)) emit({ type: 'citation', citation });
      emit({ type: 'token', text });
    },
  }).catch((e: unknown) => {
    // a stream that breaks ends the answer as well: a marker still waiting for the end of its claim's sentence
    // (`According to [1], …`) is cited with the claim as far as it came, so the partial answer's `[1]` opens its
    // lines and is listed under it (not after a Stop, whose events end there)
    if (!run.signal?.aborted) flush();
    throw e;
  });
  flush();
  return { answer, citations: citations.citations };
}

/** The earlier turns as the generator is shown them: the last few, each cut short, answers without markers. */
function historyTurns(history: Turn[]): Turn[] {
  return history.slice(-HISTORY_TURNS).map(turn => {
    const full = turn.role === 'assistant' ? withoutMarkers(turn.text) : turn.text;
    return { role: turn.role, text: full.length > HISTORY_CHARS ? `${sliceWhole(full, 0, HISTORY_CHARS)}…` : full };
  });
}

/**
 * An earlier answer without its citation markers (and the space before each): its `[n]` numbered that answer's
 * passages, and this prompt numbers others, so a marker copied from it would cite the wrong passage. Brackets in
 * code (`arr[1]`) are kept.
 */
function withoutMarkers(answer: string): string {
  const scanner = new MarkerScanner();
  let out = '';
  for (const piece of [...scanner.push(answer), ...scanner.flush()])
    out = piece.type === 'text' ? out + piece.text : out.replace(/[ \t]+$/, '');
  return out;
}
