import * as vscode from 'vscode';
import type { ChatModel } from '../core/ports';
import { VscodeLmChatModel } from '../providers/vscodeLmChatModel';

/** The models one answer uses: the generator, and optionally a smaller one for grading and rewriting. */
export interface AnswerModels {
  model?: ChatModel;
  helperModel?: ChatModel;
}

/**
 * Chooses the models for a question. In chat, the model picked in the chat view (`request.model`); elsewhere
 * the first model VS Code offers; none at all means search results instead of an answer.
 */
export async function resolveModels(chatModel?: vscode.LanguageModelChat): Promise<AnswerModels> {
  const picked = chatModel ?? (await vscode.lm.selectChatModels())[0];
  return { model: picked && new VscodeLmChatModel(picked) };
}
