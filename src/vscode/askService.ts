import type { AskDeps } from '../core/ask';
import { toGroundedError, type GroundedError } from '../core/errors';
import type { AnswerEvent, AskRequest } from '../core/events';
import { logFailureOnce } from './failureLog';
import type { AnswerModels } from './models';

/** The one way a surface asks: chat passes the model picked in the chat view, the panel and the API pass none. */
export type AskService<ChatModelPick = unknown> = (
  request: AskRequest,
  chatModel?: ChatModelPick,
) => AsyncIterable<AnswerEvent>;

/** Where failures are written: the Grounded LogOutputChannel in the extension, a fake in tests. */
export interface FailureLog {
  warn(message: string): void;
}

export interface AskServiceDeps<ChatModelPick> {
  /** Everything ask() needs except the models, read fresh for each question. */
  askDeps(): Omit<AskDeps, 'model' | 'helperModel'>;
  /** The models for an answer (not asked for in search mode); `chatModel` is the one picked in the chat view. */
  models(chatModel?: ChatModelPick): Promise<AnswerModels>;
  /** The answer pipeline, loaded on the first question. */
  loadCore(): Promise<{ ask: (request: AskRequest, deps: AskDeps) => AsyncIterable<AnswerEvent> }>;
  log: FailureLog;
  /** The secret values the extension holds (peeked, for redaction only): none of them reaches the log. */
  heldSecrets(): Promise<readonly (string | undefined)[]>;
}

/**
 * Asking, composed once for every surface: resolves the models (answer mode only), loads the core and runs the
 * question. Every failure, the core's or one on the way there (a model that cannot be resolved), ends the stream
 * as one error event and is logged once, with credential shapes and every secret the extension holds redacted. A
 * cancel is not a failure and is not logged.
 */
export function createAskService<ChatModelPick>(deps: AskServiceDeps<ChatModelPick>): AskService<ChatModelPick> {
  return async function* ask(request, chatModel) {
    let events: AsyncIterable<AnswerEvent>;
    let label: string | undefined;
    try {
      const models = (request.mode ?? 'answer') === 'answer' ? await deps.models(chatModel) : {};
      label = models.label;
      const { ask: runAsk } = await deps.loadCore();
      const base = deps.askDeps();
      // the models' input limits are options of the answer: its prompts are fitted to them
      const limits = {
        maxInputTokens: models.maxInputTokens,
        maxInputTokensSource: models.maxInputTokensSource,
        helperMaxInputTokens: models.helperMaxInputTokens,
      };
      events = runAsk(request, {
        ...base,
        model: models.model,
        helperModel: models.helperModel,
        options: { ...base.options, ...limits },
      });
    } catch (e) {
      const error = toGroundedError(e, request.signal);
      await logFailure(error, deps);
      yield { type: 'error', error, partial: '' };
      return;
    }
    for await (const event of events) {
      if (event.type === 'error') await logFailure(event.error, deps);
      // a model wrote the answer: its surface may say which
      yield event.type === 'done' && event.mode === 'answer' && label ? { ...event, model: label } : event;
    }
  };
}

async function logFailure(
  error: GroundedError,
  deps: Pick<AskServiceDeps<unknown>, 'log' | 'heldSecrets'>,
): Promise<void> {
  if (error.kind === 'cancelled') return;
  const held = await deps.heldSecrets().catch((): readonly (string | undefined)[] => []);
  logFailureOnce(deps.log, 'answer', error, held);
}
