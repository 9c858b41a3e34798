import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';

/** What one model call does: the reply's tokens, delays, and a fault at a given position. */
export interface Script {
  tokens?: string[];
  /** The whole reply for invoke() (defaults to tokens joined). */
  reply?: string;
  delayMs?: number;
  /** Thrown before the first token (stream) or instead of the reply (invoke). */
  failBefore?: Error;
  /** Thrown after this many tokens were sent. */
  failAfter?: { tokens: number; error: Error };
  /** Never answers until aborted. */
  stall?: boolean;
  /** invoke() never answers, even when aborted: a provider that ignores cancellation. */
  deaf?: boolean;
}

export interface RecordedCall {
  kind: 'stream' | 'invoke';
  messages: BaseMessage[];
  system: string;
  prompt: string;
  aborted: boolean;
}

/**
 * A scripted LangChain chat model. `next(call)` picks the script for each call (so a test can answer grading,
 * rewriting and generation differently), and every call is recorded with whether its signal was aborted.
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly calls: RecordedCall[] = [];

  constructor(private readonly next: (call: RecordedCall, index: number) => Script) {
    super({});
  }

  _llmType(): string {
    return 'scripted';
  }

  private record(kind: RecordedCall['kind'], messages: BaseMessage[]): RecordedCall {
    const text = (m: BaseMessage | undefined) => (typeof m?.content === 'string' ? m.content : '');
    const call = {
      kind,
      messages,
      system: text(messages[0]),
      prompt: text(messages[messages.length - 1]),
      aborted: false,
    };
    this.calls.push(call);
    return call;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const call = this.record('invoke', messages);
    const script = this.next(call, this.calls.length - 1);
    if (script.deaf) await new Promise<never>(() => undefined);
    await wait(script.delayMs ?? 0, options.signal, call, script.stall);
    if (script.failBefore) throw script.failBefore;
    const text = script.reply ?? (script.tokens ?? []).join('');
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
  ): AsyncGenerator<ChatGenerationChunk> {
    const call = this.record('stream', messages);
    const script = this.next(call, this.calls.length - 1);
    if (script.stall) await wait(0, options.signal, call, true);
    if (script.failBefore) throw script.failBefore;
    const tokens = script.tokens ?? [script.reply ?? ''];
    for (const [i, token] of tokens.entries()) {
      if (script.failAfter && i === script.failAfter.tokens) throw script.failAfter.error;
      await wait(script.delayMs ?? 0, options.signal, call);
      yield new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
    }
    if (script.failAfter && script.failAfter.tokens >= tokens.length) throw script.failAfter.error;
  }
}

function wait(ms: number, signal: AbortSignal | undefined, call: RecordedCall, forever = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      call.aborted = true;
      clearTimeout(timer);
      const error = new Error('aborted');
      error.name = 'AbortError';
      reject(error);
    };
    if (signal?.aborted) return abort();
    // the listener goes when the wait ends, so a long stream does not pile one up per token on the call's signal
    const timer = forever
      ? undefined
      : setTimeout(() => {
          signal?.removeEventListener('abort', abort);
          resolve();
        }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/** An error shaped like the OpenAI client's: an HTTP status and headers. */
export function httpError(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${status} status code`), { status, headers });
}
