import type { AnswerMode } from '../core/events';
import { INTERRUPTED_NOTE, PARTIAL_NOTE, UNSUPPORTED_NOTE } from './chatRender';
import { OPEN_CITATION } from './sourcesMarkdown';

/** What a chat answer keeps in its ChatResult: the follow-ups read it, and the next question's history. */
export interface GroundedChatMetadata {
  question: string;
  /** What was asked for (`answer` or `search`); for an answer, `search` when search results stood in for one. */
  mode: AnswerMode;
  cited: number;
  failed: boolean;
  /** The answer as the model wrote it, `[n]` markers and all: what the model is shown of it on a follow-up. */
  answer?: string;
}

/** A part of an earlier chat response, as far as its history needs it. */
export type ResponsePart = { kind: 'markdown'; value: string } | { kind: 'anchor'; title: string } | { kind: 'other' };

/** Said in the chat response and never by the model. */
const CHAT_ONLY = [UNSUPPORTED_NOTE, PARTIAL_NOTE, INTERRUPTED_NOTE];

/**
 * An earlier answer as the model wrote it, for a follow-up's history: the answer kept in its metadata; for a response
 * without it (from an earlier version), its markdown with each anchor as its `[n]`, without the Sources links
 * (URL-encoded JSON with absolute paths) and the notes chat added.
 */
export function answerForHistory(metadata: unknown, parts: readonly ResponsePart[]): string {
  const kept = (metadata as Partial<GroundedChatMetadata> | undefined)?.answer;
  if (typeof kept === 'string') return kept;
  return parts
    .map(part => {
      if (part.kind === 'anchor') return /^\[\d+\]/.exec(part.title)?.[0] ?? '';
      if (part.kind !== 'markdown' || CHAT_ONLY.includes(part.value)) return '';
      return part.value.includes(`(command:${OPEN_CITATION}?`) ? '' : part.value;
    })
    .join('');
}
