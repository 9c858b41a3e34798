import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ChatResult } from '@langchain/core/outputs';
import type { GroundedError } from '../core/errors';

/**
 * Stands in for a provider that cannot be built (no API key, a missing setting), so the problem reaches the user
 * through ask() as an ordinary error event, with its fix button, instead of failing before the answer starts.
 * Its errors are final kinds (auth, no-model), so the core neither retries nor falls back.
 */
export class UnavailableChatModel extends BaseChatModel {
  constructor(readonly problem: GroundedError) {
    super({});
  }

  _llmType(): string {
    return 'unavailable';
  }

  async _generate(): Promise<ChatResult> {
    throw this.problem;
  }
}
