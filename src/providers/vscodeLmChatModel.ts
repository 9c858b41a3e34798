import * as vscode from 'vscode';
import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { GroundedError } from '../core/errors';
import { contentText } from '../core/modelCall';

/**
 * A VS Code language model (`request.model` in chat, or one from `vscode.lm.selectChatModels`) as a LangChain
 * chat model, so the core treats it like any other provider. The AbortSignal becomes a CancellationToken.
 */
export class VscodeLmChatModel extends BaseChatModel {
  constructor(
    private readonly model: vscode.LanguageModelChat,
    params: BaseChatModelParams = {},
  ) {
    super(params);
  }

  _llmType(): string {
    return 'vscode-lm';
  }

  get modelName(): string {
    return this.model.name;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    let text = '';
    for await (const piece of this.send(messages, options.signal)) text += piece;
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
  ): AsyncGenerator<ChatGenerationChunk> {
    for await (const piece of this.send(messages, options.signal)) {
      yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
    }
  }

  private async *send(messages: BaseMessage[], signal: AbortSignal | undefined): AsyncGenerator<string> {
    const cts = new vscode.CancellationTokenSource();
    const cancel = () => cts.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      if (signal?.aborted) throw abortError();
      const response = await this.model.sendRequest(
        toVscodeMessages(messages),
        { justification: 'Grounded answers questions about your workspace.' },
        cts.token,
      );
      for await (const piece of response.text) {
        if (signal?.aborted) throw abortError();
        yield piece;
      }
      if (signal?.aborted) throw abortError();
    } catch (e) {
      throw signal?.aborted ? abortError() : fromLanguageModelError(e, this.model.name);
    } finally {
      signal?.removeEventListener('abort', cancel);
      cts.dispose();
    }
  }
}

/** The LM API has no system role: system text leads the first user message. */
export function toVscodeMessages(messages: BaseMessage[]): vscode.LanguageModelChatMessage[] {
  const system = messages.filter(m => m.getType() === 'system').map(m => contentText(m.content));
  const out: vscode.LanguageModelChatMessage[] = [];
  for (const m of messages) {
    const text = contentText(m.content);
    if (m.getType() === 'system') continue;
    if (m.getType() === 'ai') out.push(vscode.LanguageModelChatMessage.Assistant(text));
    else out.push(vscode.LanguageModelChatMessage.User(text));
  }
  if (system.length > 0) {
    const first = out.findIndex(m => m.role === vscode.LanguageModelChatMessageRole.User);
    const prefix = system.join('\n\n');
    if (first === -1) out.unshift(vscode.LanguageModelChatMessage.User(prefix));
    else out[first] = vscode.LanguageModelChatMessage.User(`${prefix}\n\n${textOf(out[first])}`);
  }
  return out;
}

function textOf(message: vscode.LanguageModelChatMessage | undefined): string {
  if (!message) return '';
  const content: unknown = message.content;
  if (typeof content === 'string') return content;
  return (content as unknown[]).map(p => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

function fromLanguageModelError(e: unknown, name: string): unknown {
  if (!(e instanceof vscode.LanguageModelError)) return e;
  switch (e.code) {
    case vscode.LanguageModelError.NoPermissions.name:
      return new GroundedError(
        'no-model',
        `Grounded is not allowed to use “${name}”. Allow it when VS Code asks, or pick another model.`,
        { cause: e },
      );
    case vscode.LanguageModelError.Blocked.name:
      return new GroundedError(
        'rate-limit',
        `“${name}” is not available right now (quota or rate limit). Wait a moment, or pick another model.`,
        { cause: e },
      );
    case vscode.LanguageModelError.NotFound.name:
      return new GroundedError('no-model', `The model “${name}” is no longer available. Pick another model.`, {
        cause: e,
      });
    default:
      if (/refus|filter|policy|responsible ai/i.test(e.message))
        return new GroundedError(
          'model-refused',
          `“${name}” declined to answer. Rephrase the question and try again.`,
          { cause: e },
        );
      return e;
  }
}

function abortError(): Error {
  const e = new Error('The request was cancelled.');
  e.name = 'AbortError';
  return e;
}
