import { WithoutInventedNumbers } from '../shared/citationMarkers';
import { sliceWhole } from '../shared/wholeCharacters';
import { realClock, type Clock } from './clock';
import { cancelled, GroundedError, toGroundedError } from './errors';
import type { AnswerEvent, AskRequest, Citation, Usage } from './events';
import { defaultAskOptions, MAX_CONTEXT_CHARS, questionTooLong, type AskOptions } from './options';
import type { ChatModel, Retriever } from './ports';
import { ragGraph } from './rag/graph';
import { contextExceeded, questionFitError } from './rag/promptBudget';
import type { RagRun } from './rag/run';

export interface AskDeps {
  retriever: Retriever;
  /** The generator. Undefined: no-model mode, the answer is search results. */
  model?: ChatModel;
  /** Grading and rewriting (a small, fast model); defaults to `model`. */
  helperModel?: ChatModel;
  options?: Partial<AskOptions>;
  clock?: Clock;
}

/**
 * Answers one question: retrieve → grade → (rewrite → retrieve) → generate, as a stream of events.
 * Never throws: every failure ends the stream with an `error` event that keeps the partial answer.
 */
export async function* ask(request: AskRequest, deps: AskDeps): AsyncGenerator<AnswerEvent> {
  const options = { ...defaultAskOptions, ...deps.options };
  const question = request.question.trim();
  const mode = request.mode ?? 'answer';
  // a question that leaves the generator no room for a passage is refused before anything is searched
  const invalid =
    validate(question, options) ??
    (mode === 'answer' && deps.model
      ? questionFitError(question, options.maxInputTokens, options.maxInputTokensSource)
      : undefined);
  if (invalid) {
    yield { type: 'error', error: invalid, partial: '' };
    return;
  }
  const usage: Usage = { modelCalls: 0, retries: 0, rewrites: 0, fallback: false };
  const run: RagRun = {
    retriever: deps.retriever,
    model: deps.model,
    helperModel: deps.helperModel,
    options,
    clock: deps.clock ?? realClock,
    signal: request.signal,
    usage,
  };
  const history = request.history ?? [];
  // the answer as the surfaces show it: without the numbers that name no source (`done.answer`, `error.partial`)
  let partial = '';
  let shown = new WithoutInventedNumbers(0);
  // by ordinal: a citation sent again (the model check's verdict) replaces the first
  const citations = new Map<number, Citation>();
  try {
    const context = request.context && {
      ...request.context,
      text: sliceWhole(request.context.text, 0, MAX_CONTEXT_CHARS),
    };
    // `/search` searches exactly what was typed; an answer's short follow-up is searched with the question before it
    const query = context
      ? `${question} ${sliceWhole(context.text, 0, 300)}`
      : mode === 'search'
        ? question
        : searchQuery(question, history);
    const input = {
      question,
      history,
      mode,
      context,
      query,
      searched: '',
      passages: [],
      relevant: [],
      rewrites: 0,
      answer: '',
      citations: [],
    };
    const stream = await ragGraph().stream(input, {
      streamMode: 'custom',
      signal: request.signal,
      recursionLimit: 50,
      context: { run },
    });
    for await (const chunk of stream) {
      const event = chunk as AnswerEvent;
      if (event.type === 'sources') {
        partial += shown.flush();
        shown = new WithoutInventedNumbers(event.sources.length);
      }
      if (event.type === 'token') partial += shown.push(event.text);
      if (event.type === 'citation') citations.set(event.citation.ordinal, event.citation);
      yield event;
    }
    if (request.signal?.aborted) throw cancelled();
    partial += shown.flush();
    const cited = [...citations.values()].sort((a, b) => a.ordinal - b.ordinal);
    yield { type: 'done', answer: partial, citations: cited, usage, mode: deps.model ? mode : 'search' };
  } catch (e) {
    // a prompt the endpoint found too long for the model was fitted to the limit in `options`: the error names it
    const error = contextExceeded(
      toGroundedError(e, request.signal),
      options.maxInputTokens,
      options.maxInputTokensSource,
    );
    yield { type: 'error', error, partial: partial + shown.flush() };
  }
}

function validate(question: string, options: AskOptions): GroundedError | undefined {
  if (!question)
    return new GroundedError(
      'bad-input',
      'Type a question about your workspace, for example “how is logging configured?”.',
    );
  const tooLong = questionTooLong(question, options.maxQuestionChars);
  if (tooLong)
    return new GroundedError(
      'bad-input',
      `${tooLong} Shorten it, or save the long text as a file in the workspace and ask about it.`,
    );
  return undefined;
}

/** A short follow-up ("and on Windows?", "そのテストは？") is searched together with the question before it. */
export function searchQuery(question: string, history: AskRequest['history'] = []): string {
  const previous = [...history].reverse().find(t => t.role === 'user');
  const short = wordCount(question) <= 6;
  return previous && short ? `${previous.text.slice(0, 300)} ${question}` : question;
}

/**
 * Words by the Unicode word breaks (ICU's), not by spaces: Chinese, Japanese and Thai write none between words, so a
 * whole question in them is one run of text without a space.
 */
const WORD_BREAKS = new Intl.Segmenter(undefined, { granularity: 'word' });

function wordCount(text: string): number {
  let n = 0;
  for (const segment of WORD_BREAKS.segment(text)) if (segment.isWordLike) n++;
  return n;
}
