import { HumanMessage } from '@langchain/core/messages';
import { GroundedError, toGroundedError } from '../core/errors';
import { contentText } from '../core/modelCall';
import type { ChatModel } from '../core/ports';

export type ConnectionReport =
  | { ok: true; latencyMs: number; modelName: string; reply: string }
  | { ok: false; latencyMs: number; modelName: string; error: GroundedError };

export interface ConnectionTestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Sends one tiny prompt and times the answer. No retries: the point is to show the endpoint's first answer,
 * and a failure is reported as the GroundedError a question would have met, with its fix.
 */
export async function testConnection(
  model: ChatModel,
  modelName: string,
  options: ConnectionTestOptions = {},
): Promise<ConnectionReport> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const started = now();
  try {
    const result = await model.invoke([new HumanMessage('Reply with the single word OK.')], { signal });
    return { ok: true, latencyMs: now() - started, modelName, reply: contentText(result.content).trim().slice(0, 80) };
  } catch (e) {
    const error =
      timeout.aborted && !options.signal?.aborted
        ? new GroundedError(
            'timeout',
            `The endpoint did not answer within ${Math.round(timeoutMs / 1000)} s. Check the base URL and that the model is running.`,
            { cause: e },
          )
        : toGroundedError(e, options.signal);
    return { ok: false, latencyMs: now() - started, modelName, error };
  }
}
