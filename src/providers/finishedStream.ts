import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import { AzureChatOpenAICompletions, ChatOpenAICompletions } from '@langchain/openai';
import { GroundedError } from '../core/errors';

/**
 * An OpenAI-compatible stream's chunks, passed on, then what its last chunk's `finish_reason` says: a content
 * filter's stop is a refusal, and `length` says the answer hit the output limit (the core keeps the partial text and
 * offers a retry either way). A stream that closed without ending is caught below the client (`failingUnlessEnded`),
 * which sees the `[DONE]` line and a final chunk without `delta` that the client drops. A cancelled stream ends as the
 * core expects, without a verdict here.
 */
async function* checkedEnd(
  chunks: AsyncGenerator<ChatGenerationChunk>,
  signal: AbortSignal | undefined,
): AsyncGenerator<ChatGenerationChunk> {
  let finish: unknown;
  for await (const chunk of chunks) {
    finish = chunk.generationInfo?.finish_reason ?? finish;
    yield chunk;
  }
  if (signal?.aborted) return;
  if (finish === 'content_filter')
    throw new GroundedError('model-refused', "The endpoint's content filter stopped the answer.");
  if (finish === 'length')
    throw new GroundedError(
      'model-refused',
      "The answer reached the model's output limit (its maximum tokens). Ask for less, or raise the limit on the endpoint.",
    );
}

/** ChatOpenAICompletions whose streams end with a verdict (`checkedEnd`). */
export class FinishedCompletions extends ChatOpenAICompletions {
  override _streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    return checkedEnd(super._streamResponseChunks(messages, options, runManager), options.signal);
  }
}

/** AzureChatOpenAICompletions whose streams end with a verdict (`checkedEnd`). */
export class FinishedAzureCompletions extends AzureChatOpenAICompletions {
  override _streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    return checkedEnd(super._streamResponseChunks(messages, options, runManager), options.signal);
  }
}
