import * as vscode from 'vscode';
import type { AnswerMode, Turn } from '../core/events';
import type { AskService } from './askService';
import { RETRY, renderToChat, type ChatSink } from './chatRender';
import { indexReportMarkdown, type IndexReport } from '../index';
import { passageRef } from '../core/passage';
import { passageLocation, passageUri } from './locations';
import { withNotebooksLoaded } from './notebookCells';

export const PARTICIPANT_ID = 'grounded.chat';

export interface ChatParticipantDeps {
  /** The one ask service; in chat it is given `request.model`, the model picked in the chat view. It logs failures. */
  ask: AskService<vscode.LanguageModelChat>;
  indexReport(): Promise<IndexReport>;
}

interface GroundedChatMetadata {
  question: string;
  mode: AnswerMode;
  cited: number;
  failed: boolean;
}

export function registerChatParticipant(deps: ChatParticipantDeps): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, createChatHandler(deps));
  participant.iconPath = new vscode.ThemeIcon('book');
  participant.followupProvider = { provideFollowups: followups };
  return participant;
}

export function createChatHandler(deps: ChatParticipantDeps): vscode.ChatRequestHandler {
  return async (request, context, stream, token): Promise<vscode.ChatResult> => {
    if (request.command === 'index') {
      stream.progress('Reading the workspace index…');
      stream.markdown(indexReportMarkdown(await deps.indexReport()));
      return {};
    }
    const mode: AnswerMode = request.command === 'search' ? 'search' : 'answer';
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      const events = deps.ask(
        { question: request.prompt, history: historyOf(context), mode, signal: controller.signal },
        request.model,
      );
      const outcome = await renderToChat(
        withNotebooksLoaded(events, passageUri),
        chatSink(stream, [request.prompt, mode]),
      );
      const metadata: GroundedChatMetadata = {
        question: request.prompt,
        mode: outcome.mode,
        cited: outcome.cited,
        failed: !!outcome.error,
      };
      return outcome.error && outcome.error.kind !== 'cancelled'
        ? { metadata, errorDetails: { message: outcome.error.message } }
        : { metadata };
    } finally {
      cancel.dispose();
    }
  };
}

function chatSink(stream: vscode.ChatResponseStream, retryArgs: unknown[]): ChatSink {
  return {
    progress: text => stream.progress(text),
    markdown: text => stream.markdown(text),
    anchor: (n, p) => stream.anchor(passageLocation(p), `[${n}] ${passageRef(p, p.startLine, p.endLine)}`),
    reference: p => stream.reference(passageLocation(p)),
    button: action =>
      stream.button({
        title: action.title,
        command: action.command,
        arguments: action.command === RETRY.command ? retryArgs : action.arguments,
      }),
  };
}

/** This participant's earlier turns, as plain text, for follow-up questions. */
function historyOf(context: vscode.ChatContext): Turn[] {
  const turns: Turn[] = [];
  for (const turn of context.history) {
    if (turn.participant !== PARTICIPANT_ID) continue;
    if (turn instanceof vscode.ChatRequestTurn) {
      if (!turn.command) turns.push({ role: 'user', text: turn.prompt });
    } else if (turn instanceof vscode.ChatResponseTurn && !turn.command) {
      const text = turn.response
        .map(part => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : ''))
        .join('');
      if (text) turns.push({ role: 'assistant', text });
    }
  }
  return turns;
}

function followups(result: vscode.ChatResult): vscode.ChatFollowup[] {
  const meta = result.metadata as GroundedChatMetadata | undefined;
  if (!meta) return [];
  if (meta.failed) return [{ prompt: meta.question, command: 'search', label: 'Show matching passages instead' }];
  if (meta.mode === 'answer' && meta.cited === 0)
    return [
      { prompt: meta.question, command: 'search', label: 'Show the passages that match' },
      { prompt: '', command: 'index', label: 'What is indexed?' },
    ];
  if (meta.mode === 'answer')
    return [{ prompt: meta.question, command: 'search', label: 'Show all matching passages' }];
  return [];
}
