import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import { AzureChatOpenAICompletions, ChatOpenAICompletions } from '@langchain/openai';
import { GroundedError } from '../core/errors';

/**
 * An OpenAI-compatible stream's chunks, passed on, then what its end says. The protocol's last chunk carries a
 * `finish_reason`; the client ends quietly when the connection closes without one (a proxy's timeout, a server that
 * died), which would pass a cut answer for a whole one. So: no reason is a broken stream (the core keeps the
 * partial text and offers a retry), a content filter's stop is a refusal, and `length` says the answer hit the
 * output limit. A cancelled stream ends as the core expects, without a verdict here.
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
  if (finish === undefined || finish === null)
    throw new GroundedError('network', 'the endpoint closed the stream before the answer was finished.');
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
